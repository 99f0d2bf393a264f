/**
 * The fleet as the live view sees it: a pure reducer over the runner's `RunEvent`s.
 *
 * Rows live in one stable array (inventory order) with an index by host name, so the view can
 * select, filter, sort or open one host without the reducer changing shape. A batch of events copies
 * the row array once (pointers only) and adjusts the totals incrementally, so a 5,000-host run never
 * recounts the whole fleet, and the live view pays one O(hosts) copy per frame, not per event.
 *
 * A host can be audited again after it is done (the operator's re-audit): it goes back in flight,
 * its earlier outcome leaves the totals, and its report stays on the row until the new one arrives.
 */
import { MODES, type ErrorKind, type FleetReportView, type HostError, type HostReport, type HostStatus, type Mode, type RunEvent } from '../model.js';
import { countNicModes } from '../report/headline.js';

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
  /**
   * The host's mix of VM NIC modes, e.g. `bridged+nat` (vocabulary order), `no VM NICs`; null while
   * not done, and for failed hosts (nothing was learned).
   */
  modeMix: string | null;
  /**
   * The full outcome, kept by reference for the host-detail view; null until done. While a done host
   * is audited again it keeps its previous report.
   */
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
  /** Audited hosts per mode mix (see {@link HostRow.modeMix}). */
  modeMixes: Partial<Record<string, number>>;
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
  /**
   * Whether each done row keeps its host's report (the live table's detail view reads it). The line log does not:
   * a 5,000-host run must not hold every report on the heap just to print one line per host.
   */
  keepsReports: boolean;
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
    modeMixes: {},
    findings: 0,
  };
}

/** The state before any event. */
export function initialFleetState(options: { keepReports?: boolean } = {}): FleetState {
  return {
    keepsReports: options.keepReports ?? true,
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
    modeMix: null,
    report: null,
  };
}

/** The label of a host's mix of NIC modes: `bridged+nat` in vocabulary order, or `no VM NICs`. */
export function modeMixOf(counts: ModeCounts): string {
  const present = MODES.filter((mode) => (counts[mode] ?? 0) > 0);
  return present.length === 0 ? NO_NICS_MIX : present.join('+');
}

/** The mode mix of a host that has no VM NIC at all. */
export const NO_NICS_MIX = 'no VM NICs';

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

function doneRow(row: HostRow, report: HostReport, at: number, keep: boolean): HostRow {
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
    modeMix: report.status === 'failed' ? null : modeMixOf(nicModes),
    report: keep ? report : null,
  };
}

/** A done host audited again: back in flight; its earlier outcome stays on the row for the detail view. */
function reauditRow(row: HostRow, at: number): HostRow {
  return { ...row, phase: 'connecting', status: null, error: null, durationMs: null, startedAt: at, finishedAt: null, modeMix: null };
}

/** Add (sign 1) or remove (sign -1) one row's contribution to the totals. */
function applyRow(totals: FleetTotals, row: HostRow, sign: 1 | -1): FleetTotals {
  const phases = { ...totals.phases, [row.phase]: totals.phases[row.phase] + sign };
  if (row.phase !== 'done') return { ...totals, phases };
  const failedKind: Partial<Record<ErrorKind, number>> =
    row.status === 'failed' ? { [row.error?.kind ?? 'internal']: 1 } : {};
  const mix: Partial<Record<string, number>> = row.modeMix === null ? {} : { [row.modeMix]: 1 };
  return {
    ...totals,
    phases,
    ok: totals.ok + (row.status === 'ok' ? sign : 0),
    partial: totals.partial + (row.status === 'partial' ? sign : 0),
    failed: totals.failed + (row.status === 'failed' ? sign : 0),
    failuresByKind: addCounts(totals.failuresByKind, failedKind, sign),
    nics: totals.nics + sign * row.nicCount,
    nicModes: addCounts(totals.nicModes, row.nicModes, sign),
    modeMixes: addCounts(totals.modeMixes, mix, sign),
    findings: totals.findings + sign * row.findingCount,
  };
}

/**
 * The state being built while a batch of events is folded in: the row array and the index are copied
 * at most once per batch (on the first write), then changed in place, so a burst of events costs one
 * O(hosts) copy instead of one per event. The input state is never touched.
 */
interface Draft {
  state: FleetState;
  rows: HostRow[];
  ownsRows: boolean;
  index: Map<string, number>;
  ownsIndex: boolean;
}

function draftOf(state: FleetState): Draft {
  return { state, rows: state.rows as HostRow[], ownsRows: false, index: state.index as Map<string, number>, ownsIndex: false };
}

function writableRows(draft: Draft): HostRow[] {
  if (!draft.ownsRows) {
    draft.rows = draft.rows.slice();
    draft.ownsRows = true;
  }
  return draft.rows;
}

function writableIndex(draft: Draft): Map<string, number> {
  if (!draft.ownsIndex) {
    draft.index = new Map(draft.index);
    draft.ownsIndex = true;
  }
  return draft.index;
}

function totalsOf(draft: Draft): FleetTotals {
  return draft.state.totals;
}

function setTotals(draft: Draft, totals: FleetTotals): void {
  draft.state = { ...draft.state, totals };
}

/** Replace the row of `name` (appending it if the run never announced it) and fix the totals. */
function updateRow(draft: Draft, name: string, update: (row: HostRow) => HostRow): void {
  const position = draft.index.get(name);
  const current = position === undefined ? undefined : draft.rows[position];
  if (position === undefined || current === undefined) {
    // A host the run-started event did not list: keep it rather than lose its outcome.
    const added = update(queuedRow(name, []));
    writableIndex(draft).set(name, draft.rows.length);
    writableRows(draft).push(added);
    const totals = totalsOf(draft);
    setTotals(draft, applyRow({ ...totals, hosts: totals.hosts + 1 }, added, 1));
    return;
  }
  const next = update(current);
  if (next === current) return;
  writableRows(draft)[position] = next;
  setTotals(draft, applyRow(applyRow(totalsOf(draft), current, -1), next, 1));
}

function startRun(event: Extract<RunEvent, { type: 'run-started' }>, keepReports: boolean): FleetState {
  const rows: HostRow[] = [];
  const index = new Map<string, number>();
  for (const host of event.hosts) {
    if (index.has(host.name)) continue; // names are unique in a valid inventory; never double-count
    index.set(host.name, rows.length);
    rows.push(queuedRow(host.name, host.groups));
  }
  return {
    ...initialFleetState({ keepReports }),
    phase: 'running',
    startedAt: event.at,
    concurrency: event.concurrency,
    rows,
    index,
    totals: emptyTotals(rows.length),
  };
}

/** At the end, take any host outcome the events did not deliver from the final report. */
function finishRun(draft: Draft, at: number, report: FleetReportView): void {
  // Rows not yet done take their outcome from the report; when all are done (the usual case) the report's hosts,
  // which may be on disk, are not read again.
  if (draft.state.totals.phases.done < draft.rows.length) {
    for (const host of report.hosts) {
      updateRow(draft, host.name, (row) => (row.phase === 'done' ? row : doneRow(row, host, at, draft.state.keepsReports)));
    }
  }
  const state = draft.state;
  const again = state.phase === 'finished';
  // A later run-finished (after re-audits) may cover only some hosts: it cannot say the run was complete.
  const coversFleet = report.hosts.length >= draft.rows.length;
  draft.state = {
    ...state,
    phase: 'finished',
    finishedAt: again ? state.finishedAt : at,
    complete: again && !coversFleet ? state.complete : report.run.complete,
  };
}

/** A run-started after the run finished, naming only hosts already shown, is a re-audit: keep the rows. */
function isReauditStart(draft: Draft, event: Extract<RunEvent, { type: 'run-started' }>): boolean {
  return draft.state.phase === 'finished' && event.hosts.every((host) => draft.index.has(host.name));
}

function applyEvent(draft: Draft, event: RunEvent): Draft {
  switch (event.type) {
    case 'run-started':
      return isReauditStart(draft, event) ? draft : { ...draftOf(startRun(event, draft.state.keepsReports)), ownsRows: true, ownsIndex: true };
    case 'host-connecting':
      updateRow(draft, event.host, (row) => {
        if (row.phase === 'queued') return { ...row, phase: 'connecting', startedAt: event.at };
        return row.phase === 'done' ? reauditRow(row, event.at) : row;
      });
      return draft;
    case 'host-probing':
      updateRow(draft, event.host, (row) =>
        row.phase === 'done' || row.phase === 'probing' ? row : { ...row, phase: 'probing', startedAt: row.startedAt ?? event.at },
      );
      return draft;
    case 'host-done':
      updateRow(draft, event.host, (row) => doneRow(row, event.report, event.at, draft.state.keepsReports));
      return draft;
    case 'run-stopping':
      if (draft.state.phase !== 'finished') draft.state = { ...draft.state, phase: 'stopping', stopReason: event.reason };
      return draft;
    case 'run-finished':
      finishRun(draft, event.at, event.report);
      return draft;
  }
}

/**
 * Fold a batch of runner events into the fleet state, in order. Pure: never mutates `state`; the row
 * array is copied once for the whole batch.
 *
 * `host-connecting` for a done host starts a re-audit of it (back in flight, totals adjusted); a
 * repeated `host-done` replaces the earlier outcome; a stray `host-probing` for a done host is ignored.
 * After the run finished, a `run-started` that names only known hosts (a re-audit) keeps the rows, and
 * a later `run-finished` keeps the run's own end time.
 */
export function reduceFleetBatch(state: FleetState, events: readonly RunEvent[]): FleetState {
  let draft = draftOf(state);
  for (const event of events) draft = applyEvent(draft, event);
  if (draft.state === state && !draft.ownsRows && !draft.ownsIndex) return state;
  return { ...draft.state, rows: draft.rows, index: draft.index };
}

/** Fold one runner event into the fleet state (see {@link reduceFleetBatch}). Pure. */
export function reduceFleet(state: FleetState, event: RunEvent): FleetState {
  return reduceFleetBatch(state, [event]);
}

/** Hosts being connected to or probed right now (the run's, or re-audits after it). */
export function inFlightCount(state: FleetState): number {
  return state.totals.phases.connecting + state.totals.phases.probing;
}

/** True while the run is on, or hosts are in flight (the spinner and clocks should move). */
export function isRunActive(state: FleetState): boolean {
  return state.phase === 'running' || state.phase === 'stopping' || inFlightCount(state) > 0;
}
