/**
 * Auditing a fleet: bounded concurrency (p-limit), a deadline per host, typed progress events, and a
 * stop that lets in-flight hosts be closed while queued ones are reported as not audited.
 * Every host of the input appears exactly once in the result, in inventory order.
 */
import { getMaxListeners, setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import {
  TransportError,
  type Connector,
  type Finding,
  type HostConfig,
  type HostReport,
  type HostSequence,
  type HostStore,
  type OutputBudget,
  type RawCapture,
  type RunEvent,
  type FleetReportView,
} from '../model.js';
import { DEFAULT_MAX_TOTAL_BYTES } from '../defaults.js';
import { isTimeoutReason } from '../transport/errors.js';
import { buildFleetReport } from '../report/build.js';
import type { ShardRecord } from '../report/schema.js';
import { createOutputBudget } from '../transport/outputCollector.js';
import { toolVersion } from '../version.js';
import { startDeadline } from './deadline.js';
import { auditHost, emptyHostReport, failedInternally } from './hostAudit.js';
import { createMemoryHostStore } from './hostStore.js';
import { createWatchdog, type Watchdog } from './watchdog.js';

export interface RunFleetOptions<H extends HostSequence = HostReport[]> {
  connector: Connector;
  /**
   * Where each finished host's report goes, and what the outcome reads them back from. @default in memory (an
   * array); the CLI spills them to disk (io/hostSpill.ts) so that memory does not grow with the fleet.
   */
  store?: HostStore<H>;
  /** @default 32 */
  concurrency: number;
  /** Deadline per host, connect + probe. @default 30000 */
  timeoutMs: number;
  /** Output cap per host. @default 32 MiB */
  maxBytes: number;
  /** Output buffered across all hosts in flight at once; a host that would pass it is cut off. @default 512 MiB */
  maxTotalBytes?: number;
  /** Aborting stops new connections and closes open ones. */
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  onCapture?: (host: HostConfig, capture: RawCapture) => void;
  /** The policy's findings for a finished host (pure); they travel with its `host-done` event. */
  evaluate?: (report: HostReport) => Finding[];
  /** How the report names the inventory (`run.inventory`). @default '(no inventory)' */
  inventory?: string;
  /** With `--shard K/N`: the slice these hosts are, recorded in the report (`run.shard`). */
  shard?: ShardRecord | null;
}

export interface FleetOutcome<H extends HostSequence = HostReport[]> {
  hosts: H;
  /** The report of this run's hosts, as its `run-finished` event carried it. */
  report: Omit<FleetReportView, 'hosts'> & { hosts: H };
  /** False when the run was stopped before every host was audited. */
  complete: boolean;
  startedAt: Date;
  finishedAt: Date;
}

export { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_BYTES, DEFAULT_MAX_TOTAL_BYTES } from '../defaults.js';

/**
 * How long past its deadline the watchdog lets a host stay in flight: the transport's own abort normally ends a
 * host within milliseconds of its deadline, so this only ever fires when a transport misbehaves.
 */
export const WATCHDOG_GRACE_MS = 2_000;

export async function runFleet<H extends HostSequence = HostReport[]>(hosts: readonly HostConfig[], options: RunFleetOptions<H>): Promise<FleetOutcome<H>> {
  // Without a store, H is its default (an array): the memory store gives exactly that.
  const store = options.store ?? (createMemoryHostStore() as unknown as HostStore<H>);
  const emit = options.onEvent ?? (() => {});
  const stop = options.signal ?? new AbortController().signal;
  const startedAt = new Date();
  emit({
    type: 'run-started',
    at: Date.now(),
    total: hosts.length,
    concurrency: options.concurrency,
    hosts: hosts.map((h) => ({ name: h.name, groups: h.groups })),
  });
  const onStop = () => emit({ type: 'run-stopping', at: Date.now(), reason: 'stop requested: no new connections' });
  stop.addEventListener('abort', onStop, { once: true });

  // Every host in flight listens on `stop` through its deadline: one listener per slot is expected, not a leak.
  setMaxListeners(Math.max(getMaxListeners(stop), options.concurrency + 16), stop);
  const limit = pLimit(Math.max(1, options.concurrency));
  const watchdog = createWatchdog({ graceMs: WATCHDOG_GRACE_MS });
  const budget = createOutputBudget(Math.max(options.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES, options.maxBytes));
  try {
    await Promise.all(
      hosts.map((host) =>
        limit(async () => {
          const report = stop.aborted ? notAudited(host) : await auditOne(host, options, { stop, emit, watchdog, budget });
          evaluateInto(report, options.evaluate);
          // Kept before it is announced: whoever hears `host-done` may ask the store for it.
          store.put(report);
          emit({ type: 'host-done', at: Date.now(), host: host.name, report });
        }),
      ),
    );
  } finally {
    stop.removeEventListener('abort', onStop);
  }
  const finishedAt = new Date();
  const complete = !stop.aborted;
  const reports = store.sequence(hosts.map((h) => h.name));
  const report = buildFleetReport({
    hosts: reports,
    startedAt,
    finishedAt,
    inventory: options.inventory ?? '(no inventory)',
    concurrency: options.concurrency,
    complete,
    version: toolVersion(),
    shard: options.shard,
  });
  emit({ type: 'run-finished', at: Date.now(), report });
  return { hosts: reports, report, complete, startedAt, finishedAt };
}

/** What every host of one run shares. */
interface RunShared {
  stop: AbortSignal;
  emit: (event: RunEvent) => void;
  watchdog: Watchdog;
  budget: OutputBudget;
}

/**
 * Audit one host under its deadline, guarded by the watchdog. Never rejects: an exception anywhere in this host's
 * work (a transport bug, a parser or classifier crash) makes this host `failed` with kind `internal`, and only it.
 */
async function auditOne(host: HostConfig, options: Omit<RunFleetOptions, 'store'>, run: RunShared): Promise<HostReport> {
  const { stop, emit, watchdog, budget } = run;
  const started = performance.now();
  const deadline = startDeadline(options.timeoutMs, stop);
  try {
    emit({ type: 'host-connecting', at: Date.now(), host: host.name });
    const report = await auditHost(host, {
      connector: options.connector,
      signal: deadline.signal,
      maxBytes: options.maxBytes,
      budget,
      // The network part only: parsing and classifying what did arrive is ours, bounded, and never a timeout.
      guard: (work, onLate) => watchdog.guard(work, deadline.endsAt, () => overdue(stop), onLate),
      onProbing: () => emit({ type: 'host-probing', at: Date.now(), host: host.name }),
      onCapture: options.onCapture ? (capture) => options.onCapture!(host, capture) : undefined,
    });
    if (report.error?.kind === 'timeout' && isTimeoutReason(deadline.signal.reason)) {
      report.error.message = `no answer within ${formatSeconds(options.timeoutMs)} (--timeout): ${report.error.message}`;
    }
    return report;
  } catch (error) {
    return { ...failedInternally(host, 'auditing the host', error), durationMs: Math.round(performance.now() - started) };
  } finally {
    deadline.clear();
  }
}

/** What the watchdog ends an overdue host with: its deadline passed (or the run was stopped) and its transport hung on. */
function overdue(stop: AbortSignal): never {
  const kind = stop.aborted ? 'cancelled' : 'timeout';
  throw new TransportError(kind, `the connection did not close within ${formatSeconds(WATCHDOG_GRACE_MS)} of being ended`);
}

/** The policy's findings for a host; a policy that throws fails that host (kind `internal`), not the run. */
function evaluateInto(report: HostReport, evaluate: RunFleetOptions['evaluate']): void {
  if (!evaluate) return;
  try {
    report.findings = evaluate(report);
  } catch (error) {
    const failed = failedInternally(report, 'evaluating the policy', error);
    report.status = failed.status;
    report.error = failed.error;
    report.findings = [];
  }
}

function notAudited(host: HostConfig): HostReport {
  return { ...emptyHostReport(host), error: { kind: 'cancelled', message: 'not audited: the run was stopped first' } };
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
