import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHostSpill } from '../../../src/io/hostSpill.js';
import type { FleetReport, FleetReportView } from '../../../src/model.js';
import { jsonChunks, renderJson, toJsonReport } from '../../../src/report/json.js';
import { junitChunks } from '../../../src/report/junit.js';
import { markdownChunks } from '../../../src/report/markdown.js';
import { sampleFleetReport, sampleRunOf } from './sample.js';

const dir = mkdtempSync(join(tmpdir(), 'kna-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The same report with its hosts read back from a spill file, as the CLI writes it. */
function spilled(report: FleetReport): FleetReportView {
  const spill = createHostSpill(dir);
  for (const host of report.hosts) spill.put(host);
  return { ...report, hosts: spill.sequence(report.hosts.map((h) => h.name)) };
}

const reports = { sample: sampleFleetReport(), empty: sampleRunOf([]) };

describe('reports written one host at a time', () => {
  for (const [name, report] of Object.entries(reports)) {
    it(`report.json in pieces is exactly the whole-report JSON (${name})`, () => {
      const whole = `${JSON.stringify(toJsonReport(report), null, 2)}\n`;
      expect([...jsonChunks(report)].join('')).toBe(whole);
      expect(renderJson(spilled(report))).toBe(whole);
    });

    it(`report.md and junit.xml are the same from a spill file as from memory (${name})`, () => {
      const view = spilled(report);
      expect([...markdownChunks(view)].join('')).toBe([...markdownChunks(report)].join(''));
      expect([...junitChunks(view, null)].join('')).toBe([...junitChunks(report, null)].join(''));
    });
  }

  it('gives one piece per host section, never the whole report as one string', () => {
    const report = reports.sample;
    const pieces = [...jsonChunks(report)];
    expect(pieces.length).toBe(report.hosts.length + 2);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(pieces.join('').length / 2);
  });
});
