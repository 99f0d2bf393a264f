import { describe, expect, it } from 'vitest';
import { EXPIRED_WAIVER_RULE, evaluatePolicy, failuresAtLeast, isExpired, mergePolicies, parseIsoDate } from '../../../src/policy/index.js';
import { host, nic, vm } from './fixtures.js';

const RULE = ['rules:', '  - { id: no-nat, description: Guests are not NATed, severity: high, subject: vm-interface, expect: { mode: { notIn: [nat] } } }'];

function policyWith(...waiverLines: string[]) {
  return mergePolicies([{ file: 'policy.yaml', text: [...RULE, 'waivers:', ...waiverLines].join('\n') }]);
}

const hosts = [
  host('hv1', { groups: ['lab'], vms: [vm('legacy-ftp', [nic({ mac: 'm1' })]), vm('web', [nic({ mac: 'm2' })])] }),
  host('hv2', { groups: ['prod'], vms: [vm('legacy-ftp', [nic({ mac: 'm3' })])] }),
];

const at = (iso: string) => ({ now: new Date(iso) });

describe('waivers', () => {
  it('waives the failures matching rule, hosts and subject, with the justification, and nothing else', () => {
    // Given a waiver for legacy-ftp on lab hosts
    const policy = policyWith(
      '  - { rule: no-nat, hosts: { groups: [lab] }, subject: "vm legacy-* *", justification: FTP until CHG-1, expires: 2026-06-30, owner: ops }',
    );
    // When evaluated before it expires
    const evaluation = evaluatePolicy(policy, hosts, at('2026-03-01T00:00:00Z'));
    // Then the lab legacy-ftp is waived; web on hv1 and legacy-ftp on the prod host still fail
    expect(evaluation.checks.map((c) => `${c.host} ${c.subject} ${c.status}`)).toEqual(['hv1 vm legacy-ftp m1 waived', 'hv1 vm web m2 fail', 'hv2 vm legacy-ftp m3 fail']);
    expect(evaluation.waived).toEqual([
      {
        host: 'hv1',
        finding: expect.objectContaining({
          status: 'waived',
          justification: 'FTP until CHG-1',
          waiver: expect.objectContaining({ expires: '2026-06-30', owner: 'ops', expired: false, origin: 'policy.yaml:4' }),
        }),
      },
    ]);
    // And a waived finding does not count for --fail-on
    expect(failuresAtLeast(evaluation, 'info').map((f) => `${f.host} ${f.finding.subject}`)).toEqual(['hv1 vm web m2', 'hv2 vm legacy-ftp m3']);
    expect(evaluation.expiredWaivers).toEqual([]);
    expect(evaluation.unusedWaivers).toEqual([]);
  });

  it('holds through its expiry day (UTC) and stops at the next midnight', () => {
    const waiver = { expires: '2026-06-30' };
    expect(isExpired(waiver, new Date('2026-06-30T23:59:59Z'))).toBe(false);
    expect(isExpired(waiver, new Date('2026-07-01T00:00:00Z'))).toBe(true);
  });

  it('stops waiving once expired, and is itself reported where it still matches', () => {
    // Given the same waiver, evaluated after it expired
    const policy = policyWith('  - { rule: no-nat, subject: "vm legacy-* *", justification: FTP until CHG-1, expires: 2025-12-31 }');
    const evaluation = evaluatePolicy(policy, hosts, at('2026-03-01T00:00:00Z'));
    // Then both legacy-ftp NICs fail again, each saying its waiver expired
    const hv1 = evaluation.findings.get('hv1') ?? [];
    expect(hv1.map((f) => `${f.rule} ${f.subject} ${f.status}`)).toEqual([
      'no-nat vm legacy-ftp m1 fail',
      'no-nat vm web m2 fail',
      `${EXPIRED_WAIVER_RULE} waiver no-nat vm legacy-* * fail`,
    ]);
    expect(hv1[0]?.message).toBe('mode is nat (not allowed: nat) (waiver expired 2025-12-31)');
    expect(hv1[0]?.waiver?.expired).toBe(true);
    // And the expired waiver is listed with everything it would have waived
    expect(evaluation.expiredWaivers).toEqual([
      {
        waiver: expect.objectContaining({ rule: 'no-nat', expires: '2025-12-31' }),
        matched: [
          { host: 'hv1', subject: 'vm legacy-ftp m1' },
          { host: 'hv2', subject: 'vm legacy-ftp m3' },
        ],
      },
    ]);
    expect(evaluation.rules.map((r) => r.id)).toContain(EXPIRED_WAIVER_RULE);
  });

  it('lets an active waiver win over an expired one for the same failure', () => {
    const policy = policyWith(
      '  - { rule: no-nat, subject: "vm legacy-ftp *", justification: old, expires: 2025-01-01 }',
      '  - { rule: no-nat, subject: "vm legacy-ftp *", justification: renewed, expires: 2027-01-01 }',
    );
    const evaluation = evaluatePolicy(policy, hosts, at('2026-03-01T00:00:00Z'));
    expect(evaluation.waived.map((w) => `${w.host} ${w.finding.justification}`)).toEqual(['hv1 renewed', 'hv2 renewed']);
    expect(evaluation.findings.get('hv1')?.some((f) => f.rule === EXPIRED_WAIVER_RULE)).toBe(false);
  });

  it('reports active waivers that waive nothing as unused', () => {
    const policy = policyWith('  - { rule: no-nat, subject: "vm decommissioned *", justification: j, expires: 2027-01-01 }');
    expect(evaluatePolicy(policy, hosts, at('2026-03-01T00:00:00Z')).unusedWaivers.map((w) => w.subject)).toEqual(['vm decommissioned *']);
  });

  it('accepts only real calendar dates', () => {
    expect(parseIsoDate('2028-02-29')?.toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(parseIsoDate('2026-02-29')).toBeNull();
    expect(parseIsoDate('2026-1-5')).toBeNull();
  });
});
