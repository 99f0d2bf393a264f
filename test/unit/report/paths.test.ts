import { describe, expect, it } from 'vitest';
import { groupNicsByPath } from '../../../src/report/paths.js';
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

  it("finds the bridge behind a network or a bridge, and that bridge's uplinks", () => {
    const hv = host('hv', {
      networks: [network({ name: 'prod', bridge: 'br0', mode: 'bridged' })],
      bridges: [{ name: 'br0', kind: 'linux', ports: ['bond0'], uplinks: ['bond0'], addresses: [] }],
      vms: [
        vm('a', [nic({ mode: 'bridged', via: 'network prod' }), nic({ mode: 'bridged', via: 'bridge br0' })]),
        vm('b', [nic({ mode: 'macvtap', via: 'dev eno2' }), nic({ mode: 'missing', via: 'bridge gone' })]),
      ],
    });
    const paths = groupNicsByPath(hv);
    expect(paths.map((p) => [p.via, p.bridge, p.uplinks])).toEqual([
      ['network prod', 'br0', ['bond0']],
      ['bridge br0', 'br0', ['bond0']],
      ['dev eno2', null, []],
      ['bridge gone', 'gone', []],
    ]);
  });

  it('orders the modes with most NICs first (ties in vocabulary order), then the largest path within a mode', () => {
    // Given 3 bridged NICs over two bridges, 2 user-mode NICs on one path and 1 NAT NIC
    const bridged = (bridge: string) => nic({ mode: 'bridged', via: `bridge ${bridge}` });
    const hv = host('hv', {
      vms: [
        vm('a', [nic({ mode: 'user', via: 'slirp' }), bridged('br1'), nic({ mode: 'user', via: 'slirp' })]),
        vm('b', [nic({ mode: 'nat', via: 'network default' }), bridged('br0'), bridged('br0'), nic({ mode: 'nat', via: 'network default' })]),
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

  it('names a NIC without a MAC by its target, or its position', () => {
    const hv = host('hv', { vms: [vm('a', [nic({ mac: null, target: 'vnet4' }), nic({ mac: null, target: null })])] });
    expect(groupNicsByPath(hv)[0]?.members.map((m) => m.nic)).toEqual(['vnet4', 'nic1']);
  });
});
