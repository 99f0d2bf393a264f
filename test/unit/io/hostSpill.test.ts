import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHostSpill } from '../../../src/io/hostSpill.js';
import { headlineOf } from '../../../src/report/headline.js';
import { failedHost, host, nic, vm } from '../report/sample.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kna-spill-'));
  dirs.push(dir);
  return dir;
}

describe('the host spill file', () => {
  it('gives back every report it kept, in the order asked, as often as asked', () => {
    const spill = createHostSpill(tempDir());
    const reports = ['hv-b', 'hv-a', 'hv-ünï-☃', 'hv-c'].map((name) => host(name, { verdict: `verdict of ${name} ✓` }));
    for (const report of reports) spill.put(report);
    const order = ['hv-a', 'hv-b', 'hv-c', 'hv-ünï-☃'];
    const sequence = spill.sequence(order);
    expect(sequence.length).toBe(4);
    expect([...sequence].map((h) => h.name)).toEqual(order);
    expect([...sequence]).toEqual(order.map((name) => JSON.parse(JSON.stringify(reports.find((r) => r.name === name)))));
    expect(spill.bytes).toBeGreaterThan(0);
  });

  it('keeps each host\'s headline in memory, the same as one computed from its report', () => {
    const spill = createHostSpill(tempDir());
    const reports = [host('hv-a', { vms: [vm('web', [nic({ mode: 'nat' }), nic({ mode: 'bridged' })])] }), failedHost('hv-b')];
    for (const report of reports) spill.put(report);
    const sequence = spill.sequence(['hv-b', 'hv-a']);
    expect(sequence.headlines).toEqual([headlineOf(reports[1]!), headlineOf(reports[0]!)]);
    expect(sequence.headlines![1]).toMatchObject({ nics: 2, nicModes: { nat: 1, bridged: 1 } });
  });

  it('keeps the newest report of a host that is put again (a re-audit)', () => {
    const spill = createHostSpill(tempDir());
    spill.put(host('hv-a', { status: 'failed' }));
    spill.put(host('hv-a', { status: 'ok' }));
    expect([...spill.sequence(['hv-a'])].map((h) => h.status)).toEqual(['ok']);
  });

  it('gives a snapshot: a report built before a re-audit keeps the reports it was built from', () => {
    const spill = createHostSpill(tempDir());
    spill.put(host('hv-a', { status: 'ok' }));
    const published = spill.sequence(['hv-a']);
    spill.put(host('hv-a', { status: 'failed' }));
    expect([...published].map((h) => h.status)).toEqual(['ok']);
    expect([...spill.sequence(['hv-a'])].map((h) => h.status)).toEqual(['failed']);
  });

  it('refuses a sequence naming a host that was never kept, at once', () => {
    const spill = createHostSpill(tempDir());
    spill.put(host('hv-a'));
    expect(() => spill.sequence(['hv-a', 'hv-missing'])).toThrow(/hv-missing/);
  });

  it('leaves no file behind: it is unlinked as soon as it is open, and still readable', () => {
    const dir = tempDir();
    const spill = createHostSpill(dir);
    spill.put(host('hv-a'));
    expect(readdirSync(dir)).toEqual([]);
    expect([...spill.sequence(['hv-a'])][0]!.name).toBe('hv-a');
  });
});
