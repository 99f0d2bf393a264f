/**
 * `--baseline latest`: the newest report.json in the reports folder or in a folder directly under it (the run
 * folders `reports/YYYYMMDD-HHMMSS[-N]/` the audits write, or a folder given as `--out reports/NAME`), judged by
 * when each report.json was written. Deeper folders are not searched: a baseline should be easy to predict.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** The newest `report.json` in `reportsDir` or one folder below it, or null when there is none. */
export async function latestReport(reportsDir: string): Promise<string | null> {
  const entries = await readdir(reportsDir, { withFileTypes: true }).catch(() => []);
  const candidates = [path.join(reportsDir, 'report.json'), ...entries.filter((e) => e.isDirectory()).map((e) => path.join(reportsDir, e.name, 'report.json'))];
  let newest: { file: string; mtimeMs: number } | null = null;
  for (const file of candidates) {
    const written = await stat(file).catch(() => null);
    if (written?.isFile() && (newest === null || written.mtimeMs > newest.mtimeMs)) newest = { file, mtimeMs: written.mtimeMs };
  }
  return newest?.file ?? null;
}
