/**
 * policy.example.yaml on the embedded demo fleet: the findings a reviewer would expect from reading the
 * demo hosts' specs (scripts/demo-fleet), its two kinds of waiver, and the exit code of each --fail-on.
 * Also keeps docs/policy.md in step with the attributes and baseline rules.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Severity } from '../../../src/model.js';
import {
  ATTRIBUTES,
  BASELINE_RULE_IDS,
  EXPIRED_WAIVER_RULE,
  evaluatePolicy,
  failuresAtLeast,
  mergeEvaluations,
  SEVERITY_ORDER,
  SUBJECT_KINDS,
} from '../../../src/policy/index.js';
import { loadPolicy } from '../../../src/io/policyFiles.js';
import { demoEntries, demoFleet, REPO_ROOT } from './fixtures.js';

const EXAMPLE = join(REPO_ROOT, 'policy.example.yaml');
/** A day between the example's expired waiver (2024-03-31) and its active ones (2030). */
const NOW = new Date('2026-01-15T09:00:00Z');

function evaluateExample() {
  const { hosts, facts } = demoFleet();
  const knownGroups = [...new Set(demoEntries().flatMap((entry) => entry.groups))];
  const policy = loadPolicy(EXAMPLE, { knownGroups });
  return evaluatePolicy(policy, hosts, { now: NOW, hostFacts: facts });
}

describe('policy.example.yaml on the demo fleet', () => {
  const evaluation = evaluateExample();
  const failing = new Set(evaluation.checks.filter((c) => c.status === 'fail').map((c) => `${c.host} ${c.rule} ${c.subject.split(' ').slice(0, 2).join(' ')}`));

  it.each([
    // hv-stale-10 was built with orphaned and blank NICs and a stopped network still in use
    ['hv-stale-10 baseline/interface-unresolved vm orphan01', 'a NIC on an undefined network'],
    ['hv-stale-10 baseline/interface-unresolved vm orphan02', 'a NIC on a bridge that is gone'],
    ['hv-stale-10 baseline/interface-unresolved vm blank01', 'a bridge NIC with no source'],
    ['hv-stale-10 baseline/network-inactive-in-use network old-lan', 'a stopped network a VM still uses'],
    ['hv-prod-02 baseline/network-inactive-in-use network default', 'the stopped default network of the template VM'],
    // hv-ovs-07 (prod) still autostarts the default NAT network, and a guest uses it
    ['hv-ovs-07 baseline/default-nat-autostart-production network default', 'default NAT autostarted in production'],
    ['hv-ovs-07 prod-guests-not-natted vm util01', 'a NATed production guest'],
    // DMZ hosts: macvtap guests straight on the LAN, an open network, DHCP on a routed network
    ['hv-edge-05 baseline/isolated-group-external vm waf01', 'a macvtap (vepa) DMZ guest'],
    ['hv-dmz-12 baseline/isolated-group-external vm lb01', 'a macvtap DMZ load balancer'],
    ['hv-route-08 dmz-no-open-networks network open-lab', 'an open (firewall-less) DMZ network'],
    ['hv-route-08 dmz-routed-networks-static network routed-web', 'DHCP on a routed DMZ network'],
    // Hand-made host-only bridges, and a host with three NATed NICs
    ['hv-lab-03 no-host-only-bridges vm sandbox1', 'a guest on a bridge with no uplink'],
    ['hv-nat-01 nat-guests-per-host host hv-nat-01', 'three NAT NICs on one host'],
    // The real libvirtd after its breakers: guests cut off by a network restart and by hand
    ['kvm-lab-broken baseline/interface-cut-off vm vm-nat', 'a guest whose network was restarted under it'],
    ['kvm-lab-broken baseline/interface-cut-off vm vm-multi', 'taps detached, deleted and set down by hand'],
  ])('finds %s (%s)', (finding) => {
    expect([...failing]).toContain(finding);
  });

  it('finds nothing on hosts that follow the policy', () => {
    // hv-big-09 (prod, bonds only), hv-vxlan-11 and hv-dev-06 break no rule of the example
    for (const name of ['hv-big-09', 'hv-vxlan-11', 'hv-dev-06']) expect(evaluation.findings.get(name), name).toEqual([]);
    // the healthy real libvirtd has no guest cut off
    expect([...failing].filter((f) => f.startsWith('kvm-lab-01 baseline/interface-cut-off'))).toEqual([]);
    // and a guest behind the excepted legacy group is not held to no-host-only-bridges
    expect([...failing].filter((f) => f.startsWith('hv-stale-10 no-host-only-bridges'))).toEqual([]);
  });

  it('waives the legacy FTP server and the template VM, with their justifications', () => {
    expect(evaluation.waived.map((w) => `${w.host} ${w.finding.rule} ${w.finding.subject.split(' ')[1]}`).sort()).toEqual([
      'hv-edge-05 baseline/isolated-group-external legacy-ftp',
      'hv-prod-02 prod-guests-not-natted tmpl-debian12',
    ]);
    expect(evaluation.waived.every((w) => (w.finding.justification ?? '').length > 10)).toBe(true);
  });

  it('reports the expired proxy waiver, and fails the proxies it no longer waives', () => {
    expect(evaluation.expiredWaivers.map((e) => [e.waiver.subject, e.matched.map((m) => m.subject.split(' ')[1])])).toEqual([
      ['vm proxy0? *', ['proxy01', 'proxy02']],
    ]);
    expect(failing.has(`hv-edge-05 ${EXPIRED_WAIVER_RULE} waiver baseline/isolated-group-external`)).toBe(true);
    expect(failing.has('hv-edge-05 baseline/isolated-group-external vm proxy01')).toBe(true);
    expect(evaluation.unusedWaivers).toEqual([]);
  });

  it('checks the macvtap guests against the default route with the hosts\' route facts', () => {
    const checks = evaluation.checks.filter((c) => c.rule === 'baseline/macvtap-on-default-route');
    // every macvtap NIC of the fleet (hv-sriov-04, hv-edge-05, hv-dmz-12) is decided, none is on eno1/br0
    expect(checks.length).toBeGreaterThanOrEqual(8);
    expect(checks.every((c) => c.status === 'pass')).toBe(true);
  });

  it.each([
    ['info', 1],
    ['low', 1],
    ['medium', 1],
    ['high', 1],
    ['critical', 0],
  ] as [Severity, number][])('exits %s → %i with --fail-on', (threshold, code) => {
    expect(failuresAtLeast(evaluation, threshold).length > 0 ? 1 : 0).toBe(code);
  });

  it('names only groups the demo inventory defines (a typo would be a load error)', () => {
    expect(() => loadPolicy(EXAMPLE, { knownGroups: ['prod', 'dev'] })).toThrow(/group "dmz" matches no group of the inventory/);
  });
});

describe('evaluating host by host', () => {
  it('gives, merged, exactly what one evaluation of the whole fleet gives (waivers used, unused and expired included)', () => {
    // Given the example policy and the demo fleet
    const { hosts, facts } = demoFleet();
    const knownGroups = [...new Set(demoEntries().flatMap((entry) => entry.groups))];
    const policy = loadPolicy(EXAMPLE, { knownGroups });
    // When each host is evaluated on its own, as the runner does while the run goes, and the parts are merged
    const merged = mergeEvaluations(hosts.map((host) => evaluatePolicy(policy, [host], { now: NOW, hostFacts: facts })));
    // Then nothing differs from the fleet evaluated at once
    const whole = evaluatePolicy(policy, hosts, { now: NOW, hostFacts: facts });
    expect(merged).toEqual(whole);
    expect(whole.waived.length + whole.expiredWaivers.length + whole.unusedWaivers.length).toBeGreaterThan(0);
  });
});

describe('docs/policy.md', () => {
  const docs = readFileSync(join(REPO_ROOT, 'docs/policy.md'), 'utf8');

  it('documents every attribute of every subject', () => {
    for (const kind of SUBJECT_KINDS) {
      for (const attribute of Object.keys(ATTRIBUTES[kind])) expect(docs, `${kind}.${attribute}`).toContain(`| ${kind} | \`${attribute}\` |`);
    }
  });

  it('documents every baseline rule and every severity', () => {
    for (const id of BASELINE_RULE_IDS) expect(docs).toContain(`| \`${id}\` |`);
    for (const severity of SEVERITY_ORDER) expect(docs).toContain(`\`${severity}\``);
  });
});
