import { describe, expect, it } from 'vitest';
import type { HostReport } from '../../../src/model.js';
import {
  countFindings,
  evaluatePolicy,
  failuresAtLeast,
  findingsForHost,
  mergePolicies,
  severityAtLeast,
  type Policy,
  type PolicyEvaluation,
} from '../../../src/policy/index.js';
import { attached } from '../helpers/attached.js';
import { bridge, failedHost, host, network, nic, vm } from './fixtures.js';

const NOW = { now: new Date('2026-03-01T12:00:00Z') };

function policyOf(...yamlLines: string[]): Policy {
  return mergePolicies([{ file: 'policy.yaml', text: yamlLines.join('\n') }]);
}

function failing(evaluation: PolicyEvaluation): string[] {
  return evaluation.checks.filter((c) => c.status === 'fail').map((c) => `${c.host} ${c.rule} ${c.subject}`);
}

const bridgedNic = (mac: string, target: string) =>
  nic({ mac, target, type: 'bridge', source: 'br0', mode: 'bridged', ...attached('bridge', 'br0', { uplinks: ['bond0'] }), evidence: [`x/${mac}`, 'bridge br0', 'uplink bond0', '⇒ bridged'] });

describe('evaluating rules', () => {
  const dmzRule = [
    'rules:',
    '  - id: dmz-no-bridge',
    '    description: No DMZ guest on the LAN',
    '    severity: high',
    '    hosts: { groups: [dmz], exceptNames: [hv-dmz-old] }',
    '    subject: vm-interface',
    '    expect: { mode: { notIn: [bridged] } }',
  ];

  it('checks only the hosts the selector picks, and fails the subjects that break the rule', () => {
    // Given a bridged NIC on a dmz host, on an excepted dmz host, and on a prod host
    const vms = [vm('proxy', [bridgedNic('52:54:00:00:00:01', 'vnet1')]), vm('cache', [nic()])];
    const hosts = [
      host('hv-dmz-1', { groups: ['dmz'], vms }),
      host('hv-dmz-old', { groups: ['dmz'], vms }),
      host('hv-prod-1', { groups: ['prod'], vms }),
    ];
    // When the DMZ rule is evaluated
    const evaluation = evaluatePolicy(policyOf(...dmzRule), hosts, NOW);
    // Then only the dmz host's bridged NIC fails; its NAT NIC passes; other hosts are not checked
    expect(failing(evaluation)).toEqual(['hv-dmz-1 dmz-no-bridge vm proxy 52:54:00:00:00:01']);
    expect(evaluation.checks.filter((c) => c.status === 'pass').map((c) => `${c.host} ${c.subject}`)).toEqual(['hv-dmz-1 vm cache 52:54:00:aa:00:01']);
    expect(evaluation.findings.get('hv-prod-1')).toEqual([]);
  });

  it('gives a failure a message that says why, and the evidence chain behind it', () => {
    const hosts = [host('hv-dmz-1', { groups: ['dmz'], vms: [vm('proxy', [bridgedNic('52:54:00:00:00:01', 'vnet1')])] })];
    const [finding] = evaluatePolicy(policyOf(...dmzRule), hosts, NOW).findings.get('hv-dmz-1') ?? [];
    expect(finding).toEqual({
      rule: 'dmz-no-bridge',
      severity: 'high',
      subject: 'vm proxy 52:54:00:00:00:01',
      message: 'mode is bridged (not allowed: bridged)',
      status: 'fail',
      evidence: [
        'host hv-dmz-1 (groups dmz) selected by groups dmz except names hv-dmz-old',
        'x/52:54:00:00:00:01',
        'bridge br0',
        'uplink bond0',
        '⇒ bridged',
      ],
    });
  });

  it('skips subjects that do not match where:', () => {
    // Given two NAT networks, one autostarted, and a rule about autostarted NAT networks only
    const hosts = [host('hv1', { networks: [network({ name: 'default' }), network({ name: 'lab', autostart: false })] })];
    const policy = policyOf(
      'rules:',
      '  - { id: nat-dhcp-off, description: d, severity: low, subject: network, where: { autostart: true, mode: nat }, expect: { dhcp: false } }',
    );
    // When evaluated
    const evaluation = evaluatePolicy(policy, hosts, NOW);
    // Then only the autostarted one is checked at all
    expect(evaluation.checks.map((c) => `${c.subject} ${c.status}`)).toEqual(['network default fail']);
    expect(evaluation.checks[0]?.finding?.message).toBe('dhcp is yes (expected no)');
  });

  it('tests list attributes element by element: in = all allowed, notIn = none forbidden', () => {
    // Given bridges with a bond uplink, a NIC uplink, and both
    const hosts = [
      host('hv1', {
        bridges: [
          bridge({ name: 'br0', uplinks: ['bond0'] }),
          bridge({ name: 'br1', uplinks: ['eno1'] }),
          bridge({ name: 'br2', uplinks: ['bond1', 'eno2'] }),
        ],
      }),
    ];
    const policy = policyOf(
      'rules:',
      '  - { id: bonds-only, description: d, severity: high, subject: bridge, expect: { uplinks: { in: ["bond*"] } } }',
      '  - { id: no-eno1, description: d, severity: low, subject: bridge, expect: { uplinks: { notIn: [eno1] } } }',
    );
    // When evaluated
    const evaluation = evaluatePolicy(policy, hosts, NOW);
    // Then bonds-only fails br1 and br2 (naming the offending uplinks), no-eno1 fails br1 only
    expect(failing(evaluation)).toEqual(['hv1 bonds-only bridge br1', 'hv1 bonds-only bridge br2', 'hv1 no-eno1 bridge br1']);
    expect(evaluation.checks.find((c) => c.subject === 'bridge br2')?.finding?.message).toBe('uplinks include eno2 (allowed: bond*)');
  });

  it('counts subjects per host for count: conditions, listing the ones counted', () => {
    // Given a host with three NAT NICs and one bridged, and a host with one NAT NIC
    const busy = host('hv-busy', {
      vms: [vm('a', [nic({ mac: 'm1' })]), vm('b', [nic({ mac: 'm2' }), nic({ mac: 'm3' })]), vm('c', [bridgedNic('m4', 'vnet4')])],
    });
    const quiet = host('hv-quiet');
    const policy = policyOf(
      'rules:',
      '  - { id: few-nat, description: d, severity: low, subject: host, expect: { count: { of: vm-interface, where: { mode: nat }, atMost: 2 } } }',
      '  - { id: some-lan, description: d, severity: info, subject: host, expect: { count: { of: vm-interface, where: { mode: bridged }, atLeast: 1 } } }',
    );
    // When evaluated
    const evaluation = evaluatePolicy(policy, [busy, quiet], NOW);
    // Then the busy host breaks the ceiling, the quiet one the floor
    expect(failing(evaluation)).toEqual(['hv-busy few-nat host hv-busy', 'hv-quiet some-lan host hv-quiet']);
    const finding = evaluation.findings.get('hv-busy')?.[0];
    expect(finding?.message).toBe('3 vm-interfaces with mode in nat (expected at most 2)');
    expect(finding?.evidence.slice(-3)).toEqual(['vm a m1', 'vm b m2', 'vm b m3']);
  });

  it('skips a check whose yes/no fact is unknown instead of guessing', () => {
    // Given a network whose net-info could not be read (autostart unknown)
    const hosts = [host('hv1', { networks: [network({ autostart: null })] })];
    const policy = policyOf('rules:', '  - { id: no-autostart, description: d, severity: low, subject: network, expect: { autostart: false } }');
    // When evaluated
    const [check] = evaluatePolicy(policy, hosts, NOW).checks;
    // Then the check is skipped and says why
    expect(check).toMatchObject({ status: 'skipped', reason: 'not known: autostart unknown', finding: null });
  });

  it('skips fact rules on a host that could not be audited, but checks its status', () => {
    // Given a failed host and rules on networks and on host status
    const policy = policyOf(
      'rules:',
      '  - { id: nets, description: d, severity: low, subject: network, expect: { autostart: false } }',
      '  - { id: reachable, description: d, severity: high, subject: host, expect: { status: [ok, partial] } }',
      '  - { id: few-nat, description: d, severity: low, subject: host, expect: { count: { of: vm-interface, atMost: 5 } } }',
    );
    // When evaluated
    const evaluation = evaluatePolicy(policy, [failedHost('hv-dead')], NOW);
    // Then the fact rules are skipped with the reason, and the status rule fails with the error as evidence
    expect(evaluation.checks.map((c) => `${c.rule} ${c.status}`)).toEqual(['nets skipped', 'reachable fail', 'few-nat skipped']);
    expect(evaluation.checks[0]?.reason).toBe('host not audited (unreachable: connect ECONNREFUSED 198.18.20.9:22)');
    expect(evaluation.findings.get('hv-dead')?.[0]?.evidence).toEqual(['status failed', 'unreachable: connect ECONNREFUSED 198.18.20.9:22']);
  });

  it('tests the VLAN tags and guest link state in effect on a NIC', () => {
    // Given a NIC on VLAN 100, one on VLAN 200 with its link down, and an untagged one
    const vms = [
      vm('a', [nic({ mac: 'm1', vlanTags: [100] } as never)]),
      vm('b', [nic({ mac: 'm2', vlanTags: [200], linkState: 'down' } as never)]),
      vm('c', [nic({ mac: 'm3', vlanTags: [] } as never)]),
    ];
    const policy = policyOf(
      'rules:',
      '  - { id: vlan-100, description: d, severity: medium, subject: vm-interface, expect: { vlans: { in: ["100"] } } }',
      '  - { id: link-up, description: d, severity: low, subject: vm-interface, where: { state: running }, expect: { linkState: up } }',
    );
    // When evaluated
    const evaluation = evaluatePolicy(policy, [host('hv1', { vms })], NOW);
    // Then the VLAN 200 NIC breaks both rules; the untagged one has no tag outside the list
    expect(failing(evaluation)).toEqual(['hv1 vlan-100 vm b m2', 'hv1 link-up vm b m2']);
    expect(evaluation.findings.get('hv1')?.[0]?.message).toBe('vlans include 200 (allowed: 100)');
  });

  it('uses the inventory groups given in the context over those in the report', () => {
    const hosts: HostReport[] = [host('hv1', { groups: [], vms: [vm('proxy', [bridgedNic('m1', 'vnet1')])] })];
    const policy = policyOf('rules:', '  - { id: r, description: d, severity: low, hosts: { groups: [dmz] }, subject: vm-interface, expect: { mode: nat } }');
    expect(failing(evaluatePolicy(policy, hosts, NOW))).toEqual([]);
    expect(failing(evaluatePolicy(policy, hosts, { ...NOW, inventoryGroups: new Map([['hv1', ['dmz']]]) }))).toEqual(['hv1 r vm proxy m1']);
  });
});

describe('severity thresholds (--fail-on)', () => {
  it('orders severities from info to critical', () => {
    expect(severityAtLeast('critical', 'high')).toBe(true);
    expect(severityAtLeast('high', 'high')).toBe(true);
    expect(severityAtLeast('medium', 'high')).toBe(false);
    expect(severityAtLeast('info', 'low')).toBe(false);
    expect(severityAtLeast('low', 'info')).toBe(true);
  });

  it('counts failing findings at or above the threshold, per severity', () => {
    // Given a high and a low finding
    const policy = policyOf(
      'rules:',
      '  - { id: hi, description: d, severity: high, subject: network, expect: { autostart: false } }',
      '  - { id: lo, description: d, severity: low, subject: network, expect: { dhcp: false } }',
    );
    const evaluation = evaluatePolicy(policy, [host('hv1')], NOW);
    // Then the thresholds pick them as --fail-on would
    expect(failuresAtLeast(evaluation, 'critical')).toEqual([]);
    expect(failuresAtLeast(evaluation, 'high').map((f) => f.finding.rule)).toEqual(['hi']);
    expect(failuresAtLeast(evaluation, 'info').map((f) => f.finding.rule)).toEqual(['hi', 'lo']);
    expect(countFindings(evaluation)).toEqual({ failing: { high: 1, low: 1 }, waived: 0 });
  });
});

describe('one host policy failure stays that host', () => {
  it('keeps evaluating the fleet when one host data makes a check throw, and says so for that host', () => {
    // Given a DMZ rule, a host with a bridged NIC and a host whose report is malformed (no VM list)
    const policy = policyOf(
      'rules:',
      '  - id: no-bridge',
      '    description: No guest on the LAN',
      '    severity: high',
      '    subject: vm-interface',
      '    expect: { mode: { notIn: [bridged] } }',
    );
    const good = host('hv-good', { vms: [vm('proxy', [bridgedNic('52:54:00:00:00:01', 'vnet1')])] });
    const broken = { ...host('hv-broken'), vms: null } as unknown as HostReport;
    // When the policy is evaluated on both
    const evaluation = evaluatePolicy(policy, [broken, good], NOW);
    // Then the good host still fails the rule, and the broken one has a skipped check naming the internal error
    expect(failing(evaluation)).toEqual(['hv-good no-bridge vm proxy 52:54:00:00:00:01']);
    const skipped = evaluation.checks.filter((c) => c.host === 'hv-broken');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.status).toBe('skipped');
    expect(skipped[0]!.reason).toMatch(/^internal error while evaluating the policy: /);
    // and the runner is told, so the host fails instead of passing with nothing checked
    expect([...evaluation.errors.keys()]).toEqual(['hv-broken']);
    expect(() => findingsForHost(evaluation, 'hv-broken')).toThrow(evaluation.errors.get('hv-broken')!);
    expect(findingsForHost(evaluation, 'hv-good')).toHaveLength(1);
  });
});
