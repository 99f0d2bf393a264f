/**
 * Auditing a fleet: bounded concurrency (p-limit), a deadline per host, typed progress events, and a
 * stop that lets in-flight hosts be closed while queued ones are reported as not audited.
 * Every host of the input appears exactly once in the result, in inventory order.
 */
import pLimit from 'p-limit';
import type { Connector, Finding, HostConfig, HostReport, RawCapture, RunEvent } from '../model.js';
import { auditHost, emptyHostReport } from './hostAudit.js';

export interface RunFleetOptions {
  connector: Connector;
  /** @default 32 */
  concurrency: number;
  /** Deadline per host, connect + probe. @default 30000 */
  timeoutMs: number;
  /** Output cap per host. @default 32 MiB */
  maxBytes: number;
  /** Aborting stops new connections and closes open ones. */
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  onCapture?: (host: HostConfig, capture: RawCapture) => void;
  /** The policy's findings for a finished host (pure); they travel with its `host-done` event. */
  evaluate?: (report: HostReport) => Finding[];
}

export interface FleetOutcome {
  hosts: HostReport[];
  /** False when the run was stopped before every host was audited. */
  complete: boolean;
  startedAt: Date;
  finishedAt: Date;
}

export const DEFAULT_CONCURRENCY = 32;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

export async function runFleet(hosts: readonly HostConfig[], options: RunFleetOptions): Promise<FleetOutcome> {
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

  const limit = pLimit(Math.max(1, options.concurrency));
  const reports = await Promise.all(
    hosts.map((host) =>
      limit(async () => {
        const report = stop.aborted ? notAudited(host) : await auditOne(host, options, stop, emit);
        if (options.evaluate) report.findings = options.evaluate(report);
        emit({ type: 'host-done', at: Date.now(), host: host.name, report });
        return report;
      }),
    ),
  );
  stop.removeEventListener('abort', onStop);
  return { hosts: reports, complete: !stop.aborted, startedAt, finishedAt: new Date() };
}

async function auditOne(
  host: HostConfig,
  options: RunFleetOptions,
  stop: AbortSignal,
  emit: (event: RunEvent) => void,
): Promise<HostReport> {
  emit({ type: 'host-connecting', at: Date.now(), host: host.name });
  const signal = AbortSignal.any([stop, AbortSignal.timeout(options.timeoutMs)]);
  const report = await auditHost(host, {
    connector: options.connector,
    signal,
    maxBytes: options.maxBytes,
    onProbing: () => emit({ type: 'host-probing', at: Date.now(), host: host.name }),
    onCapture: options.onCapture ? (capture) => options.onCapture!(host, capture) : undefined,
  });
  if (report.error?.kind === 'timeout' && !/\d/.test(report.error.message)) {
    report.error.message = `no answer within ${formatSeconds(options.timeoutMs)} (--timeout)`;
  }
  return report;
}

function notAudited(host: HostConfig): HostReport {
  return { ...emptyHostReport(host), error: { kind: 'cancelled', message: 'not audited: the run was stopped first' } };
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
