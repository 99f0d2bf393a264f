/**
 * Drift between two reports (`kvm-netaudit diff OLD.json NEW.json`, `audit --baseline OLD.json`): hosts
 * added, removed or changing status; networks added, removed or changed; VM interfaces added, removed or
 * moved; findings new and resolved. Pure.
 *
 * Hosts are matched by name, networks by name within a host, VM interfaces by VM name and NIC `id` (MAC, else
 * target device, else position; read.ts gives reports written before `id` the same). A host that could not be
 * audited in either run has no facts to compare: it is listed as not compared instead of showing everything as
 * removed or added.
 */
import type { FleetReportView, Finding, HostReport, HostStatus, InterfaceAudit, NetworkAudit, Severity } from '../model.js';

/** One run, as the diff names it. */
export interface RunRef {
  startedAt: string;
  inventory: string;
  hosts: number;
}

/** A field that changed. Values are text: `true`, `nat`, `network default`, or `none`. */
export interface FieldChange {
  field: string;
  from: string;
  to: string;
}

export interface HostRef {
  host: string;
  status: HostStatus;
  groups: string[];
}

export interface StatusChange {
  host: string;
  from: HostStatus;
  to: HostStatus;
  /** The new run's error, when there is one. */
  error: string | null;
}

export interface NetworkRef {
  host: string;
  network: string;
  mode: string;
  forward: string;
}

export interface NetworkChange {
  host: string;
  network: string;
  changes: FieldChange[];
}

export interface InterfaceRef {
  host: string;
  vm: string;
  /** The NIC id (MAC, else target device, else `nicN`). */
  nic: string;
  mode: string;
  via: string | null;
}

export interface InterfaceChange {
  host: string;
  vm: string;
  nic: string;
  changes: FieldChange[];
}

export interface FindingRef {
  host: string;
  rule: string;
  severity: Severity;
  subject: string;
  message: string;
}

/** Everything that changed from `old` to `new`. */
export interface ReportDiff {
  old: RunRef;
  new: RunRef;
  hosts: {
    added: HostRef[];
    removed: HostRef[];
    /** Status changes; `to: 'failed'` is a host that can no longer be audited. */
    statusChanged: StatusChange[];
    /** Hosts in both runs whose networks and interfaces were not compared (not audited in one of them). */
    notCompared: { host: string; reason: string }[];
  };
  networks: { added: NetworkRef[]; removed: NetworkRef[]; changed: NetworkChange[] };
  interfaces: { added: InterfaceRef[]; removed: InterfaceRef[]; changed: InterfaceChange[] };
  findings: {
    /** Failing now, and not failing (absent, or waived) before. */
    new: FindingRef[];
    /** Failing before, gone now (only for hosts audited in both runs). */
    resolved: FindingRef[];
    /** Failing before, waived now. */
    nowWaived: FindingRef[];
  };
}

/** Network fields whose change is drift. */
const NETWORK_FIELDS = ['mode', 'forward', 'bridge', 'active', 'autostart'] as const;
/** Interface fields whose change is drift. */
const INTERFACE_FIELDS = ['mode', 'via'] as const;

/**
 * Compare two reports, old first.
 * @example diffReports(readReport('march/report.json'), readReport('april/report.json')).interfaces.changed
 * // [{ host: 'hv01', vm: 'web01', nic: '52:54:00:…', changes: [{ field: 'mode', from: 'nat', to: 'bridged' }, …] }]
 */
export function diffReports(oldReport: FleetReportView, newReport: FleetReportView): ReportDiff {
  const oldHosts = byName(oldReport.hosts);
  const newHosts = byName(newReport.hosts);
  const diff: ReportDiff = {
    old: runRef(oldReport),
    new: runRef(newReport),
    hosts: { added: [], removed: [], statusChanged: [], notCompared: [] },
    networks: { added: [], removed: [], changed: [] },
    interfaces: { added: [], removed: [], changed: [] },
    findings: { new: [], resolved: [], nowWaived: [] },
  };

  for (const [name, host] of newHosts) if (!oldHosts.has(name)) diff.hosts.added.push(hostRef(host));
  for (const [name, host] of oldHosts) if (!newHosts.has(name)) diff.hosts.removed.push(hostRef(host));

  for (const [name, after] of newHosts) {
    const before = oldHosts.get(name);
    if (!before) continue;
    if (before.status !== after.status) {
      diff.hosts.statusChanged.push({ host: name, from: before.status, to: after.status, error: after.error ? `${after.error.kind}: ${after.error.message}` : null });
    }
    const audited = before.status !== 'failed' && after.status !== 'failed';
    if (audited) {
      diffNetworks(name, before.networks, after.networks, diff);
      diffInterfaces(before, after, diff);
    } else {
      const which = before.status === 'failed' && after.status === 'failed' ? 'either run' : before.status === 'failed' ? 'the old run' : 'the new run';
      diff.hosts.notCompared.push({ host: name, reason: `not audited in ${which}` });
    }
    diffFindings(name, before.findings, after.findings, audited, diff);
  }
  return diff;
}

/** Number of changes of every kind (0: nothing drifted). */
export function countChanges(diff: ReportDiff): number {
  const { hosts, networks, interfaces, findings } = diff;
  return [
    hosts.added,
    hosts.removed,
    hosts.statusChanged,
    networks.added,
    networks.removed,
    networks.changed,
    interfaces.added,
    interfaces.removed,
    interfaces.changed,
    findings.new,
    findings.resolved,
    findings.nowWaived,
  ].reduce((sum, list) => sum + list.length, 0);
}

function diffNetworks(host: string, before: readonly NetworkAudit[], after: readonly NetworkAudit[], diff: ReportDiff): void {
  const old = byName(before);
  const now = byName(after);
  const ref = (network: NetworkAudit): NetworkRef => ({ host, network: network.name, mode: network.mode, forward: network.forward });
  for (const [name, network] of now) if (!old.has(name)) diff.networks.added.push(ref(network));
  for (const [name, network] of old) if (!now.has(name)) diff.networks.removed.push(ref(network));
  for (const [name, network] of now) {
    const previous = old.get(name);
    if (!previous) continue;
    const changes = fieldChanges(previous, network, NETWORK_FIELDS);
    if (changes.length > 0) diff.networks.changed.push({ host, network: name, changes });
  }
}

function diffInterfaces(before: HostReport, after: HostReport, diff: ReportDiff): void {
  const old = interfacesByKey(before);
  const now = interfacesByKey(after);
  for (const [key, entry] of now) if (!old.has(key)) diff.interfaces.added.push(interfaceRef(after.name, entry));
  for (const [key, entry] of old) if (!now.has(key)) diff.interfaces.removed.push(interfaceRef(before.name, entry));
  for (const [key, entry] of now) {
    const previous = old.get(key);
    if (!previous) continue;
    const changes = fieldChanges(previous.nic, entry.nic, INTERFACE_FIELDS);
    if (changes.length > 0) diff.interfaces.changed.push({ host: after.name, vm: entry.vm, nic: entry.label, changes });
  }
}

interface KeyedInterface {
  vm: string;
  label: string;
  nic: InterfaceAudit;
}

/** `vm\0label`; a label seen twice in one VM gets `#2`, `#3`… so no NIC hides another. */
function interfacesByKey(host: HostReport): Map<string, KeyedInterface> {
  const keyed = new Map<string, KeyedInterface>();
  for (const vm of host.vms) {
    const seen = new Map<string, number>();
    for (const nic of vm.interfaces) {
      const base = nic.id;
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      const label = n === 1 ? base : `${base}#${n}`;
      keyed.set(`${vm.name}\u0000${label}`, { vm: vm.name, label, nic });
    }
  }
  return keyed;
}

function interfaceRef(host: string, entry: KeyedInterface): InterfaceRef {
  return { host, vm: entry.vm, nic: entry.label, mode: entry.nic.mode, via: entry.nic.via };
}

type FindingWithStatus = Finding & { status?: 'fail' | 'waived' };

function diffFindings(host: string, before: readonly FindingWithStatus[], after: readonly FindingWithStatus[], audited: boolean, diff: ReportDiff): void {
  const key = (finding: Finding) => `${finding.rule}\u0000${finding.subject}`;
  const isFailing = (finding: FindingWithStatus) => finding.status !== 'waived';
  const old = new Map(before.map((finding) => [key(finding), finding]));
  const now = new Map(after.map((finding) => [key(finding), finding]));
  const ref = (finding: Finding): FindingRef => ({ host, rule: finding.rule, severity: finding.severity, subject: finding.subject, message: finding.message });
  for (const [k, finding] of now) {
    const previous = old.get(k);
    if (isFailing(finding) && (!previous || !isFailing(previous))) diff.findings.new.push(ref(finding));
    if (!isFailing(finding) && previous && isFailing(previous)) diff.findings.nowWaived.push(ref(finding));
  }
  // When one run has no facts, a finding missing from it says nothing about the problem being fixed.
  if (!audited) return;
  for (const [k, finding] of old) if (isFailing(finding) && !now.has(k)) diff.findings.resolved.push(ref(finding));
}

function fieldChanges<T extends object>(before: T, after: T, fields: readonly (keyof T & string)[]): FieldChange[] {
  return fields
    .map((field) => ({ field, from: show(before[field]), to: show(after[field]) }))
    .filter((change) => change.from !== change.to);
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  return String(value);
}

function byName<T extends { name: string }>(items: Iterable<T>): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) if (!map.has(item.name)) map.set(item.name, item);
  return map;
}

function hostRef(host: HostReport): HostRef {
  return { host: host.name, status: host.status, groups: [...host.groups] };
}

function runRef(report: FleetReportView): RunRef {
  return { startedAt: report.run.startedAt, inventory: report.run.inventory, hosts: report.hosts.length };
}
