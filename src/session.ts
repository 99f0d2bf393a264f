/**
 * One audit session, in the order it happens:
 *   1. prepareCompliance: the policy and the baseline are read before any connection (a bad file costs nothing);
 *   2. runAuditSession: the renderer (live table or line log) subscribes to the runner's events, the fleet is
 *      audited (each host's policy findings as it finishes), the reports are published (publisher.ts);
 *   3. with the live table, the session stays open for browsing and re-audits (each republishes) until `q`.
 * The CLI composes it and decides the exit code from what it returns.
 */
import type { Connector, FleetReport, FleetReportView, HostConfig, HostSequence, HostStore } from './model.js';
import type { AuditOptions } from './cliArgs.js';
import { createCaptureDirectory } from './io/captureDirectory.js';
import { createHostSpill } from './io/hostSpill.js';
import { readBaseline } from './io/baseline.js';
import { loadPolicy } from './io/policyFiles.js';
import { evaluatePolicy, findingsForHost, type Policy, type PolicyEvaluation } from './policy/index.js';
import { createReportPublisher } from './publisher.js';
import { buildFleetReport } from './report/build.js';
import type { ShardRecord } from './report/schema.js';
import { DEFAULT_REPORTS_DIR } from './io/reportFiles.js';
import { createEventHub } from './runner/events.js';
import { createHeapGovernor } from './runner/heapGovernor.js';
import { createMemoryHostStore } from './runner/hostStore.js';
import { runFleet, type FleetOutcome, type RunFleetOptions } from './runner/runFleet.js';
import { createLineLog } from './ui/lineLog.js';
import { toolVersion } from './version.js';
import { messageOf } from './errors.js';

/** What the run checks besides the audit itself: a policy, and a previous report to compare with. */
export interface Compliance {
  policy: Policy | null;
  baseline: FleetReport | null;
  now: Date;
}

/**
 * Load the policy and the baseline report before any connection, so a bad file costs nothing (exit 64).
 * @param knownGroups the inventory's groups: a policy naming another group has a typo
 */
export async function prepareCompliance(options: AuditOptions, knownGroups: readonly string[]): Promise<Compliance> {
  return {
    policy: options.policies.length > 0 ? loadPolicy(options.policies, { knownGroups }) : null,
    baseline: options.baseline !== null ? await readBaseline(options.baseline) : null,
    now: new Date(),
  };
}

/**
 * Run the audit with the chosen connector and renderer and write the reports. With the live
 * table, the session stays open after the run (browsing, re-audits) until the operator quits; the reports are
 * rewritten after each re-audit.
 */
export async function runAuditSession(
  hosts: HostConfig[],
  label: string,
  connector: Connector,
  options: AuditOptions,
  compliance: Compliance,
  shard: ShardRecord | null = null,
): Promise<{ report: FleetReportView; evaluation: PolicyEvaluation | null; writeError: string | null }> {
  const { policy, now } = compliance;
  const hub = createEventHub();
  const stop = new AbortController();
  const quit = new AbortController();
  const logStream = options.json === '-' ? process.stderr : process.stdout;
  const captureWarnings = createCaptureWarnings((line) => console.error(`kvm-netaudit: warning: ${line}`)); // console: Ink prints it above the table
  const captures =
    options.saveCaptures !== null || options.tui ? createCaptureDirectory({ dir: options.saveCaptures, onError: captureWarnings.warn }) : null;
  const evaluations = new Map<string, PolicyEvaluation>();
  const { store, spilled } = hostStore(options.out ?? DEFAULT_REPORTS_DIR, (line) => console.error(`kvm-netaudit: warning: ${line}`));
  const names = hosts.map((h) => h.name);
  const runOptions: Omit<RunFleetOptions, 'signal' | 'store'> = {
    connector,
    concurrency: options.concurrency,
    timeoutMs: options.timeoutMs,
    maxBytes: options.maxBytes,
    maxTotalBytes: options.maxTotalBytes,
    onEvent: hub.emit,
    shard,
    onCapture: captures ? (host, capture) => captures.save(host, capture) : undefined,
    inventory: label,
    // Each host is checked once, when it is done; the fleet's evaluation is the merge of those (mergeEvaluations).
    evaluate: policy
      ? (host) => {
          const hostEvaluation = evaluatePolicy(policy, [host], { now });
          evaluations.set(host.name, hostEvaluation);
          return findingsForHost(hostEvaluation, host.name);
        }
      : undefined,
  };

  const publisher = createReportPublisher(options, compliance, (host) => evaluations.get(host.name) ?? evaluatePolicy(policy!, [host], { now }));
  let outcome: FleetOutcome<HostSequence> | null = null;
  const reaudits: Promise<void>[] = [];
  const reaudit = (chosen: string[]) => {
    const selected = outcome !== null ? hosts.filter((h) => chosen.includes(h.name)) : [];
    if (selected.length === 0 || quit.signal.aborted) return;
    const done = runFleet(selected, { ...runOptions, signal: quit.signal }).then(async (again) => {
      // Each re-audited host replaces its earlier report in the run's store; the report is rebuilt from it.
      // After `q` the hosts still in flight come back cancelled: they must not replace the reports already written.
      if (quit.signal.aborted) return;
      for (const host of again.hosts) store.put(host);
      const merged = buildFleetReport({
        hosts: store.sequence(names),
        startedAt: outcome!.startedAt,
        finishedAt: again.finishedAt,
        inventory: label,
        concurrency: options.concurrency,
        complete: outcome!.complete,
        version: toolVersion(),
        shard,
      });
      if (!quit.signal.aborted) view?.setReportPaths(await publisher.publish(merged));
    });
    reaudits.push(done.catch((err: unknown) => console.error(`kvm-netaudit: re-audit failed: ${String(err)}`)));
  };

  // Loaded only when it will draw: Ink and React cost about half a second and 90 MiB at start-up, which
  // --no-tui, --version, --help, show-probe and diff never need.
  const view = options.tui
    ? (await import('./ui/liveView.js')).startLiveView({
        subscribe: hub.subscribe,
        inventory: label,
        onInterrupt: () => requestStop(stop, written()),
        onReaudit: reaudit,
        captureOf: (name) => captures?.get(name),
      })
    : null;
  if (!view) hub.subscribe(createLineLog((line) => logStream.write(`${line}\n`)));
  // Only where finished hosts leave the heap: the live table keeps every report, so a collection would free nothing.
  if (spilled && !view) {
    const heap = createHeapGovernor();
    hub.subscribe((event) => event.type === 'host-done' && heap.hostDone());
  }
  // Ctrl-C, SIGTERM (systemd, a CI job's timeout) and SIGHUP (the terminal went away) stop the run; the report
  // is still written, marked incomplete. With the live table they also end it: nobody may be left to press `q`.
  const written = () => publisher.last.report !== null && publisher.last.writeError === null;
  const onSignal = () => {
    requestStop(stop, written());
    view?.requestQuit();
  };
  for (const name of STOP_SIGNALS) process.on(name, onSignal);

  try {
    outcome = await runFleet(hosts, { ...runOptions, store, signal: stop.signal });
    await captures?.flush();
    const paths = await publisher.publish(outcome.report);
    if (view) {
      view.setReportPaths(paths);
      await view.waitForQuit();
      quit.abort(new Error('the operator quit'));
      await Promise.all(reaudits);
      await view.finish();
    } else if (publisher.last.writeError === null) {
      logStream.write(`reports: ${paths.join(', ')}\n`);
    }
  } finally {
    for (const name of STOP_SIGNALS) process.off(name, onSignal);
    await connector.close();
    await captures?.flush(); // re-audits may still be saving: their warnings belong before the count below
    captures?.dispose();
    captureWarnings.finish();
  }
  const { report, evaluation, writeError } = publisher.last;
  if (report === null) throw new Error('no report was built');
  return { report, evaluation, writeError };
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Where the run keeps finished hosts: a spill file in the reports folder, so memory does not grow with the
 * fleet (io/hostSpill.ts); in memory, with a warning, when that folder cannot be written (the reports will
 * then fail to be written too, and say so).
 */
function hostStore(dir: string, warn: (line: string) => void): { store: HostStore; spilled: boolean } {
  try {
    return { store: createHostSpill(dir, warn), spilled: true };
  } catch (error) {
    warn(`cannot keep host reports on disk in ${dir} (${messageOf(error)}); keeping them in memory`);
    return { store: createMemoryHostStore(), spilled: false };
  }
}

/** At most SHOWN_CAPTURE_WARNINGS captures that could not be saved are told one by one; the rest are counted at the end. */
const SHOWN_CAPTURE_WARNINGS = 3;

function createCaptureWarnings(print: (line: string) => void) {
  let count = 0;
  return {
    warn(message: string) {
      count += 1;
      if (count <= SHOWN_CAPTURE_WARNINGS) print(message);
    },
    finish() {
      if (count > SHOWN_CAPTURE_WARNINGS) print(`${count - SHOWN_CAPTURE_WARNINGS} more probe captures could not be saved`);
    },
  };
}

/**
 * First Ctrl-C (or SIGTERM, SIGHUP): stop new connections, close open ones, still write the report. Second: leave now.
 * @param written whether the reports are already on disk (the second signal then loses only the re-audits)
 */
function requestStop(stop: AbortController, written: boolean): void {
  if (stop.signal.aborted) {
    process.stderr.write(written ? 'kvm-netaudit: left at once; the reports were already written\n' : 'kvm-netaudit: stopped without a report\n');
    process.exit(130);
  }
  stop.abort(new Error('stopped by the user'));
}
