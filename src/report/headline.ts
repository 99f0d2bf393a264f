/**
 * A host's headline: the little of its report that the fleet-wide parts of the reports need (the summary, the
 * hosts table, the fleet diagram, JUnit's totals, the exit code). The run's spill file keeps one per host in
 * memory as it writes the full report to disk (io/hostSpill.ts), so those parts never read the whole fleet back;
 * for reports held in memory it is computed on the way. Pure.
 */
import type { HostReport, HostSequence, Mode, Severity } from '../model.js';

export interface HostHeadline extends Pick<HostReport, 'name' | 'status' | 'error' | 'modes' | 'verdict'> {
  /** VM interfaces. */
  nics: number;
  /** VM interfaces per mode. */
  nicModes: Partial<Record<Mode, number>>;
  /** VMs and networks listed but not read (`unread`). */
  unread: { vms: number; networks: number };
  /** Failing findings per severity; waived ones are counted apart. */
  findings: Partial<Record<Severity, number>>;
  waived: number;
}

/** A host's VM interfaces per mode (the live table counts them the same way). */
export function countNicModes(host: Pick<HostReport, 'vms'>): Partial<Record<Mode, number>> {
  const counts: Partial<Record<Mode, number>> = {};
  for (const vm of host.vms) {
    for (const nic of vm.interfaces) counts[nic.mode] = (counts[nic.mode] ?? 0) + 1;
  }
  return counts;
}

export function headlineOf(host: HostReport): HostHeadline {
  const nicModes = countNicModes(host);
  let nics = 0;
  const unread = { vms: 0, networks: 0 };
  for (const vm of host.vms) {
    nics += vm.interfaces.length;
    // (typeof: a report assembled by hand may lack the key.)
    if (typeof vm.unread === 'string') unread.vms++;
  }
  for (const network of host.networks) if (typeof network.unread === 'string') unread.networks++;
  const findings: Partial<Record<Severity, number>> = {};
  let waived = 0;
  for (const finding of host.findings) {
    if (finding.status === 'waived') waived++;
    else findings[finding.severity] = (findings[finding.severity] ?? 0) + 1;
  }
  const { name, status, error, modes, verdict } = host;
  return { name, status, error, modes, verdict, nics, nicModes, unread, findings, waived };
}

/** The headlines of a run's hosts, in order: kept by the sequence when it has them, else computed from each report. */
export function* headlinesOf(hosts: HostSequence): Generator<HostHeadline> {
  if (hosts.headlines) {
    yield* hosts.headlines;
    return;
  }
  for (const host of hosts) yield headlineOf(host);
}
