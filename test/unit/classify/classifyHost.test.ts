import { describe, expect, it } from 'vitest';
import { classifyHost } from '../../../src/classify/index.js';
import type { InterfaceFacts } from '../../../src/model.js';
import { domain, forward, host, iface, linuxBridge, network, nic, virtual } from './builders.js';

/** A host with the usual layout: default NAT on virbr0, br0 on bond0 (eno1, eno2), lab bridge with no uplink. */
function usualHost(domains: ReturnType<typeof domain>[], extra: Partial<Parameters<typeof host>[0]> = {}) {
  return host({
    networks: [
      network('default', { bridge: 'virbr0', forward: forward({ mode: 'nat' }) }),
      network('isolated', { bridge: 'virbr2' }),
    ],
    bridges: [linuxBridge('virbr0', []), linuxBridge('br0', ['bond0']), linuxBridge('br9', [])],
    links: [virtual('bond0', 'bond', 'br0'), nic('eno1', 'bond0'), nic('eno2', 'bond0')],
    domains,
    ...extra,
  });
}
const times = (n: number, make: () => InterfaceFacts) => Array.from({ length: n }, make);

describe('verdict', () => {
  it('answers the operator question in one sentence, largest group first', () => {
    // Given 12 NICs on the default network and 3 bridged onto br0
    const facts = usualHost([
      domain('web', times(3, () => iface('bridge', { bridge: 'br0' }))),
      domain('app', times(12, () => iface('network', { network: 'default' }))),
    ]);
    // When
    const { verdict } = classifyHost(facts, { uplinkInterfaces: [] });
    // Then
    expect(verdict).toBe('12 VM NICs use NAT through virbr0 (network default); 3 are bridged to the LAN through br0 (uplink bond0).');
  });

  it('agrees in number for single NICs', () => {
    const facts = usualHost([domain('a', [iface('network', { network: 'default' }), iface('bridge', { bridge: 'br9' })])]);
    expect(classifyHost(facts, { uplinkInterfaces: [] }).verdict).toBe(
      '1 VM NIC uses NAT through virbr0 (network default); 1 is on host-only bridge br9 (no uplink).',
    );
  });

  it('names the user-mode backends and words singular device phrases', () => {
    const facts = usualHost([domain('a', [iface('user'), iface('user', {}, { backendType: 'passt' }), iface('vdpa', { dev: '/dev/vhost-vdpa-0' })])]);
    expect(classifyHost(facts, { uplinkInterfaces: [] }).verdict).toBe(
      '2 VM NICs use user-mode networking (slirp and passt); 1 uses a vDPA device.',
    );
  });

  it('names what is missing', () => {
    const facts = usualHost([domain('a', [iface('network', { network: 'dmz' }), iface('direct', { dev: 'eth7' })])]);
    expect(classifyHost(facts, { uplinkInterfaces: [] }).verdict).toBe('2 VM NICs refer to missing network dmz and dev eth7.');
  });

  it('names at most three places per mode and counts the rest', () => {
    const bridges = ['b1', 'b2', 'b3', 'b4', 'b5'];
    const facts = host({
      bridges: bridges.map((b) => linuxBridge(b, [])),
      domains: [domain('a', bridges.map((b) => iface('bridge', { bridge: b })))],
    });
    expect(classifyHost(facts, { uplinkInterfaces: [] }).verdict).toBe('5 VM NICs are on host-only bridges b1, b2, b3 and 2 more (no uplink).');
  });

  it('handles a host with networks but no VM NICs', () => {
    const facts = usualHost([domain('empty', [])]);
    expect(classifyHost(facts, { uplinkInterfaces: [] }).verdict).toBe('No VM network interfaces; 2 networks defined (nat, isolated).');
  });

  it('handles a host with nothing at all', () => {
    expect(classifyHost(host({}), { uplinkInterfaces: [] }).verdict).toBe('No VM network interfaces; no networks defined.');
  });

  it('says libvirt could not be read when it could not', () => {
    const verdict = classifyHost(host({ libvirtError: 'Failed to connect socket' }), { uplinkInterfaces: [] }).verdict;
    expect(verdict).toBe('No verdict: libvirt could not be read (Failed to connect socket).');
  });
});

describe('classifyHost', () => {
  it('lists the sorted unique modes of VM interfaces only', () => {
    const facts = usualHost([
      domain('a', [iface('user'), iface('network', { network: 'default' })]),
      domain('b', [iface('bridge', { bridge: 'br0' }), iface('user')]),
    ]);
    expect(classifyHost(facts, { uplinkInterfaces: [] }).modes).toEqual(['bridged', 'nat', 'user']);
  });

  it('keeps the parser warnings ahead of its own', () => {
    const parsed = { kind: 'tool-missing', subject: 'tool brctl', message: 'brctl not installed' };
    const facts = usualHost([domain('a', [iface('network', { network: 'nope' })])], { warnings: [parsed] });
    expect(classifyHost(facts, { uplinkInterfaces: [] }).warnings.map((w) => w.kind)).toEqual(['tool-missing', 'network-missing']);
  });

  it('keeps VM identity and state, and every NIC gets an evidence chain ending in its mode', () => {
    const facts = usualHost([domain('db01', [iface('network', { network: 'isolated' }), iface('null')], { state: 'shut off' })]);
    const audit = classifyHost(facts, { uplinkInterfaces: [] });
    expect(audit.vms.map((vm) => [vm.name, vm.state, vm.interfaces.length])).toEqual([['db01', 'shut off', 2]]);
    for (const nicAudit of audit.vms[0]!.interfaces) expect(nicAudit.evidence.at(-1)).toBe(`⇒ ${nicAudit.mode}`);
    for (const net of audit.networks) expect(net.evidence.at(-1)).toBe(`⇒ ${net.mode}`);
  });

  it('does not mutate the facts it is given', () => {
    const facts = usualHost([domain('a', [iface('bridge', { bridge: 'br0' })])]);
    const before = JSON.stringify(facts);
    classifyHost(facts, { uplinkInterfaces: ['eno*'] });
    expect(JSON.stringify(facts)).toBe(before);
  });
});
