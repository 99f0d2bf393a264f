/**
 * `--baseline latest`: the newest report.json among the run folders under the reports folder (the folders
 * `reports/YYYYMMDD-HHMMSS[-N]/` the audits write), judged by when each report.json was written.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** The newest `DIR/report.json` under `reportsDir`, or null when there is none. */
export async function latestReport(reportsDir: string): Promise<string | null> {
  const entries = await readdir(reportsDir, { withFileTypes: true }).catch(() => []);
  let newest: { file: string; mtimeMs: number } | null = null;
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const file = path.join(reportsDir, entry.name, 'report.json');
    const written = await stat(file).catch(() => null);
    if (written?.isFile() && (newest === null || written.mtimeMs > newest.mtimeMs)) newest = { file, mtimeMs: written.mtimeMs };
  }
  return newest?.file ?? null;
}
