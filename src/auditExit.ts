/** The one place the exit code of an audit or a merge is decided (docs/cli.md, exit codes). */
import { EXIT } from './exitCodes.js';
import type { FleetReportView, Severity } from './model.js';
import { failuresAtLeast } from './policy/evaluate.js';
import { headlinesOf } from './report/headline.js';
import type { PolicyEvaluation } from './policy/types.js';

/**
 * 2 when any host could not be audited, or the report does not cover every selected host (a stopped run, a merge
 * missing a shard); it wins over 1, for failing findings at or above --fail-on.
 * @param excused hosts whose failure is expected (the demo's broken hosts): they count neither way
 */
export function exitCodeOf(
  report: Pick<FleetReportView, 'hosts' | 'run'>,
  evaluation: PolicyEvaluation | null,
  failOn: Severity | null,
  excused: ReadonlySet<string> = new Set(),
): number {
  if (!report.run.complete) return EXIT.hostsFailed;
  for (const h of headlinesOf(report.hosts)) if (h.status === 'failed' && !excused.has(h.name)) return EXIT.hostsFailed;
  if (evaluation && failOn && failuresAtLeast(evaluation, failOn).some((f) => !excused.has(f.host))) return EXIT.findings;
  return EXIT.ok;
}

/** The audit ran and its summary was shown, but no report file holds it: that outranks every other outcome. */
export function reportNotWritten(why: string): number {
  process.stderr.write(`kvm-netaudit: ${why}\n`);
  return EXIT.reportNotWritten;
}
