/**
 * `--baseline FILE|latest` (audit and merge): the earlier whole-fleet report the drift section compares with.
 * `latest` is the newest report.json under reports/ (written before this run starts). A shard's report is refused
 * either way: one slice compared with the whole fleet would call every host of the other slices removed.
 */
import { BASELINE_LATEST, UsageError } from '../cliArgs.js';
import type { FleetReport } from '../model.js';
import { latestReport } from './latestReport.js';
import { DEFAULT_REPORTS_DIR, readReport } from './reportFiles.js';

export async function readBaseline(baseline: string): Promise<FleetReport> {
  const latest = baseline === BASELINE_LATEST;
  const file = latest ? await latestReport(DEFAULT_REPORTS_DIR) : baseline;
  if (file === null) throw new UsageError(`--baseline latest: no earlier report.json under ${DEFAULT_REPORTS_DIR}/`);
  const report = readReport(file);
  if (report.run.shard) {
    const which = latest ? `the newest report under ${DEFAULT_REPORTS_DIR}/ (${file})` : file;
    throw new UsageError(`--baseline: ${which} is one shard's report, not the whole fleet's: merge the shards first, or give --baseline FILE`);
  }
  return report;
}
