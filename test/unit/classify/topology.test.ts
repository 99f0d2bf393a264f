import { describe, expect, it } from 'vitest';
import { classifyHost } from '../../../src/classify/index.js';
import { buildTopology } from '../../../src/classify/topology.js';
import type { LinkFacts } from '../../../src/model.js';
import { domain, forward, host, iface, linuxBridge, network, nic, virtual } from './builders.js';

describe('buildTopology', () => {
  it('merges brctl and ip views of a bridge, ports in the order first seen and each once', () => {
    // Given brctl listing br0 twice (as a broken capture may) and ip naming more ports by master
    const facts = host({ bridges: [linuxBridge('br0', ['eno1', 'vnet0'])], links: [nic('eno1', 'br0'), virtual('vnet1', 'tun', 'br0'), virtual('vnet0', 'tun', 'br0')] });
    facts.bridges.push({ name: 'br0', kind: 'linux', ports: ['vnet2', 'eno1'] });
    // When
    const topology = buildTopology(facts);
    // Then
    expect(topology.bridge('br0')?.ports).toEqual(['eno1', 'vnet0', 'vnet2', 'vnet1']);
    expect(topology.bridges().map((b) => b.name)).toEqual(['br0']);
    expect(topology.bridgeOf('vnet2')?.name).toBe('br0');
  });

  it('adds bridges only ip shows, skips the OVS datapath, and lists slaves by master in ip order', () => {
    const facts = host({
      links: [
        virtual('ovs-system', 'openvswitch'),
        virtual('br-int', 'openvswitch'),
        virtual('br9', 'bridge'),
        virtual('bond0', 'bond', 'br9'),
        nic('eno2', 'bond0'),
        nic('eno1', 'bond0'),
      ],
    });
    const topology = buildTopology(facts);
    expect(topology.bridges().map((b) => [b.name, b.kind])).toEqual([
      ['br-int', 'ovs'],
      ['br9', 'linux'],
    ]);
    expect(topology.slavesOf('bond0').map((l) => l.name)).toEqual(['eno2', 'eno1']);
    expect(topology.slavesOf('nothing')).toEqual([]);
  });

  it('finds the first network that manages a bridge, passing over one that only points at it', () => {
    // Given a forward-bridge network naming br0 first, then two NAT networks on it
    const facts = host({
      networks: [
        network('lan', { bridge: 'br0', forward: forward({ mode: 'bridge' }) }),
        network('first', { bridge: 'br0', forward: forward({ mode: 'nat' }) }),
        network('second', { bridge: 'br0' }),
      ],
    });
    const topology = buildTopology(facts);
    expect(topology.managedNetworkOnBridge('br0')?.name).toBe('first');
    expect(topology.managedNetworkOnBridge('br1')).toBeUndefined();
    expect(topology.networkByName('second')?.bridge).toBe('br0');
  });
});

describe('a host the size of a big hypervisor', () => {
  // Every lookup is indexed: this host took seconds and grew its evidence to ~100 MB when lookups scanned lists.
  it('indexes 20,000 links and classifies 3,000 VMs with evidence of bounded size', () => {
    // Given br0 with a bond uplink and 10,000 guest taps (brctl and ip both list them), 1,000 bridges with a
    // bond of two NICs each, 2,000 NAT networks, and 3,000 VMs: one NIC on br0, one on a missing bridge
    const taps = Array.from({ length: 10_000 }, (_, i) => virtual(`vnet${i}`, 'tun', 'br0'));
    const br0 = linuxBridge('br0', ['bond0', ...taps.map((tap) => tap.name)]);
    const links: LinkFacts[] = [virtual('bond0', 'bond', 'br0'), nic('eno1', 'bond0'), ...taps];
    const bridges = [br0];
    for (let b = 1; b <= 1_000; b++) {
      bridges.push(linuxBridge(`br${b}`, [`bond${b}`]));
      links.push(virtual(`bond${b}`, 'bond', `br${b}`), nic(`ens${b}a`, `bond${b}`), nic(`ens${b}b`, `bond${b}`));
    }
    const networks = Array.from({ length: 2_000 }, (_, n) => network(`net${n}`, { bridge: `virbr${n}`, forward: forward({ mode: 'nat' }) }));
    links.push(...networks.map((n) => virtual(n.bridge!, 'bridge')));
    while (links.length + bridges.length < 20_000) links.push(virtual(`dummy${links.length}`, 'dummy'));
    const domains = Array.from({ length: 3_000 }, (_, v) =>
      domain(`vm${v}`, [iface('bridge', { bridge: 'br0' }), iface('bridge', { bridge: `gone${v}` }), iface('bridge', { bridge: `virbr${v % 2_000}` })]),
    );
    const facts = host({ bridges, links, networks, domains });
    expect(facts.links).toHaveLength(20_000);

    // When
    const topology = buildTopology(facts);
    const audit = classifyHost(facts, { uplinkInterfaces: ['*-*-*-prod'] });

    // Then the indexes hold everything, in order
    expect(topology.bridge('br0')?.ports).toHaveLength(10_001);
    expect(topology.bridge('br0')?.ports.slice(0, 3)).toEqual(['bond0', 'vnet0', 'vnet1']);
    expect(topology.bridgeOf('vnet9999')?.name).toBe('br0');
    expect(topology.bridges()).toHaveLength(1 + 1_000 + 2_000);
    expect(topology.managedNetworkOnBridge('virbr1999')?.name).toBe('net1999');
    // And every VM is classified, with evidence that does not list the whole host
    expect(audit.vms).toHaveLength(3_000);
    expect(audit.bridges.find((b) => b.name === 'br0')?.uplinks).toEqual(['bond0']);
    const last = audit.vms[2_999]!.interfaces;
    expect(last.map((n) => n.mode)).toEqual(['bridged', 'missing', 'nat']);
    expect(last[0]!.evidence).toContain('uplink bond0 [eno1]');
    expect(last[1]!.evidence).toContain('bridge gone2999 not found (host bridges: br0, br1, br2, br3, br4, br5, br6, br7 and 2993 more)');
    expect(last[2]!.evidence[1]).toBe('bridge virbr999 belongs to network net999');
    const evidenceChars = audit.vms.reduce((sum, vm) => sum + vm.interfaces.reduce((n, i) => n + i.evidence.join('').length, 0), 0);
    expect(evidenceChars).toBeLessThan(3_000 * 1_000);
  });

  it('describes a busy host-only bridge by counting its guest taps, the same for every NIC on it', () => {
    // Given a host-only bridge with 5,000 taps and 2,000 VMs on it
    const taps = Array.from({ length: 5_000 }, (_, i) => virtual(`tap${i}`, 'tun', 'br-lab'));
    const facts = host({
      bridges: [linuxBridge('br-lab', [])],
      links: [...taps, virtual('dummy0', 'dummy', 'br-lab')],
      domains: Array.from({ length: 2_000 }, (_, v) => domain(`lab${v}`, [iface('bridge', { bridge: 'br-lab' })])),
    });
    // When
    const audit = classifyHost(facts, { uplinkInterfaces: [] });
    // Then
    const steps = audit.vms.map((vm) => vm.interfaces[0]!.evidence.find((step) => step.startsWith('no uplink')));
    expect(new Set(steps)).toEqual(new Set(['no uplink (ports dummy0 and 5000 guest taps)']));
  });
});
