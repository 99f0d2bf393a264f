import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/parse/errors.js';
import { parseNetworkXml, prefixOfNetmask } from '../../../src/parse/networkXml.js';
import { fixture } from './fixtures.js';

const dump = (slug: string) => parseNetworkXml(fixture(`virsh/net-dumpxml.${slug}.xml`));

describe('parseNetworkXml on real virsh net-dumpxml output', () => {
  it('reads a NAT network: bridge, NAT ranges, IPv6 NAT, addresses with netmask→prefix and DHCP', () => {
    // Given the default network as the libvirt test driver prints it
    // When it is parsed
    const net = dump('default');
    // Then everything the classifier and the report need is there
    expect(net.name).toBe('default');
    expect(net.uuid).toBe('0b1e5c1a-0000-4000-8000-000000000001');
    expect(net.bridge).toBe('virbr0');
    expect(net.forward?.mode).toBe('nat');
    expect(net.forward?.natAddresses).toEqual({ start: '198.18.30.1', end: '198.18.30.10' });
    expect(net.forward?.natPorts).toEqual({ start: 1024, end: 65535 });
    expect(net.forward?.natIpv6).toBe(true);
    const [v4, v6] = net.addresses;
    expect(v4).toMatchObject({ family: 'ipv4', address: '198.18.20.1', prefix: 24, dhcpHosts: 2 });
    expect(v4?.dhcpRanges).toEqual([
      { start: '198.18.20.100', end: '198.18.20.199' },
      { start: '198.18.20.200', end: '198.18.20.250' },
    ]);
    expect(v6).toMatchObject({ family: 'ipv6', address: '2001:db8:ca2:2::1', prefix: 64, dhcpRanges: [], dhcpHosts: 0 });
  });

  it('gives null forward for an isolated network and converts a /25 netmask', () => {
    const net = dump('isolated');
    expect(net.forward).toBeNull();
    expect(net.addresses[0]?.prefix).toBe(25);
  });

  it('reads routed and open networks with their forward dev and explicit prefix', () => {
    const routed = dump('routed');
    expect(routed.forward).toMatchObject({ mode: 'route', dev: 'eth1', natIpv6: false, natPorts: null, natAddresses: null });
    expect(routed.addresses[0]?.prefix).toBe(24);
    expect(dump('open').forward?.mode).toBe('open');
  });

  it('reads a bridge network onto a host bridge', () => {
    const net = dump('host-bridge');
    expect(net.forward?.mode).toBe('bridge');
    expect(net.bridge).toBe('br0');
  });

  it('reads macvtap device pools (vepa, bridge, passthrough) without a bridge', () => {
    const vepa = dump('macvtap-vepa');
    expect(vepa.bridge).toBeNull();
    expect(vepa.forward).toMatchObject({ mode: 'vepa', interfaces: ['eth1', 'eth2'] });
    expect(dump('macvtap-bridge').forward).toMatchObject({ mode: 'bridge', dev: 'eth1', interfaces: ['eth1'] });
    expect(dump('passthrough').forward).toMatchObject({ mode: 'passthrough', interfaces: ['eth3', 'eth4'] });
  });

  it('reads hostdev pools as PCI addresses dddd:bb:ss.f and as PFs', () => {
    expect(dump('sriov-pool').forward).toMatchObject({ mode: 'hostdev', pciAddresses: ['0000:03:10.1', '0000:03:10.3'] });
    expect(dump('sriov-pf').forward).toMatchObject({ mode: 'hostdev', pfs: ['eth5'], pciAddresses: [] });
  });

  it('reads an Open vSwitch network: virtualport, network VLAN, portgroups with default flag and trunks', () => {
    const net = dump('ovs-net');
    expect(net.virtualportType).toBe('openvswitch');
    expect(net.vlanTags).toEqual([10]);
    expect(net.portgroups).toEqual([
      { name: 'trunk', isDefault: true, vlanTags: [20, 30], virtualportType: null },
      { name: 'dmz', isDefault: false, vlanTags: [40], virtualportType: null },
    ]);
  });

  it('decodes a hostile network name exactly (spaces, shell and XML metacharacters)', () => {
    expect(dump('hostile-name').name).toBe('lab net; $(id) & <x>');
  });
});

describe('parseNetworkXml on hand-written XML (shapes the test driver never prints)', () => {
  it('keeps mode null for <forward/> without a mode (libvirt then means nat)', () => {
    const net = parseNetworkXml(`<network><name>n</name><forward/></network>`);
    expect(net.forward).not.toBeNull();
    expect(net.forward?.mode).toBeNull();
  });

  it('reads a portgroup virtualport type, decimal PCI numbers, and a NAT range with one address', () => {
    const net = parseNetworkXml(`<network><name>n</name>
      <forward mode='hostdev'><address type='pci' domain='0' bus='3' slot='16' function='7'/></forward>
      <portgroup name='p'><virtualport type='802.1Qbh'/></portgroup></network>`);
    expect(net.forward?.pciAddresses).toEqual(['0000:03:10.7']);
    expect(net.portgroups[0]?.virtualportType).toBe('802.1Qbh');
    const nat = parseNetworkXml(`<network><name>n</name><forward mode='nat'><nat><address start='198.18.0.9'/><port start='500'/></nat></forward></network>`);
    expect(nat.forward?.natAddresses).toEqual({ start: '198.18.0.9', end: '198.18.0.9' });
    expect(nat.forward?.natPorts).toEqual({ start: 500, end: 500 });
  });

  it('gives prefix null for a missing or non-contiguous netmask', () => {
    expect(prefixOfNetmask('255.0.255.0')).toBeNull();
    expect(prefixOfNetmask('255.255.255.255')).toBe(32);
    expect(prefixOfNetmask('0.0.0.0')).toBe(0);
    expect(prefixOfNetmask(null)).toBeNull();
    expect(parseNetworkXml(`<network><name>n</name><ip address='198.18.0.1'/></network>`).addresses[0]?.prefix).toBeNull();
  });
});

describe('parseNetworkXml on bad input', () => {
  it.each([
    ['empty output', ''],
    ['truncated XML', fixture('virsh/net-dumpxml.default.xml').slice(0, 200)],
    ['a domain instead of a network', fixture('virsh/dumpxml.web01.xml')],
    ['a network without a name', '<network><uuid>x</uuid></network>'],
    ['virsh error text', 'error: failed to get network'],
  ])('throws ParseError on %s', (_label, xml) => {
    expect(() => parseNetworkXml(xml)).toThrow(ParseError);
  });

  it('refuses entity declarations instead of expanding them (billion laughs, external entities)', () => {
    // Given documents that would expand an entity a billion times or read a local file
    const laughs = `<?xml version="1.0"?><!DOCTYPE network [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><network><name>&c;</name></network>`;
    const external = `<!DOCTYPE network [<!ENTITY x SYSTEM "file:///etc/passwd">]><network><name>&x;</name></network>`;
    // Then both are refused before any parsing happens
    expect(() => parseNetworkXml(laughs)).toThrow(/DOCTYPE/);
    expect(() => parseNetworkXml(external)).toThrow(/DOCTYPE/);
  });
});
