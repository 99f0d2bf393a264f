/**
 * VMs and networks whose definitions could not be read (`unread`) are classified as what they are: unknown.
 * They are never left out, and never given a mode their missing XML seems to imply.
 */
import { describe, expect, it } from 'vitest';
import { classifyHost } from '../../../src/classify/index.js';
import { domain, forward, host, iface, linuxBridge, network } from './builders.js';

const REFUSED = 'net-dumpxml unreadable: XML with a DOCTYPE or ENTITY declaration is refused';
const CUT_OFF = 'listed by virsh, but the probe output was cut off before its XML';

const natNetwork = () => network('default', { bridge: 'virbr0', forward: forward({ mode: 'nat' }) });
const unreadVm = (name: string) => domain(name, [], { state: 'running', unread: CUT_OFF });

describe('a network whose definition could not be read', () => {
  it('is unknown, not isolated, though it has no <forward>, and its evidence says why', () => {
    // Given a network known from the listing only (no forward element, since none was read)
    const facts = host({ networks: [network('lost', { bridge: null, forward: null, unread: REFUSED })] });
    // When classified
    const [lost] = classifyHost(facts, { uplinkInterfaces: [] }).networks;
    // Then
    expect(lost).toMatchObject({ name: 'lost', mode: 'unknown', forward: 'unknown', nat: null, pool: [], unread: REFUSED });
    expect(lost?.evidence).toEqual([`network lost (definition not read: ${REFUSED})`, '⇒ unknown']);
  });

  it('gives the NICs on it the mode unknown, with the reason in their evidence', () => {
    // Given a VM whose NIC is on the unread network
    const facts = host({
      networks: [network('lost', { forward: null, unread: REFUSED })],
      domains: [domain('web01', [iface('network', { network: 'lost' })])],
    });
    // When classified
    const [nic] = classifyHost(facts, { uplinkInterfaces: [] }).vms[0]!.interfaces;
    // Then the NIC is unknown, not isolated and not missing
    expect(nic?.mode).toBe('unknown');
    expect(nic?.evidence.join(' → ')).toContain('definition not read');
  });

  it('is read as before when `unread` is null', () => {
    const facts = host({ networks: [network('iso', { forward: null, unread: null })] });
    expect(classifyHost(facts, { uplinkInterfaces: [] }).networks[0]).toMatchObject({ mode: 'isolated', forward: 'none', unread: null });
  });
});

describe('a VM whose definition could not be read', () => {
  it('is kept with its state and reason, and puts unknown among the host modes', () => {
    // Given one VM on NAT and one whose XML never came
    const facts = host({
      networks: [natNetwork()],
      bridges: [linuxBridge('virbr0', [])],
      domains: [domain('web01', [iface('network', { network: 'default' })]), unreadVm('db01')],
    });
    // When classified
    const audit = classifyHost(facts, { uplinkInterfaces: [] });
    // Then both VMs are there, the unread one with no NICs and its reason, and the host's modes say unknown
    expect(audit.vms.map((vm) => [vm.name, vm.state, vm.interfaces.length, vm.unread])).toEqual([
      ['web01', 'running', 1, null],
      ['db01', 'running', 0, CUT_OFF],
    ]);
    expect(audit.modes).toEqual(['nat', 'unknown']);
  });
});

describe('the verdict', () => {
  it('tells how many VMs and networks could not be read', () => {
    // Given one NAT NIC, two unread VMs and an unread network
    const facts = host({
      networks: [natNetwork(), network('lost', { unread: REFUSED })],
      bridges: [linuxBridge('virbr0', [])],
      domains: [domain('web01', [iface('network', { network: 'default' })]), unreadVm('a'), unreadVm('b')],
    });
    // When classified; Then the sentence does not read as the whole host
    expect(classifyHost(facts, { uplinkInterfaces: [] }).verdict).toBe(
      '1 VM NIC uses NAT through virbr0 (network default). 2 VMs and 1 network could not be read: their networking is unknown.',
    );
  });

  it('does not say the host has no VM NICs when its only VM could not be read', () => {
    const facts = host({ networks: [natNetwork()], domains: [unreadVm('a')] });
    expect(classifyHost(facts, { uplinkInterfaces: [] }).verdict).toBe(
      'No readable VM network interfaces; 1 network defined (nat). 1 VM could not be read: its networking is unknown.',
    );
  });
});

describe('hosts with many objects', () => {
  it('names ten networks at most in the evidence of a NIC whose network is missing', () => {
    // Given 1,000 networks and a NIC on a network the host lacks
    const networks = Array.from({ length: 1_000 }, (_, i) => network(`net${i}`));
    const facts = host({ networks, domains: [domain('web01', [iface('network', { network: 'gone' })])] });
    // When classified
    const [nic] = classifyHost(facts, { uplinkInterfaces: [] }).vms[0]!.interfaces;
    // Then its evidence names the first ten and counts the rest
    const names = Array.from({ length: 10 }, (_, i) => `net${i}`).join(', ');
    expect(nic?.evidence[1]).toBe(`network gone not found (networks: ${names} and 990 more)`);
  });

  it('classifies a VM with 200,000 NICs without overflowing the call stack', () => {
    // Given one VM whose XML declared 200,000 user-mode interfaces
    const facts = host({ domains: [domain('many', Array.from({ length: 200_000 }, () => iface('user')))] });
    // When classified; Then every NIC is there
    const audit = classifyHost(facts, { uplinkInterfaces: [] });
    expect(audit.vms[0]?.interfaces).toHaveLength(200_000);
    expect(audit.modes).toEqual(['user']);
  });

  it('finds the portgroup each NIC names among many, the first of a name winning', () => {
    // Given a network with 5,000 portgroups, two of them named `dmz` (VLAN 7 first, then 8)
    const portgroups = Array.from({ length: 5_000 }, (_, i) => ({ name: `pg${i}`, isDefault: i === 3, vlanTags: [i], virtualportType: null }));
    portgroups.push({ name: 'dmz', isDefault: false, vlanTags: [7], virtualportType: null }, { name: 'dmz', isDefault: true, vlanTags: [8], virtualportType: null });
    const facts = host({
      networks: [network('prod', { portgroups })],
      domains: [domain('web01', [iface('network', { network: 'prod', portgroup: 'dmz' }), iface('network', { network: 'prod' })])],
    });
    // When classified
    const nics = classifyHost(facts, { uplinkInterfaces: [] }).vms[0]!.interfaces;
    // Then the named one and the default one (the first marked default) are used
    expect(nics.map((nic) => [nic.portgroup, nic.vlanTags])).toEqual([
      ['dmz', [7]],
      ['pg3', [3]],
    ]);
  });
});
