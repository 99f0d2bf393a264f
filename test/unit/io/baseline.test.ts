import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBaseline } from '../../../src/io/baseline.js';
import { renderJson } from '../../../src/report/json.js';
import { host, sampleRunOf } from '../report/sample.js';

const dir = mkdtempSync(join(tmpdir(), 'kna-baseline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeReport(name: string, shard: boolean): string {
  const report = sampleRunOf([host('hv-a')]);
  if (shard) report.run.shard = { index: 1, count: 2, selectedHosts: 2, selection: 'sha256:00', positions: [0] };
  const file = join(dir, name);
  writeFileSync(file, renderJson(report));
  return file;
}

describe('--baseline', () => {
  it('reads a whole fleet report', async () => {
    const report = await readBaseline(writeReport('whole.json', false));
    expect(report.hosts.map((h) => h.name)).toEqual(['hv-a']);
  });

  it("refuses one shard's report: every host of the other slices would read as removed", async () => {
    const file = writeReport('shard.json', true);
    await expect(readBaseline(file)).rejects.toThrow(/one shard's report, not the whole fleet's/);
  });
});
