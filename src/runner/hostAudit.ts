/**
 * Auditing one host: connect, run the probe once, parse, classify. Whatever happens comes back as a
 * HostReport (an outcome as data, never an exception), so one dead host cannot hide the others.
 */
import type { Connector, ErrorKind, HostConfig, HostError, HostFacts, HostReport, RawCapture, Transport, Warning } from '../model.js';
import { TransportError } from '../model.js';
import { buildProbeScript, commandOfSection, newNonce } from '../probe/script.js';
import { toCapture } from '../probe/framing.js';
import { parseCapture } from '../parse/index.js';
import { classifyHost } from '../classify/index.js';

export interface HostAuditOptions {
  connector: Connector;
  /** Aborted on deadline (reason TimeoutError) or when the run is stopped. */
  signal: AbortSignal;
  maxBytes: number;
  /** Called when the connection is up and the probe starts. */
  onProbing?: () => void;
  /** Called with the raw capture, for `--save-captures`. */
  onCapture?: (capture: RawCapture) => void;
}

/** Section problems that leave the host audited, but not completely. */
const PARTIAL_WARNINGS = new Set(['section-failed', 'section-unparsed', 'output-truncated', 'object-vanished']);

export async function auditHost(host: HostConfig, options: HostAuditOptions): Promise<HostReport> {
  const started = performance.now();
  const finish = (fields: Partial<HostReport>): HostReport => ({
    ...emptyHostReport(host),
    ...fields,
    durationMs: Math.round(performance.now() - started),
  });

  let transport: Transport;
  try {
    transport = await options.connector.connect(host, { signal: options.signal });
  } catch (err) {
    return finish({ status: 'failed', error: toHostError(err, options.signal) });
  }
  let capture: RawCapture;
  try {
    options.onProbing?.();
    const nonce = newNonce();
    const script = buildProbeScript({ nonce, libvirtUri: host.libvirtUri, sudo: host.sudo });
    const result = await transport.exec(script, { signal: options.signal, maxBytes: options.maxBytes });
    capture = toCapture(result.stdout, nonce, result.truncated, (id) => commandOfSection(id, host));
    options.onCapture?.(capture);
    if (capture.sections.length === 0) {
      const why = result.truncated
        ? `output cut off at ${capture.bytes} bytes (--max-output) before the probe's first section`
        : `the probe produced no output: ${firstMeaningfulLine(result.stderr) ?? `exit status ${result.code ?? result.signal ?? 'unknown'}`}`;
      return finish({ status: 'failed', error: { kind: 'command', message: why } });
    }
  } catch (err) {
    return finish({ status: 'failed', error: toHostError(err, options.signal) });
  } finally {
    transport.close();
  }
  return finish(judge(host, capture));
}

/** Turn a capture into the classified part of the report, and decide ok / partial / failed. */
export function judge(host: HostConfig, capture: RawCapture): Partial<HostReport> {
  let facts: HostFacts;
  try {
    facts = parseCapture(capture);
  } catch (err) {
    return { status: 'failed', error: { kind: 'parse', message: `could not parse the probe output: ${messageOf(err)}` } };
  }
  const audit = classifyHost(facts, { uplinkInterfaces: host.uplinkInterfaces });
  if (facts.libvirtError !== null) {
    // Exit 127 is the shell's "command not found": virsh is not installed, which is not a libvirt fault.
    const virshMissing = capture.sections.some((s) => s.id === 'net-uuids' && s.exit === 127);
    const kind: ErrorKind = virshMissing ? 'command' : 'libvirt';
    return { ...audit, status: 'failed', error: { kind, message: facts.libvirtError } };
  }
  const partial = audit.warnings.find((w: Warning) => PARTIAL_WARNINGS.has(w.kind));
  if (partial) {
    const kind: ErrorKind = partial.kind === 'section-unparsed' ? 'parse' : 'command';
    return { ...audit, status: 'partial', error: { kind, message: `${partial.subject}: ${partial.message}` } };
  }
  return { ...audit, status: 'ok', error: null };
}

/** The report of a host before (or without) any facts: also used for hosts a stopped run never reached. */
export function emptyHostReport(host: HostConfig): HostReport {
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

function firstMeaningfulLine(text: string): string | null {
  return text.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? null;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
