import { describe, expect, it } from 'vitest';
import { groupNicsByPath } from '../../../src/report/paths.js';
import { attached } from '../helpers/attached.js';
import { host, network, nic, vm } from './sample.js';

const chain = (label: string, ...steps: string[]) => [label, ...steps];

describe('groupNicsByPath', () => {
  it('puts NICs with the same mode, via and evidence after their own label on one path', () => {
    // Given two NICs on the default network and one whose chain differs (the network was inactive for it)
    const hv = host('hv', {
      vms: [
        vm('a', [nic({ mac: 'm1', evidence: chain('a/m1', 'network default (forward nat)', '⇒ nat') })]),
        vm('b', [nic({ mac: 'm2', evidence: chain('b/m2', 'network default (forward nat)', '⇒ nat') })]),
        vm('c', [nic({ mac: 'm3', evidence: chain('c/m3', 'network default (forward nat, inactive)', '⇒ nat') })]),
      ],
    });
    // When grouped
    const paths = groupNicsByPath(hv);
    // Then
    expect(paths.map((p) => [p.mode, p.via, p.members.map((m) => `${m.vm}/${m.nic}`)])).toEqual([
      ['nat', 'network default', ['a/m1', 'b/m2']],
      ['nat', 'network default', ['c/m3']],
    ]);
    expect(paths[0]?.evidence).toEqual(['network default (forward nat)', '⇒ nat']);
  });

  it("takes the network, bridge and uplinks from each NIC's attachment", () => {
    const hv = host('hv', {
      networks: [network({ name: 'prod', bridge: 'br0', mode: 'bridged', forward: 'bridge' })],
      vms: [
        vm('a', [
          nic({ mode: 'bridged', source: 'prod', ...attached('network', 'prod', { bridge: 'br0', uplinks: ['bond0'] }) }),
          nic({ mode: 'bridged', type: 'bridge', source: 'br0', ...attached('bridge', 'br0', { uplinks: ['bond0'] }) }),
        ]),
        vm('b', [
          nic({ mode: 'macvtap', type: 'direct', source: 'eno2', ...attached('dev', 'eno2', { device: 'eno2' }) }),
          nic({ mode: 'missing', type: 'bridge', source: 'gone', ...attached('bridge', 'gone') }),
        ]),
      ],
    });
    const paths = groupNicsByPath(hv);
    expect(paths.map((p) => [p.via, p.through, p.network, p.bridge, p.uplinks])).toEqual([
      ['network prod', { kind: 'network', name: 'prod' }, 'prod', 'br0', ['bond0']],
      ['bridge br0', { kind: 'bridge', name: 'br0' }, null, 'br0', ['bond0']],
      ['dev eno2', { kind: 'dev', name: 'eno2' }, null, null, []],
      ['bridge gone', { kind: 'bridge', name: 'gone' }, null, 'gone', []],
    ]);
    // And each path has its name in virt-manager's words
    expect(paths.map((p) => p.name)).toEqual(["Virtual network 'prod': Bridge network", "Bridge device 'br0'", "Macvtap device 'eno2'", "Bridge device 'gone'"]);
  });

  it('keeps NICs apart whose attachment differs even where their evidence does not (two networks on one bridge)', () => {
    const evidence = (id: string) => [`a/${id}`, 'bridge br0', '⇒ bridged'];
    const hv = host('hv', {
      vms: [
        vm('a', [
          nic({ mac: 'm1', mode: 'bridged', evidence: evidence('m1'), ...attached('network', 'one', { bridge: 'br0' }) }),
          nic({ mac: 'm2', mode: 'bridged', evidence: evidence('m2'), ...attached('network', 'two', { bridge: 'br0' }) }),
        ]),
      ],
    });
    expect(groupNicsByPath(hv).map((p) => p.members.map((m) => m.nic))).toEqual([['m1'], ['m2']]);
  });

  it('orders the modes with most NICs first (ties in vocabulary order), then the largest path within a mode', () => {
    // Given 3 bridged NICs over two bridges, 2 user-mode NICs on one path and 1 NAT NIC
    const bridged = (bridge: string) => nic({ mode: 'bridged', type: 'bridge', source: bridge, ...attached('bridge', bridge) });
    const user = () => nic({ mode: 'user', type: 'user', source: null, ...attached('slirp', null) });
    const hv = host('hv', {
      vms: [
        vm('a', [user(), bridged('br1'), user()]),
        vm('b', [nic({ mode: 'nat' }), bridged('br0'), bridged('br0'), nic({ mode: 'nat' })]),
      ],
    });
    // When grouped; Then bridged (3) before nat (2, ties with user: nat comes first in the vocabulary) and user
    expect(groupNicsByPath(hv).map((p) => [p.mode, p.via, p.members.length])).toEqual([
      ['bridged', 'bridge br0', 2],
      ['bridged', 'bridge br1', 1],
      ['nat', 'network default', 2],
      ['user', 'slirp', 2],
    ]);
  });

  it('names each NIC by its id', () => {
    const hv = host('hv', { vms: [vm('a', [nic({ mac: null, target: 'vnet4' }), nic({ mac: null, target: null, id: 'nic1' })])] });
    expect(groupNicsByPath(hv)[0]?.members.map((m) => m.nic)).toEqual(['vnet4', 'nic1']);
  });
});
