/**
 * `kvm-netaudit merge SHARD.json…`: shard reports (`audit --shard K/N`) put back together as one fleet's report
 * (docs/cli.md, "Fleets too big for one machine"). Loaded by cli.ts only when it runs.
 */
import type { AuditOptions, MergeOptions } from './cliArgs.js';
import { BASELINE_LATEST, UsageError } from './cliArgs.js';
import { InputError } from './errors.js';
import { EXIT } from './exitCodes.js';
import { exitCodeOf, reportNotWritten } from './commands.js';
import { loadPolicy } from './io/policyFiles.js';
import { latestReport } from './io/latestReport.js';
import { DEFAULT_REPORTS_DIR, readReport } from './io/reportFiles.js';
import { createReportPublisher } from './publisher.js';
import { evaluateMergedHosts, mergeShardReports, MergeError, type ShardReportFile } from './report/merge.js';
import { DEFAULT_CONCURRENCY, DEFAULT_MAX_BYTES, DEFAULT_MAX_TOTAL_BYTES, DEFAULT_TIMEOUT_MS } from './runner/runFleet.js';
import type { Compliance } from './session.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from './transport/ssh.js';

/**
 * `kvm-netaudit merge SHARD.json…`: the shards' reports as one, written by the publisher an audit uses (report.json,
 * report.md with its compliance and drift sections, junit.xml, --json) and judged by audit's exit codes; a missing
 * or stopped shard exits 2, as a run that could not audit every host does.
 */
export async function mergeCommand(options: MergeOptions): Promise<number> {
  const files: ShardReportFile[] = [];
  const unreadable: string[] = [];
  for (const file of options.reports) {
    try {
      files.push({ file, report: readReport(file) });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      unreadable.push(...error.messages);
    }
  }
  if (unreadable.length > 0) throw new MergeError(unreadable);
  const merged = mergeShardReports(files);
  for (const warning of merged.warnings) process.stderr.write(`kvm-netaudit: warning: ${warning}\n`);
  for (const gap of merged.gaps) process.stderr.write(`kvm-netaudit: incomplete: ${gap}\n`);

  // Read before anything is written, as an audit reads them before connecting.
  const policy = options.policies.length > 0 ? loadPolicy(options.policies) : null;
  const evaluations = policy ? evaluateMergedHosts(policy, merged) : null;
  const baseline = options.baseline === null ? null : readReport(await mergeBaselineFile(options.baseline));
  if (!policy && merged.report.hosts.some((h) => h.findings.length > 0)) {
    process.stderr.write(
      'kvm-netaudit: warning: the shard reports carry policy findings: report.json keeps them, but the compliance section, ' +
        'junit.xml and --fail-on need merge --policy (the policy the shards were audited with)\n',
    );
  }
  const compliance: Compliance = { policy, baseline, now: new Date() };
  const publisher = createReportPublisher(publishOptions(options), compliance, (host) => evaluations!.get(host.name)!);
  const paths = await publisher.publish(merged.report);
  if (publisher.last.writeError !== null) return reportNotWritten(publisher.last.writeError);

  const { report } = merged;
  const { summary } = report;
  const record = report.run.merge!;
  const log = options.json === '-' ? process.stderr : process.stdout;
  log.write(
    `merged ${record.shards.length} of ${record.shardCount} shards: ${summary.hosts} ${summary.hosts === 1 ? 'host' : 'hosts'}, ok ${summary.ok}, partial ${summary.partial}, ` +
      `failed ${summary.failed}${report.run.complete ? '' : ' (INCOMPLETE)'}\nreports: ${paths.join(', ')}\n`,
  );
  if (!report.run.complete) return EXIT.hostsFailed;
  return exitCodeOf(report, publisher.last.evaluation, options.failOn);
}

/**
 * merge `--baseline`: a file, or for `latest` the newest report under reports/, which must be a whole fleet's: one
 * shard's report as the baseline would call every host of the other shards added.
 */
async function mergeBaselineFile(baseline: string): Promise<string> {
  if (baseline !== BASELINE_LATEST) return baseline;
  const newest = await latestReport(DEFAULT_REPORTS_DIR);
  if (newest === null) throw new UsageError(`--baseline latest: no earlier report.json under ${DEFAULT_REPORTS_DIR}/`);
  if (readReport(newest).run.shard) {
    throw new UsageError(`--baseline latest: the newest report under ${DEFAULT_REPORTS_DIR}/ is one shard's (${newest}): give --baseline FILE`);
  }
  return newest;
}

/** The publisher takes an audit's options and reads where and what to write from them; the rest are audit's defaults. */
function publishOptions(options: MergeOptions): AuditOptions {
  return {
    inventory: null,
    limit: [],
    concurrency: DEFAULT_CONCURRENCY,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    maxBytes: DEFAULT_MAX_BYTES,
    maxTotalBytes: DEFAULT_MAX_TOTAL_BYTES,
    out: options.out,
    formats: options.formats,
    json: options.json,
    tui: false,
    knownHosts: null,
    hostKeyPolicy: 'strict',
    saveCaptures: null,
    replay: null,
    policies: options.policies,
    failOn: options.failOn,
    baseline: options.baseline,
    shard: null,
  };
}
