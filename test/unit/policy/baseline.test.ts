import { describe, expect, it } from 'vitest';
import type { HostFacts, HostReport, LinkFacts } from '../../../src/model.js';
import { evaluatePolicy, mergePolicies, type PolicyContext } from '../../../src/policy/index.js';
import { attached, unattached } from '../helpers/attached.js';
import { bridge, failedHost, host, network, nic, vm } from './fixtures.js';

const BASELINE_WITH_GROUPS = mergePolicies(['builtin:baseline', { file: 'p.yaml', text: 'baseline: { productionGroups: [prod], isolatedGroups: [dmz] }' }]);

function failuresOf(hosts: HostReport[], context: Partial<PolicyContext> = {}) {
  const evaluation = evaluatePolicy(BASELINE_WITH_GROUPS, hosts, { now: new Date('2026-03-01T00:00:00Z'), ...context });
  return evaluation.checks.filter((c) => c.status === 'fail').map((c) => `${c.host} ${c.rule} ${c.subject}`);
}

const macvtapNic = (dev: string) =>
  nic({ mac: '52:54:00:bb:00:01', type: 'direct', source: dev, target: 'macvtap0', mode: 'macvtap', ...attached('dev', dev), evidence: ['vm/52:54:00:bb:00:01', `direct dev ${dev} (bridge)`, '⇒ macvtap'] });

/** Facts that say eno1 carries the default route, and macvtap0's parent. */
function routeFacts(defaultRouteDevs: string[], macvtapParent: string | null): Pick<HostFacts, 'defaultRouteDevs' | 'networks' | 'links'> {
  const links = macvtapParent ? [{ name: 'macvtap0', kind: 'macvtap', lower: macvtapParent } as LinkFacts] : [];
  return { defaultRouteDevs, networks: [], links };
}

describe('the built-in baseline', () => {
  it('passes a clean host', () => {
    expect(failuresOf([host('hv-clean', { groups: ['prod'], networks: [network({ name: 'default', autostart: false })] })])).toEqual([]);
  });

  it('flags hosts that could not be audited, and partial ones apart', () => {
    const partial = host('hv-partial', { status: 'partial', error: { kind: 'command', message: 'section brctl: exit 1' } });
    expect(failuresOf([failedHost('hv-dead'), partial])).toEqual([
      'hv-dead baseline/host-not-audited host hv-dead',
      'hv-partial baseline/host-partially-audited host hv-partial',
    ]);
  });

  it('flags VM interfaces whose network or bridge is missing, or that cannot be classified', () => {
    const vms = [
      vm('orphan', [nic({ mac: 'm1', mode: 'missing', source: 'gone', ...attached('network', 'gone') })]),
      vm('blank', [nic({ mac: 'm2', type: 'bridge', mode: 'unknown', ...unattached() })]),
      vm('fine', [nic({ mac: 'm3' })]),
    ];
    expect(failuresOf([host('hv1', { vms })])).toEqual(['hv1 baseline/interface-unresolved vm orphan m1', 'hv1 baseline/interface-unresolved vm blank m2']);
  });

  it('flags an inactive network only while some VM interface refers to it', () => {
    // Given an inactive network used by a VM, and an inactive one nobody uses
    const hosts = [
      host('hv1', {
        networks: [network({ name: 'default', active: false }), network({ name: 'spare', active: false, bridge: 'virbr9' })],
        vms: [vm('tmpl', [nic()])],
      }),
    ];
    // Then only the used one is a finding, with its users in the evidence
    const evaluation = evaluatePolicy(BASELINE_WITH_GROUPS, hosts, { now: new Date() });
    const findings = evaluation.findings.get('hv1') ?? [];
    expect(findings.map((f) => `${f.rule} ${f.subject}`)).toEqual(['baseline/network-inactive-in-use network default']);
    expect(findings[0]?.evidence).toContain('used by tmpl');
  });

  it('flags the default NAT network autostarted on production hosts only', () => {
    const autostarted = [network({ name: 'default', autostart: true })];
    expect(failuresOf([host('hv-prod', { groups: ['prod'], networks: autostarted }), host('hv-dev', { groups: ['dev'], networks: autostarted })])).toEqual([
      'hv-prod baseline/default-nat-autostart-production network default',
    ]);
  });

  it('flags guests on the LAN (bridged, macvtap, hostdev) in isolated groups only', () => {
    const vms = [
      vm('lan', [nic({ mac: 'm1', type: 'bridge', mode: 'bridged', ...attached('bridge', 'br0', { uplinks: ['bond0'] }) })]),
      vm('vf', [nic({ mac: 'm2', type: 'hostdev', mode: 'hostdev', ...attached('pci', '0000:41:10.1', { device: '0000:41:10.1' }) })]),
      vm('natted', [nic({ mac: 'm3' })]),
    ];
    const hosts = [host('hv-dmz', { groups: ['dmz'], vms, bridges: [bridge()] }), host('hv-lab', { groups: ['lab'], vms, bridges: [bridge()] })];
    expect(failuresOf(hosts)).toEqual(['hv-dmz baseline/isolated-group-external vm lan m1', 'hv-dmz baseline/isolated-group-external vm vf m2']);
  });

  describe('macvtap on the default-route device', () => {
    const hostWith = (dev: string) => host('hv1', { vms: [vm('proxy', [macvtapNic(dev)])] });

    it('flags a macvtap NIC on the device that carries the default route', () => {
      const facts = new Map([['hv1', routeFacts(['eno1'], null)]]);
      expect(failuresOf([hostWith('eno1')], { hostFacts: facts })).toEqual(['hv1 baseline/macvtap-on-default-route vm proxy 52:54:00:bb:00:01']);
      expect(failuresOf([hostWith('eno2')], { hostFacts: facts })).toEqual([]);
    });

    it('prefers the running macvtap device\'s real parent over the configured one', () => {
      // Given a NIC configured on eno2 whose live macvtap0 sits on eno1 (the route device)
      const facts = new Map([['hv1', routeFacts(['eno1'], 'eno1')]]);
      expect(failuresOf([hostWith('eno2')], { hostFacts: facts })).toEqual(['hv1 baseline/macvtap-on-default-route vm proxy 52:54:00:bb:00:01']);
    });

    it('is skipped, with the reason, when the route facts are not known', () => {
      const evaluation = evaluatePolicy(BASELINE_WITH_GROUPS, [hostWith('eno1')], { now: new Date() });
      const check = evaluation.checks.find((c) => c.rule === 'baseline/macvtap-on-default-route');
      expect(check).toMatchObject({ status: 'skipped', reason: 'not known: onDefaultRouteDevice unknown' });
    });

    it('reads the route devices from the report itself once it carries them', () => {
      const reported = { ...hostWith('eno1'), defaultRouteDevs: ['eno1'] } as HostReport;
      expect(failuresOf([reported])).toEqual(['hv1 baseline/macvtap-on-default-route vm proxy 52:54:00:bb:00:01']);
    });
  });
});
