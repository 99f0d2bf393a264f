/**
 * Publishing a run's reports: every file `--format` asks for (report.md with compliance and drift, junit.xml),
 * and `--json`. Publishes run one at a time and in order, so a re-audit's newer report is never overwritten by an
 * older one. A report that cannot be written (a read-only or full disk) is kept as `writeError`, for the CLI to
 * say and exit 73 on; nothing here throws.
 */
import path from 'node:path';
import type { AuditOptions } from './cliArgs.js';

/** What the publisher reads of the command line: where and what to write. */
export type PublishOptions = Pick<AuditOptions, 'out' | 'formats' | 'json'> & Partial<Pick<AuditOptions, 'reportTargets'>>;
import { writeJsonTo, writeReports, writeReportTo, type ReportRenderer } from './io/reportFiles.js';
import type { FleetReportView, HostReport } from './model.js';
import { mergeEvaluations, type PolicyEvaluation } from './policy/index.js';
import { diffReports } from './report/diff.js';
import { junitChunks } from './report/junit.js';
import { markdownChunks } from './report/markdown.js';
import type { Compliance } from './session.js';
import { messageOf } from './errors.js';

export interface ReportPublisher {
  /** Write `report` (after any publish still under way); resolves with the paths written, and a "not written: …" line per failure. */
  publish(report: FleetReportView): Promise<string[]>;
  /** The last report published, its policy evaluation, and why it could not be written (null: it was). */
  readonly last: { report: FleetReportView | null; evaluation: PolicyEvaluation | null; writeError: string | null };
}

/**
 * @param evaluationOf each host's own policy evaluation, made when it finished: the fleet's is their merge
 */
export function createReportPublisher(
  options: PublishOptions,
  compliance: Compliance,
  evaluationOf: (host: HostReport) => PolicyEvaluation,
): ReportPublisher {
  const last: ReportPublisher['last'] = { report: null, evaluation: null, writeError: null };
  /** The folder of the first publish: later ones (re-audits) rewrite it. */
  let reportDir: string | undefined = options.out ?? undefined;
  let queue: Promise<unknown> = Promise.resolve();

  async function write(report: FleetReportView): Promise<string[]> {
    last.report = report;
    last.evaluation = compliance.policy ? mergeEvaluations(Array.from(report.hosts, evaluationOf)) : null;
    // Each destination on its own: a read-only run folder must not leave node_exporter's file stale, nor the reverse.
    const files: string[] = [];
    const errors: string[] = [];
    try {
      const written = await writeAllReports(report, last.evaluation, options, compliance, reportDir);
      reportDir = written.dir;
      files.push(...written.files.map((f) => path.relative(process.cwd(), f) || f));
    } catch (error) {
      errors.push(`cannot write the reports${reportDir ? ` to ${reportDir}` : ''}: ${messageOf(error)}`);
    }
    try {
      if (options.json !== null) await writeJsonTo(options.json, report, process.stdout);
    } catch (error) {
      errors.push(`cannot write report.json to --json ${options.json}: ${messageOf(error)}`);
    }
    for (const target of options.reportTargets ?? []) {
      try {
        await writeReportTo(target.path, target.format, report, renderersFor(report, last.evaluation, compliance));
        files.push(target.path);
      } catch (error) {
        errors.push(`cannot write the ${target.format} report to --report ${target.format}:${target.path}: ${messageOf(error)}`);
      }
    }
    last.writeError = errors.length > 0 ? errors.join('; ') : null;
    return errors.length > 0 ? [...files, ...errors.map((e) => `not written: ${e}`)] : files;
  }

  return {
    publish(report) {
      const written = queue.then(
        () => write(report),
        () => write(report),
      );
      queue = written;
      return written;
    },
    last,
  };
}

/** report.json, report.md (with compliance and drift) and junit.xml, as `--format` asks; into `dir` once it exists. */
function writeAllReports(
  report: FleetReportView,
  evaluation: PolicyEvaluation | null,
  options: PublishOptions,
  compliance: Compliance,
  dir: string | undefined,
) {
  return writeReports(report, { outDir: dir, formats: options.formats, renderers: renderersFor(report, evaluation, compliance) });
}

/** The renderers that need more than the report: report.md with compliance and drift, junit.xml with the checks. */
function renderersFor(report: FleetReportView, evaluation: PolicyEvaluation | null, compliance: Compliance): Partial<Record<'md' | 'junit', ReportRenderer>> {
  const { policy } = compliance;
  const drift = compliance.baseline ? diffReports(compliance.baseline, report) : null;
  return {
    md: (r) => markdownChunks(r, { compliance: evaluation && policy ? { evaluation, sources: policy.sources } : null, drift }),
    junit: (r) => junitChunks(r, evaluation),
  };
}
