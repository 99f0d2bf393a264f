import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { latestReport } from '../../../src/io/latestReport.js';

let dir: string;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Write `file` with a modification time `secondsAgo` in the past. */
async function reportAt(file: string, secondsAgo: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, '{}');
  const when = new Date(Date.now() - secondsAgo * 1000);
  await utimes(file, when, when);
}

describe('latestReport (--baseline latest)', () => {
  it('picks the newest report.json in the folder or one folder below it, not deeper, and null when there is none', async () => {
    // Given run folders, a report written straight into reports/, and a newer one two levels down
    dir = await mkdtemp(path.join(tmpdir(), 'kna-latest-'));
    const reports = path.join(dir, 'reports');
    expect(await latestReport(reports)).toBeNull();
    await reportAt(path.join(reports, '20261201-020000', 'report.json'), 300);
    await reportAt(path.join(reports, '20261202-020000', 'report.json'), 200);
    expect(await latestReport(reports)).toBe(path.join(reports, '20261202-020000', 'report.json'));
    await reportAt(path.join(reports, 'report.json'), 100);
    await reportAt(path.join(reports, 'nightly', 'deep', 'report.json'), 0);
    // Then the newest within reach wins
    expect(await latestReport(reports)).toBe(path.join(reports, 'report.json'));
  });
});
