import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/parse/errors.js';
import { mergeLinks, parseIpAddr, parseIpLink } from '../../../src/parse/iproute.js';
import { OTHER_NAMESPACE, parseIpAddrOneline, parseIpLinkOneline, parseIpRouteOneline } from '../../../src/parse/iprouteOneline.js';
import { EVIL_NAME, fixture } from './fixtures.js';

const oneline = () => parseIpLinkOneline(fixture('ip/ip-link-oneline.txt'));
const linkNamed = (name: string) => oneline().find((l) => l.name === name);

describe('parseIpLinkOneline on real ip -o -d link output', () => {
  it('agrees with the JSON parser on the facts the classifier uses, for every link', () => {
    // Given the same namespace captured both ways
    const pick = (l: ReturnType<typeof parseIpLink>[number]) => ({
      name: l.name, index: l.index, kind: l.kind, slaveKind: l.slaveKind, master: l.master, linkType: l.linkType,
      mac: l.mac, up: l.up, operstate: l.operstate, macvlanMode: l.macvlanMode, peerIndex: l.peerIndex, lower: l.lower,
    });
    // When both are parsed; Then they tell the same story
    expect(oneline().map(pick)).toEqual(parseIpLink(fixture('ip/ip-link.json')).map(pick));
  });

  it('marks a peer in another (named) namespace as such', () => {
    expect(linkNamed('uplink0')).toMatchObject({ peerIndex: 2, linkNetnsid: OTHER_NAMESPACE, lower: null });
    expect(linkNamed('patch0')?.linkNetnsid).toBeNull();
  });

  it('keeps the escape-sequence name and splits NAME@LOWER at the right @', () => {
    expect(linkNamed(EVIL_NAME)).toMatchObject({ lower: 'evilpeer', master: 'br2' });
    expect(linkNamed('evilpeer')?.lower).toBe(EVIL_NAME);
  });

  it('reads the vlan id, a numeric link-netnsid and parent bus/device from lines this kernel cannot produce', () => {
    const text = [
      '2: eno1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq master br0 state UP mode DEFAULT group default qlen 1000\\    link/ether 52:54:00:00:00:09 brd ff:ff:ff:ff:ff:ff promiscuity 1 \\    bridge_slave state forwarding priority 32 addrgenmode none numtxqueues 8 parentbus pci parentdev 0000:01:00.0 ',
      '3: eno1.100@eno1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 52:54:00:00:00:09 brd ff:ff:ff:ff:ff:ff promiscuity 0 \\    vlan protocol 802.1Q id 100 <REORDER_HDR> addrgenmode eui64 ',
      '4: v0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 52:54:00:00:00:0a brd ff:ff:ff:ff:ff:ff link-netnsid 3 promiscuity 0 \\    veth addrgenmode eui64 ',
    ].join('\n');
    const [nic, vlan, veth] = parseIpLinkOneline(text);
    expect(nic).toMatchObject({ kind: null, slaveKind: 'bridge', master: 'br0', parentBus: 'pci', parentDev: '0000:01:00.0' });
    expect(vlan).toMatchObject({ name: 'eno1.100', kind: 'vlan', vlanId: 100, lower: 'eno1', peerIndex: 2 });
    expect(veth).toMatchObject({ name: 'v0', peerIndex: 7, linkNetnsid: 3 });
  });

  it('reads empty output as no links and throws ParseError on a foreign line', () => {
    expect(parseIpLinkOneline('')).toEqual([]);
    expect(() => parseIpLinkOneline('Object "link" is unknown, try "ip help".\n')).toThrow(ParseError);
  });
});

describe('parseIpAddrOneline on real ip -o addr output', () => {
  it('gives the same addresses as the JSON parser', () => {
    const fromJson = parseIpAddr(fixture('ip/ip-addr.json')).filter((l) => l.addresses.length > 0);
    expect(parseIpAddrOneline(fixture('ip/ip-addr-oneline.txt'))).toEqual(fromJson);
  });

  it('takes the prefix of a point-to-point peer, and merges into links', () => {
    const addrs = parseIpAddrOneline('9: ppp0    inet 198.18.0.1 peer 198.18.0.2/32 scope global ppp0\\       valid_lft forever preferred_lft forever\n');
    expect(addrs).toEqual([{ index: 9, name: 'ppp0', addresses: [{ family: 'ipv4', address: '198.18.0.1', prefix: 32 }] }]);
    const merged = mergeLinks(oneline(), parseIpAddrOneline(fixture('ip/ip-addr-oneline.txt')));
    expect(merged.find((l) => l.name === 'br1')?.addresses).toEqual([{ family: 'ipv4', address: '198.18.11.1', prefix: 24 }]);
  });

  it('reads empty output as no addresses and throws ParseError on a foreign line', () => {
    expect(parseIpAddrOneline('')).toEqual([]);
    expect(() => parseIpAddrOneline('garbage\n')).toThrow(ParseError);
  });
});

describe('parseIpRouteOneline on real ip -o route output', () => {
  it('lists default-route devices including multipath nexthops', () => {
    expect(parseIpRouteOneline(fixture('ip/ip-route-oneline.txt'))).toEqual(['br0', 'eth1', 'br1']);
  });

  it('ignores non-default routes and reads empty output as none', () => {
    expect(parseIpRouteOneline('198.18.10.0/24 dev br0 proto kernel scope link src 198.18.10.1\n')).toEqual([]);
    expect(parseIpRouteOneline('')).toEqual([]);
  });
});
