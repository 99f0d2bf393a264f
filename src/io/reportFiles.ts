/**
 * Writing reports to disk (docs/report.md): each file goes to a temporary file in the same directory,
 * is flushed, then renamed over the target, so a crash never leaves half a report.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseReport, ReportReadError } from '../report/read.js';
import { writeFileAtomic, writePieces } from './atomicFile.js';
import type { FleetReport, FleetReportView } from '../model.js';
import { jsonChunks } from '../report/json.js';
import { markdownChunks } from '../report/markdown.js';
import { prometheusChunks } from '../report/prometheus.js';

import type { ReportFormat } from '../defaults.js';

export { REPORT_FORMATS, type ReportFormat } from '../defaults.js';

/** Where and what to write. */
export interface WriteReportsOptions {
  /** Write into this directory (created if needed; existing reports in it are replaced). */
  outDir?: string;
  /** Parent of the timestamped directory used when `outDir` is not given. @default 'reports' */
  baseDir?: string;
  formats: readonly ReportFormat[];
  /**
   * Renderers that need more than the report (report.md with compliance and drift, junit.xml with the policy's
   * checks); JSON and plain Markdown have defaults. A format without a renderer is an error.
   */
  renderers?: Partial<Record<ReportFormat, ReportRenderer>>;
  /** The time that names the directory (local time). @default new Date() */
  now?: Date;
}

/** Where run folders go when `--out` is not given. */
export const DEFAULT_REPORTS_DIR = 'reports';

/** Each format's file in the report folder; `.prom` is the extension node_exporter's textfile collector reads. */
const FILE_NAMES: Record<ReportFormat, string> = { json: 'report.json', md: 'report.md', junit: 'junit.xml', prom: 'kvm_netaudit.prom' };
/** A report file's text, whole or in pieces (rendered one host at a time: see jsonChunks). */
export type ReportRenderer = (report: FleetReportView) => string | Iterable<string>;

const DEFAULT_RENDERERS: Partial<Record<ReportFormat, ReportRenderer>> = {
  json: jsonChunks,
  md: (report) => markdownChunks(report),
  prom: prometheusChunks,
};

/** Directory name suffixes tried before giving up (`-2` … `-999`). */
const MAX_SUFFIX = 999;

/**
 * Write the report in each format. Without `outDir`, a new directory `reports/YYYYMMDD-HHMMSS/` is
 * claimed (`-2`, `-3`… when it exists, e.g. two runs in the same second).
 * @returns the directory and the paths written, in `formats` order.
 */
export async function writeReports(report: FleetReportView, options: WriteReportsOptions): Promise<{ dir: string; files: string[] }> {
  let dir: string;
  if (options.outDir !== undefined) {
    dir = options.outDir;
    await mkdir(dir, { recursive: true });
  } else {
    dir = await claimNewDirectory(options.baseDir ?? DEFAULT_REPORTS_DIR, timestamp(options.now ?? new Date()));
  }
  const files: string[] = [];
  for (const format of new Set(options.formats)) {
    const render = options.renderers?.[format] ?? DEFAULT_RENDERERS[format];
    if (!render) throw new Error(`no renderer for the ${format} report`);
    const file = join(dir, FILE_NAMES[format]);
    await writeFileAtomic(file, render(report));
    files.push(file);
  }
  return { dir, files };
}

/**
 * `--report FORMAT:PATH`: one format to a file of the operator's choosing (atomically, parents created), with the
 * same renderers as the report folder's.
 */
export async function writeReportTo(
  file: string,
  format: ReportFormat,
  report: FleetReportView,
  renderers: Partial<Record<ReportFormat, ReportRenderer>> = {},
): Promise<void> {
  const render = renderers[format] ?? DEFAULT_RENDERERS[format];
  if (!render) throw new Error(`no renderer for the ${format} report`);
  await mkdir(dirname(file), { recursive: true });
  await writeFileAtomic(file, render(report));
}

/**
 * `--json FILE|-`: the JSON report to a file (atomically, parents created) or, for `-`, to `stdout`.
 */
export async function writeJsonTo(target: string, report: FleetReportView, stdout: NodeJS.WritableStream = process.stdout): Promise<void> {
  if (target === '-') {
    // Each batch waits for the stream to take it: a slow reader (`| jq`) holds the writer back, not the heap.
    await writePieces(jsonChunks(report), (text) => new Promise<void>((resolve, reject) => stdout.write(text, (error) => (error ? reject(error) : resolve()))));
    return;
  }
  await mkdir(dirname(target), { recursive: true });
  await writeFileAtomic(target, jsonChunks(report));
}

/** `YYYYMMDD-HHMMSS` in local time. */
export function timestamp(date: Date): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  return (
    `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-` +
    `${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`
  );
}

/** mkdir without `recursive` fails on an existing directory: that makes claiming a name race-free. */
async function claimNewDirectory(baseDir: string, name: string): Promise<string> {
  await mkdir(baseDir, { recursive: true });
  for (let attempt = 1; attempt <= MAX_SUFFIX; attempt++) {
    const dir = join(baseDir, attempt === 1 ? name : `${name}-${attempt}`);
    try {
      await mkdir(dir);
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`cannot create a report directory: ${join(baseDir, name)} and ${MAX_SUFFIX - 1} suffixed names exist`);
}

/**
 * Read report.json from a file.
 * @throws ReportReadError
 */
export function readReport(path: string): FleetReport {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ReportReadError(`${path}: cannot read the report: ${reason}`);
  }
  return parseReport(text, path);
}
