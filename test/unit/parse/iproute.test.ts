import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/parse/errors.js';
import { mergeLinks, parseIpAddr, parseIpLink, parseIpRoute } from '../../../src/parse/iproute.js';
import { escapeControlCharsInJsonStrings } from '../../../src/parse/iprouteJson.js';
import { EVIL_NAME, fixture } from './fixtures.js';

const links = () => parseIpLink(fixture('ip/ip-link.json'));
const linkNamed = (name: string) => links().find((l) => l.name === name);

describe('parseIpLink on real ip -j -d link output', () => {
  it('reads the kind of every link of the lab host', () => {
    // Given the lab namespace's links; When parsed
    const kinds = Object.fromEntries(links().map((l) => [l.name, l.kind]));
    // Then each kind is iproute2's info_kind, null for loopback
    expect(kinds).toMatchObject({
      lo: null,
      br0: 'bridge',
      uplink0: 'veth',
      vnet0: 'tun',
      vx0: 'vxlan',
      mvt0: 'macvtap',
      mvl0: 'macvlan',
      tun0: 'tun',
    });
  });

  it('reads bridge membership as master + slave kind', () => {
    expect(linkNamed('vnet0')).toMatchObject({ master: 'br0', slaveKind: 'bridge' });
    expect(linkNamed('vx0')).toMatchObject({ master: 'br3', slaveKind: 'bridge' });
    expect(linkNamed('mvt0')).toMatchObject({ master: null, slaveKind: null });
  });

  it('reads a veth whose peer is in another namespace by index and netnsid', () => {
    expect(linkNamed('uplink0')).toMatchObject({ peerIndex: 2, linkNetnsid: 0, lower: null });
  });

  it('resolves a same-namespace veth peer printed by name to its index', () => {
    // Given patch0/patch1, a veth pair in the same namespace, which ip prints as "link": "<peer name>"
    const patch0 = linkNamed('patch0');
    const patch1 = linkNamed('patch1');
    // Then each points at the other by name and by index, in the same namespace
    expect(patch0).toMatchObject({ lower: 'patch1', peerIndex: patch1?.index, linkNetnsid: null });
    expect(patch1).toMatchObject({ lower: 'patch0', peerIndex: patch0?.index });
  });

  it('reads macvtap/macvlan parent and mode', () => {
    const eth1 = linkNamed('eth1');
    expect(linkNamed('mvt0')).toMatchObject({ lower: 'eth1', peerIndex: eth1?.index, macvlanMode: 'vepa', vlanId: null });
    expect(linkNamed('mvl0')).toMatchObject({ macvlanMode: 'bridge', up: false });
  });

  it('reads link type, MAC, operstate and the UP flag', () => {
    expect(linkNamed('br0')).toMatchObject({ linkType: 'ether', up: true, operstate: 'UP' });
    expect(linkNamed('br0')?.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(linkNamed('lo')).toMatchObject({ linkType: 'loopback' });
    // A layer-3 tun has no hardware address at all
    expect(linkNamed('tun0')).toMatchObject({ linkType: 'none', mac: null, up: false });
  });

  it('keeps a name holding a raw escape sequence intact (the JSON is invalid without escaping)', () => {
    // Given output in which iproute2 printed ESC raw inside a string
    const raw = fixture('ip/ip-link.json');
    expect(raw).toContain(EVIL_NAME);
    expect(() => JSON.parse(raw)).toThrow();
    // When parsed; Then the link keeps its real name, and its peer names it too
    expect(linkNamed(EVIL_NAME)).toMatchObject({ kind: 'veth', master: 'br2', lower: 'evilpeer' });
    expect(linkNamed('evilpeer')?.lower).toBe(EVIL_NAME);
  });

  it('reads VLAN ids and parent bus/device, which this kernel cannot create', () => {
    const json = `[{"ifindex":5,"link":"eno1","ifname":"eno1.100","flags":["UP"],"link_type":"ether","address":"52:54:00:00:00:09","linkinfo":{"info_kind":"vlan","info_data":{"protocol":"802.1Q","id":100}}},
      {"ifindex":2,"ifname":"eno1","flags":["UP"],"link_type":"ether","parentbus":"pci","parentdev":"0000:01:00.0"}]`;
    const [vlan, nic] = parseIpLink(json);
    expect(vlan).toMatchObject({ kind: 'vlan', vlanId: 100, lower: 'eno1', peerIndex: 2, macvlanMode: null });
    expect(nic).toMatchObject({ kind: null, parentBus: 'pci', parentDev: '0000:01:00.0' });
  });
});

describe('parseIpAddr and mergeLinks on real output', () => {
  it('reads IPv4 and IPv6 addresses with their prefixes', () => {
    const byName = new Map(parseIpAddr(fixture('ip/ip-addr.json')).map((l) => [l.name, l.addresses]));
    expect(byName.get('lo')).toEqual([
      { family: 'ipv4', address: '127.0.0.1', prefix: 8 },
      { family: 'ipv6', address: '::1', prefix: 128 },
    ]);
    expect(byName.get('br0')?.map((a) => a.address)).toEqual(['198.18.10.1', '198.18.10.2']);
    expect(byName.get('vnet0')).toEqual([]);
  });

  it('attaches addresses to the right links', () => {
    // Given links and addresses parsed apart; When merged
    const merged = mergeLinks(links(), parseIpAddr(fixture('ip/ip-addr.json')));
    const addressesOf = (name: string) => merged.find((l) => l.name === name)?.addresses.map((a) => `${a.address}/${a.prefix}`);
    // Then every link carries its own addresses only
    expect(addressesOf('virbr0')).toEqual(['198.18.20.1/24']);
    expect(addressesOf('eth1')).toEqual(['198.18.12.1/24']);
    expect(addressesOf('uplink0')).toEqual([]);
    expect(merged).toHaveLength(links().length);
  });
});

describe('parseIpRoute on real output', () => {
  it('lists default-route devices including multipath nexthops, once each', () => {
    expect(parseIpRoute(fixture('ip/ip-route.json'))).toEqual(['br0', 'eth1', 'br1']);
  });

  it('reads no default route as an empty list', () => {
    expect(parseIpRoute('[]\n')).toEqual([]);
  });
});

describe('iproute2 JSON parsers on bad input', () => {
  it.each([
    ['empty output', ''],
    ['cut-off JSON', fixture('ip/ip-link.json').slice(0, 500)],
    ['an object instead of an array', '{"ifname":"lo"}'],
    ['an error message', 'Cannot open netlink socket: Permission denied\n'],
  ])('throw ParseError on %s', (_label, text) => {
    expect(() => parseIpLink(text)).toThrow(ParseError);
    expect(() => parseIpAddr(text)).toThrow(ParseError);
    expect(() => parseIpRoute(text)).toThrow(ParseError);
  });

  it('throw ParseError on a link without ifname or ifindex', () => {
    expect(() => parseIpLink('[{"ifindex":1}]')).toThrow(ParseError);
    expect(() => parseIpAddr('[{"ifname":"x"}]')).toThrow(ParseError);
  });
});

describe('escapeControlCharsInJsonStrings', () => {
  it('escapes control characters inside strings only, keeping escapes and whitespace outside', () => {
    // Given a document with a raw tab and ESC inside strings, an escaped quote and backslash, and newlines outside
    const text = '[\n{"a":"x\ty\u001b","b":"q\\"\\\\","c":1}\n]\n';
    // When escaped
    const escaped = escapeControlCharsInJsonStrings(text);
    // Then it parses, and gives back the original characters
    expect(JSON.parse(escaped)).toEqual([{ a: 'x\ty\u001b', b: 'q"\\', c: 1 }]);
    expect(escaped.startsWith('[\n')).toBe(true);
  });

  it('leaves valid JSON unchanged', () => {
    const valid = fixture('ip/ip-route.json');
    expect(escapeControlCharsInJsonStrings(valid)).toBe(valid);
  });
});
