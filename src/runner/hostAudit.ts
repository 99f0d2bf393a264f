/**
 * Auditing one host: connect, run the probe once, parse, classify. Whatever happens comes back as a
 * HostReport (an outcome as data, never an exception), so one dead host cannot hide the others.
 */
import type {
  Connector,
  ErrorKind,
  ExecResult,
  HostConfig,
  HostError,
  HostFacts,
  HostReport,
  OutputBudget,
  RawCapture,
  Transport,
  Warning,
} from '../model.js';
import { TransportError } from '../model.js';
import { buildProbeScript, newNonce } from '../probe/script.js';
import { commandOfSection, sectionId } from '../probe/sections.js';
import { toCapture } from '../probe/framing.js';
import { parseCaptureYielding } from '../parse/index.js';
import { classifyHost } from '../classify/index.js';
import { messageOf } from '../errors.js';

export interface HostAuditOptions {
  connector: Connector;
  /** Aborted on deadline (reason TimeoutError) or when the run is stopped. */
  signal: AbortSignal;
  maxBytes: number;
  /** The run's fleet-wide output budget. */
  budget?: OutputBudget;
  /**
   * Wraps each network step (connect, exec): the run's watchdog, which rejects a step still running well past the
   * deadline; what such a step gives later goes to `onLate` (a connection to close). None: no watchdog.
   */
  guard?: <T>(work: Promise<T>, onLate?: (late: T) => void) => Promise<T>;
  /** Called when the connection is up and the probe starts. */
  onProbing?: () => void;
  /** Called with the raw capture, for `--save-captures`. */
  onCapture?: (capture: RawCapture) => void;
}

/** Section and object problems that leave the host audited, but not completely. */
const PARTIAL_WARNINGS = new Set([
  'section-failed',
  'section-unparsed',
  'output-truncated',
  'object-vanished',
  'object-unparsed',
  'object-cap',
]);

export async function auditHost(host: HostConfig, options: HostAuditOptions): Promise<HostReport> {
  const started = performance.now();
  const guard = options.guard ?? (<T>(work: Promise<T>) => work);
  const finish = (fields: Partial<HostReport>): HostReport => ({
    ...emptyHostReport(host),
    ...fields,
    durationMs: Math.round(performance.now() - started),
  });

  let transport: Transport;
  try {
    transport = await guard(options.connector.connect(host, { signal: options.signal }), (late) => late.close());
  } catch (err) {
    return finish({ status: 'failed', error: toHostError(err, options.signal) });
  }
  const nonce = newNonce();
  let result: ExecResult;
  try {
    options.onProbing?.();
    const script = buildProbeScript({ nonce, libvirtUri: host.libvirtUri, sudo: host.sudo });
    result = await guard(transport.exec(script, { signal: options.signal, maxBytes: options.maxBytes, budget: options.budget }));
  } catch (err) {
    return finish({ status: 'failed', error: toHostError(err, options.signal) });
  } finally {
    transport.close();
  }
  try {
    return finish(await judgeOutput(host, nonce, result, options));
  } finally {
    // The output is judged: its bytes no longer count against the fleet's budget.
    options.budget?.give(result.bytes);
  }
}

/** What the probe's output says about the host: framed into a capture (saved when asked), parsed, classified. */
async function judgeOutput(host: HostConfig, nonce: string, result: ExecResult, options: HostAuditOptions): Promise<Partial<HostReport>> {
  // `bytes` counts stderr too: the cap is on both, so "cut off at N bytes" must be too.
  const capture = { ...toCapture(result.stdout, nonce, result.truncated, (id) => commandOfSection(id, host)), bytes: result.bytes };
  options.onCapture?.(capture);
  if (capture.sections.length === 0) {
    const why = result.truncated
      ? `output cut off at ${capture.bytes} bytes (${cutOffCause(result, options)}) before the probe's first section`
      : `the probe produced no output: ${firstMeaningfulLine(result.stderr) ?? `exit status ${result.code ?? result.signal ?? 'unknown'}`}`;
    return { status: 'failed', error: { kind: 'command', message: why } };
  }
  const judged = await judgeIsolated(host, capture);
  if (judged.status !== 'failed' && lacksExitStatus(result)) {
    judged.warnings = [...(judged.warnings ?? []), EXIT_STATUS_MISSING];
  }
  if (result.cutOffBy === 'fleet-budget') {
    judged.warnings = [...(judged.warnings ?? []), { kind: 'output-budget', subject: 'probe', message: cutOffCause(result, options) }];
  }
  return judged;
}

/** Which limit cut a host's output off, in the operator's words. */
function cutOffCause(result: ExecResult, options: HostAuditOptions): string {
  if (result.cutOffBy === 'fleet-budget') {
    return `the run's output budget of ${mebibytes(options.budget?.limit ?? 0)} (--max-output-total) was in use by other hosts`;
  }
  return `--max-output ${mebibytes(options.maxBytes)}`;
}

function mebibytes(bytes: number): string {
  return `${Number((bytes / 1024 / 1024).toFixed(1))} MiB`;
}

const EXIT_STATUS_MISSING: Warning = {
  kind: 'exit-status-missing',
  subject: 'probe',
  message: 'the channel closed without an exit status; the sections that arrived complete were audited',
};

/** The channel closed on its own (not cut off by us) and the server never sent `exit-status` or `exit-signal`. */
function lacksExitStatus(result: ExecResult): boolean {
  return !result.truncated && result.code === null && result.signal === null;
}

/** `judge`, with anything it throws turned into this host's `internal` failure: one host never crashes the run. */
async function judgeIsolated(host: HostConfig, capture: RawCapture): Promise<Partial<HostReport>> {
  try {
    return await judge(host, capture);
  } catch (error) {
    const { status, error: hostError } = failedInternally(host, 'classifying the probe output', error);
    return { status, error: hostError };
  }
}

/** A failed report for an exception in our own code while handling `host` (`what`: e.g. `evaluating the policy`). */
export function failedInternally(host: Pick<HostConfig, 'name' | 'address' | 'groups'>, what: string, error: unknown): HostReport {
  const stackOverflow = error instanceof RangeError && /call stack/i.test(error.message);
  const why = stackOverflow ? 'the host data nests too deeply (call stack exceeded)' : messageOf(error);
  return {
    ...emptyHostReport(host),
    error: { kind: 'internal', message: `internal error while ${what}: ${why}` },
  };
}

/** Turn a capture into the classified part of the report, and decide ok / partial / failed. */
export async function judge(host: HostConfig, capture: RawCapture): Promise<Partial<HostReport>> {
  let facts: HostFacts;
  try {
    // Sliced: a host with thousands of VMs gives the event loop back while its XML is read.
    facts = await parseCaptureYielding(capture);
  } catch (err) {
    return { status: 'failed', error: { kind: 'parse', message: `could not parse the probe output: ${messageOf(err)}` } };
  }
  const audit = classifyHost(facts, { uplinkInterfaces: host.uplinkInterfaces });
  if (facts.libvirtError !== null) {
    // Exit 127 is the shell's "command not found": virsh is not installed, which is not a libvirt fault.
    const virshMissing = capture.sections.some((s) => s.id === sectionId('libvirt-lists') && s.exit === 127);
    const kind: ErrorKind = virshMissing ? 'command' : 'libvirt';
    return { ...audit, status: 'failed', error: { kind, message: facts.libvirtError } };
  }
  const partial = audit.warnings.find((w: Warning) => PARTIAL_WARNINGS.has(w.kind));
  if (partial) {
    const kind: ErrorKind = UNREADABLE_WARNINGS.has(partial.kind) ? 'parse' : 'command';
    return { ...audit, status: 'partial', error: { kind, message: `${partial.subject}: ${partial.message}` } };
  }
  return { ...audit, status: 'ok', error: null };
}

/** Partial-making warnings that say the host's output arrived but could not be read. */
const UNREADABLE_WARNINGS = new Set(['section-unparsed', 'object-unparsed']);

/** The report of a host before (or without) any facts: also used for hosts a stopped run never reached. */
export function emptyHostReport(host: Pick<HostConfig, 'name' | 'address' | 'groups'>): HostReport {
  return {
    name: host.name,
    address: host.address,
    groups: host.groups,
    status: 'failed',
    error: null,
    durationMs: 0,
    networks: [],
    bridges: [],
    vms: [],
    modes: [],
    verdict: '',
    warnings: [],
    defaultRouteDevs: [],
    findings: [],
  };
}

export function toHostError(err: unknown, signal: AbortSignal): HostError {
  if (err instanceof TransportError) return { kind: err.kind, message: err.message };
  if (signal.aborted) {
    const timedOut = (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError';
    return timedOut
      ? { kind: 'timeout', message: 'the host did not finish within the deadline' }
      : { kind: 'cancelled', message: 'stopped before it finished' };
  }
  return { kind: 'internal', message: messageOf(err) };
}

/** The first non-blank stderr line, cut to a length a message can carry (a host may send one 32 MiB line). */
function firstMeaningfulLine(text: string): string | null {
  const line = /^[ \t]*(\S[^\n]*)/m.exec(text)?.[1]?.trim();
  return line === undefined ? null : line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

