/**
 * `kvm-netaudit merge`: the reports of `--shard K/N` runs combined into the report one run over the whole fleet
 * would have written (docs/cli.md, "merge"). Pure: the CLI reads the files and writes the result.
 *
 * What it checks, and why each is an error or not:
 * - every report is a shard report (`run.shard`): an un-sharded report cannot say what it is part of;
 * - one kvm-netaudit version: the slices, the classifier and the report may differ between versions, and a report
 *   no single run could have written is worse than a clear refusal;
 * - one N, and one selection of hosts (`run.shard.selection`: another inventory, `--limit` or host order cuts
 *   different slices, so their union would be neither fleet);
 * - each host where its name hashes, each slice once, each host once (naming the host and both files);
 * - a complete set adds up to the hosts it was cut from.
 * A different inventory path with the same selection is only a warning: the same file is mounted at different
 * paths on different machines. A missing slice, or a slice whose run was stopped, makes the result incomplete
 * (`complete: false`, `run.merge.missing`), never an error: that is the report an interrupted run writes too.
 */
import { InputError } from '../errors.js';
import { selectionDigest, shardOf } from '../inventory/shard.js';
import type { FleetReport, HostReport } from '../model.js';
import { evaluatePolicy, type Policy, type PolicyEvaluation } from '../policy/index.js';
import { buildFleetReport } from './build.js';
import type { MergeRecord, ShardRecord } from './schema.js';

/** One shard report as read, and the file it came from (messages name it). */
export interface ShardReportFile {
  file: string;
  report: FleetReport;
}

/** Shard reports that do not belong together (exit 64), every problem at once. */
export class MergeError extends InputError {
  constructor(messages: readonly string[]) {
    super('report', messages);
    this.name = 'MergeError';
  }
}

/** What merging gave. */
export interface MergedReport {
  report: FleetReport;
  /** Worth saying, but the merge is sound: e.g. the shards name their inventory by different paths. */
  warnings: string[];
  /** Why the report is incomplete, one line each (missing shards, stopped shards); empty when it is complete. */
  gaps: string[];
  /** Each host's shard report: its file, and when its run started (the policy's `now` for that host). */
  origins: ReadonlyMap<string, { file: string; startedAt: Date }>;
}

/** Hosts named in one message before the rest are counted. */
const MAX_NAMED = 10;

/** A shard report with its slice. */
type ShardPart = ShardReportFile & { shard: ShardRecord };

/**
 * Combine shard reports. Hosts come back in inventory order (each shard records its hosts' positions in the
 * selection), so the result lists them as an un-sharded run does; startedAt is the earliest start, finishedAt the
 * latest finish, concurrency the shards' added up (at most that many hosts were audited at once).
 * @throws MergeError listing every reason the reports cannot be merged
 */
export function mergeShardReports(files: readonly ShardReportFile[]): MergedReport {
  const parts = shardParts(files);
  const first = parts[0]!;
  const warnings = checkSameFleet(parts);
  const hosts = placeHosts(parts, slicesGivenTwice(parts));
  const { count, selectedHosts, selection } = first.shard;
  const given = new Set(parts.map((p) => p.shard.index));
  const missing: number[] = [];
  for (let index = 1; index <= count; index++) if (!given.has(index)) missing.push(index);
  if (missing.length === 0 && (hosts.length !== selectedHosts || selectionDigest(hosts.map((h) => h.name)) !== selection)) {
    throw new MergeError([`the ${count} shard reports hold ${hosts.length} hosts, not the ${selectedHosts} they were cut from: not reports kvm-netaudit wrote`]);
  }
  const gaps = gapsOf(parts, missing, hosts.length);
  const { startedAt, finishedAt } = runTimes(parts);
  const report: FleetReport = buildFleetReport({
    hosts,
    startedAt,
    finishedAt,
    inventory: first.report.run.inventory,
    concurrency: parts.reduce((sum, p) => sum + p.report.run.concurrency, 0),
    complete: gaps.length === 0,
    version: first.report.tool.version,
  });
  report.run.merge = mergeRecord(parts, missing);

  const origins = new Map<string, { file: string; startedAt: Date }>();
  for (const { file, report: part } of parts) {
    const started = new Date(timeOf(part.run.startedAt)!);
    for (const host of part.hosts) origins.set(host.name, { file, startedAt: started });
  }
  return { report, warnings, gaps, origins };
}

/** The reports with their slices; refused when one is not a shard report (or is a merged one already). */
function shardParts(files: readonly ShardReportFile[]): ShardPart[] {
  if (files.length === 0) throw new MergeError(['merge needs at least one shard report']);
  const notShards = files.filter((f) => f.report.run.shard === undefined);
  if (notShards.length > 0) {
    throw new MergeError(
      notShards.map(({ file, report }) =>
        report.run.merge
          ? `${file}: a merged report already; merge the shard reports it was made from`
          : `${file}: not a shard report (no run.shard): only reports of kvm-netaudit audit --shard K/N can be merged`,
      ),
    );
  }
  const outOfRange = files.filter(({ report }) => report.run.shard!.index > report.run.shard!.count);
  if (outOfRange.length > 0) {
    throw new MergeError(outOfRange.map(({ file, report }) => `${file}: shard ${report.run.shard!.index}/${report.run.shard!.count}: K is more than N: not a report kvm-netaudit wrote`));
  }
  return files.map((file) => ({ ...file, shard: file.report.run.shard! }));
}

/**
 * One version, one N, one selection of hosts: else refused, every reason at once (what follows would only repeat
 * it host by host). @returns the warnings (the same hosts under another inventory path)
 */
function checkSameFleet(parts: readonly ShardPart[]): string[] {
  const first = parts[0]!;
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const { file, report, shard } of parts.slice(1)) {
    if (report.tool.version !== first.report.tool.version) {
      problems.push(
        `${file}: written by kvm-netaudit ${report.tool.version}, ${first.file} by ${first.report.tool.version}: merge shards audited by one version`,
      );
    }
    if (shard.count !== first.shard.count) {
      problems.push(`${file}: shard ${shard.index}/${shard.count}, but ${first.file} is shard ${first.shard.index}/${first.shard.count}: the shards of one fleet share N`);
    } else if (shard.selection !== first.shard.selection || shard.selectedHosts !== first.shard.selectedHosts) {
      problems.push(
        `${file}: cut from other hosts (${shard.selectedHosts} selected) than ${first.file} (${first.shard.selectedHosts}): ` +
          'another inventory, --limit or host order',
      );
    } else if (report.run.inventory !== first.report.run.inventory) {
      warnings.push(`${file} names its inventory ${report.run.inventory}, ${first.file} ${first.report.run.inventory}: the same hosts, so merged`);
    }
  }
  if (problems.length > 0) throw new MergeError(problems);
  return warnings;
}

/** Each slice given once: a problem for each given twice (told with the hosts it repeats). */
function slicesGivenTwice(parts: readonly ShardPart[]): string[] {
  const problems: string[] = [];
  const byIndex = new Map<number, string>();
  for (const { file, shard } of parts) {
    const earlier = byIndex.get(shard.index);
    if (earlier !== undefined) problems.push(`shard ${shard.index}/${shard.count} given twice: ${earlier} and ${file}`);
    else byIndex.set(shard.index, file);
  }
  return problems;
}

/**
 * Every host at its position in the selection: each where its name hashes, at a position of its own, in one report
 * only. Refused with `earlier` problems and every one found here.
 */
function placeHosts(parts: readonly ShardPart[], earlier: readonly string[]): HostReport[] {
  const problems = [...earlier];
  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  const placed: { host: HostReport; position: number }[] = [];
  const positionsTaken = new Map<number, string>();
  for (const { file, report, shard } of parts) {
    if (shard.positions.length !== report.hosts.length) {
      problems.push(`${file}: run.shard.positions lists ${shard.positions.length} hosts, hosts ${report.hosts.length}: not a report kvm-netaudit wrote`);
      continue;
    }
    const misplaced: string[] = [];
    report.hosts.forEach((host, i) => {
      const position = shard.positions[i]!;
      const firstFile = seen.get(host.name);
      if (firstFile !== undefined) {
        duplicates.push(`host ${host.name} is in two shard reports: ${firstFile} and ${file}`);
        return;
      }
      seen.set(host.name, file);
      const home = shardOf(host.name, shard.count);
      if (home !== shard.index) misplaced.push(`${host.name} (shard ${home})`);
      const taken = positionsTaken.get(position);
      if (position >= shard.selectedHosts || taken !== undefined) {
        problems.push(`${file}: host ${host.name} at position ${position}${taken ? `, which ${taken} holds` : ` of ${shard.selectedHosts}`}: not a report kvm-netaudit wrote`);
      }
      positionsTaken.set(position, host.name);
      placed.push({ host, position });
    });
    if (misplaced.length > 0) {
      problems.push(`${file}: ${named(misplaced)} ${misplaced.length === 1 ? 'does' : 'do'} not belong in shard ${shard.index}/${shard.count}`);
    }
  }
  problems.push(...duplicates.slice(0, MAX_NAMED));
  if (duplicates.length > MAX_NAMED) problems.push(`… and ${duplicates.length - MAX_NAMED} more hosts in two shard reports`);
  if (problems.length > 0) throw new MergeError(problems);
  return placed.sort((a, b) => a.position - b.position).map((p) => p.host);
}

/** Why the merged report is incomplete: missing slices, and slices whose run was stopped. */
function gapsOf(parts: readonly ShardPart[], missing: readonly number[], hostCount: number): string[] {
  const { count, selectedHosts } = parts[0]!.shard;
  const gaps: string[] = [];
  if (missing.length > 0) {
    const absent = selectedHosts - hostCount;
    gaps.push(
      `${missing.length === 1 ? 'shard' : 'shards'} ${missing.map((k) => `${k}/${count}`).join(', ')} missing: ` +
        `${absent} of the ${selectedHosts} selected ${absent === 1 ? 'host is' : 'hosts are'} not in the merged report`,
    );
  }
  for (const { file, report, shard } of parts) {
    if (!report.run.complete) gaps.push(`shard ${shard.index}/${count} (${file}) was stopped before every host was audited`);
  }
  return gaps;
}

/** The earliest start and the latest finish of the shards' runs. */
function runTimes(parts: readonly ShardPart[]): { startedAt: Date; finishedAt: Date } {
  const times = parts.map(({ file, report }) => ({ file, started: timeOf(report.run.startedAt), finished: timeOf(report.run.finishedAt) }));
  const badTimes = times.filter((t) => t.started === null || t.finished === null).map((t) => `${t.file}: run.startedAt or run.finishedAt is not a time`);
  if (badTimes.length > 0) throw new MergeError(badTimes);
  return { startedAt: new Date(Math.min(...times.map((t) => t.started!))), finishedAt: new Date(Math.max(...times.map((t) => t.finished!))) };
}

/** `run.merge`: which shard reports made the merged one, and which slices are missing. */
function mergeRecord(parts: readonly ShardPart[], missing: number[]): MergeRecord {
  const { count, selectedHosts, selection } = parts[0]!.shard;
  return {
    shardCount: count,
    selectedHosts,
    selection,
    shards: [...parts]
      .sort((a, b) => a.shard.index - b.shard.index)
      .map(({ file, report, shard }) => ({
        index: shard.index,
        file,
        startedAt: report.run.startedAt,
        finishedAt: report.run.finishedAt,
        complete: report.run.complete,
        hosts: report.hosts.length,
      })),
    missing,
  };
}

/**
 * The policy's evaluation of each merged host, made as the shard's run made it (each host at its own shard's start,
 * so a waiver that expired in between is judged as it was), for the publisher to merge as an audit does. The
 * findings must be the ones the shard report carries: otherwise the shards were audited with another policy (or
 * none) and a compliance section from this one would contradict their report.json.
 * @throws MergeError naming the hosts (at most 10) whose findings differ
 */
export function evaluateMergedHosts(policy: Policy, merged: MergedReport): Map<string, PolicyEvaluation> {
  const evaluations = new Map<string, PolicyEvaluation>();
  const differ: string[] = [];
  for (const host of merged.report.hosts) {
    const origin = merged.origins.get(host.name)!;
    const evaluation = evaluatePolicy(policy, [host], { now: origin.startedAt });
    evaluations.set(host.name, evaluation);
    const expected = (evaluation.findings.get(host.name) ?? []).map(findingKey).sort();
    const recorded = host.findings.map(findingKey).sort();
    if (expected.join('\n') !== recorded.join('\n')) {
      const first = expected.find((k) => !recorded.includes(k)) ?? recorded.find((k) => !expected.includes(k));
      differ.push(`${origin.file}: host ${host.name}: ${recorded.length} findings, the policy gives ${expected.length}${first ? ` (e.g. ${first})` : ''}`);
    }
  }
  if (differ.length > 0) {
    throw new MergeError([
      ...differ.slice(0, MAX_NAMED),
      ...(differ.length > MAX_NAMED ? [`… and ${differ.length - MAX_NAMED} more hosts`] : []),
      'the shards were audited with another policy, or none: give merge the --policy the shards were audited with',
    ]);
  }
  return evaluations;
}

/** A finding as compared between the shard report and the policy: what it says, not its evidence. */
function findingKey(finding: HostReport['findings'][number]): string {
  return `${finding.status ?? 'fail'} ${finding.severity} ${finding.rule} on ${finding.subject}`;
}

function named(names: readonly string[]): string {
  return names.length <= MAX_NAMED ? names.join(', ') : `${names.slice(0, MAX_NAMED).join(', ')} and ${names.length - MAX_NAMED} more`;
}

function timeOf(iso: string): number | null {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}
