/** `uplink-down`: host links that carry guests' traffic out of the host, but are down. */
import { describe, expect, it } from 'vitest';
import { classifyHost, linkDownReason } from '../../../src/classify/index.js';
import type { LinkFacts } from '../../../src/model.js';
import { domain, forward, host, iface, linuxBridge, network, nic, virtual } from './builders.js';

const noCarrier: Partial<LinkFacts> = { operstate: 'DOWN', up: true };
const uplinkWarnings = (audit: ReturnType<typeof classifyHost>) => audit.warnings.filter((w) => w.kind === 'uplink-down');

describe('linkDownReason', () => {
  it.each([
    [{ up: false, operstate: 'DOWN' }, /set down/],
    [{ up: true, operstate: 'DOWN' }, /no carrier/],
    [{ up: true, operstate: 'LOWERLAYERDOWN' }, /lower device/],
    [{ up: true, operstate: 'NOTPRESENT' }, /not present/],
  ])('calls %o down', (link, reason) => {
    expect(linkDownReason(link)).toMatch(reason);
  });

  it.each([
    [{ up: true, operstate: 'UP' }],
    [{ up: true, operstate: 'UNKNOWN' }],
    [{ up: true, operstate: null }],
  ])('calls %o up', (link) => {
    expect(linkDownReason(link)).toBeNull();
  });
});

describe('uplink-down warnings', () => {
  it('names a bridge uplink without carrier and its bridge, and leaves the mode bridged', () => {
    // Given br0 whose only uplink eno1 has no carrier, and a VM on br0
    const facts = host({
      bridges: [linuxBridge('br0', ['eno1'])],
      links: [nic('eno1', 'br0', noCarrier)],
      domains: [domain('web01', [iface('bridge', { bridge: 'br0' })])],
    });
    // When
    const audit = classifyHost(facts, { uplinkInterfaces: [] });
    // Then
    expect(audit.vms[0]!.interfaces[0]!.mode).toBe('bridged');
    expect(uplinkWarnings(audit)).toEqual([
      { kind: 'uplink-down', subject: 'link eno1', message: 'eno1 has no carrier (operstate DOWN); it is the uplink of bridge br0' },
    ]);
  });

  it('names a down slave of a bond that is still up, and the bridge the bond serves', () => {
    const facts = host({
      bridges: [linuxBridge('br0', ['bond0'])],
      links: [virtual('bond0', 'bond', 'br0'), nic('eno1', 'bond0'), nic('eno2', 'bond0', { up: false, operstate: 'DOWN' })],
    });
    const warnings = uplinkWarnings(classifyHost(facts, { uplinkInterfaces: [] }));
    expect(warnings.map((w) => [w.subject, w.message])).toEqual([
      ['link eno2', 'eno2 is set down (administratively, no UP flag); it is the slave of bond0, the uplink of bridge br0 (bond0 is still up)'],
    ]);
  });

  it('names the bond, not its slaves, when the whole bond is down', () => {
    const facts = host({
      bridges: [linuxBridge('br0', ['bond0'])],
      links: [virtual('bond0', 'bond', 'br0', { operstate: 'DOWN' }), nic('eno1', 'bond0', noCarrier), nic('eno2', 'bond0', noCarrier)],
    });
    expect(uplinkWarnings(classifyHost(facts, { uplinkInterfaces: [] })).map((w) => w.subject)).toEqual(['link bond0']);
  });

  it('tells a down macvtap device once, naming the NICs on it and counting past three', () => {
    // Given five guests directly on eno3, which has no carrier
    const guests = Array.from({ length: 5 }, (_, i) => domain(`vm${i}`, [iface('direct', { dev: 'eno3', mode: 'bridge' }, { mac: `52:54:00:00:00:0${i}` })]));
    const facts = host({ links: [nic('eno3', null, noCarrier)], domains: guests });
    // When
    const audit = classifyHost(facts, { uplinkInterfaces: [] });
    // Then one warning for the device, NICs still macvtap
    expect(audit.modes).toEqual(['macvtap']);
    expect(uplinkWarnings(audit)).toEqual([
      {
        kind: 'uplink-down',
        subject: 'link eno3',
        message:
          'eno3 has no carrier (operstate DOWN); it is the direct (macvtap) device of vm0 52:54:00:00:00:00, vm1 52:54:00:00:00:01, vm2 52:54:00:00:00:02 and 2 more VM NICs',
      },
    ]);
  });

  it("names a down device of a macvtap network's pool; a NAT network's outgoing device is left to no-way-out", () => {
    const facts = host({
      networks: [
        network('dmz', { forward: forward({ mode: 'vepa', interfaces: ['eno3', 'eno4'] }) }),
        network('default', { bridge: 'virbr0', forward: forward({ mode: 'nat', dev: 'eno5' }) }),
      ],
      bridges: [linuxBridge('virbr0', [])],
      links: [nic('eno3'), nic('eno4', null, { operstate: 'LOWERLAYERDOWN' }), nic('eno5', null, noCarrier)],
    });
    const audit = classifyHost(facts, { uplinkInterfaces: [] });
    expect(uplinkWarnings(audit).map((w) => w.message)).toEqual([
      'eno4 is down (operstate LOWERLAYERDOWN: its lower device or peer is down); it is the device in the pool of network dmz',
    ]);
    expect(audit.warnings.filter((w) => w.kind === 'no-way-out').map((w) => w.message)).toEqual([
      'its forward device eno5 has no carrier (operstate DOWN): NAT traffic of its guests has no way out',
    ]);
  });

  it('gathers every role of one down link in one warning', () => {
    const facts = host({
      networks: [network('lan', { bridge: 'br0', forward: forward({ mode: 'bridge' }) }), network('pool', { forward: forward({ mode: 'private', interfaces: ['eno1'] }) })],
      bridges: [linuxBridge('br0', ['eno1'])],
      links: [nic('eno1', 'br0', noCarrier)],
      domains: [domain('a', [iface('direct', { dev: 'eno1' }, { mac: 'm1' })])],
    });
    const warnings = uplinkWarnings(classifyHost(facts, { uplinkInterfaces: [] }));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toBe(
      'eno1 has no carrier (operstate DOWN); it is the uplink of bridge br0; the device in the pool of network pool; the direct (macvtap) device of a m1',
    );
  });

  it('says nothing about down links that carry no guest traffic out: guest taps, unused NICs, UNKNOWN state', () => {
    const facts = host({
      bridges: [linuxBridge('br0', ['eno1', 'vnet0'])],
      links: [nic('eno1', 'br0', { operstate: 'UNKNOWN' }), virtual('vnet0', 'tun', 'br0', noCarrier), nic('eno9', null, noCarrier)],
    });
    expect(uplinkWarnings(classifyHost(facts, { uplinkInterfaces: [] }))).toEqual([]);
  });
});
