/** Hand-built HostReports, FleetReports and run events for the UI tests, plus frame normalisers. */
import type { ErrorKind, FleetReport, HostReport, InterfaceAudit, Mode, NetworkAudit, RunEvent, VmAudit } from '../../../src/model.js';
import { unattached } from '../helpers/attached.js';

export const T0 = 1_700_000_000_000;

export function nic(mode: Mode, mac = '52:54:00:00:00:01', overrides: Partial<InterfaceAudit> = {}): InterfaceAudit {
  return {
    id: mac,
    mac,
    type: 'network',
    source: 'default',
    target: 'vnet0',
    model: 'virtio',
    mode,
    ...unattached(),
    linkState: 'up',
    portgroup: null,
    vlanTags: [],
    virtualport: null,
    device: null,
    evidence: [],
    ...overrides,
  };
}

export function vm(name: string, modes: Mode[], overrides: Partial<VmAudit> = {}): VmAudit {
  return { name, uuid: `uuid-${name}`, state: 'running', persistent: true, interfaces: modes.map((m) => nic(m)), ...overrides };
}

export function network(name: string, mode: Mode): NetworkAudit {
  return {
    name,
    uuid: `uuid-${name}`,
    active: true,
    autostart: true,
    persistent: true,
    bridge: 'virbr0',
    forward: mode === 'nat' ? 'nat' : 'none',
    mode,
    addresses: [],
    dhcp: [],
    forwardDev: null,
    nat: null,
    portgroups: [],
    vlanTags: [],
    virtualport: null,
    pool: [],
    evidence: [],
  };
}

/** An ok host; override anything. */
export function hostReport(name: string, overrides: Partial<HostReport> = {}): HostReport {
  const base: HostReport = {
    name,
    address: '198.18.0.1',
    groups: [],
    status: 'ok',
    error: null,
    durationMs: 412,
    networks: [],
    bridges: [],
    vms: [],
    modes: [],
    verdict: '',
    warnings: [],
    defaultRouteDevs: [],
    findings: [],
  };
  return { ...base, ...overrides };
}

export function failedHost(name: string, kind: ErrorKind, message: string, durationMs = 30_000): HostReport {
  return hostReport(name, { status: 'failed', error: { kind, message }, durationMs });
}

export function fleetReport(hosts: HostReport[], complete = true): FleetReport {
  const modes: Partial<Record<Mode, number>> = {};
  for (const h of hosts) for (const v of h.vms) for (const i of v.interfaces) modes[i.mode] = (modes[i.mode] ?? 0) + 1;
  return {
    schemaVersion: 1,
    tool: { name: 'kvm-netaudit', version: '0.0.0-test' },
    run: {
      startedAt: new Date(T0).toISOString(),
      finishedAt: new Date(T0 + 31_000).toISOString(),
      inventory: 'fleet.yaml',
      concurrency: 8,
      complete,
    },
    summary: {
      hosts: hosts.length,
      ok: hosts.filter((h) => h.status === 'ok').length,
      partial: hosts.filter((h) => h.status === 'partial').length,
      failed: hosts.filter((h) => h.status === 'failed').length,
      modes,
      findings: {},
    },
    hosts,
  };
}

export function runStarted(names: string[], at = T0, concurrency = 8): RunEvent {
  return { type: 'run-started', at, total: names.length, concurrency, hosts: names.map((name) => ({ name, groups: [] })) };
}

/** A run-started event with groups per host. */
export function runStartedWith(hosts: { name: string; groups: string[] }[], at = T0, concurrency = 8): RunEvent {
  return { type: 'run-started', at, total: hosts.length, concurrency, hosts };
}

export function connecting(host: string, at = T0): RunEvent {
  return { type: 'host-connecting', at, host };
}

export function probing(host: string, at = T0): RunEvent {
  return { type: 'host-probing', at, host };
}

export function done(report: HostReport, at = T0 + report.durationMs): RunEvent {
  return { type: 'host-done', at, host: report.name, report };
}

export function finished(report: FleetReport, at = T0 + 31_000): RunEvent {
  return { type: 'run-finished', at, report };
}

/** The full life of each host, in order: started, then connecting/probing/done per host, then finished. */
export function wholeRun(reports: HostReport[], complete = true): RunEvent[] {
  const events: RunEvent[] = [runStarted(reports.map((r) => r.name))];
  for (const r of reports) events.push(connecting(r.name), probing(r.name), done(r));
  events.push(finished(fleetReport(reports, complete)));
  return events;
}

// CSI, OSC (BEL or ST terminated) and two-byte ESC sequences.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Strip colours and replace spinner frames by `*`, so frames compare independent of timing. */
export function normaliseFrame(frame: string | undefined): string {
  return stripAnsi(frame ?? '').replace(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/g, '*');
}

/** Also replace digits by `9` (for clocks that depend on the wall clock). */
export function normaliseDigits(frame: string): string {
  return frame.replace(/\d/g, '9');
}
