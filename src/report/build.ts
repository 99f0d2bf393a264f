/**
 * The fleet report: per-host reports plus run metadata and a summary (docs/report.md). Pure.
 */
import { MODES, type FleetReport, type HostSequence, type Mode, type Severity } from '../model.js';
import { headlinesOf } from './headline.js';
import { SEVERITIES_WORST_FIRST, type ShardRecord } from './schema.js';

/** What a run knows when it is over. */
export interface FleetReportInput<H extends HostSequence> {
  /** In inventory order; kept as given (an array, or the run's spill file). */
  hosts: H;
  startedAt: Date;
  finishedAt: Date;
  /** Path of the inventory file, as the operator gave it. */
  inventory: string;
  concurrency: number;
  /** False when the run stopped before every selected host was audited. */
  complete: boolean;
  /** kvm-netaudit's version. */
  version: string;
  /** With `--shard K/N`: the slice these hosts are (`run.shard`). */
  shard?: ShardRecord | null;
}

/** Assemble the report and count its summary (one pass over the hosts). */
export function buildFleetReport<H extends HostSequence>(input: FleetReportInput<H>): Omit<FleetReport, 'hosts'> & { hosts: H } {
  return {
    schemaVersion: 1,
    tool: { name: 'kvm-netaudit', version: input.version },
    run: {
      startedAt: input.startedAt.toISOString(),
      finishedAt: input.finishedAt.toISOString(),
      inventory: input.inventory,
      concurrency: input.concurrency,
      complete: input.complete,
      ...(input.shard ? { shard: input.shard } : {}),
    },
    summary: summarize(input.hosts),
    hosts: input.hosts,
  };
}

function summarize(hosts: HostSequence): FleetReport['summary'] {
  const modeCounts = new Map<Mode, number>();
  const severityCounts = new Map<Severity, number>();
  let waived = 0;
  const unread = { vms: 0, networks: 0 };
  const statuses = { ok: 0, partial: 0, failed: 0 };
  // An unread VM has no NICs to count in the modes: it is counted apart, so the fleet summary still shows it.
  for (const host of headlinesOf(hosts)) {
    statuses[host.status]++;
    for (const [mode, count] of Object.entries(host.nicModes) as [Mode, number][]) modeCounts.set(mode, (modeCounts.get(mode) ?? 0) + count);
    unread.vms += host.unread.vms;
    unread.networks += host.unread.networks;
    for (const [severity, count] of Object.entries(host.findings) as [Severity, number][]) {
      severityCounts.set(severity, (severityCounts.get(severity) ?? 0) + count);
    }
    waived += host.waived;
  }
  return {
    hosts: hosts.length,
    ...statuses,
    // Only modes and severities that occur, in vocabulary order, so the JSON is stable run to run.
    modes: countsInOrder(MODES, modeCounts),
    unread,
    findings: countsInOrder(SEVERITIES_WORST_FIRST, severityCounts),
    waived,
  };
}

function countsInOrder<K extends string>(order: readonly K[], counts: ReadonlyMap<K, number>): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const key of order) {
    const count = counts.get(key);
    if (count) out[key] = count;
  }
  return out;
}
