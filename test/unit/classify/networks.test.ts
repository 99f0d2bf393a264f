import { describe, expect, it } from 'vitest';
import { classifyHost } from '../../../src/classify/index.js';
import type { ForwardFacts, HostFacts, NetworkFacts } from '../../../src/model.js';
import { forward, host, linuxBridge, network, nic, virtual } from './builders.js';

const lanBridge = () => ({ bridges: [linuxBridge('br0', ['eno1'])], links: [nic('eno1', 'br0')] });

function classifyOne(net: NetworkFacts, facts: Partial<Parameters<typeof host>[0]> = {}) {
  const audit = classifyHost(host({ ...facts, networks: [net] }), { uplinkInterfaces: [] });
  return { network: audit.networks[0]!, audit };
}

describe('network modes', () => {
  it('calls a network without <forward> isolated, with forward `none`', () => {
    const { network: n } = classifyOne(network('iso', { bridge: 'virbr2' }));
    expect([n.mode, n.forward]).toEqual(['isolated', 'none']);
    expect(n.evidence).toEqual(['network iso (no forward)', 'bridge virbr2', '⇒ isolated']);
  });

  it('calls <forward/> without a mode nat, and says the mode was omitted', () => {
    const { network: n } = classifyOne(network('default', { bridge: 'virbr0', forward: forward() }));
    expect([n.mode, n.forward]).toEqual(['nat', 'nat']);
    expect(n.evidence[0]).toBe('network default (forward without mode = nat)');
  });

  it.each([
    ['nat', 'nat'],
    ['route', 'routed'],
    ['open', 'open'],
  ] as const)('maps forward mode %s to %s', (mode, expected) => {
    const { network: n } = classifyOne(network('n', { bridge: 'virbr1', forward: forward({ mode, dev: 'eth1' }) }));
    expect([n.mode, n.forward]).toEqual([expected, mode]);
    expect(n.evidence).toEqual([`network n (forward ${mode})`, 'bridge virbr1', 'out dev eth1', `⇒ ${expected}`]);
  });

  it('calls a forward-bridge network onto a bridge with an uplink bridged', () => {
    // Given prod-br on br0, and br0 has bond0 (eno1, eno2)
    const facts = {
      bridges: [linuxBridge('br0', ['bond0'])],
      links: [virtual('bond0', 'bond', 'br0'), nic('eno1', 'bond0'), nic('eno2', 'bond0')],
    };
    // When
    const { network: n } = classifyOne(network('prod-br', { bridge: 'br0', forward: forward({ mode: 'bridge' }) }), facts);
    // Then
    expect(n.mode).toBe('bridged');
    expect(n.evidence).toEqual(['network prod-br (forward bridge)', 'bridge br0', 'uplink bond0 [eno1, eno2]', '⇒ bridged']);
  });

  it('calls a forward-bridge network onto a bridge without an uplink host-only', () => {
    const facts = { bridges: [linuxBridge('br9', ['vnet4'])], links: [virtual('vnet4', 'tun', 'br9')] };
    const { network: n } = classifyOne(network('lab', { bridge: 'br9', forward: forward({ mode: 'bridge' }) }), facts);
    expect(n.mode).toBe('host-only');
    expect(n.evidence).toContain('no uplink (ports vnet4)');
  });

  it('keeps the no-uplink step short on a busy bridge: names the ports that are not guest taps, counts the taps', () => {
    // Given br9 with a bond without physical slaves and 300 guest taps
    const taps = Array.from({ length: 300 }, (_, i) => virtual(`vnet${i}`, 'tun', 'br9'));
    const facts = { bridges: [linuxBridge('br9', ['bond0', ...taps.map((t) => t.name)])], links: [virtual('bond0', 'bond', 'br9'), ...taps] };
    // When
    const { network: n } = classifyOne(network('lab', { bridge: 'br9', forward: forward({ mode: 'bridge' }) }), facts);
    // Then
    expect(n.mode).toBe('host-only');
    expect(n.evidence).toContain('no uplink (ports bond0 and 300 guest taps)');
  });

  it('calls a forward-bridge network onto a bridge absent from the host missing, with a warning', () => {
    const { network: n, audit } = classifyOne(network('gone', { bridge: 'br7', forward: forward({ mode: 'bridge' }) }), lanBridge());
    expect(n.mode).toBe('missing');
    expect(n.evidence).toContain('bridge br7 not found (host bridges: br0)');
    expect(audit.warnings).toEqual([expect.objectContaining({ kind: 'bridge-missing', subject: 'network gone' })]);
  });

  it('calls a forward-bridge network with an openvswitch virtualport ovs, even without a bridge name', () => {
    const { network: n } = classifyOne(network('ovs-net', { forward: forward({ mode: 'bridge' }), virtualportType: 'openvswitch' }));
    expect(n.mode).toBe('ovs');
  });

  it('calls a forward-bridge network onto an OVS bridge (per ip) ovs', () => {
    const facts = { links: [virtual('ovsbr0', 'openvswitch')] };
    const { network: n } = classifyOne(network('ovs', { bridge: 'ovsbr0', forward: forward({ mode: 'bridge' }) }), facts);
    expect(n.mode).toBe('ovs');
    expect(classifyOne(network('x'), facts).audit.bridges).toEqual([expect.objectContaining({ name: 'ovsbr0', kind: 'ovs' })]);
  });

  it.each([
    ['bridge', { interfaces: ['eth1', 'eth2'] }, 'pool eth1, eth2'],
    ['vepa', { interfaces: ['eth1'] }, 'pool eth1'],
    ['private', { dev: 'eth1' }, 'dev eth1'],
    ['passthrough', { pfs: ['eth0'] }, 'pf eth0'],
    ['passthrough', { pciAddresses: ['0000:06:00.1'] }, 'pool pci 0000:06:00.1'],
  ] satisfies [string, Partial<ForwardFacts>, string][])('calls forward %s with a device pool and no bridge macvtap', (mode, pool, step) => {
    const { network: n } = classifyOne(network('direct', { forward: forward({ mode, ...pool }) }));
    expect(n.mode).toBe('macvtap');
    expect(n.evidence).toEqual([`network direct (forward ${mode})`, `direct ${mode}`, step, '⇒ macvtap']);
  });

  it('calls a vepa network without any device unknown', () => {
    expect(classifyOne(network('v', { forward: forward({ mode: 'vepa' }) })).network.mode).toBe('unknown');
  });

  it('calls a hostdev network hostdev', () => {
    const n = classifyOne(network('vfs', { forward: forward({ mode: 'hostdev', pfs: ['eth2'] }) })).network;
    expect([n.mode, n.forward]).toEqual(['hostdev', 'hostdev']);
    expect(n.evidence).toContain('pf eth2');
  });

  it('calls an unknown forward mode unknown and names it', () => {
    const n = classifyOne(network('odd', { forward: forward({ mode: 'warp' }) })).network;
    expect(n.mode).toBe('unknown');
    expect(n.evidence).toContain('unknown forward mode warp');
  });

  it('copies addresses and DHCP ranges into the audit', () => {
    const n = classifyOne(
      network('default', {
        forward: forward({ mode: 'nat' }),
        addresses: [
          { family: 'ipv4', address: '192.168.122.1', prefix: 24, dhcpRanges: [{ start: '192.168.122.2', end: '192.168.122.254' }], dhcpHosts: 0 },
          { family: 'ipv6', address: 'fd00::1', prefix: null, dhcpRanges: [], dhcpHosts: 0 },
        ],
      }),
    ).network;
    expect(n.addresses).toEqual(['192.168.122.1/24', 'fd00::1']);
    expect(n.dhcp).toEqual([{ start: '192.168.122.2', end: '192.168.122.254' }]);
  });
});

describe('bridge summary', () => {
  it('reports ports, uplinks and the bridge link addresses', () => {
    const facts: HostFacts = host({
      bridges: [linuxBridge('br0', ['eno1', 'vnet0'], [{ family: 'ipv4', address: '198.18.0.1', prefix: 24 }])],
      links: [nic('eno1', 'br0'), virtual('vnet0', 'tun', 'br0')],
    });
    const audit = classifyHost(facts, { uplinkInterfaces: [] });
    expect(audit.bridges).toEqual([{ name: 'br0', kind: 'linux', ports: ['eno1', 'vnet0'], uplinks: ['eno1'], addresses: ['198.18.0.1/24'] }]);
  });
});
