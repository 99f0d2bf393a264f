/**
 * The facts the report carries beside the mode: network NAT, portgroups, VLANs and device pools; a NIC's link
 * state, portgroup, VLAN tags and virtualport as libvirt applies them; VM persistence.
 */
import { describe, expect, it } from 'vitest';
import { classifyHost } from '../../../src/classify/index.js';
import type { InterfaceFacts, NetworkFacts } from '../../../src/model.js';
import { domain, forward, host, iface, linuxBridge, network, virtual } from './builders.js';

function classify(networks: NetworkFacts[], nics: InterfaceFacts[] = [], persistent: boolean | null = true) {
  const facts = host({
    networks,
    bridges: [linuxBridge('virbr0', []), linuxBridge('br0', ['eno1'])],
    links: [virtual('eno1', null, 'br0', { parentBus: 'pci' }), virtual('eth1', null)],
    domains: [domain('web01', nics, { persistent })],
  });
  return classifyHost(facts, { uplinkInterfaces: [] });
}

describe('network details', () => {
  it('gives a NAT network its address and port ranges, IPv6 NAT and outgoing device', () => {
    // Given a nat network masquerading to a range, on chosen ports, IPv6 too, out by eth1
    const nat = forward({
      mode: 'nat',
      dev: 'eth1',
      natAddresses: { start: '203.0.113.10', end: '203.0.113.20' },
      natPorts: { start: 2000, end: 3000 },
      natIpv6: true,
    });
    // When classified
    const [net] = classify([network('default', { bridge: 'virbr0', forward: nat })]).networks;
    // Then
    expect(net).toMatchObject({
      forwardDev: 'eth1',
      nat: { addresses: { start: '203.0.113.10', end: '203.0.113.20' }, ports: { start: 2000, end: 3000 }, ipv6: true },
      pool: [],
    });
  });

  it('gives a <forward/> without <nat> default NAT settings, and no NAT at all to other modes', () => {
    const [plain, routed, isolated] = classify([
      network('plain', { bridge: 'virbr0', forward: forward() }),
      network('routed', { bridge: 'virbr1', forward: forward({ mode: 'route', dev: 'eth1' }) }),
      network('iso', { bridge: 'virbr2' }),
    ]).networks;
    expect(plain?.nat).toEqual({ addresses: null, ports: null, ipv6: false });
    expect([routed?.nat, routed?.forwardDev]).toEqual([null, 'eth1']);
    expect([isolated?.nat, isolated?.forwardDev]).toEqual([null, null]);
  });

  it('keeps IPv4 and IPv6 addresses with the DHCP ranges of both', () => {
    const [net] = classify([
      network('dual', {
        bridge: 'virbr0',
        forward: forward({ mode: 'nat' }),
        addresses: [
          { family: 'ipv4', address: '192.168.122.1', prefix: 24, dhcpRanges: [{ start: '192.168.122.2', end: '192.168.122.254' }], dhcpHosts: 0 },
          { family: 'ipv6', address: '2001:db8::1', prefix: 64, dhcpRanges: [{ start: '2001:db8::100', end: '2001:db8::1ff' }], dhcpHosts: 2 },
        ],
      }),
    ]).networks;
    expect(net?.addresses).toEqual(['192.168.122.1/24', '2001:db8::1/64']);
    expect(net?.dhcp.map((r) => r.start)).toEqual(['192.168.122.2', '2001:db8::100']);
  });

  it('lists portgroups with their default flag, VLAN tags and virtualport, and the network-level VLAN and virtualport', () => {
    const [net] = classify([
      network('ovs', {
        forward: forward({ mode: 'bridge' }),
        virtualportType: 'openvswitch',
        vlanTags: [10],
        portgroups: [
          { name: 'web', isDefault: true, vlanTags: [42], virtualportType: null },
          { name: 'trunk', isDefault: false, vlanTags: [777, 888], virtualportType: 'openvswitch' },
        ],
      }),
    ]).networks;
    expect(net).toMatchObject({
      mode: 'ovs',
      vlanTags: [10],
      virtualport: 'openvswitch',
      portgroups: [
        { name: 'web', default: true, vlanTags: [42], virtualport: null },
        { name: 'trunk', default: false, vlanTags: [777, 888], virtualport: 'openvswitch' },
      ],
    });
  });

  it.each([
    ['a macvtap network: PFs, then interfaces', forward({ mode: 'passthrough', pfs: ['eth0'], interfaces: ['eth10', 'eth11'] }), ['eth0', 'eth10', 'eth11']],
    ['a hostdev network: PCI addresses', forward({ mode: 'hostdev', pciAddresses: ['0000:03:00.1', '0000:03:00.2'] }), ['0000:03:00.1', '0000:03:00.2']],
    ['a pool given by <forward dev> alone', forward({ mode: 'private', dev: 'eth3' }), ['eth3']],
    ['a NAT network, whose <interface dev> is not a pool', forward({ mode: 'nat', dev: 'eth1', interfaces: ['eth1'] }), []],
  ])('gives the device pool of %s', (_, fwd, pool) => {
    const [net] = classify([network('n', { forward: fwd, bridge: fwd.mode === 'nat' ? 'virbr0' : null })]).networks;
    expect(net?.pool).toEqual(pool);
  });
});

describe('interface details', () => {
  const pgNet = () =>
    network('lan', {
      bridge: 'br0',
      forward: forward({ mode: 'bridge' }),
      vlanTags: [5],
      virtualportType: '802.1Qbg',
      portgroups: [
        { name: 'web', isDefault: true, vlanTags: [42], virtualportType: null },
        { name: 'db', isDefault: false, vlanTags: [], virtualportType: '802.1Qbh' },
        { name: 'mgmt', isDefault: false, vlanTags: [99], virtualportType: null },
      ],
    });

  it('reports the guest link state as written, up when absent', () => {
    const nics = classify([], [iface('user', {}, { linkState: 'down' }), iface('user')]).vms[0]!.interfaces;
    expect(nics.map((n) => n.linkState)).toEqual(['down', 'up']);
  });

  it("applies the network's default portgroup to a NIC naming none, and the named one otherwise", () => {
    const nics = classify([pgNet()], [iface('network', { network: 'lan' }), iface('network', { network: 'lan', portgroup: 'mgmt' })]).vms[0]!.interfaces;
    expect(nics.map((n) => [n.portgroup, n.vlanTags])).toEqual([
      ['web', [42]],
      ['mgmt', [99]],
    ]);
  });

  it("takes VLAN tags and virtualport from the NIC, else its portgroup, else the network", () => {
    // Given NICs with their own VLAN; on a portgroup without VLAN; and with their own virtualport
    const nics = classify(
      [pgNet()],
      [
        iface('network', { network: 'lan', portgroup: 'mgmt' }, { vlanTags: [7] }),
        iface('network', { network: 'lan', portgroup: 'db' }),
        iface('network', { network: 'lan' }, { virtualportType: 'openvswitch' }),
      ],
    ).vms[0]!.interfaces;
    // Then
    expect(nics.map((n) => [n.vlanTags, n.virtualport])).toEqual([
      [[7], '802.1Qbg'],
      [[5], '802.1Qbh'],
      [[42], 'openvswitch'],
    ]);
  });

  it('warns about a portgroup the network does not define, keeping the name and the network settings', () => {
    const audit = classify([pgNet()], [iface('network', { network: 'lan', portgroup: 'dmz' }, { mac: '52:54:00:00:00:aa' })]);
    expect(audit.vms[0]!.interfaces[0]).toMatchObject({ portgroup: 'dmz', vlanTags: [5], virtualport: '802.1Qbg', mode: 'bridged' });
    expect(audit.warnings).toEqual([{ kind: 'portgroup-missing', subject: 'vm web01 52:54:00:00:00:aa', message: 'portgroup dmz is not defined on network lan' }]);
  });

  it('keeps only its own settings for a NIC that is not on a network', () => {
    const nic = iface('bridge', { bridge: 'br0', portgroup: 'web' }, { vlanTags: [3], virtualportType: 'openvswitch' });
    const [audit] = classify([pgNet()], [nic]).vms[0]!.interfaces;
    expect(audit).toMatchObject({ portgroup: 'web', vlanTags: [3], virtualport: 'openvswitch' });
  });

  it('says whether the VM is persistent', () => {
    expect(classify([], [], false).vms[0]?.persistent).toBe(false);
    expect(classify([], [], true).vms[0]?.persistent).toBe(true);
    expect(classify([], [], null).vms[0]?.persistent).toBeNull();
  });
});
