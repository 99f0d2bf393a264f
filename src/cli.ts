/**
 * The composition root: parses the command line, picks the transport and the renderer, runs the
 * audit and owns the single place where the exit code is decided (DESIGN §7).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Connector, FleetReport, HostConfig, RawCapture } from './model.js';
import { parseCommandLine, USAGE, UsageError, type AuditOptions, type Command } from './cliArgs.js';
import { InventoryError, loadInventory, selectHosts } from './inventory/index.js';
import { runFleet } from './runner/runFleet.js';
import { createEventHub } from './runner/events.js';
import { createSshConnector } from './transport/ssh.js';
import { captureFileName, createReplayConnector } from './transport/replay.js';
import { buildProbeScript } from './probe/script.js';
import { buildFleetReport } from './report/build.js';
import { writeJsonTo, writeReports } from './report/write.js';
import { startLiveView } from './ui/liveView.js';
import { createLineLog } from './ui/lineLog.js';
import { startDemoFleet } from './demo/fleet.js';
import { toolVersion } from './version.js';

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
    }
  } catch (err) {
    return usageFailure(err);
  }
}

function usageFailure(err: unknown): number {
  if (err instanceof UsageError || err instanceof InventoryError) {
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
  let hosts: HostConfig[];
  let label: string;
  if (options.inventory !== null) {
    const inventory = loadInventory(options.inventory);
    hosts = selectHosts(inventory.hosts, options.limit);
    label = options.inventory;
  } else {
    throw new UsageError('--replay needs --inventory too (the hosts to replay)');
  }
  const connector = options.replay
    ? createReplayConnector(options.replay)
    : createSshConnector({
        hostKeyPolicy: options.hostKeyPolicy,
        knownHostsOverride: options.knownHosts ?? undefined,
        connectTimeoutMs: options.connectTimeoutMs,
        warn: (message) => console.error(`kvm-netaudit: warning: ${message}`), // console: Ink prints it above the live table
      });
  return audit(hosts, label, connector, options);
}

async function auditDemo(options: AuditOptions, hostCount: number): Promise<number> {
  const fleet = await startDemoFleet({ hosts: hostCount });
  try {
    const hosts = selectHosts(fleet.hosts, options.limit);
    const connector = createSshConnector({
      hostKeyPolicy: 'strict',
      knownHostsOverride: fleet.knownHostsFile,
      connectTimeoutMs: options.connectTimeoutMs,
      warn: (message) => console.error(`kvm-netaudit: warning: ${message}`), // console: Ink prints it above the live table
    });
    return await audit(hosts, '(embedded demo fleet)', connector, options);
  } finally {
    await fleet.close();
  }
}

/** Run the audit with the chosen connector and renderer; write the reports; decide the exit code. */
async function audit(hosts: HostConfig[], label: string, connector: Connector, options: AuditOptions): Promise<number> {
  const hub = createEventHub();
  const stop = new AbortController();
  const logStream = options.json === '-' ? process.stderr : process.stdout;
  const view = options.tui
    ? startLiveView({ subscribe: hub.subscribe, inventory: label, onInterrupt: () => requestStop(stop) })
    : null;
  if (!view) hub.subscribe(createLineLog((line) => logStream.write(`${line}\n`)));
  const onSigint = () => requestStop(stop);
  process.on('SIGINT', onSigint);

  const saver = options.saveCaptures ? captureSaver(options.saveCaptures) : null;
  let report: FleetReport;
  try {
    const outcome = await runFleet(hosts, {
      connector,
      concurrency: options.concurrency,
      timeoutMs: options.timeoutMs,
      maxBytes: options.maxBytes,
      signal: stop.signal,
      onEvent: hub.emit,
      onCapture: saver?.save,
    });
    await saver?.flush();
    report = buildFleetReport({
      hosts: outcome.hosts,
      startedAt: outcome.startedAt,
      finishedAt: outcome.finishedAt,
      inventory: label,
      concurrency: options.concurrency,
      complete: outcome.complete,
      version: toolVersion(),
    });
  } finally {
    process.off('SIGINT', onSigint);
    await connector.close();
  }
  hub.emit({ type: 'run-finished', at: Date.now(), report });

  const written = await writeReports(report, { outDir: options.out ?? undefined, formats: options.formats });
  if (options.json !== null) await writeJsonTo(options.json, report, process.stdout);
  const paths = written.files.map((f) => path.relative(process.cwd(), f) || f);
  if (view) {
    view.setReportPaths(paths);
    await view.finish();
  } else {
    logStream.write(`reports: ${paths.join(', ')}\n`);
  }
  return exitCodeOf(report);
}

/** DESIGN §7: 2 when any host could not be audited (wins over 1), else 0. */
export function exitCodeOf(report: FleetReport): number {
  return report.hosts.some((h) => h.status === 'failed') ? EXIT.hostsFailed : EXIT.ok;
}

/** First Ctrl-C: stop new connections, close open ones, still write the report. Second: leave now. */
function requestStop(stop: AbortController): void {
  if (stop.signal.aborted) {
    process.stderr.write('kvm-netaudit: stopped without a report\n');
    process.exit(130);
  }
  stop.abort(new Error('stopped by the user'));
}

/** `--save-captures DIR`: one JSON file per host, replayable with `--replay DIR`. */
function captureSaver(dir: string) {
  const writes: Promise<void>[] = [];
  let ready: Promise<unknown> | null = null;
  return {
    save(host: HostConfig, capture: RawCapture): void {
      ready ??= mkdir(dir, { recursive: true });
      const file = path.join(dir, captureFileName(host.name));
      writes.push(ready.then(() => writeFile(file, `${JSON.stringify(capture)}\n`, { mode: 0o600 })));
    },
    flush: () => Promise.all(writes),
  };
}
