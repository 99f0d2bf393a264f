import { describe, expect, it } from 'vitest';
import { classifyHost } from '../../../src/classify/index.js';
import type { InterfaceFacts, NetworkFacts } from '../../../src/model.js';
import { demoFleet } from '../policy/fixtures.js';
import { domain, forward, host, iface, linuxBridge, network, nic, virtual } from './builders.js';

/** A small host: default NAT on virbr0, prod-br onto br0 (bond0 uplink), an isolated lab network. */
function hostWith(nics: InterfaceFacts[], extra: { networks?: NetworkFacts[]; globs?: string[] } = {}) {
  const facts = host({
    networks: [
      network('default', { bridge: 'virbr0', forward: forward({ mode: 'nat' }) }),
      network('prod-br', { bridge: 'br0', forward: forward({ mode: 'bridge' }) }),
      ...(extra.networks ?? []),
    ],
    bridges: [
      linuxBridge('virbr0', []),
      linuxBridge('br0', ['bond0']),
      linuxBridge('br-lan', ['eno3']),
      linuxBridge('br-lab', ['vnet9']),
      linuxBridge('br-test', ['lab-up']),
    ],
    links: [
      virtual('bond0', 'bond', 'br0'),
      nic('eno1', 'bond0'),
      nic('eno2', 'bond0'),
      nic('eth0'),
      virtual('vnet9', 'tun', 'br-lab'),
      nic('eno3', 'br-lan'),
      virtual('lab-up', 'veth', 'br-test', { linkNetnsid: 0, peerIndex: 2 }),
    ],
    domains: [domain('web01', nics)],
  });
  const audit = classifyHost(facts, { uplinkInterfaces: extra.globs ?? [] });
  return { audit, nics: audit.vms[0]!.interfaces };
}

describe('interfaces on libvirt networks', () => {
  it('takes the network mode and shows the whole chain', () => {
    // Given web01's NIC on prod-br
    const { nics } = hostWith([iface('network', { network: 'prod-br' }, { mac: '52:54:00:00:02:01' })]);
    // Then
    expect(nics[0]).toMatchObject({ mode: 'bridged', via: 'network prod-br', source: 'prod-br' });
    expect(nics[0]!.evidence).toEqual([
      'web01/52:54:00:00:02:01',
      'network prod-br (forward bridge)',
      'bridge br0',
      'uplink bond0 [eno1, eno2]',
      '⇒ bridged',
    ]);
  });

  it('follows source network whatever the interface type says', () => {
    const { nics } = hostWith([iface('bridge', { network: 'default', bridge: 'virbr0' })]);
    expect([nics[0]!.mode, nics[0]!.via]).toEqual(['nat', 'network default']);
  });

  it('matches networks by exact XML name, never by UUID', () => {
    // Given a NIC naming the default network's UUID instead of its name
    const uuidOnly = network('lab', { forward: null });
    const { nics, audit } = hostWith([iface('network', { network: uuidOnly.uuid }), iface('network', { network: 'Default' })], { networks: [uuidOnly] });
    // Then both are missing
    expect(nics.map((n) => n.mode)).toEqual(['missing', 'missing']);
    expect(audit.warnings.map((w) => w.kind)).toEqual(['network-missing', 'network-missing']);
  });

  it('reports a missing network with what exists', () => {
    const { nics, audit } = hostWith([iface('network', { network: 'dmz' }, { mac: '52:54:00:aa:bb:cc' })]);
    expect(nics[0]!.mode).toBe('missing');
    expect(nics[0]!.evidence).toContain('network dmz not found (networks: default, prod-br)');
    expect(audit.warnings).toEqual([
      { kind: 'network-missing', subject: 'vm web01 52:54:00:aa:bb:cc', message: 'network dmz is not defined on the host' },
    ]);
  });

  it('keeps the mode of an inactive network and warns', () => {
    const { nics, audit } = hostWith([iface('network', { network: 'old' })], {
      networks: [network('old', { active: false, bridge: 'virbr5', forward: forward({ mode: 'route' }) })],
    });
    expect(nics[0]!.mode).toBe('routed');
    expect(nics[0]!.evidence[1]).toBe('network old (forward route, inactive)');
    expect(audit.warnings.map((w) => w.kind)).toEqual(['network-inactive']);
  });
});

describe('interfaces on bridges', () => {
  it('takes the mode of the libvirt network that owns the bridge', () => {
    const { nics } = hostWith([iface('bridge', { bridge: 'virbr0' })]);
    expect([nics[0]!.mode, nics[0]!.via]).toEqual(['nat', 'network default']);
    expect(nics[0]!.evidence[1]).toBe('bridge virbr0 belongs to network default');
  });

  it('resolves the host bridge itself when only a forward-bridge network points at it (libvirt does not own it)', () => {
    // Given br0, a host bridge that network prod-br (forward bridge) merely names
    const { nics } = hostWith([iface('bridge', { bridge: 'br0' })]);
    // Then the NIC goes through the bridge, not through the network
    expect([nics[0]!.mode, nics[0]!.via]).toEqual(['bridged', 'bridge br0']);
    expect(nics[0]!.evidence.join(' → ')).not.toContain('belongs to network');
  });

  it('resolves a plain host bridge with an uplink as bridged', () => {
    const { nics } = hostWith([iface('bridge', { bridge: 'br-lan' }, { mac: '52:54:00:00:03:01' })]);
    expect([nics[0]!.mode, nics[0]!.via]).toEqual(['bridged', 'bridge br-lan']);
    expect(nics[0]!.evidence).toEqual(['web01/52:54:00:00:03:01', 'bridge br-lan', 'uplink eno3', '⇒ bridged']);
  });

  it('resolves a plain host bridge whose only port is a guest tap as host-only', () => {
    const { nics } = hostWith([iface('bridge', { bridge: 'br-lab' })]);
    expect([nics[0]!.mode, nics[0]!.via]).toEqual(['host-only', 'bridge br-lab']);
  });

  it('turns a bridge into bridged when the inventory names its port as an uplink', () => {
    // Given br-test whose only port is a veth to another namespace (a lab stand-in NIC)
    const nicOnTestBridge = () => [iface('bridge', { bridge: 'br-test' })];
    // When / Then: host-only until the inventory names it
    expect(hostWith(nicOnTestBridge()).nics[0]!.mode).toBe('host-only');
    expect(hostWith(nicOnTestBridge(), { globs: ['lab-*'] }).nics[0]!.mode).toBe('bridged');
  });

  it('never lets a glob turn a guest tap into an uplink', () => {
    const { nics } = hostWith([iface('bridge', { bridge: 'br-lab' })], { globs: ['vnet?'] });
    expect(nics[0]!.mode).toBe('host-only');
  });

  it('reports a bridge that is not on the host as missing', () => {
    const { nics, audit } = hostWith([iface('bridge', { bridge: 'br-gone' })]);
    expect(nics[0]!.mode).toBe('missing');
    expect(audit.warnings.map((w) => w.kind)).toEqual(['bridge-missing']);
  });

  it('calls an openvswitch virtualport ovs, even when ip cannot see the bridge', () => {
    const { nics, audit } = hostWith([iface('bridge', { bridge: 'ovsbr0' }, { virtualportType: 'openvswitch' })]);
    expect([nics[0]!.mode, nics[0]!.via]).toEqual(['ovs', 'bridge ovsbr0']);
    expect(nics[0]!.evidence).toContain('bridge ovsbr0 (not visible to ip)');
    expect(audit.warnings).toEqual([]);
  });

  it('calls a NIC onto an OVS bridge (per ip) ovs without a virtualport', () => {
    const facts = host({ links: [virtual('br-int', 'openvswitch')], domains: [domain('vm', [iface('bridge', { bridge: 'br-int' })])] });
    expect(classifyHost(facts, { uplinkInterfaces: [] }).vms[0]!.interfaces[0]!.mode).toBe('ovs');
  });

  it('calls a bridge interface with no source bridge unknown', () => {
    expect(hostWith([iface('bridge', { bridge: '' })]).nics[0]!.mode).toBe('unknown');
  });
});

describe('direct (macvtap) interfaces', () => {
  it('calls direct on an existing device macvtap and keeps the sub-mode, vepa by default', () => {
    const { nics } = hostWith([iface('direct', { dev: 'eth0', mode: 'bridge' }), iface('direct', { dev: 'eth0' })]);
    expect(nics.map((n) => [n.mode, n.via])).toEqual([
      ['macvtap', 'dev eth0'],
      ['macvtap', 'dev eth0'],
    ]);
    expect(nics[0]!.evidence).toContain('direct dev eth0 (bridge)');
    expect(nics[1]!.evidence).toContain('direct dev eth0 (vepa)');
  });

  it('calls direct on an absent device missing, with a device-missing warning', () => {
    const { nics, audit } = hostWith([iface('direct', { dev: 'eth9' })]);
    expect(nics[0]!.mode).toBe('missing');
    expect(audit.warnings.map((w) => w.kind)).toEqual(['device-missing']);
  });

  it('calls direct without a device unknown', () => {
    expect(hostWith([iface('direct', {})]).nics[0]!.mode).toBe('unknown');
  });
});

describe('interfaces classified by their type', () => {
  it.each([
    ['hostdev', { pciAddress: '0000:03:07.1' }, {}, 'hostdev', 'pci 0000:03:07.1'],
    ['vdpa', { dev: '/dev/vhost-vdpa-0' }, {}, 'vdpa', 'dev /dev/vhost-vdpa-0'],
    ['user', {}, {}, 'user', 'slirp'],
    ['user', { dev: 'eth42' }, { backendType: 'passt' }, 'user', 'passt'],
    ['vhostuser', { path: '/tmp/vhost0.sock', mode: 'server' }, {}, 'vhostuser', 'socket /tmp/vhost0.sock'],
    ['ethernet', {}, { target: 'mytap0' }, 'ethernet', 'tap mytap0'],
    ['mcast', { address: '192.0.0.1', port: '5558' }, {}, 'socket', 'mcast 192.0.0.1:5558'],
    ['udp', { address: '192.168.10.1', port: '5555' }, {}, 'socket', 'udp 192.168.10.1:5555'],
    ['server', { address: '192.168.0.1', port: '5558' }, {}, 'socket', 'server 192.168.0.1:5558'],
    ['client', { address: '192.168.0.1', port: '5558' }, {}, 'socket', 'client 192.168.0.1:5558'],
    ['null', {}, {}, 'none', null],
    ['vds', {}, {}, 'vds', null],
    ['infiniband', {}, {}, 'unknown', null],
  ] as const)('calls type %s (%j) %s', (type, src, overrides, mode, via) => {
    const { nics } = hostWith([iface(type, src, overrides)]);
    expect([nics[0]!.mode, nics[0]!.via]).toEqual([mode, via]);
    expect(nics[0]!.evidence.at(-1)).toBe(`⇒ ${mode}`);
  });

  it('calls a network interface with no source network unknown', () => {
    expect(hostWith([iface('network', {})]).nics[0]!.mode).toBe('unknown');
  });

  it('warns about a link set down without changing the mode', () => {
    const { nics, audit } = hostWith([iface('user', {}, { linkState: 'down', mac: '52:54:00:00:00:09' })]);
    expect(nics[0]!.mode).toBe('user');
    expect(audit.warnings).toEqual([expect.objectContaining({ kind: 'link-down', subject: 'vm web01 52:54:00:00:00:09' })]);
  });

  it('labels a NIC without a MAC by its position', () => {
    const { nics } = hostWith([iface('user'), iface('user', {}, { mac: null })]);
    expect(nics[1]!.evidence[0]).toBe('web01/nic1');
  });
});

describe('the id and the attachment of every interface', () => {
  it('names each NIC once: its MAC, else its target, else its position; evidence and warnings use the same id', () => {
    const { nics, audit } = hostWith([
      iface('network', { network: 'gone' }, { mac: '52:54:00:00:07:01' }),
      iface('network', { network: 'gone' }, { mac: null, target: 'vnet7' }),
      iface('network', { network: 'gone' }, { mac: null, target: null }),
      iface('network', { network: 'gone' }, { mac: '', target: '' }),
    ]);
    expect(nics.map((n) => n.id)).toEqual(['52:54:00:00:07:01', 'vnet7', 'nic2', 'nic3']);
    expect(nics.map((n) => n.evidence[0])).toEqual(nics.map((n) => `web01/${n.id}`));
    expect(audit.warnings.map((w) => w.subject)).toEqual(nics.map((n) => `vm web01 ${n.id}`));
  });

  it('tells what a NIC on a network goes through, its network, bridge and that bridge uplinks', () => {
    const { nics } = hostWith([
      iface('network', { network: 'prod-br' }),
      iface('network', { network: 'default' }),
      // a bridge that a libvirt network manages: the NIC is on the network
      iface('bridge', { bridge: 'virbr0' }),
      iface('network', { network: 'dmz' }),
    ]);
    expect(nics.map((n) => n.attachment)).toEqual([
      { through: { kind: 'network', name: 'prod-br' }, network: 'prod-br', bridge: 'br0', uplinks: ['bond0'], device: null },
      { through: { kind: 'network', name: 'default' }, network: 'default', bridge: 'virbr0', uplinks: [], device: null },
      { through: { kind: 'network', name: 'default' }, network: 'default', bridge: 'virbr0', uplinks: [], device: null },
      // missing: it still names the network it refers to
      { through: { kind: 'network', name: 'dmz' }, network: 'dmz', bridge: null, uplinks: [], device: null },
    ]);
  });

  it('tells what a NIC on a bridge or a host device goes through', () => {
    const { nics } = hostWith([
      iface('bridge', { bridge: 'br-lan' }),
      iface('bridge', { bridge: 'br-lab' }),
      iface('bridge', { bridge: 'ovsbr0' }, { virtualportType: 'openvswitch' }),
      iface('bridge', { bridge: 'br-gone' }),
      iface('direct', { dev: 'eth0' }),
      iface('direct', { dev: 'eth9' }),
    ]);
    expect(nics.map((n) => [n.mode, n.attachment])).toEqual([
      ['bridged', { through: { kind: 'bridge', name: 'br-lan' }, network: null, bridge: 'br-lan', uplinks: ['eno3'], device: null }],
      ['host-only', { through: { kind: 'bridge', name: 'br-lab' }, network: null, bridge: 'br-lab', uplinks: [], device: null }],
      ['ovs', { through: { kind: 'bridge', name: 'ovsbr0' }, network: null, bridge: 'ovsbr0', uplinks: [], device: null }],
      ['missing', { through: { kind: 'bridge', name: 'br-gone' }, network: null, bridge: 'br-gone', uplinks: [], device: null }],
      ['macvtap', { through: { kind: 'dev', name: 'eth0' }, network: null, bridge: null, uplinks: [], device: 'eth0' }],
      // a missing device is named by what the NIC goes through, never as the device it uses
      ['missing', { through: { kind: 'dev', name: 'eth9' }, network: null, bridge: null, uplinks: [], device: null }],
    ]);
    // the old `device` key keeps meaning the macvtap link only
    expect(nics.map((n) => n.device)).toEqual([null, null, null, null, 'eth0', null]);
  });

  it.each([
    ['hostdev', { pciAddress: '0000:03:07.1' }, {}, { kind: 'pci', name: '0000:03:07.1' }, '0000:03:07.1'],
    ['hostdev', {}, {}, null, null],
    ['vdpa', { dev: '/dev/vhost-vdpa-0' }, {}, { kind: 'dev', name: '/dev/vhost-vdpa-0' }, '/dev/vhost-vdpa-0'],
    ['user', {}, {}, { kind: 'slirp', name: null }, null],
    ['user', {}, { backendType: 'passt' }, { kind: 'passt', name: null }, null],
    ['vhostuser', { path: '/tmp/vhost0.sock' }, {}, { kind: 'socket', name: '/tmp/vhost0.sock' }, null],
    ['ethernet', {}, { target: 'mytap0' }, { kind: 'tap', name: 'mytap0' }, null],
    ['ethernet', {}, {}, null, null],
    ['udp', { address: '192.168.10.1', port: '5555' }, {}, { kind: 'udp', name: '192.168.10.1:5555' }, null],
    ['mcast', {}, {}, { kind: 'mcast', name: null }, null],
    ['null', {}, {}, null, null],
    ['infiniband', {}, {}, null, null],
  ] as const)('types %s (%j): goes through %j, uses device %j', (type, src, overrides, through, device) => {
    const nic = hostWith([iface(type, src, overrides)]).nics[0]!;
    expect(nic.attachment).toEqual({ through, network: null, bridge: null, uplinks: [], device });
  });

  it('writes via from what the NIC goes through, for every NIC of the demo fleet', () => {
    // `kind name`, or the bare kind: the one rule (report/nic.ts)
    const { hosts } = demoFleet();
    expect(hosts.flatMap((h) => h.vms.flatMap((vm) => vm.interfaces)).length).toBeGreaterThan(20);
    for (const report of hosts) {
      for (const vm of report.vms) {
        for (const n of vm.interfaces) {
          const { through } = n.attachment;
          expect(n.via).toBe(through === null ? null : through.name === null ? through.kind : `${through.kind} ${through.name}`);
        }
      }
    }
  });
});
