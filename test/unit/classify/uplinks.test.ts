import { describe, expect, it } from 'vitest';
import { classifyHost } from '../../../src/classify/index.js';
import { buildTopology } from '../../../src/classify/topology.js';
import { createUplinkResolver, describeUplinks } from '../../../src/classify/uplinks.js';
import { compileGlobs } from '../../../src/util/glob.js';
import { host, link, linuxBridge, nic, virtual, vethPair } from './builders.js';
import type { HostFacts } from '../../../src/model.js';

function uplinksOf(facts: HostFacts, bridge: string, globs: string[] = []) {
  return createUplinkResolver(buildTopology(facts), globs).uplinksOf(bridge);
}
const names = (uplinks: { name: string }[]) => uplinks.map((u) => u.name);

describe('uplink rule: physical NICs', () => {
  it('counts a port with a parent bus device as an uplink', () => {
    // Given br0 with a PCI NIC and a guest tap
    const facts = host({ bridges: [linuxBridge('br0', ['eno1', 'vnet0'])], links: [nic('eno1', 'br0'), virtual('vnet0', 'tun', 'br0')] });
    // When / Then
    expect(names(uplinksOf(facts, 'br0'))).toEqual(['eno1']);
  });

  it('counts an Ethernet link with no virtual kind as an uplink even without bus information', () => {
    const facts = host({ bridges: [linuxBridge('br0', ['eth0'])], links: [link('eth0', { master: 'br0' })] });
    expect(names(uplinksOf(facts, 'br0'))).toEqual(['eth0']);
  });

  it('finds ports that only ip reports as enslaved (brctl view incomplete)', () => {
    const facts = host({ bridges: [linuxBridge('br0', [])], links: [nic('eno1', 'br0')] });
    expect(names(uplinksOf(facts, 'br0'))).toEqual(['eno1']);
  });
});

describe('uplink rule: bonds, teams and VLANs', () => {
  it('counts a bond with physical slaves and lists the slaves', () => {
    // Given bond0 (eno1, eno2) on br0
    const facts = host({
      bridges: [linuxBridge('br0', ['bond0'])],
      links: [virtual('bond0', 'bond', 'br0'), nic('eno1', 'bond0'), nic('eno2', 'bond0')],
    });
    // When
    const uplinks = uplinksOf(facts, 'br0');
    // Then
    expect(describeUplinks(uplinks)).toBe('uplink bond0 [eno1, eno2]');
  });

  it('counts a team with a physical slave', () => {
    const facts = host({ bridges: [linuxBridge('br0', ['team0'])], links: [virtual('team0', 'team', 'br0'), nic('eno3', 'team0')] });
    expect(names(uplinksOf(facts, 'br0'))).toEqual(['team0']);
  });

  it('does not count a bond whose only slave is a virtual link', () => {
    const facts = host({
      bridges: [linuxBridge('br0', ['bond0'])],
      links: [virtual('bond0', 'bond', 'br0'), virtual('veth9', 'veth', 'bond0', { linkNetnsid: 3, peerIndex: 2 })],
    });
    expect(uplinksOf(facts, 'br0')).toEqual([]);
  });

  it('does not count a bond with no slaves at all', () => {
    const facts = host({ bridges: [linuxBridge('br0', ['bond0'])], links: [virtual('bond0', 'bond', 'br0')] });
    expect(uplinksOf(facts, 'br0')).toEqual([]);
  });

  it('counts a VLAN on a bond that has a physical slave', () => {
    const facts = host({
      bridges: [linuxBridge('br100', ['bond0.100'])],
      links: [
        virtual('bond0.100', 'vlan', 'br100', { lower: 'bond0', vlanId: 100 }),
        virtual('bond0', 'bond'),
        nic('eno1', 'bond0'),
      ],
    });
    const uplinks = uplinksOf(facts, 'br100');
    expect(describeUplinks(uplinks)).toBe('uplink bond0.100 (vlan 100 on bond0 [eno1])');
  });

  it('does not count a VLAN on a device that is not an uplink', () => {
    const facts = host({
      bridges: [linuxBridge('br100', ['tap0.100'])],
      links: [virtual('tap0.100', 'vlan', 'br100', { lower: 'tap0', vlanId: 100 }), virtual('tap0', 'tun')],
    });
    expect(uplinksOf(facts, 'br100')).toEqual([]);
  });
});

describe('uplink rule: tunnels', () => {
  it.each(['vxlan', 'geneve', 'gretap', 'ip6gretap'])('counts a %s port as an uplink', (kind) => {
    const facts = host({ bridges: [linuxBridge('br-ovl', ['tun0'])], links: [virtual('tun0', kind, 'br-ovl', { linkType: 'ether' })] });
    expect(describeUplinks(uplinksOf(facts, 'br-ovl'))).toBe(`uplink tun0 (${kind})`);
  });
});

describe('uplink rule: veth patch cables', () => {
  it('counts a veth whose peer sits on another bridge that has an uplink', () => {
    // Given br-guest ⇄ br-lan through a veth pair, and br-lan has eno1
    const [guestEnd, lanEnd] = vethPair('p-guest', 'br-guest', 'p-lan', 'br-lan');
    const facts = host({
      bridges: [linuxBridge('br-guest', ['p-guest']), linuxBridge('br-lan', ['p-lan', 'eno1'])],
      links: [guestEnd, lanEnd, nic('eno1', 'br-lan')],
    });
    // When
    const uplinks = uplinksOf(facts, 'br-guest');
    // Then
    expect(names(uplinks)).toEqual(['p-guest']);
    expect(uplinks[0]?.description).toBe('p-guest (patch to br-lan → uplink eno1)');
  });

  it('does not count a patch to a bridge without an uplink', () => {
    const [a, b] = vethPair('p-a', 'br-a', 'p-b', 'br-b');
    const facts = host({
      bridges: [linuxBridge('br-a', ['p-a']), linuxBridge('br-b', ['p-b', 'vnet1'])],
      links: [a, b, virtual('vnet1', 'tun', 'br-b')],
    });
    expect(uplinksOf(facts, 'br-a')).toEqual([]);
  });

  it('terminates on a loop of patch cables and finds no uplink', () => {
    // Given br-a → br-b → br-c → br-a, all joined by veth pairs, none with a NIC
    const [ab1, ab2] = vethPair('ab1', 'br-a', 'ab2', 'br-b');
    const [bc1, bc2] = vethPair('bc1', 'br-b', 'bc2', 'br-c');
    const [ca1, ca2] = vethPair('ca1', 'br-c', 'ca2', 'br-a');
    const facts = host({
      bridges: [linuxBridge('br-a', ['ab1', 'ca2']), linuxBridge('br-b', ['ab2', 'bc1']), linuxBridge('br-c', ['bc2', 'ca1'])],
      links: [ab1, ab2, bc1, bc2, ca1, ca2],
    });
    // When / Then
    expect(uplinksOf(facts, 'br-a')).toEqual([]);
    expect(uplinksOf(facts, 'br-c')).toEqual([]);
  });

  it('still finds the uplink at the end of a loop that has one', () => {
    const [ab1, ab2] = vethPair('ab1', 'br-a', 'ab2', 'br-b');
    const [ba1, ba2] = vethPair('ba1', 'br-b', 'ba2', 'br-a');
    const facts = host({
      bridges: [linuxBridge('br-a', ['ab1', 'ba2']), linuxBridge('br-b', ['ab2', 'ba1', 'eno1'])],
      links: [ab1, ab2, ba1, ba2, nic('eno1', 'br-b')],
    });
    expect(names(uplinksOf(facts, 'br-a'))).toEqual(['ab1', 'ba2']);
    expect(names(uplinksOf(facts, 'br-b'))).toEqual(['eno1']);
  });

  it('does not treat a veth whose peer is in another namespace as physical', () => {
    const facts = host({
      bridges: [linuxBridge('br0', ['veth-out'])],
      links: [virtual('veth-out', 'veth', 'br0', { peerIndex: 2, linkNetnsid: 0 })],
    });
    expect(uplinksOf(facts, 'br0')).toEqual([]);
  });
});

describe('uplink rule: inventory globs', () => {
  it('counts a port named by an uplinkInterfaces glob', () => {
    // Given a lab stand-in NIC: a veth whose peer is in another namespace
    const facts = host({
      bridges: [linuxBridge('br0', ['lab-up0', 'vnet0'])],
      links: [virtual('lab-up0', 'veth', 'br0', { peerIndex: 2, linkNetnsid: 0 }), virtual('vnet0', 'tun', 'br0')],
    });
    // When
    const uplinks = uplinksOf(facts, 'br0', ['lab-up*']);
    // Then
    expect(describeUplinks(uplinks)).toBe('uplink lab-up0 (uplinkInterfaces)');
  });

  it('matches `?` as exactly one character and anchors the whole name', () => {
    const matches = compileGlobs(['up?', 'x.*']);
    expect([matches('up1'), matches('up'), matches('up12'), matches('xup1')]).toEqual([true, false, false, false]);
    expect([matches('x.y'), matches('xay')]).toEqual([true, false]);
  });

  it('counts a bond whose slave is named by a glob', () => {
    const facts = host({
      bridges: [linuxBridge('br0', ['bond0'])],
      links: [virtual('bond0', 'bond', 'br0'), virtual('lab-nic', 'veth', 'bond0', { linkNetnsid: 1 })],
    });
    expect(uplinksOf(facts, 'br0', [])).toEqual([]);
    expect(names(uplinksOf(facts, 'br0', ['lab-*']))).toEqual(['bond0']);
  });

  it.each(['tun', 'macvtap', 'macvlan', 'dummy'])('never counts a %s port, even when a glob names it', (kind) => {
    const facts = host({ bridges: [linuxBridge('br0', ['port0'])], links: [virtual('port0', kind, 'br0')] });
    expect(uplinksOf(facts, 'br0', ['*'])).toEqual([]);
  });
});

describe('uplink rule: loops and hostile graphs', () => {
  it('finds no uplink through two VLANs that name each other as lower device', () => {
    // Given br0 with v1 (VLAN on v2) and v2 (VLAN on v1): `ip -d link` from a broken or hostile host
    const facts = host({
      bridges: [linuxBridge('br0', ['v1'])],
      links: [virtual('v1', 'vlan', 'br0', { lower: 'v2', vlanId: 1 }), virtual('v2', 'vlan', null, { lower: 'v1', vlanId: 2 })],
    });
    // When / Then: no stack overflow, and no uplink
    expect(uplinksOf(facts, 'br0')).toEqual([]);
  });

  it('keeps the real uplink of a bridge that also holds a VLAN loop, and lets a glob name a device in it', () => {
    const facts = host({
      bridges: [linuxBridge('br0', ['v1', 'eno1'])],
      links: [virtual('v1', 'vlan', 'br0', { lower: 'v2', vlanId: 1 }), virtual('v2', 'vlan', null, { lower: 'v1', vlanId: 2 }), nic('eno1', 'br0')],
    });
    expect(names(uplinksOf(facts, 'br0'))).toEqual(['eno1']);
    expect(describeUplinks(uplinksOf(facts, 'br0', ['v2']))).toBe('uplinks v1 (vlan 1 on v2 (uplinkInterfaces)), eno1');
  });

  it('finds no uplink through a VLAN that is its own lower device', () => {
    const facts = host({ bridges: [linuxBridge('br0', ['v1'])], links: [virtual('v1', 'vlan', 'br0', { lower: 'v1', vlanId: 1 })] });
    expect(uplinksOf(facts, 'br0')).toEqual([]);
  });

  it('finds no uplink through a cycle of three VLANs', () => {
    const facts = host({
      bridges: [linuxBridge('br0', ['v1'])],
      links: [
        virtual('v1', 'vlan', 'br0', { lower: 'v2', vlanId: 1 }),
        virtual('v2', 'vlan', null, { lower: 'v3', vlanId: 2 }),
        virtual('v3', 'vlan', null, { lower: 'v1', vlanId: 3 }),
      ],
    });
    expect(uplinksOf(facts, 'br0')).toEqual([]);
  });

  it('does not count a bond as its own slave', () => {
    // Given bond0 enslaved to itself (brctl lists it on br0), and bond1 enslaved to itself beside a real NIC
    const facts = host({
      bridges: [linuxBridge('br0', ['bond0', 'bond1'])],
      links: [virtual('bond0', 'bond', 'bond0'), virtual('bond1', 'bond', 'bond1'), nic('eno1', 'bond1')],
    });
    // When / Then
    expect(describeUplinks(uplinksOf(facts, 'br0', ['bond*']))).toBe('uplinks bond0 (uplinkInterfaces), bond1 [eno1]');
    expect(describeUplinks(uplinksOf(facts, 'br0'))).toBe('uplink bond1 [eno1]');
  });

  it('does not count a bridge that is listed as its own port', () => {
    // Given br0 enslaved to itself, which a glob would otherwise name
    const bridge = linuxBridge('br0', ['br0', 'eno1']);
    bridge.link.master = 'br0';
    const facts = host({ bridges: [bridge], links: [nic('eno1', 'br0')] });
    // When / Then
    expect(names(uplinksOf(facts, 'br0', ['br*', 'eno*']))).toEqual(['eno1']);
  });

  it('finds no uplink between two bridges enslaved to each other', () => {
    const a = linuxBridge('br-a', ['br-b']);
    const b = linuxBridge('br-b', ['br-a']);
    a.link.master = 'br-b';
    b.link.master = 'br-a';
    const facts = host({ bridges: [a, b] });
    expect([uplinksOf(facts, 'br-a'), uplinksOf(facts, 'br-b')]).toEqual([[], []]);
  });

  it('follows VLANs on each other’s bridges only until they lead back', () => {
    // Given va on br-a is a VLAN on br-b, vb on br-b a VLAN on br-a, and br-b has eno1
    const facts = host({
      bridges: [linuxBridge('br-a', ['va']), linuxBridge('br-b', ['vb', 'eno1'])],
      links: [virtual('va', 'vlan', 'br-a', { lower: 'br-b', vlanId: 10 }), virtual('vb', 'vlan', 'br-b', { lower: 'br-a', vlanId: 20 }), nic('eno1', 'br-b')],
    });
    // When / Then: br-a reaches the LAN through br-b; br-b's way back through br-a is no uplink
    expect(describeUplinks(uplinksOf(facts, 'br-a'))).toBe('uplink va (vlan 10 on br-b → uplink eno1)');
    expect(names(uplinksOf(facts, 'br-b'))).toEqual(['eno1']);
  });

  it('classifies a host whose VLANs form a ring of 5,000 without running out of stack', () => {
    // Given v0 on br0 is a VLAN on v1, v1 on v2, … v4999 on v0
    const ring = Array.from({ length: 5_000 }, (_, i) => virtual(`v${i}`, 'vlan', i === 0 ? 'br0' : null, { lower: `v${(i + 1) % 5_000}`, vlanId: i }));
    const facts = host({ bridges: [linuxBridge('br0', ['v0'])], links: ring });
    // When
    const audit = classifyHost(facts, { uplinkInterfaces: [] });
    // Then: no uplink, and the operator is told the search was cut short there
    expect(audit.bridges).toEqual([expect.objectContaining({ name: 'br0', uplinks: [] })]);
    expect(audit.warnings.filter((w) => w.kind === 'uplink-search-cut').map((w) => w.subject)).toEqual(['bridge br0']);
  });

  it('stops walking a dense mesh of patch cables and still finds the uplink', () => {
    // Given 25 bridges, each joined to every other by a veth pair (600 pairs), and eno1 on the last one
    const count = 25;
    const bridges = Array.from({ length: count }, (_, i) => linuxBridge(`br${i}`, []));
    const links = [nic('eno1', `br${count - 1}`)];
    for (let i = 0; i < count; i++) for (let j = i + 1; j < count; j++) links.push(...vethPair(`p${i}-${j}`, `br${i}`, `p${j}-${i}`, `br${j}`));
    const facts = host({ bridges, links });
    // When: a walk of every path would never end
    const audit = classifyHost(facts, { uplinkInterfaces: [] });
    // Then: every bridge reaches the LAN, the one holding eno1 directly, and no description grows with the mesh
    expect(audit.bridges.every((b) => b.uplinks.length > 0)).toBe(true);
    expect(audit.bridges.find((b) => b.name === `br${count - 1}`)?.uplinks[0]).toBe('eno1');
    const resolver = createUplinkResolver(buildTopology(facts), []);
    const longest = Math.max(...bridges.flatMap((b) => resolver.uplinksOf(b.bridge.name).map((u) => u.description.length)));
    expect(longest).toBeLessThan(400);
  });
});
