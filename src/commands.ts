/**
 * The commands that audit (audit: an inventory, hosts named on the command line, or this machine; demo), show the
 * probe, and compare reports (diff). Loaded by cli.ts only when one of them runs.
 */
import path from 'node:path';
import type { Connector, HostConfig, Inventory } from './model.js';
import { UsageError, type AuditOptions } from './cliArgs.js';
import { exitCodeOf, reportNotWritten } from './auditExit.js';
import { EXIT } from './exitCodes.js';
import { adHocInventory, localContext, localInventory, selectHosts } from './inventory/index.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from './defaults.js';
import { createSshConfigResolver } from './sshconfig/resolver.js';
import { createFleetConnector } from './transport/fleetConnector.js';
import { renderSettingRows } from './sshconfig/describe.js';
import { hostSettingRows } from './sshSettingsCommand.js';
import { sanitizeForTerminal } from './ui/sanitize.js';
import { loadInventory } from './io/inventoryFile.js';
import { createSshConnector } from './transport/ssh.js';
import { createReplayConnector } from './transport/replay.js';
import { createLocalConnector } from './transport/local.js';
import { loadSosReports, type SosReports } from './sos/read.js';
import { buildProbeScript } from './probe/script.js';
import { startDemoFleet } from './demo/fleet.js';
import { prepareCompliance, runAuditSession, type Compliance } from './session.js';
import { DEFAULT_REPORTS_DIR, readReport, timestamp } from './io/reportFiles.js';
import { countChanges, diffReports, renderDiffJson, renderDiffMarkdown } from './report/index.js';
import { headlinesOf } from './report/headline.js';
import { selectionDigest, shardHosts, type Shard } from './inventory/shard.js';
import type { ShardRecord } from './report/schema.js';

/** `diff --exit-code`: 1 when the reports differ, as `git diff --exit-code`. */
const DIFF_CHANGED = 1;

export async function showProbe(inventoryFile: string | null, hostName: string | null): Promise<number> {
  let target = { libvirtUri: 'qemu:///system', sudo: false };
  let connection = '';
  if (inventoryFile !== null) {
    const inventory = loadInventory(inventoryFile);
    const host = hostName === null ? inventory.hosts[0] : inventory.hosts.find((h) => h.name === hostName);
    if (!host) throw new UsageError(`${inventoryFile}: no host named "${hostName}"`);
    target = host;
    const run = { transport: null, hostKeyPolicy: null, connectTimeoutMs: null, knownHosts: null, defaultConnectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS };
    const rows = await hostSettingRows(host, run);
    // As shell comments: the output stays a script that can be piped to `sh -s`.
    connection = renderSettingRows(rows, sanitizeForTerminal)
      .split('\n')
      .filter(Boolean)
      .map((line) => `# ${line}\n`)
      .join('');
    connection = `# How ${sanitizeForTerminal(host.name)} is connected to (kvm-netaudit ssh-settings):\n${connection}`;
  }
  process.stdout.write(connection);
  process.stdout.write(
    '# The nonce (N=…) is random on every run; everything else is exactly what is sent, on stdin of `sh -s`.\n',
  );
  process.stdout.write(buildProbeScript(target));
  return EXIT.ok;
}

/**
 * `audit`: the hosts of the inventory (`-i`), those named on the command line (`audit HOST…`, `-H`), or this machine
 * (`--local`, through `sh -s` here). The same runner, reports and exit codes for all three; the report's `inventory`
 * says which it was: the file, `(ad-hoc: hv1, hv2, …)` or `(local: NAME)`.
 */
export async function auditInventory(options: AuditOptions): Promise<number> {
  // --from-sos: each sosreport is a host, answered from what sos collected (sos/read.ts).
  const sos: SosReports | null = options.fromSos ? await loadSosReports(options.fromSos) : null;
  const inventory = sos?.inventory ?? auditedInventory(options);
  const hosts = selectHosts(inventory.hosts, options.limit);
  const label = inventory.file;
  const compliance = await prepareCompliance(options, inventory.groups);
  const { report, evaluation, writeError } = await auditSelected(hosts, label, sos?.connector ?? auditConnector(options), options, compliance);
  if (writeError !== null) return reportNotWritten(writeError);
  return exitCodeOf(report, evaluation, options.failOn);
}

/** What `audit` audits; cliArgs.ts has checked that exactly one of `-i`, hosts and `--local` is given. */
function auditedInventory(options: AuditOptions): Inventory {
  const settings = { libvirtUri: options.libvirtUri, sudo: options.sudo };
  if (options.local) return localInventory(settings);
  if (options.inventory !== null) return loadInventory(options.inventory);
  if (options.hosts.length > 0) return adHocInventory(options.hosts, settings);
  throw new UsageError('nothing to audit: give -i inventory.yaml, hosts, or --local');
}

/** Saved captures, this machine, or SSH (each host through its transport and ssh_config). */
function auditConnector(options: AuditOptions): Connector {
  if (options.replay) return createReplayConnector(options.replay);
  if (options.local) return createLocalConnector();
  return createFleetConnector({
    transport: options.transport,
    hostKeyPolicy: options.hostKeyPolicy,
    connectTimeoutMs: options.connectTimeoutMs,
    defaultConnectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    knownHostsOverride: options.knownHosts,
    resolver: createSshConfigResolver(localContext()),
    warn: (message) => console.error(`kvm-netaudit: warning: ${message}`), // console: Ink prints it above the live table
  });
}

/** How the demo's reports name their inventory. */
const DEMO_LABEL = '(embedded demo fleet)';

/** Audit the selected hosts, or with `--shard K/N` those of slice K, the slice recorded in the report (`run.shard`). */
async function auditSelected(
  selected: HostConfig[],
  label: string,
  connector: Parameters<typeof runAuditSession>[2],
  options: AuditOptions,
  compliance: Compliance,
): ReturnType<typeof runAuditSession> {
  if (options.shard === null) return runAuditSession(selected, label, connector, options, compliance);
  const { index, count } = options.shard;
  const { hosts, positions } = shardHosts(selected, options.shard);
  process.stderr.write(`kvm-netaudit: shard ${index}/${count}: ${hosts.length} of the ${selected.length} selected hosts\n`);
  const shard: ShardRecord = { index, count, selectedHosts: selected.length, selection: selectionDigest(selected.map((h) => h.name)), positions };
  return runAuditSession(hosts, label, connector, { ...options, out: options.out ?? shardOutDir(options.shard) }, compliance, shard);
}

/**
 * A shard's folder when `--out` is not given: `reports/shards/YYYYMMDD-HHMMSS-K-of-N/`, two levels down, so that
 * `--baseline latest` (which looks one level down) never takes one slice of the fleet for the whole of it.
 */
function shardOutDir(shard: Shard): string {
  return path.join(DEFAULT_REPORTS_DIR, 'shards', `${timestamp(new Date())}-${shard.index}-of-${shard.count}`);
}

export async function auditDemo(options: AuditOptions, hostCount: number): Promise<number> {
  const fleet = await startDemoFleet({ hosts: hostCount });
  try {
    const hosts = selectHosts(fleet.hosts, options.limit);
    const compliance = await prepareCompliance(options, [...new Set(fleet.hosts.flatMap((h) => h.groups))]);
    const connector = createSshConnector({
      hostKeyPolicy: 'strict',
      knownHostsOverride: fleet.knownHostsFile,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      warn: (message) => console.error(`kvm-netaudit: warning: ${message}`), // console: Ink prints it above the live table
    });
    const { report, evaluation, writeError } = await auditSelected(hosts, DEMO_LABEL, connector, options, compliance);
    if (writeError !== null) return reportNotWritten(writeError);
    // The demo's two broken hosts are part of the show: failing as designed is not a failed demo.
    const asDesigned = new Set<string>();
    for (const h of headlinesOf(report.hosts)) {
      if (h.status === 'failed' && h.error && fleet.expectedFailures.get(h.name) === h.error.kind) asDesigned.add(h.name);
    }
    return exitCodeOf(report, evaluation, options.failOn, asDesigned);
  } finally {
    await fleet.close();
  }
}

/** `kvm-netaudit diff OLD NEW`: what changed, as Markdown (or JSON) on stdout; with --exit-code, 1 when anything did. */
export async function diffCommand(oldFile: string, newFile: string, json: boolean, exitCode: boolean): Promise<number> {
  const diff = diffReports(await readReport(oldFile), await readReport(newFile));
  process.stdout.write(json ? renderDiffJson(diff) : renderDiffMarkdown(diff));
  return exitCode && countChanges(diff) > 0 ? DIFF_CHANGED : EXIT.ok;
}

