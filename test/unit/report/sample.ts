/** Builders of report data for the report tests: realistic defaults, overridable per test. */
import type { FleetReport, HostReport, InterfaceAudit, NetworkAudit, VmAudit } from '../../../src/model.js';
import { buildFleetReport } from '../../../src/report/build.js';
import { interfaceId } from '../../../src/report/nic.js';
import { attached } from '../helpers/attached.js';

/** A NIC on the default NAT network; its id follows its MAC and target (position 0) unless given. */
export function nic(overrides: Partial<InterfaceAudit> = {}): InterfaceAudit {
  const mac = overrides.mac === undefined ? '52:54:00:12:34:56' : overrides.mac;
  const target = overrides.target === undefined ? 'vnet0' : overrides.target;
  return {
    id: interfaceId(mac, target, 0),
    mac,
    type: 'network',
    source: 'default',
    target,
    model: 'virtio',
    mode: 'nat',
    ...attached('network', 'default', { bridge: 'virbr0' }),
    linkState: 'up',
    portgroup: null,
    vlanTags: [],
    virtualport: null,
    device: null,
    evidence: ['vnet0', 'network default', "forward mode='nat' ⇒ nat"],
    ...overrides,
  };
}

export function vm(name: string, interfaces: InterfaceAudit[], overrides: Partial<VmAudit> = {}): VmAudit {
  return { name, uuid: `uuid-of-${name}`, state: 'running', persistent: true, interfaces, unread: null, ...overrides };
}

export function network(overrides: Partial<NetworkAudit> = {}): NetworkAudit {
  return {
    name: 'default',
    uuid: '8d1a6d5c-0000-4000-8000-000000000001',
    active: true,
    autostart: true,
    persistent: true,
    bridge: 'virbr0',
    forward: 'nat',
    mode: 'nat',
    addresses: ['192.168.122.1/24'],
    dhcp: [{ start: '192.168.122.2', end: '192.168.122.254' }],
    forwardDev: null,
    nat: { addresses: null, ports: null, ipv6: false },
    portgroups: [],
    vlanTags: [],
    virtualport: null,
    pool: [],
    evidence: ["forward mode='nat'", 'bridge virbr0'],
    unread: null,
    ...overrides,
  };
}

export function host(name: string, overrides: Partial<HostReport> = {}): HostReport {
  const vms = overrides.vms ?? [vm(`${name}-web`, [nic()])];
  return {
    name,
    address: `198.18.0.${name.length}`,
    groups: ['prod'],
    status: 'ok',
    error: null,
    durationMs: 1234,
    networks: [network()],
    bridges: [{ name: 'virbr0', kind: 'linux', ports: ['vnet0'], uplinks: [], addresses: ['192.168.122.1/24'] }],
    vms,
    modes: [...new Set(vms.flatMap((v) => v.interfaces.map((i) => i.mode)))].sort(),
    verdict: '1 VM NIC uses NAT through virbr0 (network default)',
    warnings: [],
    defaultRouteDevs: ['eno1'],
    findings: [],
    ...overrides,
  };
}

export function failedHost(name: string): HostReport {
  return host(name, {
    status: 'failed',
    error: { kind: 'unreachable', message: 'connect ECONNREFUSED 198.18.0.9:22' },
    networks: [],
    bridges: [],
    vms: [],
    modes: [],
    verdict: 'could not be audited: unreachable',
  });
}

/**
 * A fleet report with every kind of host and every optional part: an audited host with a NAT network, a portgroup
 * and a transient VM, failing and waived findings; a partial host with an unread VM and network; a failed host.
 */
export function sampleFleetReport(): FleetReport {
  const waiver = {
    rule: 'no-nat-in-prod',
    subject: 'vm hv01-web *',
    justification: 'migrating in Q3',
    expires: '2030-06-30',
    owner: 'netops',
    origin: 'policy.yaml:12',
    expired: false,
  };
  const audited = host('hv01', {
    networks: [
      network({
        nat: { addresses: { start: '203.0.113.10', end: '203.0.113.20' }, ports: { start: 1024, end: 65535 }, ipv6: true },
        portgroups: [{ name: 'web', default: true, vlanTags: [42], virtualport: null }],
        vlanTags: [7],
        forwardDev: 'eth1',
      }),
      network({ name: 'lan', forward: 'bridge', mode: 'bridged', bridge: 'br0', addresses: [], dhcp: [], nat: null, pool: [] }),
    ],
    vms: [vm('hv01-web', [nic({ portgroup: 'web', vlanTags: [42], linkState: 'down' })], { persistent: false })],
    warnings: [{ kind: 'link-down', subject: 'vm hv01-web 52:54:00:12:34:56', message: 'the guest link is set down' }],
    findings: [
      { rule: 'no-bridged-dmz', severity: 'high', subject: 'vm x', message: 'bridged' },
      { rule: 'no-nat-in-prod', severity: 'medium', subject: 'vm hv01-web 52:54:00:12:34:56', message: 'NAT', status: 'waived', evidence: ['network default', 'nat'], justification: waiver.justification, waiver },
    ],
  });
  const why = 'listed by virsh, but the probe output was cut off before its XML';
  const partial = host('hv02', {
    status: 'partial',
    error: { kind: 'parse', message: 'the definition of 1 VM and 1 network could not be read' },
    networks: [network(), network({ name: 'lost', uuid: 'u-lost', mode: 'unknown', forward: 'unknown', bridge: null, addresses: [], dhcp: [], nat: null, evidence: [], unread: why })],
    vms: [vm('hv02-web', [nic()]), vm('hv02-db', [], { state: 'unknown', persistent: null, unread: why })],
    modes: ['nat', 'unknown'],
    warnings: [{ kind: 'object-unparsed', subject: 'vm hv02-db', message: why }],
  });
  return sampleRunOf([audited, partial, failedHost('hv03')]);
}

/** A finished, complete run of `hosts` with fixed times, inventory and version. */
export function sampleRunOf(hosts: HostReport[]): FleetReport {
  return buildFleetReport({
    hosts,
    startedAt: new Date('2025-01-01T00:00:00Z'),
    finishedAt: new Date('2025-01-01T00:00:10Z'),
    inventory: 'inventory.yaml',
    concurrency: 8,
    complete: true,
    version: '0.1.0',
  });
}
