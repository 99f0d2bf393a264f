import { describe, expect, it } from 'vitest';
import type { LinkFacts } from '../../../src/model.js';
import { bridgesFromLinks, mergeBridges, parseBrctlShow, parseBridgeLinkJson } from '../../../src/parse/bridges.js';
import { ParseError } from '../../../src/parse/errors.js';
import { parseIpLink } from '../../../src/parse/iproute.js';
import { EVIL_NAME, fixture } from './fixtures.js';

const sorted = (bridges: { name: string; ports: string[] }[]) =>
  bridges.map((b) => ({ name: b.name, ports: [...b.ports].sort() })).sort((a, b) => a.name.localeCompare(b.name));

describe('parseBrctlShow on real brctl show output', () => {
  it('reads bridges, continuation-line ports and a bridge without ports, skipping the header', () => {
    // Given brctl show of the lab host; When parsed
    const bridges = parseBrctlShow(fixture('ip/brctl-show.txt'));
    // Then
    expect(bridges.map((b) => b.name)).toEqual(['br0', 'br1', 'br2', 'br3', 'virbr0']);
    expect(bridges.find((b) => b.name === 'br0')?.ports).toEqual(['patch0', 'uplink0', 'vnet0']);
    expect(bridges.find((b) => b.name === 'br1')?.ports).toEqual([]);
    expect(bridges.every((b) => b.kind === 'linux')).toBe(true);
  });

  it('keeps a port name holding an escape sequence', () => {
    expect(parseBrctlShow(fixture('ip/brctl-show.txt')).find((b) => b.name === 'br2')?.ports).toEqual([EVIL_NAME, 'patch1']);
  });

  it('reads empty output as no bridges (brctl prints nothing, not even the header, then)', () => {
    expect(parseBrctlShow('')).toEqual([]);
  });

  it.each([
    ['a port line before any bridge', '\t\t\t\t\t\t\teth0\n'],
    ['a line that is not a bridge', 'bridge utils, 1.7.1: cannot open sysfs\n'],
  ])('throws ParseError on %s', (_label, text) => {
    expect(() => parseBrctlShow(text)).toThrow(ParseError);
  });
});

describe('parseBridgeLinkJson on real bridge -j link output', () => {
  it('groups ports by master and agrees with brctl on bridges that have ports', () => {
    const fromBridgeTool = parseBridgeLinkJson(fixture('ip/bridge-link.json'));
    const fromBrctl = parseBrctlShow(fixture('ip/brctl-show.txt')).filter((b) => b.ports.length > 0);
    expect(sorted(fromBridgeTool)).toEqual(sorted(fromBrctl));
  });

  it('reads [] as no bridges and throws ParseError on malformed output', () => {
    expect(parseBridgeLinkJson('[]\n')).toEqual([]);
    expect(() => parseBridgeLinkJson('')).toThrow(ParseError);
    expect(() => parseBridgeLinkJson('[{"master":"br0"}]')).toThrow(ParseError);
  });
});

describe('bridgesFromLinks', () => {
  it('sees the same Linux bridges and ports as brctl, from the real ip -d link output', () => {
    const fromLinks = bridgesFromLinks(parseIpLink(fixture('ip/ip-link.json')));
    expect(sorted(fromLinks)).toEqual(sorted(parseBrctlShow(fixture('ip/brctl-show.txt'))));
  });

  // This kernel has no Open vSwitch: the OVS links are hand-built in the shape ip -d link gives them.
  const link = (name: string, kind: string | null, master: string | null, slaveKind: string | null = null): LinkFacts => ({
    name, index: 0, kind, slaveKind, master, linkType: 'ether', mac: null, operstate: 'UP', up: true,
    parentBus: null, parentDev: null, lower: null, peerIndex: null, linkNetnsid: null, macvlanMode: null, vlanId: null, addresses: [],
  });

  it('finds an OVS bridge by info_kind, leaves out the ovs-system datapath, and gives it the ovs-system ports', () => {
    // Given one OVS bridge whose ports (like the bridge's own internal port) are enslaved to ovs-system
    const links = [
      link('ovs-system', 'openvswitch', null),
      link('ovsbr0', 'openvswitch', 'ovs-system', 'openvswitch'),
      link('eno2', null, 'ovs-system', 'openvswitch'),
      link('vnet5', 'tun', 'ovs-system', 'openvswitch'),
    ];
    // When bridges are derived; Then
    expect(bridgesFromLinks(links)).toEqual([{ name: 'ovsbr0', kind: 'ovs', ports: ['eno2', 'vnet5'] }]);
  });

  it('does not guess which of several OVS bridges an ovs-system port belongs to', () => {
    const links = [link('ovs-a', 'openvswitch', 'ovs-system'), link('ovs-b', 'openvswitch', 'ovs-system'), link('eno2', null, 'ovs-system', 'openvswitch')];
    expect(bridgesFromLinks(links).map((b) => b.ports)).toEqual([[], []]);
  });
});

describe('mergeBridges', () => {
  it('takes the kind from the links and unites the ports, tool order first', () => {
    const merged = mergeBridges(
      [{ name: 'br0', kind: 'linux', ports: ['a', 'b'] }, { name: 'gone', kind: 'linux', ports: [] }],
      [{ name: 'br0', kind: 'ovs', ports: ['b', 'c'] }, { name: 'br9', kind: 'linux', ports: [] }],
    );
    expect(merged).toEqual([
      { name: 'br0', kind: 'ovs', ports: ['a', 'b', 'c'] },
      { name: 'gone', kind: 'linux', ports: [] },
      { name: 'br9', kind: 'linux', ports: [] },
    ]);
  });
});
