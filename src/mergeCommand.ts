/**
 * `kvm-netaudit merge SHARD.json…`: shard reports (`audit --shard K/N`) put back together as one fleet's report
 * (docs/cli.md, "Fleets too big for one machine"). Loaded by cli.ts only when it runs.
 */
import type { MergeOptions } from './cliArgs.js';
import { InputError } from './errors.js';
import { exitCodeOf, reportNotWritten } from './auditExit.js';
import { loadPolicy } from './io/policyFiles.js';
import { readBaseline } from './io/baseline.js';
import { readReport } from './io/reportFiles.js';
import { createReportPublisher } from './publisher.js';
import { evaluateMergedHosts, mergeShardReports, MergeError, type ShardReportFile } from './report/merge.js';
import type { Compliance } from './session.js';

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
  const baseline = options.baseline === null ? null : await readBaseline(options.baseline);
  if (!policy && merged.report.hosts.some((h) => h.findings.length > 0)) {
    process.stderr.write(
      'kvm-netaudit: warning: the shard reports carry policy findings: report.json keeps them, but the compliance section, ' +
        'junit.xml and --fail-on need merge --policy (the policy the shards were audited with)\n',
    );
  }
  const compliance: Compliance = { policy, baseline, now: new Date() };
  const publisher = createReportPublisher(options, compliance, (host) => evaluations!.get(host.name)!);
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
  return exitCodeOf(report, publisher.last.evaluation, options.failOn);
}
