/**
 * The fleet as the live view sees it: a pure reducer over the runner's `RunEvent`s.
 *
 * Rows live in one stable array (inventory order) with an index by host name, so a later view can
 * select, filter, sort or open one host without the reducer changing shape. Updating one host copies
 * the row array (pointers only) and adjusts the totals incrementally, so a 5,000-host run costs
 * O(hosts) per event at worst and never recounts the whole fleet.
 */
import type { ErrorKind, FleetReport, HostError, HostReport, HostStatus, Mode, RunEvent } from '../model.js';

/** Where a host is in the run. */
export type HostPhase = 'queued' | 'connecting' | 'probing' | 'done';

/** How many VM NICs (or networks) use each mode; modes with no member are absent. */
export type ModeCounts = Partial<Record<Mode, number>>;

/** One host's line in the table. */
export interface HostRow {
  name: string;
  groups: string[];
  phase: HostPhase;
  /** Set once the host is done. */
  status: HostStatus | null;
  error: HostError | null;
  /** The runner's measured duration, once done. */
  durationMs: number | null;
  /** When the runner started connecting (event time, ms since the epoch). */
  startedAt: number | null;
  /** When the host-done event arrived (ms since the epoch). */
  finishedAt: number | null;
  networkCount: number;
  /** Sorted distinct modes of the host's libvirt networks. */
  networkModes: Mode[];
  nicCount: number;
  /** VM NICs per mode on this host. */
  nicModes: ModeCounts;
  warningCount: number;
  findingCount: number;
  /** The full outcome, kept by reference for a host-detail view; null until done. */
  report: HostReport | null;
}

/** Fleet-wide counts, kept up to date event by event. */
export interface FleetTotals {
  hosts: number;
  /** Hosts per phase; `done` is the progress numerator. */
  phases: Record<HostPhase, number>;
  ok: number;
  partial: number;
  failed: number;
  /** Failed hosts per error kind. */
  failuresByKind: Partial<Record<ErrorKind, number>>;
  nics: number;
  /** VM NICs per mode across the fleet. */
  nicModes: ModeCounts;
  findings: number;
}

/** idle: nothing heard yet; stopping: Ctrl-C asked for an early end; finished: the report exists. */
export type RunPhase = 'idle' | 'running' | 'stopping' | 'finished';

/** Everything the live view renders. Treat as immutable: `reduceFleet` returns new objects. */
export interface FleetState {
  phase: RunPhase;
  startedAt: number | null;
  finishedAt: number | null;
  concurrency: number;
  stopReason: string | null;
  /** From the final report: false when the run was stopped before every host was audited. */
  complete: boolean | null;
  /** Inventory order; a host's position never changes during a run. */
  rows: readonly HostRow[];
  /** Host name → position in `rows`. Replaced only when the set of hosts changes. */
  index: ReadonlyMap<string, number>;
  totals: FleetTotals;
}

function emptyTotals(hosts: number): FleetTotals {
  return {
    hosts,
    phases: { queued: hosts, connecting: 0, probing: 0, done: 0 },
    ok: 0,
    partial: 0,
    failed: 0,
    failuresByKind: {},
    nics: 0,
    nicModes: {},
    findings: 0,
  };
}

/** The state before any event. */
export function initialFleetState(): FleetState {
  return {
    phase: 'idle',
    startedAt: null,
    finishedAt: null,
    concurrency: 0,
    stopReason: null,
    complete: null,
    rows: [],
    index: new Map(),
    totals: emptyTotals(0),
  };
}

function queuedRow(name: string, groups: string[]): HostRow {
  return {
    name,
    groups,
    phase: 'queued',
    status: null,
    error: null,
    durationMs: null,
    startedAt: null,
    finishedAt: null,
    networkCount: 0,
    networkModes: [],
    nicCount: 0,
    nicModes: {},
    warningCount: 0,
    findingCount: 0,
    report: null,
  };
}

/** Count the VM NICs of a host report per mode. */
export function countNicModes(report: HostReport): ModeCounts {
  const counts: ModeCounts = {};
  for (const vm of report.vms) {
    for (const nic of vm.interfaces) counts[nic.mode] = (counts[nic.mode] ?? 0) + 1;
  }
  return counts;
}

function sumCounts(counts: ModeCounts): number {
  let total = 0;
  for (const n of Object.values(counts)) total += n ?? 0;
  return total;
}

/** `base + sign × delta` per key, dropping keys that reach zero. */
function addCounts<K extends string>(base: Partial<Record<K, number>>, delta: Partial<Record<K, number>>, sign: 1 | -1): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = { ...base };
  for (const key of Object.keys(delta) as K[]) {
    const next = (out[key] ?? 0) + sign * (delta[key] ?? 0);
    if (next === 0) delete out[key];
    else out[key] = next;
  }
  return out;
}

function doneRow(row: HostRow, report: HostReport, at: number): HostRow {
  const nicModes = countNicModes(report);
  return {
    ...row,
    groups: report.groups.length > 0 ? report.groups : row.groups,
    phase: 'done',
    status: report.status,
    error: report.error,
    durationMs: report.durationMs,
    startedAt: row.startedAt ?? at - report.durationMs,
    finishedAt: at,
    networkCount: report.networks.length,
    networkModes: [...new Set(report.networks.map((n) => n.mode))].sort(),
    nicCount: sumCounts(nicModes),
    nicModes,
    warningCount: report.warnings.length,
    findingCount: report.findings.length,
    report,
  };
}

/** Add (sign 1) or remove (sign -1) one row's contribution to the totals. */
function applyRow(totals: FleetTotals, row: HostRow, sign: 1 | -1): FleetTotals {
  const phases = { ...totals.phases, [row.phase]: totals.phases[row.phase] + sign };
  if (row.phase !== 'done') return { ...totals, phases };
  const failedKind: Partial<Record<ErrorKind, number>> =
    row.status === 'failed' ? { [row.error?.kind ?? 'internal']: 1 } : {};
  return {
    ...totals,
    phases,
    ok: totals.ok + (row.status === 'ok' ? sign : 0),
    partial: totals.partial + (row.status === 'partial' ? sign : 0),
    failed: totals.failed + (row.status === 'failed' ? sign : 0),
    failuresByKind: addCounts(totals.failuresByKind, failedKind, sign),
    nics: totals.nics + sign * row.nicCount,
    nicModes: addCounts(totals.nicModes, row.nicModes, sign),
    findings: totals.findings + sign * row.findingCount,
  };
}

/** Replace the row of `name` (appending it if the run never announced it) and fix the totals. */
function updateRow(state: FleetState, name: string, update: (row: HostRow) => HostRow): FleetState {
  const position = state.index.get(name);
  const current = position === undefined ? undefined : state.rows[position];
  if (position === undefined || current === undefined) {
    // A host the run-started event did not list: keep it rather than lose its outcome.
    const added = update(queuedRow(name, []));
    const index = new Map(state.index).set(name, state.rows.length);
    const totals = applyRow({ ...state.totals, hosts: state.totals.hosts + 1 }, added, 1);
    return { ...state, rows: [...state.rows, added], index, totals };
  }
  const next = update(current);
  if (next === current) return state;
  const rows = state.rows.slice();
  rows[position] = next;
  return { ...state, rows, totals: applyRow(applyRow(state.totals, current, -1), next, 1) };
}

function startRun(event: Extract<RunEvent, { type: 'run-started' }>): FleetState {
  const rows: HostRow[] = [];
  const index = new Map<string, number>();
  for (const host of event.hosts) {
    if (index.has(host.name)) continue; // names are unique in a valid inventory; never double-count
    index.set(host.name, rows.length);
    rows.push(queuedRow(host.name, host.groups));
  }
  return {
    ...initialFleetState(),
    phase: 'running',
    startedAt: event.at,
    concurrency: event.concurrency,
    rows,
    index,
    totals: emptyTotals(rows.length),
  };
}

/** At the end, take any host outcome the events did not deliver from the final report. */
function finishRun(state: FleetState, at: number, report: FleetReport): FleetState {
  let rows: HostRow[] | null = null; // copied once, on the first missing outcome
  let addedIndex: Map<string, number> | null = null; // copied once, on the first unknown host
  let totals = state.totals;
  for (const host of report.hosts) {
    const position = (addedIndex ?? state.index).get(host.name);
    const current = position === undefined ? undefined : (rows ?? state.rows)[position];
    if (current?.phase === 'done') continue;
    rows ??= state.rows.slice();
    if (position === undefined || current === undefined) {
      const added = doneRow(queuedRow(host.name, []), host, at);
      addedIndex ??= new Map(state.index);
      addedIndex.set(host.name, rows.length);
      rows.push(added);
      totals = applyRow({ ...totals, hosts: totals.hosts + 1 }, added, 1);
    } else {
      const done = doneRow(current, host, at);
      rows[position] = done;
      totals = applyRow(applyRow(totals, current, -1), done, 1);
    }
  }
  return {
    ...state,
    rows: rows ?? state.rows,
    index: addedIndex ?? state.index,
    totals,
    phase: 'finished',
    finishedAt: at,
    complete: report.run.complete,
  };
}

/**
 * Fold one runner event into the fleet state. Pure: never mutates `state`.
 * Events about a host that is already done are ignored, except a repeated `host-done`, which
 * replaces the earlier outcome.
 */
export function reduceFleet(state: FleetState, event: RunEvent): FleetState {
  switch (event.type) {
    case 'run-started':
      return startRun(event);
    case 'host-connecting':
      return updateRow(state, event.host, (row) =>
        row.phase === 'queued' ? { ...row, phase: 'connecting', startedAt: event.at } : row,
      );
    case 'host-probing':
      return updateRow(state, event.host, (row) =>
        row.phase === 'done' || row.phase === 'probing'
          ? row
          : { ...row, phase: 'probing', startedAt: row.startedAt ?? event.at },
      );
    case 'host-done':
      return updateRow(state, event.host, (row) => doneRow(row, event.report, event.at));
    case 'run-stopping':
      return state.phase === 'finished' ? state : { ...state, phase: 'stopping', stopReason: event.reason };
    case 'run-finished':
      return finishRun(state, event.at, event.report);
  }
}

/** True while hosts are being connected to or probed (the spinner and clock should move). */
export function isRunActive(state: FleetState): boolean {
  return state.phase === 'running' || state.phase === 'stopping';
}
