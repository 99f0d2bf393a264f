/**
 * The composition root: parses the command line, picks the transport and the renderer, runs the
 * audit and owns the single place where the exit code is decided (DESIGN §7).
 */
import path from 'node:path';
import type { Connector, FleetReport, HostConfig, HostReport, Severity } from './model.js';
import { parseCommandLine, USAGE, UsageError, type AuditOptions, type Command } from './cliArgs.js';
import { InventoryError, loadInventory, selectHosts } from './inventory/index.js';
import { runFleet, type FleetOutcome, type RunFleetOptions } from './runner/runFleet.js';
import { createEventHub } from './runner/events.js';
import { createSshConnector } from './transport/ssh.js';
import { createReplayConnector } from './transport/replay.js';
import { createCaptureDirectory } from './io/captureDirectory.js';
import { buildProbeScript } from './probe/script.js';
import { buildFleetReport } from './report/build.js';
import { writeJsonTo, writeReports } from './report/write.js';
import { startLiveView } from './ui/liveView.js';
import { createLineLog } from './ui/lineLog.js';
import { startDemoFleet } from './demo/fleet.js';
import { toolVersion } from './version.js';
import { evaluatePolicy, failuresAtLeast, loadPolicy, PolicyError, type Policy, type PolicyEvaluation } from './policy/index.js';
import { diffReports, readReport, renderDiffJson, renderDiffMarkdown, ReportReadError } from './diff/index.js';
import { renderMarkdown } from './report/markdown.js';
import { renderJunit } from './report/junit.js';

export const EXIT = { ok: 0, findings: 1, hostsFailed: 2, usage: 64, internal: 70 } as const;

export async function main(argv: string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommandLine(argv, process.env, Boolean(process.stdout.isTTY));
  } catch (err) {
    return usageFailure(err);
  }
  try {
    switch (command.name) {
      case 'help':
        process.stdout.write(USAGE);
        return EXIT.ok;
      case 'version':
        process.stdout.write(`kvm-netaudit ${toolVersion()}\n`);
        return EXIT.ok;
      case 'show-probe':
        return await showProbe(command.inventory, command.host);
      case 'audit':
        return await auditInventory(command.options);
      case 'demo':
        return await auditDemo(command.options, command.hosts);
      case 'diff':
        return await diffCommand(command.oldReport, command.newReport, command.json);
    }
  } catch (err) {
    return usageFailure(err);
  }
}

function usageFailure(err: unknown): number {
  if (err instanceof UsageError || err instanceof InventoryError || err instanceof PolicyError || err instanceof ReportReadError) {
    process.stderr.write(`kvm-netaudit: ${err.message}\n`);
    if (err instanceof UsageError) process.stderr.write('Try kvm-netaudit --help\n');
    return EXIT.usage;
  }
  process.stderr.write(`kvm-netaudit: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT.internal;
}

async function showProbe(inventoryFile: string | null, hostName: string | null): Promise<number> {
  let target = { libvirtUri: 'qemu:///system', sudo: false };
  if (inventoryFile !== null) {
    const inventory = loadInventory(inventoryFile);
    const host = hostName === null ? inventory.hosts[0] : inventory.hosts.find((h) => h.name === hostName);
    if (!host) throw new UsageError(`${inventoryFile}: no host named "${hostName}"`);
    target = host;
  }
  process.stdout.write(
    '# The nonce (N=…) is random on every run; everything else is exactly what is sent, on stdin of `sh -s`.\n',
  );
  process.stdout.write(buildProbeScript(target));
  return EXIT.ok;
}

async function auditInventory(options: AuditOptions): Promise<number> {
  if (options.inventory === null) throw new UsageError('--replay needs --inventory too (the hosts to replay)');
  const inventory = loadInventory(options.inventory);
  const hosts = selectHosts(inventory.hosts, options.limit);
  const label = options.inventory;
  const compliance = await prepareCompliance(options, inventory.groups);
  const connector = options.replay
    ? createReplayConnector(options.replay)
    : createSshConnector({
        hostKeyPolicy: options.hostKeyPolicy,
        knownHostsOverride: options.knownHosts ?? undefined,
        connectTimeoutMs: options.connectTimeoutMs,
        warn: (message) => console.error(`kvm-netaudit: warning: ${message}`), // console: Ink prints it above the live table
      });
  return audit(hosts, label, connector, options, compliance);
}

async function auditDemo(options: AuditOptions, hostCount: number): Promise<number> {
  const fleet = await startDemoFleet({ hosts: hostCount });
  try {
    const hosts = selectHosts(fleet.hosts, options.limit);
    const compliance = await prepareCompliance(options, [...new Set(fleet.hosts.flatMap((h) => h.groups))]);
    const connector = createSshConnector({
      hostKeyPolicy: 'strict',
      knownHostsOverride: fleet.knownHostsFile,
      connectTimeoutMs: options.connectTimeoutMs,
      warn: (message) => console.error(`kvm-netaudit: warning: ${message}`), // console: Ink prints it above the live table
    });
    return await audit(hosts, '(embedded demo fleet)', connector, options, compliance);
  } finally {
    await fleet.close();
  }
}

/** What the run checks besides the audit itself: a policy, and a previous report to compare with. */
interface Compliance {
  policy: Policy | null;
  baseline: FleetReport | null;
  now: Date;
}

/**
 * Load the policy and the baseline report before any connection, so a bad file costs nothing (exit 64).
 * @param knownGroups the inventory's groups: a policy naming another group has a typo
 */
async function prepareCompliance(options: AuditOptions, knownGroups: readonly string[]): Promise<Compliance> {
  return {
    policy: options.policies.length > 0 ? loadPolicy(options.policies, { knownGroups }) : null,
    baseline: options.baseline !== null ? await readReport(options.baseline) : null,
    now: new Date(),
  };
}

/**
 * Run the audit with the chosen connector and renderer; write the reports; decide the exit code. With the live
 * table, the session stays open after the run (browsing, re-audits) until the operator quits; the reports are
 * rewritten after each re-audit.
 */
async function audit(
  hosts: HostConfig[],
  label: string,
  connector: Connector,
  options: AuditOptions,
  compliance: Compliance,
): Promise<number> {
  const { policy, now } = compliance;
  const hub = createEventHub();
  const stop = new AbortController();
  const quit = new AbortController();
  const logStream = options.json === '-' ? process.stderr : process.stdout;
  const captures = options.saveCaptures !== null || options.tui ? createCaptureDirectory(options.saveCaptures) : null;
  const runOptions: Omit<RunFleetOptions, 'signal'> = {
    connector,
    concurrency: options.concurrency,
    timeoutMs: options.timeoutMs,
    maxBytes: options.maxBytes,
    onEvent: hub.emit,
    onCapture: captures ? (host, capture) => captures.save(host, capture) : undefined,
    evaluate: policy ? (host) => evaluatePolicy(policy, [host], { now }).findings.get(host.name) ?? [] : undefined,
  };

  let latest: HostReport[] = [];
  let outcome: FleetOutcome | null = null;
  let reportDir: string | undefined = options.out ?? undefined;
  let report: FleetReport | null = null;
  let evaluation: PolicyEvaluation | null = null;
  const reaudits: Promise<void>[] = [];
  /** Rebuild the report from the latest outcomes and (re)write every file of it. */
  const publish = async (): Promise<string[]> => {
    report = buildFleetReport({
      hosts: latest,
      startedAt: outcome!.startedAt,
      finishedAt: new Date(),
      inventory: label,
      concurrency: options.concurrency,
      complete: outcome!.complete,
      version: toolVersion(),
    });
    hub.emit({ type: 'run-finished', at: Date.now(), report });
    evaluation = policy ? evaluatePolicy(policy, report.hosts, { now }) : null;
    const written = await writeAllReports(report, evaluation, options, compliance, reportDir);
    reportDir = written.dir;
    if (options.json !== null) await writeJsonTo(options.json, report, process.stdout);
    return written.files.map((f) => path.relative(process.cwd(), f) || f);
  };
  const reaudit = (names: string[]) => {
    const selected = latest.length > 0 ? hosts.filter((h) => names.includes(h.name)) : [];
    if (selected.length === 0 || quit.signal.aborted) return;
    const done = runFleet(selected, { ...runOptions, signal: quit.signal }).then(async (again) => {
      const byName = new Map(again.hosts.map((h) => [h.name, h]));
      latest = latest.map((h) => byName.get(h.name) ?? h);
      if (!quit.signal.aborted) view?.setReportPaths(await publish());
    });
    reaudits.push(done.catch((err: unknown) => console.error(`kvm-netaudit: re-audit failed: ${String(err)}`)));
  };

  const view = options.tui
    ? startLiveView({
        subscribe: hub.subscribe,
        inventory: label,
        onInterrupt: () => requestStop(stop),
        onReaudit: reaudit,
        captureOf: (name) => captures?.get(name),
      })
    : null;
  if (!view) hub.subscribe(createLineLog((line) => logStream.write(`${line}\n`)));
  const onSigint = () => requestStop(stop);
  process.on('SIGINT', onSigint);

  try {
    outcome = await runFleet(hosts, { ...runOptions, signal: stop.signal });
    latest = outcome.hosts;
    await captures?.flush();
    const paths = await publish();
    if (view) {
      view.setReportPaths(paths);
      await view.waitForQuit();
      quit.abort(new Error('the operator quit'));
      await Promise.all(reaudits);
      await view.finish();
    } else {
      logStream.write(`reports: ${paths.join(', ')}\n`);
    }
  } finally {
    process.off('SIGINT', onSigint);
    await connector.close();
    captures?.dispose();
  }
  const final = report as FleetReport | null;
  if (final === null) throw new Error('no report was built');
  return exitCodeOf(final, evaluation, options.failOn);
}

/** report.json, report.md (with compliance and drift) and junit.xml, as `--format` asks; into `dir` once it exists. */
async function writeAllReports(
  report: FleetReport,
  evaluation: PolicyEvaluation | null,
  options: AuditOptions,
  compliance: Compliance,
  dir: string | undefined,
) {
  const { policy } = compliance;
  const drift = compliance.baseline ? diffReports(compliance.baseline, report) : null;
  return writeReports(report, {
    outDir: dir,
    formats: options.formats,
    renderers: {
      md: (r) => renderMarkdown(r, { compliance: evaluation && policy ? { evaluation, sources: policy.sources } : null, drift }),
      junit: (r) => renderJunit(r, evaluation),
    },
  });
}

/** DESIGN §7: 2 when any host could not be audited (wins over 1); 1 for failing findings at or above --fail-on. */
export function exitCodeOf(report: FleetReport, evaluation: PolicyEvaluation | null, failOn: Severity | null): number {
  if (report.hosts.some((h) => h.status === 'failed')) return EXIT.hostsFailed;
  if (evaluation && failOn && failuresAtLeast(evaluation, failOn).length > 0) return EXIT.findings;
  return EXIT.ok;
}

/** `kvm-netaudit diff OLD NEW`: what changed, as Markdown (or JSON) on stdout. */
async function diffCommand(oldFile: string, newFile: string, json: boolean): Promise<number> {
  const diff = diffReports(await readReport(oldFile), await readReport(newFile));
  process.stdout.write(json ? renderDiffJson(diff) : renderDiffMarkdown(diff));
  return EXIT.ok;
}

/** First Ctrl-C: stop new connections, close open ones, still write the report. Second: leave now. */
function requestStop(stop: AbortController): void {
  if (stop.signal.aborted) {
    process.stderr.write('kvm-netaudit: stopped without a report\n');
    process.exit(130);
  }
  stop.abort(new Error('stopped by the user'));
}
