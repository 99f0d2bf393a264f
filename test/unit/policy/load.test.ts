import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../../src/io/policyFiles.js';
import { BASELINE_RULE_IDS, mergePolicies, PolicyError, type PolicyLoadOptions } from '../../../src/policy/index.js';

/** Merge one policy text; return the PolicyError's messages (fails the test when nothing is thrown). */
function errorsOf(text: string, options: PolicyLoadOptions = {}, file = 'policy.yaml'): string[] {
  try {
    mergePolicies([{ file, text }], options);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).exitCode).toBe(64);
    return [...(error as PolicyError).messages];
  }
  throw new Error('expected a PolicyError');
}

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`no line contains ${needle}`);
  return index + 1;
}

const lines = (...parts: string[]) => parts.join('\n');

const VALID_RULE = lines(
  'rules:',
  '  - id: dmz-no-bridge',
  '    description: No DMZ guest on the LAN',
  '    severity: high',
  '    hosts: { groups: [dmz], exceptNames: [hv-lab-*] }',
  '    subject: vm-interface',
  '    where:',
  '      state: running',
  '    expect:',
  '      mode: { notIn: [bridged, macvtap] }',
  '      network: [default, "dmz-*"]',
);

describe('loading a policy', () => {
  it('expands condition shorthand and keeps selectors as written', () => {
    // Given a rule with a plain value, a list and a notIn mapping
    // When it is loaded
    const policy = mergePolicies([{ file: 'p.yaml', text: VALID_RULE }]);
    // Then each condition is normalised, and the rule remembers file:line
    const [rule] = policy.rules;
    expect(rule).toMatchObject({
      id: 'dmz-no-bridge',
      severity: 'high',
      subject: 'vm-interface',
      hosts: { names: [], groups: ['dmz'], exceptNames: ['hv-lab-*'], exceptGroups: [] },
      where: [{ attribute: 'state', op: 'in', values: ['running'] }],
      expect: [
        { attribute: 'mode', op: 'notIn', values: ['bridged', 'macvtap'] },
        { attribute: 'network', op: 'in', values: ['default', 'dmz-*'] },
      ],
      origin: `p.yaml:${lineOf(VALID_RULE, '- id: dmz-no-bridge')}`,
    });
    expect(policy.baseline.enabled).toBe(false);
  });

  it('reads counts on host rules', () => {
    const text = lines(
      'rules:',
      '  - { id: few-nat, description: d, severity: low, subject: host,',
      '      expect: { count: { of: vm-interface, where: { mode: nat }, atMost: 2 } } }',
    );
    const [rule] = mergePolicies([{ file: 'p.yaml', text }]).rules;
    expect(rule?.expect).toEqual([
      { attribute: 'count', op: 'count', of: 'vm-interface', where: [{ attribute: 'mode', op: 'in', values: ['nat'] }], atMost: 2, atLeast: null },
    ]);
  });

  it('reads an expiry date whether YAML gives a string or (YAML 1.1) a timestamp', () => {
    // Given the same waiver in a YAML 1.2 document and in a YAML 1.1 one (where dates become timestamps)
    const body = lines(
      'rules: [{ id: r1, description: d, severity: low, subject: host, expect: { status: ok } }]',
      'waivers:',
      '  - { rule: r1, justification: because, expires: 2027-02-28 }',
    );
    // When both are loaded
    const modern = mergePolicies([{ file: 'a.yaml', text: body }]);
    const legacy = mergePolicies([{ file: 'b.yaml', text: `%YAML 1.1\n---\n${body}` }]);
    // Then both hold the same date, and the subject defaults to every subject
    expect(modern.waivers[0]).toMatchObject({ expires: '2027-02-28', subject: '*', owner: null, hosts: null });
    expect(legacy.waivers[0]?.expires).toBe('2027-02-28');
  });

  it('turns the baseline on with builtin:baseline, and takes its groups from a baseline: section', () => {
    // Given the built-in baseline and a file naming production and isolated groups
    const text = lines('baseline:', '  productionGroups: [prod]', '  isolatedGroups: [dmz]', '  disable: [baseline/host-partially-audited]');
    // When merged
    const policy = mergePolicies(['builtin:baseline', { file: 'p.yaml', text }]);
    // Then the baseline's rules come first, the group rules are in, the disabled one is out
    const ids = policy.rules.map((rule) => rule.id);
    expect(ids).toContain('baseline/default-nat-autostart-production');
    expect(ids).toContain('baseline/isolated-group-external');
    expect(ids).not.toContain('baseline/host-partially-audited');
    expect(ids.every((id) => BASELINE_RULE_IDS.includes(id))).toBe(true);
    expect(policy.rules.find((r) => r.id === 'baseline/isolated-group-external')?.hosts?.groups).toEqual(['dmz']);
    expect(policy.sources).toEqual(['builtin:baseline', 'p.yaml']);
  });

  it('leaves out the group rules of the baseline when no groups are named', () => {
    const ids = mergePolicies(['builtin:baseline']).rules.map((rule) => rule.id);
    expect(ids).toContain('baseline/interface-unresolved');
    expect(ids).not.toContain('baseline/default-nat-autostart-production');
    expect(ids).not.toContain('baseline/isolated-group-external');
  });

  it('enables the baseline with an empty baseline: section', () => {
    expect(mergePolicies([{ file: 'p.yaml', text: 'baseline:\n' }]).baseline.enabled).toBe(true);
  });
});

describe('policy errors name file, line and key path', () => {
  it('refuses a glob whose braces expand past the limit, in a selector and in a condition', () => {
    const huge = '{a,b}'.repeat(9);
    const text = VALID_RULE.replace('exceptNames: [hv-lab-*]', `exceptNames: ["${huge}"]`).replace('"dmz-*"', `"${huge}"`);
    const errors = errorsOf(text);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^policy\.yaml:\d+: rules\[0\]\.hosts\.exceptNames\[0\]: ".*" expands to more than 256 patterns/);
    expect(errors[1]).toMatch(/^policy\.yaml:\d+: rules\[0\]\.expect\.network\[1\]: ".*" expands to more than 256 patterns/);
  });

  it('reports an unknown key at its line with the key meant, or the keys allowed there', () => {
    // Given a rule with a misspelt key, and one with a key like no other
    const typo = VALID_RULE.replace('    severity: high', '    severity: high\n    descripton: typo');
    const stranger = VALID_RULE.replace('    severity: high', '    severity: high\n    colour: red');
    // Then each message points at the key's line, with the key meant when one is close
    expect(errorsOf(typo)).toEqual([
      `policy.yaml:${lineOf(typo, 'descripton')}: rules[0].descripton: unknown key (did you mean description?)`,
    ]);
    expect(errorsOf(stranger)).toEqual([
      `policy.yaml:${lineOf(stranger, 'colour')}: rules[0].colour: unknown key (allowed here: id, description, severity, hosts, subject, where, expect)`,
    ]);
  });

  it('suggests the key meant when only case or separators differ', () => {
    const text = VALID_RULE.replace('exceptNames', 'except_names');
    expect(errorsOf(text)[0]).toBe(`policy.yaml:${lineOf(text, 'except_names')}: rules[0].hosts.except_names: unknown key (did you mean exceptNames?)`);
  });

  it('refuses an attribute the subject does not have, listing those it has', () => {
    const text = VALID_RULE.replace('      state: running', '      uplink: eno1');
    const [message] = errorsOf(text);
    expect(message).toMatch(new RegExp(`^policy\\.yaml:${lineOf(text, 'uplink: eno1')}: rules\\[0\\]\\.where\\.uplink: vm-interface has no attribute "uplink" \\(attributes: vm, state, `));
  });

  it('refuses a mode that does not exist, so a typo cannot make a rule pass forever', () => {
    const text = VALID_RULE.replace('notIn: [bridged, macvtap]', 'notIn: [bridged, macvtpa]');
    expect(errorsOf(text)).toEqual([
      expect.stringMatching(new RegExp(`^policy\\.yaml:${lineOf(text, 'macvtpa')}: rules\\[0\\]\\.expect\\.mode\\.notIn\\[1\\]: "macvtpa" is not a mode`)),
    ]);
  });

  it('reports every problem of a file at once, in line order', () => {
    // Given a bad severity, a bad subject value type, a count on a network rule and a bad date
    const text = lines(
      'rules:',
      '  - id: r1',
      '    description: d',
      '    severity: severe',
      '    subject: network',
      '    expect:',
      '      count: { of: bridge, atMost: 1 }',
      '      autostart: "no"',
      'waivers:',
      '  - rule: r1',
      '    justification: j',
      '    expires: 2026-02-30',
    );
    // When loaded
    const messages = errorsOf(text);
    // Then each is reported at its own line
    expect(messages).toEqual([
      `policy.yaml:4: rules[0].severity: expected a severity: info, low, medium, high, critical`,
      `policy.yaml:7: rules[0].expect.count: count: is a condition of host rules (subject: host)`,
      `policy.yaml:8: rules[0].expect.autostart: expected true or false`,
      `policy.yaml:12: waivers[0].expires: expected an expiry date YYYY-MM-DD (a day that exists)`,
    ]);
  });

  it('refuses an empty expect: and rule ids that claim the baseline prefix', () => {
    const text = lines('rules:', '  - { id: baseline/mine, description: d, severity: low, subject: host, expect: {} }');
    expect(errorsOf(text)).toEqual([
      'policy.yaml:2: rules[0].id: rule ids starting with baseline/ or policy/ are kvm-netaudit\'s own',
      'policy.yaml:2: rules[0].expect: expect: needs at least one condition',
    ]);
  });

  it('names both places of a rule id defined twice across files', () => {
    const a = lines('rules:', '  - { id: same, description: d, severity: low, subject: host, expect: { status: ok } }');
    const b = lines('# second file', 'rules:', '  - { id: same, description: d, severity: high, subject: host, expect: { status: ok } }');
    expect(() => mergePolicies([{ file: 'a.yaml', text: a }, { file: 'b.yaml', text: b }])).toThrow(
      'b.yaml:3: rules[0].id: duplicate rule id "same" (first defined at a.yaml:2)',
    );
  });

  it('refuses a waiver for a rule no loaded policy has, hinting at the baseline for its rules', () => {
    const text = lines('waivers:', '  - { rule: baseline/interface-unresolved, justification: j, expires: 2030-01-01 }', '  - { rule: nope, justification: j, expires: 2030-01-01 }');
    expect(errorsOf(text)).toEqual([
      'policy.yaml:2: waivers[0].rule: no loaded policy has a rule "baseline/interface-unresolved" (add --policy builtin:baseline or a baseline: section)',
      'policy.yaml:3: waivers[1].rule: no loaded policy has a rule "nope"',
    ]);
  });

  it('refuses group names that match no inventory group when the groups are known', () => {
    const text = VALID_RULE.replace('groups: [dmz]', 'groups: [dzm]');
    expect(errorsOf(text, { knownGroups: ['dmz', 'prod'] })).toEqual([
      `policy.yaml:${lineOf(text, 'dzm')}: rules[0].hosts.groups[0]: group "dzm" matches no group of the inventory (defined: dmz, prod)`,
    ]);
    // And the same file is fine when the inventory is not known
    expect(() => mergePolicies([{ file: 'p.yaml', text }])).not.toThrow();
  });

  it('reports YAML syntax errors and empty files with a line', () => {
    expect(errorsOf('rules:\n  - id: [unclosed\n')[0]).toMatch(/^policy\.yaml:\d+: YAML syntax error: /);
    expect(errorsOf('# nothing\n')).toEqual(['policy.yaml:1: the policy is empty: it needs rules:, waivers: or baseline:']);
  });
});

describe('loadPolicy', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads and merges several files in order', () => {
    // Given two policy files
    dir = mkdtempSync(join(tmpdir(), 'kna-policy-'));
    const first = join(dir, 'a.yaml');
    const second = join(dir, 'b.yaml');
    writeFileSync(first, lines('rules:', '  - { id: a1, description: d, severity: low, subject: host, expect: { status: ok } }'));
    writeFileSync(second, lines('rules:', '  - { id: b1, description: d, severity: low, subject: host, expect: { status: ok } }', 'waivers:', '  - { rule: a1, justification: j, expires: 2030-01-01 }'));
    // When both are loaded (the waiver in the second refers to a rule of the first)
    const policy = loadPolicy([first, second]);
    // Then rules keep file order and the waiver is accepted
    expect(policy.rules.map((rule) => rule.id)).toEqual(['a1', 'b1']);
    expect(policy.waivers.map((waiver) => waiver.origin)).toEqual([`${second}:4`]);
  });

  it('says which file cannot be read and which built-in does not exist', () => {
    expect(() => loadPolicy(['/nonexistent/policy.yaml', 'builtin:strict'])).toThrow(
      '/nonexistent/policy.yaml: cannot read the policy: no such file\nbuiltin:strict: no such built-in policy (there is builtin:baseline)',
    );
  });
});
