/**
 * Test data for the compliance tests: the embedded demo fleet turned into HostReports by the real parser and
 * classifier, and small builders of report data with realistic defaults, overridable per test.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { classifyHost } from '../../../src/classify/index.js';
import type {
  BridgeAudit,
  FleetReport,
  HostFacts,
  HostReport,
  InterfaceAudit,
  NetworkAudit,
  RawCapture,
  VmAudit,
} from '../../../src/model.js';
import { parseCapture } from '../../../src/parse/index.js';
import { interfaceId } from '../../../src/report/nic.js';
import { attached } from '../helpers/attached.js';

// From a path string, not `new URL(…)`: under the jsdom test environment URL is jsdom's, which Node rejects.
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DEMO_DIR = join(REPO_ROOT, 'fixtures/demo');

interface FleetEntry {
  name: string;
  groups: string[];
  uplinkInterfaces: string[];
  capture: string;
}

/** The demo fleet's entries (fixtures/demo/fleet.json). */
export function demoEntries(): FleetEntry[] {
  return JSON.parse(readFileSync(join(DEMO_DIR, 'fleet.json'), 'utf8')) as FleetEntry[];
}

/** One demo host's facts and report, as the runner would build them from its capture. */
export function demoHost(entry: FleetEntry): { facts: HostFacts; report: HostReport } {
  const capture = JSON.parse(readFileSync(join(DEMO_DIR, entry.capture), 'utf8')) as RawCapture;
  const facts = parseCapture(capture);
  return { facts, report: reportFromFacts(entry.name, entry.groups, facts, entry.uplinkInterfaces) };
}

/** Classify facts into a HostReport (status ok), as the runner does for a host it could audit. */
export function reportFromFacts(name: string, groups: string[], facts: HostFacts, uplinkInterfaces: string[]): HostReport {
  const audit = classifyHost(facts, { uplinkInterfaces });
  return { ...audit, name, address: '198.18.10.1', groups: [...groups], status: 'ok', error: null, durationMs: 850, findings: [] };
}

/** The whole demo fleet: reports in fleet order, and each host's facts by name. */
export function demoFleet(): { hosts: HostReport[]; facts: Map<string, HostFacts> } {
  const hosts: HostReport[] = [];
  const facts = new Map<string, HostFacts>();
  for (const entry of demoEntries()) {
    const host = demoHost(entry);
    hosts.push(host.report);
    facts.set(entry.name, host.facts);
  }
  return { hosts, facts };
}

/** A NIC on the default NAT network; its id follows its MAC and target (position 0) unless given. */
export function nic(overrides: Partial<InterfaceAudit> = {}): InterfaceAudit {
  const mac = overrides.mac === undefined ? '52:54:00:aa:00:01' : overrides.mac;
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
    evidence: ['web01/52:54:00:aa:00:01', 'network default (forward nat)', 'bridge virbr0', '⇒ nat'],
    ...overrides,
  } as InterfaceAudit;
}

export function vm(name: string, interfaces: InterfaceAudit[], overrides: Partial<VmAudit> = {}): VmAudit {
  return { name, uuid: `uuid-${name}`, state: 'running', interfaces, ...overrides } as VmAudit;
}

export function network(overrides: Partial<NetworkAudit> = {}): NetworkAudit {
  return {
    name: 'default',
    uuid: '00000000-0000-4000-8000-000000000001',
    active: true,
    autostart: true,
    persistent: true,
    bridge: 'virbr0',
    forward: 'nat',
    mode: 'nat',
    addresses: ['192.0.2.1/24'],
    dhcp: [{ start: '192.0.2.2', end: '192.0.2.254' }],
    evidence: ["forward mode='nat'", 'bridge virbr0'],
    ...overrides,
  } as NetworkAudit;
}

export function bridge(overrides: Partial<BridgeAudit> = {}): BridgeAudit {
  return { name: 'br0', kind: 'linux', ports: ['bond0', 'vnet1'], uplinks: ['bond0'], addresses: [], ...overrides };
}

/** A host whose modes follow its VMs. */
export function host(name: string, overrides: Partial<HostReport> = {}): HostReport {
  const vms = overrides.vms ?? [vm('web01', [nic()])];
  return {
    name,
    address: '198.18.20.1',
    groups: [],
    status: 'ok',
    error: null,
    durationMs: 1200,
    networks: [network()],
    bridges: [bridge({ name: 'virbr0', ports: ['vnet0'], uplinks: [] })],
    vms,
    modes: [...new Set(vms.flatMap((v) => v.interfaces.map((i) => i.mode)))].sort(),
    verdict: 'test host',
    warnings: [],
    findings: [],
    ...overrides,
  };
}

/** A host that could not be audited. */
export function failedHost(name: string, overrides: Partial<HostReport> = {}): HostReport {
  return host(name, {
    status: 'failed',
    error: { kind: 'unreachable', message: 'connect ECONNREFUSED 198.18.20.9:22' },
    networks: [],
    bridges: [],
    vms: [],
    modes: [],
    verdict: '',
    ...overrides,
  });
}

/** A fleet report around `hosts` (summary left empty: the code under test does not read it). */
export function fleetReport(hosts: HostReport[], startedAt = '2026-03-01T10:00:00.000Z'): FleetReport {
  return {
    schemaVersion: 1,
    tool: { name: 'kvm-netaudit', version: '0.1.0' },
    run: { startedAt, finishedAt: new Date(Date.parse(startedAt) + 4200).toISOString(), inventory: 'inventory.yaml', concurrency: 8, complete: true },
    summary: { hosts: hosts.length, ok: 0, partial: 0, failed: 0, modes: {}, findings: {} },
    hosts,
  };
}
