/**
 * junit.xml: valid against the common JUnit XML schema (test/fixtures/junit.xsd, checked with libxml2's
 * validator built to WebAssembly, see test/helpers/xsd.ts), one suite per host, one case per rule and subject.
 */
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../../src/io/policyFiles.js';
import { evaluatePolicy } from '../../../src/policy/index.js';
import { escapeXml, renderJunit } from '../../../src/report/junit.js';
import { JUNIT_XSD, validateAgainstSchema, type SchemaVerdict } from '../../helpers/xsd.js';
import { demoEntries, demoFleet, failedHost, fleetReport, host, nic, REPO_ROOT, vm } from '../policy/fixtures.js';

/** Validate XML against the JUnit schema; resolves with libxml2's verdict (output holds the reasons). */
function validate(xml: string, name = 'junit.xml'): Promise<SchemaVerdict> {
  return validateAgainstSchema(xml, JUNIT_XSD, name);
}

interface ParsedCase {
  name: string;
  classname: string;
  failure?: { message: string; type: string; '#text'?: string };
  skipped?: { message: string };
  error?: { message: string; type: string };
}

function parse(xml: string) {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
  });
  return parser.parse(xml) as { testsuites: { tests: string; failures: string; errors: string; skipped: string; testsuite: { name: string; tests: string; failures: string; skipped: string; errors: string; testcase: ParsedCase[] }[] } };
}

function demoJunit() {
  const { hosts, facts } = demoFleet();
  const allHosts = [...hosts, failedHost('hv-locked-90', { groups: ['legacy'], error: { kind: 'auth', message: 'all authentication methods failed' } })];
  const knownGroups = [...new Set([...demoEntries().flatMap((e) => e.groups), 'legacy'])];
  const policy = loadPolicy(['builtin:baseline', join(REPO_ROOT, 'policy.example.yaml')], { knownGroups });
  const evaluation = evaluatePolicy(policy, allHosts, { now: new Date('2026-01-15T00:00:00Z'), hostFacts: facts });
  return { report: fleetReport(allHosts), evaluation };
}

describe('renderJunit', () => {
  it('writes the demo fleet and its policy results as valid JUnit XML', async () => {
    // Given the demo fleet, a host that could not be audited, the baseline and the example policy
    const { report, evaluation } = demoJunit();
    // When rendered
    const xml = renderJunit(report, evaluation);
    // Then the schema accepts it
    expect(await validate(xml)).toEqual({ valid: true, output: '' });
  });

  it('has one suite per host, an audit case, and one case per rule and subject with matching counts', () => {
    const { report, evaluation } = demoJunit();
    const parsed = parse(renderJunit(report, evaluation)).testsuites;
    // One suite per host, in report order
    expect(parsed.testsuite.map((s) => s.name)).toEqual(report.hosts.map((h) => h.name));
    for (const suite of parsed.testsuite) {
      const checks = evaluation.checks.filter((c) => c.host === suite.name);
      // the audit case, then one case per check, named `rule: subject`
      expect(suite.testcase.map((c) => c.name)).toEqual(['audit', ...checks.map((c) => `${c.rule}: ${c.subject}`)]);
      expect(Number(suite.tests)).toBe(suite.testcase.length);
      expect(Number(suite.failures)).toBe(suite.testcase.filter((c) => c.failure).length);
      expect(Number(suite.skipped)).toBe(suite.testcase.filter((c) => c.skipped).length);
      expect(Number(suite.failures)).toBe(checks.filter((c) => c.status === 'fail').length);
    }
    // The root counts add up the suites
    expect(Number(parsed.tests)).toBe(parsed.testsuite.reduce((n, s) => n + Number(s.tests), 0));
    expect(Number(parsed.failures)).toBe(evaluation.checks.filter((c) => c.status === 'fail').length);
  });

  it('puts the evidence chain into a failure, the justification into a waived case, the error into an unaudited host', () => {
    const { report, evaluation } = demoJunit();
    const suites = parse(renderJunit(report, evaluation)).testsuites.testsuite;
    const cases = (host: string) => suites.find((s) => s.name === host)?.testcase ?? [];

    const orphan = cases('hv-stale-10').find((c) => c.name.startsWith('baseline/interface-unresolved: vm orphan01'));
    expect(orphan?.failure?.type).toBe('high');
    expect(orphan?.failure?.message).toBe('mode is missing (not allowed: missing, unknown)');
    expect(orphan?.failure?.['#text']).toContain('→ network decommissioned not found');

    const ftp = cases('hv-edge-05').find((c) => c.name.startsWith('baseline/isolated-group-external: vm legacy-ftp'));
    expect(ftp?.skipped?.message).toMatch(/^waived until 2030-06-30 \(owner dmz-team\): The legacy FTP server needs the DMZ VLAN/);

    const locked = cases('hv-locked-90');
    expect(locked[0]).toMatchObject({ name: 'audit', error: { type: 'auth', message: 'auth: all authentication methods failed' } });
    expect(locked.find((c) => c.name === 'baseline/host-not-audited: host hv-locked-90')?.failure?.type).toBe('high');
    expect(locked.find((c) => c.name.startsWith('baseline/interface-unresolved'))?.skipped?.message).toMatch(/^host not audited \(auth: /);
  });

  it('stays valid XML when host, VM and message text holds markup, quotes and control characters', async () => {
    // Given names with an escape sequence, a NUL-free control char, quotes, ampersands and a fake closing tag
    const hostile = host('hv-"evil"&<x>', {
      address: '198.18.0.66',
      verdict: 'ends ]]> here',
      vms: [vm('vm\u001b[31m<red>"\'&', [nic({ mac: null, target: 'tap\u0007', mode: 'missing', via: 'network </failure>' })])],
    });
    const policy = loadPolicy('builtin:baseline');
    const evaluation = evaluatePolicy(policy, [hostile], { now: new Date() });
    // When rendered
    const xml = renderJunit(fleetReport([hostile]), evaluation);
    // Then it validates, and the names read back as written (controls shown as \xNN)
    expect(await validate(xml, 'hostile.xml')).toEqual({ valid: true, output: '' });
    const suite = parse(xml).testsuites.testsuite[0];
    expect(suite?.name).toBe('hv-"evil"&<x>');
    expect(suite?.testcase.map((c) => c.name)).toContain('baseline/interface-unresolved: vm vm\\x1b[31m<red>"\'& tap\\x07');
  });

  it('writes only audit cases without a policy', async () => {
    const report = fleetReport([host('hv1'), failedHost('hv2')]);
    const xml = renderJunit(report, null);
    expect(await validate(xml)).toEqual({ valid: true, output: '' });
    const parsed = parse(xml).testsuites;
    expect(parsed.testsuite.map((s) => s.testcase.map((c) => c.name))).toEqual([['audit'], ['audit']]);
    expect(parsed.errors).toBe('1');
  });

  it('is checked by a schema that does reject broken JUnit', async () => {
    // A test case without a classname, and one with two results: both invalid for Jenkins-style readers
    const broken = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuites><testsuite name="s" tests="2">',
      '<testcase name="a"/>',
      '<testcase name="b" classname="c"><failure/><skipped/></testcase>',
      '</testsuite></testsuites>',
    ].join('\n');
    const verdict = await validate(broken, 'broken.xml');
    expect(verdict.valid).toBe(false);
    expect(verdict.output).toMatch(/classname/);
  });

  it('escapes what XML 1.0 cannot hold', () => {
    expect(escapeXml('a&b<c>"d"\u001b\t', true)).toBe('a&amp;b&lt;c&gt;&quot;d&quot;\\x1b&#9;');
    expect(escapeXml('line1\nline2 "q"', false)).toBe('line1\nline2 "q"');
  });
});
