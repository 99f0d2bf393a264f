/**
 * What libvirt says against what the kernel does (taps), against what comes at next boot (drift), and what a mode
 * cannot do on its host (macvtap isolation, no way out).
 */
import { describe, expect, it } from 'vitest';
import { classifyHost } from '../../../src/classify/index.js';
import type { HostFacts, Warning } from '../../../src/model.js';
import { domain, forward, host, iface, linuxBridge, network, nic, virtual } from './builders.js';

const classify = (facts: HostFacts) => classifyHost(facts, { uplinkInterfaces: [] });
const ofKind = (kinds: string[], warnings: Warning[]) => warnings.filter((w) => kinds.includes(w.kind));
const LIVE = ['tap-missing', 'tap-down', 'tap-detached'];

/** A NAT network `default` on virbr0 with two running guests whose taps are `taps` (ports of virbr0 unless said). */
function natHost(taps: ReturnType<typeof virtual>[], options: { connections?: number | null; state?: string } = {}) {
  const guests = ['web01', 'web02'].map((name, i) =>
    domain(name, [iface('network', { network: 'default' }, { mac: `52:54:00:00:00:0${i + 1}`, target: `vnet${i}` })], { state: options.state ?? 'running' }),
  );
  return host({
    networks: [network('default', { bridge: 'virbr0', forward: forward({ mode: 'nat' }), connections: options.connections ?? 2 })],
    bridges: [linuxBridge('virbr0', taps.filter((t) => t.master === 'virbr0').map((t) => t.name))],
    links: [nic('eno0'), ...taps],
    domains: guests,
  });
}

describe('live attachment: the kernel against the classification', () => {
  it('says nothing when every tap of a running guest is up and a port of its bridge', () => {
    const audit = classify(natHost([virtual('vnet0', 'tun', 'virbr0'), virtual('vnet1', 'tun', 'virbr0')]));
    expect(ofKind(LIVE, audit.warnings)).toEqual([]);
    expect(audit.verdict).not.toMatch(/cut off/);
  });

  it('finds taps that are off their bridge after the network was restarted under the guests, with libvirt\'s own count', () => {
    // Given virbr0 recreated without the guests' taps, and libvirt counting no connections
    const audit = classify(natHost([virtual('vnet0', 'tun', null), virtual('vnet1', 'tun', null)], { connections: 0 }));
    // Then each NIC is tap-detached, says why, and the verdict says the guests are cut off
    expect(ofKind(LIVE, audit.warnings)).toEqual([
      {
        kind: 'tap-detached',
        subject: 'vm web01 52:54:00:00:00:01',
        message:
          'its host device vnet0 is not a port of virbr0 (it is a port of no bridge): the guest is cut off (libvirt too counts 0 connections on network default for 2 NICs of running guests: was it restarted under them?)',
      },
      expect.objectContaining({ kind: 'tap-detached', subject: 'vm web02 52:54:00:00:00:02' }),
    ]);
    expect(audit.vms[0]!.interfaces[0]!.mode).toBe('nat');
    expect(audit.verdict).toBe(
      '2 VM NICs use NAT through virbr0 (network default). But 2 of them are cut off on the host (tap missing, down or off its bridge): web01 52:54:00:00:00:01 and web02 52:54:00:00:00:02.',
    );
  });

  it('tells a tap on another bridge, a tap set down and a tap that is gone apart', () => {
    const audit = classify(natHost([virtual('vnet0', 'tun', 'br9'), virtual('vnet1', 'tun', 'virbr0', { up: false })]));
    const missing = classify(natHost([virtual('vnet0', 'tun', 'virbr0')]));
    expect(ofKind(LIVE, audit.warnings).map((w) => [w.kind, w.message])).toEqual([
      ['tap-detached', 'its host device vnet0 is not a port of virbr0 (it is a port of br9): the guest is cut off'],
      ['tap-down', 'its host device vnet1 is set down (administratively, no UP flag): the guest is cut off'],
    ]);
    expect(ofKind(LIVE, missing.warnings).map((w) => [w.kind, w.subject])).toEqual([['tap-missing', 'vm web02 52:54:00:00:00:02']]);
  });

  it('checks paused guests too, and never shut-off ones or a host whose links are unknown', () => {
    const detached = [virtual('vnet0', 'tun', null), virtual('vnet1', 'tun', null)];
    expect(ofKind(LIVE, classify(natHost(detached, { state: 'paused' })).warnings)).toHaveLength(2);
    expect(ofKind(LIVE, classify(natHost(detached, { state: 'shut off' })).warnings)).toEqual([]);
    const noLinks = { ...natHost(detached), links: [], bridges: [] };
    expect(ofKind(LIVE, classify(noLinks).warnings)).toEqual([]);
  });

  it('accepts an OVS port (master ovs-system), and checks a macvtap against the device it must sit on', () => {
    const facts = host({
      links: [nic('eno1'), nic('eno2'), virtual('vnet0', 'tun', 'ovs-system'), virtual('macvtap0', 'macvtap', null, { lower: 'eno2' })],
      domains: [
        domain('ovs', [iface('bridge', { bridge: 'ovsbr0' }, { target: 'vnet0', virtualportType: 'openvswitch' })]),
        domain('direct', [iface('direct', { dev: 'eno1', mode: 'bridge' }, { mac: '52:54:00:00:00:77', target: 'macvtap0' })]),
      ],
    });
    expect(ofKind(LIVE, classify(facts).warnings)).toEqual([
      { kind: 'tap-detached', subject: 'vm direct 52:54:00:00:00:77', message: 'its macvtap macvtap0 sits on eno2, not on eno1: the guest is cut off' },
    ]);
  });
});

describe('configuration drift: running against persistent', () => {
  it('reports a NIC moved, one hot-plugged and one added to the definition, matched by MAC', () => {
    const live = [
      iface('network', { network: 'default' }, { mac: '52:54:00:00:01:01', target: 'vnet0' }),
      iface('bridge', { bridge: 'br0' }, { mac: '52:54:00:00:01:02', target: 'vnet1' }),
    ];
    const persistent = [iface('bridge', { bridge: 'br0' }, { mac: '52:54:00:00:01:01' }), iface('network', { network: 'lab' }, { mac: '52:54:00:00:01:03' })];
    const facts = host({
      networks: [network('default', { bridge: 'virbr0', forward: forward({ mode: 'nat' }) })],
      bridges: [linuxBridge('virbr0', ['vnet0']), linuxBridge('br0', ['vnet1'])],
      domains: [domain('web01', live, { persistentInterfaces: persistent })],
    });
    expect(ofKind(['config-drift'], classify(facts).warnings).map((w) => [w.subject, w.message])).toEqual([
      ['vm web01 52:54:00:00:01:01', 'changes at next boot: network default now, type bridge, bridge br0 in the persistent definition'],
      ['vm web01 52:54:00:00:01:02', 'changes at next boot: this NIC is not in the persistent definition (hot-plugged?), so it is gone when web01 restarts'],
      ['vm web01 52:54:00:00:01:03', 'changes at next boot: the persistent definition adds this NIC (network lab), which web01 does not have now'],
    ]);
  });

  it('sees no drift in a network NIC whose live XML carries the type libvirt gave it (bridge, direct)', () => {
    // As a real libvirtd writes a running guest on a forward-bridge and a macvtap network
    const live = [
      iface('bridge', { network: 'lan', bridge: 'br0' }, { mac: '52:54:00:00:03:01' }),
      iface('direct', { network: 'dmz', dev: 'eno3', mode: 'bridge' }, { mac: '52:54:00:00:03:02' }),
    ];
    const persistent = [iface('network', { network: 'lan' }, { mac: '52:54:00:00:03:01' }), iface('network', { network: 'dmz' }, { mac: '52:54:00:00:03:02' })];
    const facts = host({ domains: [domain('a', live, { persistentInterfaces: persistent })] });
    expect(ofKind(['config-drift'], classify(facts).warnings)).toEqual([]);
  });

  it('says nothing when the definitions agree, or when there is no persistent one', () => {
    const nics = [iface('bridge', { bridge: 'br0' }, { mac: '52:54:00:00:02:01' })];
    const same = host({ bridges: [linuxBridge('br0', [])], domains: [domain('a', nics, { persistentInterfaces: nics.map((n) => ({ ...n, target: null })) })] });
    const none = host({ bridges: [linuxBridge('br0', [])], domains: [domain('a', nics, { persistentInterfaces: null })] });
    expect(ofKind(['config-drift'], classify(same).warnings)).toEqual([]);
    expect(ofKind(['config-drift'], classify(none).warnings)).toEqual([]);
  });

  it("reports a network whose next start differs, naming each part that changes", () => {
    const running = { bridge: 'virbr0', forward: forward({ mode: 'nat' }) };
    const next = { ...running, forward: forward({ mode: 'route', dev: 'eno1' }), virtualportType: null, addresses: [], portgroups: [], vlanTags: [] };
    const facts = host({ networks: [network('default', { ...running, persistentDefinition: next })], bridges: [linuxBridge('virbr0', [])] });
    expect(ofKind(['config-drift'], classify(facts).warnings)).toEqual([
      {
        kind: 'config-drift',
        subject: 'network default',
        message: 'changes at its next start: the persistent definition differs from the running one (forward nat → route and forward dev any → eno1)',
      },
    ]);
  });
});

describe('what a mode cannot do on its host', () => {
  it('warns when a guest\'s only NICs are macvtap in bridge, VEPA or private mode, not when it has another way to its host', () => {
    const links = [nic('eno1'), nic('eno2')];
    const only = host({ links, domains: [domain('dmz01', [iface('direct', { dev: 'eno1', mode: 'bridge' }), iface('direct', { dev: 'eno2' })])] });
    const withBridge = host({ links, bridges: [linuxBridge('br0', [])], domains: [domain('dmz02', [iface('direct', { dev: 'eno1' }), iface('bridge', { bridge: 'br0' })])] });
    const passthrough = host({ links, domains: [domain('dmz03', [iface('direct', { dev: 'eno1', mode: 'passthrough' })])] });
    expect(ofKind(['macvtap-host-isolated'], classify(only).warnings)).toEqual([
      {
        kind: 'macvtap-host-isolated',
        subject: 'vm dmz01',
        message:
          "its only NICs are macvtap on eno1 (bridge), eno2 (vepa): it cannot reach this host's own addresses through them, only the rest of the LAN (give it a NIC on a bridge or an isolated network if it must talk to its host)",
      },
    ]);
    expect(ofKind(['macvtap-host-isolated'], classify(withBridge).warnings)).toEqual([]);
    expect(ofKind(['macvtap-host-isolated'], classify(passthrough).warnings)).toEqual([]);
  });

  it('counts a macvtap network by its forward mode and pool', () => {
    const facts = host({
      links: [nic('eno3')],
      networks: [network('dmz', { forward: forward({ mode: 'private', interfaces: ['eno3'] }) })],
      domains: [domain('dmz04', [iface('network', { network: 'dmz' })])],
    });
    expect(ofKind(['macvtap-host-isolated'], classify(facts).warnings).map((w) => w.message)).toEqual([expect.stringMatching(/^its only NICs are macvtap on eno3 \(private\)/)]);
  });

  it('warns when a NAT or routed network has no way out: no default route, or its forward device down', () => {
    const nat = network('default', { bridge: 'virbr0', forward: forward({ mode: 'nat' }) });
    const routed = network('lab', { bridge: 'virbr1', forward: forward({ mode: 'route', dev: 'eno5' }) });
    const isolated = network('iso', { bridge: 'virbr2' });
    const bridges = [linuxBridge('virbr0', []), linuxBridge('virbr1', []), linuxBridge('virbr2', [])];
    const noRoute = host({ networks: [nat, isolated], bridges, defaultRouteDevs: [] });
    const devDown = host({ networks: [nat, routed], bridges, links: [nic('eno5', null, { operstate: 'DOWN' })] });
    expect(ofKind(['no-way-out'], classify(noRoute).warnings)).toEqual([
      { kind: 'no-way-out', subject: 'network default', message: 'the host has no default route: NAT traffic of its guests reaches only the networks the host has routes to' },
    ]);
    expect(ofKind(['no-way-out'], classify(devDown).warnings)).toEqual([
      { kind: 'no-way-out', subject: 'network lab', message: 'its forward device eno5 has no carrier (operstate DOWN): routed traffic of its guests has no way out' },
    ]);
  });

  it('says nothing of an inactive network, nor when the routes could not be read', () => {
    const nat = network('default', { bridge: 'virbr0', forward: forward({ mode: 'nat' }) });
    const inactive = host({ networks: [{ ...nat, active: false }], bridges: [linuxBridge('virbr0', [])], defaultRouteDevs: [] });
    const unread = host({
      networks: [nat],
      bridges: [linuxBridge('virbr0', [])],
      defaultRouteDevs: [],
      warnings: [{ kind: 'section-failed', subject: 'section ip-route', message: 'exit 1' }],
    });
    expect(ofKind(['no-way-out'], classify(inactive).warnings)).toEqual([]);
    expect(ofKind(['no-way-out'], classify(unread).warnings)).toEqual([]);
  });
});
