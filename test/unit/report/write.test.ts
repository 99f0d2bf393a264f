import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { timestamp, writeJsonTo, writeReports } from '../../../src/io/reportFiles.js';
import { buildFleetReport, renderJson, renderMarkdown } from '../../../src/report/index.js';
import { host } from './sample.js';

const report = buildFleetReport({
  hosts: [host('hv01')],
  startedAt: new Date('2025-01-01T00:00:00Z'),
  finishedAt: new Date('2025-01-01T00:00:01Z'),
  inventory: 'inventory.yaml',
  concurrency: 1,
  complete: true,
  version: '0.1.0',
});
// Local time, as the directory name uses it.
const now = new Date(2025, 2, 4, 5, 6, 7);

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'kna-report-'));
});
afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

/** Every file name under `dir`, hidden ones included. */
function listAll(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe('writeReports', () => {
  it('writes both formats into a new timestamped directory and leaves no temporary file', async () => {
    // When the reports are written under a base directory
    const result = await writeReports(report, { baseDir: join(base, 'reports'), formats: ['json', 'md'], now });
    // Then they are in reports/YYYYMMDD-HHMMSS with exactly the rendered content
    expect(result.dir).toBe(join(base, 'reports', '20250304-050607'));
    expect(result.files).toEqual([join(result.dir, 'report.json'), join(result.dir, 'report.md')]);
    expect(readFileSync(join(result.dir, 'report.json'), 'utf8')).toBe(renderJson(report));
    expect(readFileSync(join(result.dir, 'report.md'), 'utf8')).toBe(renderMarkdown(report));
    // And nothing else is there
    expect(listAll(join(base, 'reports'))).toEqual(['20250304-050607', '20250304-050607/report.json', '20250304-050607/report.md']);
  });

  it('adds -2, -3 when the directory of that second already exists', async () => {
    // Given a directory already named after this second
    await mkdir(join(base, '20250304-050607'), { recursive: true });
    // When two runs write in the same second
    const second = await writeReports(report, { baseDir: base, formats: ['json'], now });
    const third = await writeReports(report, { baseDir: base, formats: ['json'], now });
    // Then each gets its own directory and the first is untouched
    expect(second.dir).toBe(join(base, '20250304-050607-2'));
    expect(third.dir).toBe(join(base, '20250304-050607-3'));
    expect(readdirSync(join(base, '20250304-050607'))).toEqual([]);
  });

  it('writes into --out, creating it and replacing earlier reports', async () => {
    const out = join(base, 'a', 'b');
    await writeReports(report, { outDir: out, formats: ['md'] });
    writeFileSync(join(out, 'report.md'), 'stale');
    const result = await writeReports(report, { outDir: out, formats: ['md'] });
    expect(result).toEqual({ dir: out, files: [join(out, 'report.md')] });
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toBe(renderMarkdown(report));
    expect(listAll(out)).toEqual(['report.md']);
  });

  it('removes its temporary file when the rename fails', async () => {
    // Given a directory where report.json should go (rename cannot replace a non-empty directory)
    await mkdir(join(base, 'report.json', 'occupied'), { recursive: true });
    // When writing fails
    await expect(writeReports(report, { outDir: base, formats: ['json'] })).rejects.toThrow();
    // Then no temporary file is left behind
    expect(listAll(base)).toEqual(['report.json', 'report.json/occupied']);
  });
});

describe('writeJsonTo', () => {
  it('writes the JSON to stdout for "-"', async () => {
    const stdout = new PassThrough();
    const chunks: Buffer[] = [];
    stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    await writeJsonTo('-', report, stdout);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(renderJson(report));
  });

  it('writes the JSON to a file atomically, creating its directory', async () => {
    const target = join(base, 'ci', 'audit.json');
    await writeJsonTo(target, report);
    expect(readFileSync(target, 'utf8')).toBe(renderJson(report));
    expect(listAll(join(base, 'ci'))).toEqual(['audit.json']);
  });
});

describe('timestamp', () => {
  it('formats local time as YYYYMMDD-HHMMSS', () => {
    expect(timestamp(new Date(2024, 11, 31, 23, 59, 9))).toBe('20241231-235909');
  });
});
