/**
 * junit.xml (`--format junit`): the audit and the policy as JUnit test results, in the Ant/Jenkins format
 * that Jenkins, GitLab, GitHub annotations and Azure DevOps render. Pure.
 *
 * One `<testsuite>` per host. Its first test case, `audit`, is an error when the host could not be
 * audited; then one test case per rule and subject: a `<failure>` carrying the finding's evidence, a
 * `<skipped>` for a waived finding (with its justification) or a check that could not run, else a pass.
 * Test case class names are `kvm-netaudit.HOST` (dots in host names become `_`, because CI tools split
 * class names at dots), so a CI tree reads kvm-netaudit → host → `rule: subject`.
 */
import type { FleetReportView, HostReport } from '../model.js';
import { headlinesOf } from './headline.js';
import type { PolicyCheck, PolicyEvaluation, PolicyFinding } from '../policy/types.js';

/** How a test case ended, as JUnit counts it. */
type Outcome = 'pass' | 'failure' | 'error' | 'skipped';

interface CaseXml {
  xml: string;
  failure: boolean;
  error: boolean;
  skipped: boolean;
}

const flagsOf = (outcome: Outcome) => ({ failure: outcome === 'failure', error: outcome === 'error', skipped: outcome === 'skipped' });

/** The audit case: an error when the host could not be audited, so CI shows it apart from policy failures. */
function auditOutcome(host: Pick<HostReport, 'status'>): Outcome {
  return host.status === 'failed' ? 'error' : 'pass';
}

/** A policy check's case: a waived failure is skipped (with why), a failure without its finding still fails. */
function checkOutcome(check: PolicyCheck): Outcome {
  if (check.status === 'pass') return 'pass';
  if (check.status === 'skipped' || (check.status === 'waived' && check.finding)) return 'skipped';
  return 'failure';
}

/**
 * Render the report (and, when given, the policy's checks) as JUnit XML, ending with a newline.
 * @example renderJunit(report, evaluatePolicy(policy, report.hosts, { now: new Date() }))
 */
export function renderJunit(report: FleetReportView, evaluation: PolicyEvaluation | null): string {
  return [...junitChunks(report, evaluation)].join('');
}

/**
 * junit.xml in pieces, one host's suite at a time: the totals on the root element are counted in a first pass
 * over the hosts, so no host is held while the second pass writes them (they may come from the spill file).
 */
export function* junitChunks(report: FleetReportView, evaluation: PolicyEvaluation | null): Generator<string> {
  const checksByHost = new Map<string, PolicyCheck[]>();
  for (const check of evaluation?.checks ?? []) checksByHost.set(check.host, [...(checksByHost.get(check.host) ?? []), check]);
  const descriptions = new Map((evaluation?.rules ?? []).map((rule) => [rule.id, rule.description]));
  const timestamp = junitTimestamp(report.run.startedAt);
  const casesOf = (host: HostReport) => [auditCase(host), ...(checksByHost.get(host.name) ?? []).map((check) => checkCase(host, check, descriptions.get(check.rule)))];

  // The root's totals come first in the file: counted from the outcomes alone, no case written twice.
  const totals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const count = (outcome: Outcome) => {
    totals.tests++;
    if (outcome === 'failure') totals.failures++;
    if (outcome === 'error') totals.errors++;
    if (outcome === 'skipped') totals.skipped++;
  };
  for (const host of headlinesOf(report.hosts)) {
    count(auditOutcome(host));
    for (const check of checksByHost.get(host.name) ?? []) count(checkOutcome(check));
  }
  const seconds = Math.max(0, (Date.parse(report.run.finishedAt) - Date.parse(report.run.startedAt)) / 1000);
  const root = attributes({
    name: report.tool.name,
    ...totals,
    time: formatSeconds(Number.isFinite(seconds) ? seconds : 0),
    timestamp,
  });
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${root}>\n`;
  let index = 0;
  for (const host of report.hosts) yield `${suiteXml(host, index++, casesOf(host), timestamp)}\n`;
  yield '</testsuites>\n';
}

function suiteXml(host: HostReport, index: number, cases: CaseXml[], timestamp: string): string {
  const head = attributes({
    name: host.name,
    tests: cases.length,
    failures: cases.filter((c) => c.failure).length,
    errors: cases.filter((c) => c.error).length,
    skipped: cases.filter((c) => c.skipped).length,
    time: formatSeconds(host.durationMs / 1000),
    timestamp,
    hostname: host.address,
    id: index,
    package: 'kvm-netaudit',
  });
  const properties = [
    ['address', host.address],
    ['groups', host.groups.join(',')],
    ['status', host.status],
    ['modes', host.modes.join(',')],
    ['verdict', host.verdict],
  ]
    .map(([name, value]) => `      <property${attributes({ name: name!, value: value! })}/>`)
    .join('\n');
  return [`  <testsuite${head}>`, '    <properties>', properties, '    </properties>', ...cases.map((c) => c.xml), '  </testsuite>'].join('\n');
}

function classNameOf(host: HostReport): string {
  return `kvm-netaudit.${host.name.replace(/\./g, '_')}`;
}

function auditCase(host: HostReport): CaseXml {
  const outcome = auditOutcome(host);
  const head = `    <testcase${attributes({ name: 'audit', classname: classNameOf(host), time: formatSeconds(host.durationMs / 1000) })}`;
  if (outcome === 'error') {
    const kind = host.error?.kind ?? 'internal';
    const message = host.error?.message ?? 'the host could not be audited';
    const body = text([`host ${host.name} (${host.address}) could not be audited`, `${kind}: ${message}`].join('\n'));
    return { ...flagsOf(outcome), xml: `${head}>\n      <error${attributes({ message: `${kind}: ${message}`, type: kind })}>${body}</error>\n    </testcase>` };
  }
  const notes = [host.verdict, ...(host.status === 'partial' && host.error ? [`partial: ${host.error.kind}: ${host.error.message}`] : [])];
  const warnings = host.warnings.map((w) => `warning ${w.kind} (${w.subject}): ${w.message}`);
  return { ...flagsOf(outcome), xml: `${head}>\n      <system-out>${text([...notes, ...warnings].join('\n'))}</system-out>\n    </testcase>` };
}

function checkCase(host: HostReport, check: PolicyCheck, description: string | undefined): CaseXml {
  const outcome = checkOutcome(check);
  const head = `    <testcase${attributes({ name: `${check.rule}: ${check.subject}`, classname: classNameOf(host), time: '0' })}`;
  const finding = check.finding;
  switch (outcome) {
    case 'pass':
      return { ...flagsOf(outcome), xml: `${head}/>` };
    case 'skipped': {
      const why = check.status === 'waived' && finding ? waivedMessage(finding) : (check.reason ?? 'not checked');
      return { ...flagsOf(outcome), xml: `${head}>\n      <skipped${attributes({ message: why })}/>\n    </testcase>` };
    }
    default: {
      const message = finding?.message ?? 'failed';
      const body = text(failureBody(check, finding, description));
      return { ...flagsOf(outcome), xml: `${head}>\n      <failure${attributes({ message, type: check.severity })}>${body}</failure>\n    </testcase>` };
    }
  }
}

function waivedMessage(finding: PolicyFinding): string {
  const waiver = finding.waiver;
  const until = waiver ? ` until ${waiver.expires}${waiver.owner ? ` (owner ${waiver.owner})` : ''}` : '';
  return `waived${until}: ${finding.justification ?? 'no justification'}`;
}

/** The failure's text: what the rule wants, what was found, and the evidence chain, one step a line. */
function failureBody(check: PolicyCheck, finding: PolicyFinding | null, description: string | undefined): string {
  const lines = [`${check.rule} (${check.severity})${description ? `: ${description}` : ''}`, `${check.subject}: ${finding?.message ?? 'failed'}`];
  const evidence = finding?.evidence ?? [];
  if (evidence.length > 0) lines.push('evidence:', ...evidence.map((step) => `  → ${step}`));
  if (finding?.waiver?.expired) lines.push(`waiver expired ${finding.waiver.expires} (${finding.waiver.origin}): ${finding.waiver.justification}`);
  return lines.join('\n');
}

/** `2024-05-01T10:20:30`: the Ant schema's timestamp has no zone; the report's times are UTC. */
function junitTimestamp(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '1970-01-01T00:00:00' : date.toISOString().slice(0, 19);
}

function formatSeconds(seconds: number): string {
  return (Math.round(seconds * 1000) / 1000).toFixed(3);
}

/** ` a="1" b="x"` with values escaped for attributes. */
function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value), true)}"`)
    .join('');
}

function text(value: string): string {
  return escapeXml(value, false);
}

/**
 * Escape for XML 1.0. Characters XML cannot hold at all (controls such as ESC, lone surrogates, U+FFFE/FFFF)
 * become visible `\xNN` / `\uNNNN` text, since a VM or link name may contain them and a CI server must
 * still parse the file. In attributes, tab and line breaks become character references so they survive
 * attribute-value normalisation.
 */
export function escapeXml(value: string, inAttribute: boolean): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '&') out += '&amp;';
    else if (char === '<') out += '&lt;';
    else if (char === '>') out += '&gt;';
    else if (char === '"' && inAttribute) out += '&quot;';
    else if ((char === '\n' || char === '\r' || char === '\t') && inAttribute) out += `&#${code};`;
    else if (char === '\n' || char === '\t') out += char;
    else if (char === '\r') out += '&#13;';
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if ((code >= 0xd800 && code <= 0xdfff) || code === 0xfffe || code === 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return out;
}
