import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import type { RunEvent } from '../../../src/model.js';
import { FleetTable } from '../../../src/ui/FleetTable.js';
import { initialFleetState, reduceFleet, type FleetState } from '../../../src/ui/fleetState.js';
import { displayWidth } from '../../../src/ui/sanitize.js';
import {
  connecting,
  done,
  failedHost,
  finished,
  fleetReport,
  hostReport,
  network,
  normaliseFrame,
  probing,
  runStarted,
  T0,
  vm,
  wholeRun,
} from './builders.js';

afterEach(() => cleanup());

function stateOf(events: RunEvent[]): FleetState {
  return events.reduce(reduceFleet, initialFleetState());
}

function frameOf(state: FleetState, opts: { rows?: number; columns?: number; now?: number; reportPaths?: string[] } = {}) {
  const { lastFrame } = render(
    <FleetTable
      state={state}
      inventory="fleet.yaml"
      now={opts.now ?? T0 + 31_000}
      rows={opts.rows ?? 40}
      columns={opts.columns ?? 100}
      reportPaths={opts.reportPaths}
      stopHint
    />,
  );
  return normaliseFrame(lastFrame());
}

const natHost = hostReport('hv-nat-01', {
  networks: [network('default', 'nat')],
  vms: [vm('a', ['nat']), vm('b', ['nat', 'nat'])],
});
const deadHost = failedHost('hv-dead-13', 'timeout', 'no answer within 30 s');

describe('FleetTable', () => {
  it('draws a header, a row per host with its real content, and the progress', () => {
    // Given a run where one host is done, one failed, one is probing and one queued
    const state = stateOf([
      runStarted(['hv-nat-01', 'hv-dead-13', 'hv-busy-02', 'hv-later-03']),
      done(natHost),
      done(deadHost),
      connecting('hv-busy-02', T0 + 1000),
      probing('hv-busy-02', T0 + 2000),
    ]);
    // When it is drawn 31 s into the run
    const lines = frameOf(state).split('\n');
    // Then the header names the inventory, fleet size and concurrency
    expect(lines[0]).toBe('kvm-netaudit  fleet.yaml · 4 hosts · concurrency 8 · 0:31 elapsed');
    // And each host row shows what is known about it
    expect(lines.find((l) => l.includes('hv-nat-01'))).toMatch(/^✓ ok\s+hv-nat-01\s+412ms\s+nets 1 \(nat\)\s+nics 3 \(nat 3\)$/);
    expect(lines.find((l) => l.includes('hv-dead-13'))).toMatch(/^✗ failed\s+hv-dead-13\s+30\.0s\s+timeout: no answer within 30 s$/);
    expect(lines.find((l) => l.includes('hv-busy-02'))).toMatch(/^\* probe\s+hv-busy-02\s+30\.0s$/);
    expect(lines.find((l) => l.includes('hv-later-03'))).toMatch(/^· queued\s+hv-later-03\s+-$/);
    // And the progress line counts done, failed and in-flight hosts
    expect(lines.at(-1)).toMatch(/ 2\/4 done · 1 failed · 1 in flight · 0:31 · q or Ctrl-C to stop$/);
  });

  it('shows a spinner for a host that is connecting', () => {
    const state = stateOf([runStarted(['a']), connecting('a', T0)]);
    expect(frameOf(state)).toMatch(/^\* connect\s+a\b/m);
  });

  it('draws only the rows that fit the terminal and says how many are hidden', () => {
    // Given a 5,000-host run with 4,990 hosts done, 8 in flight and 2 queued
    const names = Array.from({ length: 5000 }, (_, i) => `hv-${String(i).padStart(4, '0')}`);
    const events: RunEvent[] = [runStarted(names)];
    names.forEach((name, i) => {
      if (i < 4990) events.push(done(hostReport(name, { vms: [vm('v', ['nat'])] }), T0 + i));
      else if (i < 4998) events.push(connecting(name, T0 + i));
    });
    events.push(done(failedHost('hv-1234', 'auth', 'permission denied'), T0 + 9000));
    const state = stateOf(events);
    // When it is drawn on a 30-line terminal
    const lines = frameOf(state, { rows: 30 }).split('\n');
    // Then the frame leaves one line spare, and the host rows plus the hidden count make 5,000
    expect(lines.length).toBe(29);
    const hostLines = lines.filter((l) => /\bhv-\d{4}\b/.test(l));
    const hidden = /^… ([\d,]+) more: (.*)$/.exec(lines.find((l) => l.startsWith('…')) ?? '');
    expect(hidden).not.toBeNull();
    expect(hostLines.length + Number(hidden?.[1]?.replace(/,/g, ''))).toBe(5000);
    // And the hosts in flight and the failure are among the rows drawn
    for (const name of names.slice(4990, 4998)) expect(hostLines.some((l) => l.includes(name))).toBe(true);
    expect(hostLines.find((l) => l.includes('hv-1234'))).toMatch(/failed.*auth: permission denied/);
    expect(hidden?.[2]).toMatch(/ok, 2 queued$/);
  });

  it('neutralises escape sequences and newlines in host names and errors', () => {
    // Given a host whose name and error message carry terminal escape sequences and newlines
    const evilName = 'evil\x1b[2J\x1b]0;owned\x07\nrow';
    const state = stateOf([
      runStarted([evilName, 'next']),
      done(failedHost(evilName, 'command', 'bad\x1b[31mred\r\nsecond')),
    ]);
    // When it is drawn (with colours stripped)
    const frame = frameOf(state);
    // Then no control character reaches the terminal, and the escapes are shown as text
    expect(frame).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    expect(frame).toContain('evil\\x1b[2J\\x1b]0;owned\\x07'); // the name column cuts the rest
    expect(frame).toContain('bad\\x1b[31mred\\x0d\\x0asecond');
    // And the hostile host still takes exactly one line
    expect(frame.split('\n')).toHaveLength(2 + 2 + 1);
  });

  it('never draws a line wider than the terminal', () => {
    const state = stateOf([
      runStarted(['a-very-long-hypervisor-name-that-goes-on-and-on.example.com', '漢字漢字漢字漢字漢字漢字漢字漢字漢字']),
      done(failedHost('a-very-long-hypervisor-name-that-goes-on-and-on.example.com', 'timeout', 'x'.repeat(200))),
    ]);
    for (const line of frameOf(state, { columns: 50 }).split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(50);
  });

  it('ends with a summary of outcomes, NICs per mode and the report paths', () => {
    // Given a finished run
    const partial = hostReport('hv-br-02', { status: 'partial', vms: [vm('c', ['bridged', 'bridged'])] });
    const state = stateOf(wholeRun([natHost, partial, deadHost]));
    // When it is drawn with the report paths
    const frame = frameOf(state, { reportPaths: ['reports/20240101-000000/report.json', 'reports/20240101-000000/report.md'] });
    // Then the summary lines are there, and no key hint or spinner
    expect(frame).toContain('hosts    ok 1, partial 1, failed 1 (timeout 1)');
    expect(frame).toContain('nics     5 VM NICs: nat 3, bridged 2');
    expect(frame).toContain('report   reports/20240101-000000/report.json');
    expect(frame).toContain('report   reports/20240101-000000/report.md');
    expect(frame).toContain('3/3 done · 1 failed · 0:31');
    expect(frame).not.toContain('Ctrl-C');
    expect(frame).not.toContain('incomplete');
  });

  it('says the report is incomplete when the run was stopped', () => {
    const state = stateOf([...wholeRun([natHost], false)]);
    expect(frameOf(state)).toContain('stopped before every host was audited: the report is incomplete');
  });

  it('shows that the run is stopping', () => {
    const state = stateOf([runStarted(['a']), connecting('a'), { type: 'run-stopping', at: T0, reason: 'stop requested' }]);
    const frame = frameOf(state);
    expect(frame).toContain('stopping: stop requested');
    expect(frame).not.toContain('q or Ctrl-C');
  });

  it('counts the summary from the final report even for hosts it never heard of', () => {
    const state = stateOf([runStarted(['a']), finished(fleetReport([hostReport('a'), failedHost('b', 'cancelled', 'not audited')], false))]);
    expect(frameOf(state)).toContain('hosts    ok 1, partial 0, failed 1 (cancelled 1)');
  });
});
