import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/model.js';
import { createLineLog } from '../../../src/ui/lineLog.js';
import { connecting, done, failedHost, finished, fleetReport, hostReport, network, probing, runStarted, vm, wholeRun } from './builders.js';

function logOf(events: RunEvent[]): string[] {
  const lines: string[] = [];
  const log = createLineLog((line) => lines.push(line));
  for (const event of events) log(event);
  return lines;
}

const natHost = hostReport('hv-nat-01', {
  networks: [network('default', 'nat')],
  vms: [vm('a', ['nat']), vm('b', ['nat', 'nat'])],
});
const partialHost = hostReport('hv-br-02', {
  status: 'partial',
  durationMs: 1234,
  networks: [network('default', 'nat'), network('lab', 'isolated')],
  vms: [vm('c', ['bridged', 'bridged'])],
  error: { kind: 'parse', message: 'section ip-link unparsable' },
});
const deadHost = failedHost('hv-dead-13', 'timeout', 'no answer within 30 s');

describe('createLineLog', () => {
  it('prints one line per finished host, nothing for progress events', () => {
    // Given a run of three hosts
    const lines = logOf([runStarted(['hv-nat-01']), connecting('hv-nat-01'), probing('hv-nat-01'), done(natHost)]);
    // Then the start line and exactly one host line are written
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('auditing 1 host, concurrency 8');
  });

  it('shows an ok host with its duration, networks and NICs per mode', () => {
    const [, line] = logOf([runStarted(['hv-nat-01', 'hv-dead-13']), done(natHost)]);
    expect(line).toMatch(/^ok\s+hv-nat-01\s+412ms\s+nets 1 \(nat\)\s+nics 3 \(nat 3\)$/);
  });

  it('shows a partial host with its problem', () => {
    const [, line] = logOf([runStarted(['hv-br-02']), done(partialHost)]);
    expect(line).toMatch(/^partial\s+hv-br-02\s+1\.2s\s+nets 2 \(isolated, nat\)\s+nics 2 \(bridged 2\)\s+parse: section ip-link unparsable$/);
  });

  it('shows a failed host with its error kind and message', () => {
    const [, line] = logOf([runStarted(['hv-dead-13']), done(deadHost)]);
    expect(line).toMatch(/^failed\s+hv-dead-13\s+30\.0s\s+timeout: no answer within 30 s$/);
  });

  it('aligns host names to the longest announced name', () => {
    const lines = logOf([runStarted(['hv-nat-01', 'hv-dead-13']), done(natHost), done(deadHost)]);
    const durationColumn = (line: string | undefined) => line?.search(/\d+(\.\d)?m?s/);
    expect(durationColumn(lines[1])).toBe(durationColumn(lines[2]));
  });

  it('says when the run is asked to stop', () => {
    const lines = logOf([runStarted(['a']), { type: 'run-stopping', at: 0, reason: 'stop requested: no new connections' }]);
    expect(lines.at(-1)).toMatch(/^stopping\s+stop requested: no new connections/);
  });

  it('ends with a summary of outcomes and VM NICs per mode', () => {
    // Given a finished run of an ok, a partial and a failed host
    const lines = logOf(wholeRun([natHost, partialHost, deadHost]));
    // Then the summary counts them and the NICs across the fleet
    expect(lines).toContain('summary  3 hosts in 31.0s: ok 1, partial 1, failed 1 (timeout 1)');
    expect(lines).toContain('nics     5 VM NICs: nat 3, bridged 2');
    expect(lines.some((l) => l.includes('incomplete'))).toBe(false);
  });

  it('says that the report is incomplete when the run was stopped', () => {
    const lines = logOf(wholeRun([natHost], false));
    expect(lines.at(-1)).toMatch(/incomplete/);
  });

  it('counts findings by severity in the summary', () => {
    const report = fleetReport([natHost]);
    report.summary.findings = { high: 2, low: 1 };
    const lines = logOf([runStarted(['hv-nat-01']), done(natHost), finished(report)]);
    expect(lines).toContain('findings 3 findings: high 2, low 1');
  });

  it('neutralises control characters in remote text and keeps one line per host', () => {
    // Given a host whose name and error carry escape sequences and newlines
    const evil = failedHost('evil\x1b[2J\nname', 'command', 'boom\x1b]0;owned\x07\nsecond line');
    // When it is logged
    const lines = logOf([runStarted([evil.name]), done(evil)]);
    // Then the line has no control characters and shows them escaped
    const line = lines[1] ?? '';
    expect(line).not.toMatch(/[\x00-\x1f\x7f]/);
    expect(line).toContain('evil\\x1b[2J\\x0aname');
    expect(line).toContain('boom\\x1b]0;owned\\x07\\x0asecond line');
    expect(lines).toHaveLength(2);
  });
});
