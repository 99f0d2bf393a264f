/** Builders of report data for the report tests: realistic defaults, overridable per test. */
import type { HostReport, InterfaceAudit, NetworkAudit, VmAudit } from '../../../src/model.js';

export function nic(overrides: Partial<InterfaceAudit> = {}): InterfaceAudit {
  return {
    mac: '52:54:00:12:34:56',
    type: 'network',
    source: 'default',
    target: 'vnet0',
    model: 'virtio',
    mode: 'nat',
    via: 'network default',
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
