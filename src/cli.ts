/**
 * The composition root: parses the command line, picks the transport and the renderer, runs the
 * audit and owns the single place where the exit code is decided (docs/cli.md).
 */
import type { FleetReport, Severity } from './model.js';
import { COMMAND_USAGE, parseCommandLine, USAGE, UsageError, type AuditOptions, type Command } from './cliArgs.js';
import { selectHosts } from './inventory/index.js';
import { loadInventory } from './io/inventoryFile.js';
import { InputError } from './errors.js';
import { createSshConnector } from './transport/ssh.js';
import { createReplayConnector } from './transport/replay.js';
import { buildProbeScript } from './probe/script.js';
import { startDemoFleet } from './demo/fleet.js';
import { toolVersion } from './version.js';
import { prepareCompliance, runAuditSession } from './session.js';
import { failuresAtLeast, type PolicyEvaluation } from './policy/index.js';
import { readReport } from './io/reportFiles.js';
import { countChanges, diffReports, renderDiffJson, renderDiffMarkdown } from './report/index.js';

/** sysexits.h numbers where one fits: 64 EX_USAGE, 70 EX_SOFTWARE, 73 EX_CANTCREAT. */
export const EXIT = { ok: 0, findings: 1, hostsFailed: 2, usage: 64, internal: 70, reportNotWritten: 73 } as const;
/** `diff --exit-code`: 1 when the reports differ, as `git diff --exit-code`. */
const DIFF_CHANGED = 1;

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
        process.stdout.write(command.topic === null ? USAGE : COMMAND_USAGE[command.topic]);
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
        return await diffCommand(command.oldReport, command.newReport, command.json, command.exitCode);
    }
  } catch (err) {
    return usageFailure(err);
  }
}

function usageFailure(err: unknown): number {
  if (err instanceof InputError) {
    for (const message of err.messages) process.stderr.write(`kvm-netaudit: ${message}\n`);
    if (err.kind === 'usage') process.stderr.write('Try kvm-netaudit --help\n');
    return err.exitCode;
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
  const { report, evaluation, writeError } = await runAuditSession(hosts, label, connector, options, compliance);
  if (writeError !== null) return reportNotWritten(writeError);
  return exitCodeOf(report, evaluation, options.failOn);
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
    const { report, evaluation, writeError } = await runAuditSession(hosts, '(embedded demo fleet)', connector, options, compliance);
    if (writeError !== null) return reportNotWritten(writeError);
    // The demo's two broken hosts are part of the show: failing as designed is not a failed demo.
    const asDesigned = new Set(
      report.hosts.filter((h) => h.status === 'failed' && h.error && fleet.expectedFailures.get(h.name) === h.error.kind).map((h) => h.name),
    );
    return exitCodeOf(report, evaluation, options.failOn, asDesigned);
  } finally {
    await fleet.close();
  }
}

/** The audit ran and its summary was shown, but no report file holds it: that outranks every other outcome. */
function reportNotWritten(why: string): number {
  process.stderr.write(`kvm-netaudit: ${why}\n`);
  return EXIT.reportNotWritten;
}

/**
 * docs/cli.md, exit codes: 2 when any host could not be audited (wins over 1); 1 for failing findings at or above --fail-on.
 * @param excused hosts whose failure is expected (the demo's broken hosts): they count neither way
 */
export function exitCodeOf(
  report: FleetReport,
  evaluation: PolicyEvaluation | null,
  failOn: Severity | null,
  excused: ReadonlySet<string> = new Set(),
): number {
  if (report.hosts.some((h) => h.status === 'failed' && !excused.has(h.name))) return EXIT.hostsFailed;
  if (evaluation && failOn && failuresAtLeast(evaluation, failOn).some((f) => !excused.has(f.host))) return EXIT.findings;
  return EXIT.ok;
}

/** `kvm-netaudit diff OLD NEW`: what changed, as Markdown (or JSON) on stdout; with --exit-code, 1 when anything did. */
async function diffCommand(oldFile: string, newFile: string, json: boolean, exitCode: boolean): Promise<number> {
  const diff = diffReports(await readReport(oldFile), await readReport(newFile));
  process.stdout.write(json ? renderDiffJson(diff) : renderDiffMarkdown(diff));
  return exitCode && countChanges(diff) > 0 ? DIFF_CHANGED : EXIT.ok;
}
