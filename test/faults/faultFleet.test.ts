/**
 * The fault tier: one run over 220 hosts, 17 of them hostile in every way the fault fleet knows (src/demo/hostile.ts),
 * over real SSH (embedded ssh2 servers on port 0, host keys checked strictly), with garbage collections forced
 * while hosts are in flight. It guards the fleet promises: every host reported exactly once with the right
 * outcome, deadlines that hold within a second, no host's work freezing the others, bounded memory, and nothing
 * hostile reaching the terminal or Markdown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultFleet, type FaultFleet } from '../../src/demo/faultFleet.js';
import { HOSTILE_KINDS } from '../../src/demo/hostile.js';
import type { FleetReport, HostReport, RunEvent } from '../../src/model.js';
import { buildFleetReport } from '../../src/report/build.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { runFleet, type FleetOutcome } from '../../src/runner/runFleet.js';
import { createSshConnector } from '../../src/transport/ssh.js';
import { createLineLog } from '../../src/ui/lineLog.js';
import { expectValidReport } from '../helpers/reportSchema.js';

const HOSTS = 220;
/** Long enough for a 16 MiB flood to be cut by its cap, not its deadline, on a loaded 2-core CI machine. */
const TIMEOUT_MS = 5_000;
/** Room for the 3,000-VM host (about 10 MB), small enough that the floods are cut quickly. */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
/** Deadlines are promised to hold within this much. */
const DEADLINE_SLACK_MS = 1_000;
/** The whole process (servers and client) with two 16 MiB floods and a 10 MB host in flight; measured near 400 MiB. */
const PEAK_RSS_LIMIT_MIB = 1_024;

const forceGc = (globalThis as { gc?: () => void }).gc;

/** Terminal control (C0 but tab and newline, DEL, C1) and the bidi controls that reorder what is shown. */
const UNSAFE_FOR_DISPLAY = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

let fleet: FaultFleet;
let outcome: FleetOutcome;
let report: FleetReport;
const logLines: string[] = [];
const measured = { gcs: 0, peakRssMiB: 0, maxLoopLagMs: 0, wallMs: 0 };

beforeAll(async () => {
  fleet = await startFaultFleet({ hosts: HOSTS });
  const connector = createSshConnector({ hostKeyPolicy: 'strict', knownHostsOverride: fleet.knownHostsFile, connectTimeoutMs: 10_000 });
  const lineLog = createLineLog((line) => logLines.push(line));

  // Samplers: resident memory, and how late a 50 ms timer fires (how long the event loop was kept busy).
  let expected = performance.now() + 50;
  const sampler = setInterval(() => {
    const now = performance.now();
    measured.maxLoopLagMs = Math.max(measured.maxLoopLagMs, now - expected);
    expected = now + 50;
    measured.peakRssMiB = Math.max(measured.peakRssMiB, process.memoryUsage.rss() / 1024 / 1024);
  }, 50);

  let done = 0;
  const onEvent = (event: RunEvent) => {
    lineLog(event);
    if (event.type !== 'host-done') return;
    done += 1;
    // Forced collections while hosts are in flight: a deadline nobody holds would be lost here.
    if (done % Math.floor(HOSTS / 4) === 0) {
      forceGc!();
      measured.gcs += 1;
    }
  };
  const started = performance.now();
  try {
    outcome = await runFleet(fleet.hosts, { connector, concurrency: 64, timeoutMs: TIMEOUT_MS, maxBytes: MAX_OUTPUT_BYTES, onEvent });
  } finally {
    measured.wallMs = performance.now() - started;
    clearInterval(sampler);
    await connector.close();
  }
  report = buildFleetReport({
    hosts: outcome.hosts,
    startedAt: outcome.startedAt,
    finishedAt: outcome.finishedAt,
    inventory: 'fault fleet',
    concurrency: 64,
    complete: outcome.complete,
    version: 'test',
  });
  lineLog({ type: 'run-finished', at: Date.now(), report });
  process.stdout.write(
    `fault tier: ${HOSTS} hosts in ${Math.round(measured.wallMs)} ms, ${measured.gcs} forced GCs, ` +
      `peak RSS ${Math.round(measured.peakRssMiB)} MiB, longest event-loop stall ${Math.round(measured.maxLoopLagMs)} ms\n`,
  );
}, 180_000);

afterAll(async () => {
  await fleet?.close();
});

const byName = () => new Map(outcome.hosts.map((h) => [h.name, h]));

describe(`a ${HOSTS}-host fleet with every kind of hostile host, under forced GC`, () => {
  it('forced garbage collections while hosts were in flight (the promise below could break only then)', () => {
    expect(typeof forceGc).toBe('function');
    expect(measured.gcs).toBeGreaterThanOrEqual(3);
  });

  it('writes a report.json that follows the published JSON Schema, hostile, partial, unread and failed hosts included', () => {
    expect(new Set(report.hosts.map((h) => h.status))).toEqual(new Set(['ok', 'partial', 'failed']));
    expect(report.summary.unread.vms + report.summary.unread.networks).toBeGreaterThan(0);
    expectValidReport(renderJson(report));
  });

  it('reports every host exactly once, in inventory order, and the run is complete', () => {
    expect(outcome.hosts.map((h) => h.name)).toEqual(fleet.hosts.map((h) => h.name));
    expect(outcome.complete).toBe(true);
    expect(fleet.kindOf.size).toBe(HOSTILE_KINDS.length);
  });

  it.each(HOSTILE_KINDS)('gives the %s host the outcome it must have', (kind) => {
    const [name] = [...fleet.kindOf].find(([, k]) => k === kind)!;
    const host = byName().get(name)!;
    const expectation = fleet.expected.get(name)!;
    const seen = { status: host.status, errorKind: host.error?.kind ?? null };
    expect(seen, `${name}: ${host.error?.message ?? 'no error'}`).toEqual({ status: expectation.status, errorKind: expectation.errorKind });
    if (expectation.warning) expect(host.warnings.map((w) => w.kind)).toContain(expectation.warning);
  });

  it('audits every ordinary host completely, whatever its hostile neighbours did', () => {
    const ordinary = outcome.hosts.filter((h) => !fleet.kindOf.has(h.name));
    expect(ordinary.length).toBe(HOSTS - HOSTILE_KINDS.length);
    const notOk = ordinary.filter((h) => h.status !== 'ok').map((h) => `${h.name}: ${h.status} ${h.error?.message}`);
    expect(notOk).toEqual([]);
  });

  it(`ends every host that never answers by its deadline, within ${DEADLINE_SLACK_MS} ms of --timeout`, () => {
    const byDeadline = outcome.hosts.filter((h) => fleet.expected.get(h.name)!.endsByDeadline);
    expect(byDeadline.length).toBeGreaterThanOrEqual(4);
    for (const host of byDeadline) {
      expect(host.durationMs, host.name).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(host.durationMs, host.name).toBeLessThan(TIMEOUT_MS + DEADLINE_SLACK_MS);
    }
  });

  it('keeps the event loop free: no host (not the 3,000-VM one, not the 40,000-UUID one) stalls the others', () => {
    expect(measured.maxLoopLagMs).toBeLessThan(DEADLINE_SLACK_MS);
  });

  it(`stays within ${PEAK_RSS_LIMIT_MIB} MiB of resident memory`, () => {
    expect(measured.peakRssMiB).toBeLessThan(PEAK_RSS_LIMIT_MIB);
  });

  it('keeps every VM of the big host, and never hides a guest whose XML is hostile', () => {
    const big = hostOfKind('big-host');
    expect(big.vms).toHaveLength(3_000);
    expect(big.vms.every((vm) => vm.interfaces.length === 1 && vm.interfaces[0]!.mode === 'nat')).toBe(true);
    for (const kind of ['entity-bomb', 'truncated-xml'] as const) {
      const host = hostOfKind(kind);
      const ordinaryTwin = byName().get(host.name.replace(`bad-${kind}`, 'hv'));
      // the same capture as an ordinary host would have had: the same number of VMs, one of them unread
      const listed = host.warnings.filter((w) => w.kind === 'object-unparsed');
      expect(listed).toHaveLength(1);
      expect(host.vms.length).toBeGreaterThan(0);
      if (ordinaryTwin) expect(host.vms.length).toBe(ordinaryTwin.vms.length);
    }
  });

  it('lets nothing a host sent reach the terminal or the Markdown report as control characters', () => {
    const hostile = hostOfKind('control-bytes');
    expect(JSON.stringify(hostile.bridges)).toMatch(/\\u001b|\u001b/); // the escape really was in the data
    for (const line of logLines) expect(line).not.toMatch(UNSAFE_FOR_DISPLAY);
    expect(renderMarkdown(report)).not.toMatch(UNSAFE_FOR_DISPLAY);
  });
});

function hostOfKind(kind: string): HostReport {
  const [name] = [...fleet.kindOf].find(([, k]) => k === kind)!;
  return byName().get(name)!;
}
