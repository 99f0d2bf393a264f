import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/model.js';
import { FleetTable } from '../../../src/ui/FleetTable.js';
import { initialFleetState, reduceFleet, type FleetState } from '../../../src/ui/fleetState.js';
import type { RowQuery } from '../../../src/ui/rowQuery.js';
import { displayWidth } from '../../../src/ui/textWidth.js';
import { layoutFleet } from '../../../src/ui/tableLayout.js';
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
  runStartedWith,
  T0,
  vm,
  wholeRun,
} from './builders.js';

afterEach(() => cleanup());

function stateOf(events: RunEvent[]): FleetState {
  return events.reduce(reduceFleet, initialFleetState());
}

interface FrameOptions {
  rows?: number;
  columns?: number;
  now?: number;
  reportPaths?: string[];
  selected?: number;
  scroll?: number;
  query?: RowQuery;
  colors?: boolean;
}

function frameOf(state: FleetState, opts: FrameOptions = {}): string {
  const { lastFrame } = render(
    <FleetTable
      state={state}
      inventory="fleet.yaml"
      now={opts.now ?? T0 + 31_000}
      rows={opts.rows ?? 40}
      columns={opts.columns ?? 100}
      reportPaths={opts.reportPaths}
      selected={opts.selected}
      scroll={opts.scroll}
      query={opts.query}
      colors={opts.colors ?? false}
    />,
  );
  return normaliseFrame(lastFrame());
}

const natHost = hostReport('hv-nat-01', {
  networks: [network('default', 'nat')],
  vms: [vm('a', ['nat']), vm('b', ['nat', 'nat'])],
  warnings: [{ kind: 'network-inactive', subject: 'network default', message: 'inactive' }],
});
const deadHost = failedHost('hv-dead-13', 'timeout', 'no answer within 30 s');

describe('FleetTable', () => {
  it('draws the run header, a row per host with its real content, and the summary bar', () => {
    // Given a run where one host is done, one failed, one is probing and one queued
    const state = stateOf([
      runStartedWith([
        { name: 'hv-nat-01', groups: ['dev'] },
        { name: 'hv-dead-13', groups: ['legacy'] },
        { name: 'hv-busy-02', groups: [] },
        { name: 'hv-later-03', groups: [] },
      ]),
      done(natHost, T0 + 412),
      done(deadHost, T0 + 30_000),
      connecting('hv-busy-02', T0 + 1000),
      probing('hv-busy-02', T0 + 2000),
    ]);
    // When it is drawn 31 s into the run
    const lines = frameOf(state).split('\n');
    // Then the header names the inventory, fleet size, concurrency and clock, and the progress counts
    expect(lines[0]).toBe('kvm-netaudit  fleet.yaml · 4 hosts · concurrency 8 · 0:31 elapsed');
    expect(lines[1]).toMatch(/^█{10}░{10} 2\/4 done · 1 failed · 2 remaining · 1 in flight · 0\.06 hosts\/s$/);
    expect(lines[2]).toMatch(/^STATUS\s+HOST\s+GROUP\s+TIME\s+NETWORKS\s+VM NICS\s+WARN FIND\s+PROBLEM$/);
    // And rows are in status order: in flight, failed, ok, queued; with group, time, modes and counts
    const hosts = lines.slice(3, 7);
    expect(hosts[0]).toMatch(/^\* probe\s+hv-busy-02\s+30\.0s$/);
    expect(hosts[1]).toMatch(/^✗ timeout\s+hv-dead-13\s+legacy\s+30\.0s\s+no answer within 30 s$/);
    expect(hosts[2]).toMatch(/^✓ ok\s+hv-nat-01\s+dev\s+412ms\s+1: nat\s+3: nat 3\s+1\s+·$/);
    expect(hosts[3]).toMatch(/^· queued\s+hv-later-03\s+-$/);
    // And the list line and the fleet summary follow
    expect(lines[7]).toBe('sort status · 4 hosts');
    expect(lines[8]).toBe('hosts    ok 1, partial 0, failed 1 (timeout 1)');
    expect(lines[9]).toBe('VM NICs  3: nat 3');
    expect(lines[10]).toBe('mixes    1 nat');
  });

  it('names the mode of every NIC count and draws the colour legend when colours are on', () => {
    const state = stateOf(wholeRun([hostReport('a', { vms: [vm('v', ['bridged', 'nat', 'bridged'])] }), hostReport('b', { vms: [vm('w', ['macvtap'])] })]));
    const plain = frameOf(state);
    expect(plain).toMatch(/✓ ok\s+a\s+412ms\s+0\s+3: bridged 2, nat 1/);
    expect(plain).toContain('VM NICs  4: bridged 2, nat 1, macvtap 1');
    expect(plain).toContain('mixes    1 macvtap · 1 nat+bridged');
    // With colours, each mode of the legend gets its square
    const { lastFrame } = render(<FleetTable state={state} inventory="f" now={T0} rows={40} columns={100} colors />);
    const coloured = lastFrame() ?? '';
    expect(coloured).toMatch(/\x1b\[32m■ bridged 2/); // bridged is green
    expect(coloured).toMatch(/\x1b\[36m■ nat 1/); // nat is cyan
    expect(normaliseFrame(coloured)).toContain('VM NICs  4: ■ bridged 2  ■ nat 1  ■ macvtap 1');
  });

  it('draws only the rows that fit, with a window that follows the selection through 5,000 hosts', () => {
    // Given a 5,000-host run with 4,990 hosts done, 8 in flight and 2 queued
    const names = Array.from({ length: 5000 }, (_, i) => `hv-${String(i).padStart(4, '0')}`);
    const events: RunEvent[] = [runStarted(names)];
    names.forEach((name, i) => {
      if (i < 4990) events.push(done(hostReport(name, { vms: [vm('v', ['nat'])] }), T0 + i));
      else if (i < 4998) events.push(connecting(name, T0 + i));
    });
    const state = stateOf(events);
    // When it is drawn on a 30-line terminal with the cursor on the 2,500th row of the name order
    const lines = frameOf(state, { rows: 30, selected: 2499, query: { sort: 'name', filter: '', problemsOnly: false } }).split('\n');
    // Then the frame leaves one line spare and draws only a window of host rows around the selection
    expect(lines.length).toBe(29);
    const hostLines = lines.filter((l) => /\bhv-\d{4}\b/.test(l));
    expect(hostLines.length).toBeGreaterThan(10);
    expect(hostLines.length).toBeLessThan(25);
    expect(lines.find((l) => l.startsWith('› '))).toMatch(/hv-2499/);
    expect(hostLines.at(-1)).toMatch(/hv-2499/);
    // And the list line says which part of the list this is
    const window = /^sort name · ([\d,]+)–([\d,]+) of 5,000 · ↓ ([\d,]+) more$/.exec(lines.find((l) => l.startsWith('sort')) ?? '');
    expect(window).not.toBeNull();
    const [from, to, more] = [window?.[1], window?.[2], window?.[3]].map((n) => Number(n?.replace(/,/g, '')));
    expect(to).toBe(2500);
    expect(to! - from! + 1).toBe(hostLines.length);
    expect(more).toBe(2500);
  });

  it('puts hosts in flight and failures on top of the default status order', () => {
    const names = Array.from({ length: 300 }, (_, i) => `h${i}`);
    const state = stateOf([
      runStarted(names),
      ...names.slice(0, 280).map((n, i) => done(hostReport(n), T0 + i)),
      done(failedHost('h150', 'auth', 'permission denied'), T0 + 999),
      connecting('h290'),
    ]);
    const hostLines = frameOf(state, { rows: 20 }).split('\n').slice(3, 15);
    expect(hostLines[0]).toMatch(/connect\s+h290/);
    expect(hostLines[1]).toMatch(/✗ auth\s+h150\s+30\.0s\s+permission denied/);
    expect(hostLines[2]).toMatch(/✓ ok\s+h0\b/);
  });

  it('neutralises escape sequences and newlines in host names, groups and errors', () => {
    // Given a host whose name, group and error message carry terminal escape sequences and newlines
    const evilName = 'evil\x1b[2J\x1b]0;owned\x07\nrow';
    const state = stateOf([
      runStartedWith([{ name: evilName, groups: ['g\x1b[31m'] }, { name: 'next', groups: [] }]),
      done(failedHost(evilName, 'command', 'bad\x1b[31mred\r\nsecond')),
    ]);
    // When it is drawn (colours off)
    const frame = frameOf(state);
    // Then no control character reaches the terminal, and the escapes are shown as text
    expect(frame).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    expect(frame).toContain('evil\\x1b[2J\\x1b]0;owned\\x07');
    expect(frame).toContain('g\\x1b[31m');
    expect(frame).toContain('bad\\x1b[31mred\\x0d\\x0asecond');
    // And the hostile host still takes exactly one line
    expect(frame.split('\n').filter((l) => l.includes('evil'))).toHaveLength(1);
  });

  it('never draws a line wider than the terminal', () => {
    const state = stateOf([
      runStarted(['a-very-long-hypervisor-name-that-goes-on-and-on.example.com', '漢字漢字漢字漢字漢字漢字漢字漢字漢字']),
      done(failedHost('a-very-long-hypervisor-name-that-goes-on-and-on.example.com', 'timeout', 'x'.repeat(200))),
    ]);
    for (const columns of [20, 50, 80]) {
      for (const line of frameOf(state, { columns }).split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(columns);
    }
  });

  it('drops columns on a narrow terminal: group first, then the counts, the networks, the time, the NICs', () => {
    const partial = hostReport('hv-br-02', { status: 'partial', error: { kind: 'parse', message: 'section ip-link unparsable' }, networks: [network('lan', 'bridged')], vms: [vm('c', ['bridged', 'bridged'])] });
    const state = stateOf([runStartedWith([{ name: 'hv-br-02', groups: ['prod'] }]), done(partial)]);
    const columnsAt = (columns: number) => (frameOf(state, { columns }).split('\n')[2] ?? '').split(/\s{2,}|\s(?=FIND)/).filter(Boolean);
    // Given the table at every width from 120 down to 30 columns
    const seen: string[][] = [];
    for (let columns = 120; columns >= 30; columns--) {
      const present = columnsAt(columns);
      if (seen.at(-1)?.join() !== present.join()) seen.push(present);
    }
    // Then the columns go one step at a time, in this order, and status, host and problem always stay
    expect(seen).toEqual([
      ['STATUS', 'HOST', 'GROUP', 'TIME', 'NETWORKS', 'VM NICS', 'WARN', 'FIND', 'PROBLEM'],
      ['STATUS', 'HOST', 'TIME', 'NETWORKS', 'VM NICS', 'WARN', 'FIND', 'PROBLEM'],
      ['STATUS', 'HOST', 'TIME', 'NETWORKS', 'VM NICS', 'PROBLEM'],
      ['STATUS', 'HOST', 'TIME', 'VM NICS', 'PROBLEM'],
      ['STATUS', 'HOST', 'VM NICS', 'PROBLEM'],
      ['STATUS', 'HOST', 'PROBLEM'],
    ]);
    // And what is left still says what matters
    expect(frameOf(state, { columns: 40 }).split('\n')[3]).toMatch(/^! partial\s+hv-br-02\s+parse: sec/);
  });

  it('ends with the summary, the report paths and no key hints', () => {
    const partial = hostReport('hv-br-02', { status: 'partial', vms: [vm('c', ['bridged', 'bridged'])] });
    const state = stateOf(wholeRun([natHost, partial, deadHost]));
    const frame = frameOf(state, { reportPaths: ['reports/20240101-000000/report.json', 'reports/20240101-000000/report.md'] });
    expect(frame).toContain('hosts    ok 1, partial 1, failed 1 (timeout 1)');
    expect(frame).toContain('VM NICs  5: nat 3, bridged 2');
    expect(frame).toContain('report   reports/20240101-000000/report.json');
    expect(frame).toContain('report   reports/20240101-000000/report.md');
    expect(frame).toMatch(/3\/3 done · 1 failed · 0 remaining/);
    expect(frame).not.toContain('in flight');
    expect(frame).not.toContain('incomplete');
  });

  it('says the report is incomplete when the run was stopped', () => {
    const state = stateOf([...wholeRun([natHost], false)]);
    expect(frameOf(state)).toContain('stopped before every host was audited: the report is incomplete');
  });

  it('shows that the run is stopping, and later that hosts are being re-audited', () => {
    const stopping = stateOf([runStarted(['a']), connecting('a'), { type: 'run-stopping', at: T0, reason: 'stop requested' }]);
    expect(frameOf(stopping)).toContain('stopping: stop requested');
    const reauditing = stateOf([...wholeRun([deadHost, natHost]), connecting('hv-dead-13', T0 + 60_000)]);
    const frame = frameOf(reauditing, { now: T0 + 61_000 });
    expect(frame).toMatch(/1\/2 done · 0 failed · 1 remaining · 1 in flight · [\d.]+ hosts\/s · re-auditing 1/);
    expect(frame).toMatch(/^\* connect\s+hv-dead-13\s+1\.0s$/m);
  });

  it('counts the summary from the final report even for hosts it never heard of', () => {
    const state = stateOf([runStarted(['a']), finished(fleetReport([hostReport('a'), failedHost('b', 'cancelled', 'not audited')], false))]);
    const frame = frameOf(state);
    expect(frame).toContain('hosts    ok 1, partial 0, failed 1 (cancelled 1)');
    expect(frame).toMatch(/^– not audited\s+b\b/m);
  });

  it('says when the filter matches nothing', () => {
    const state = stateOf(wholeRun([natHost]));
    const frame = frameOf(state, { query: { sort: 'status', filter: 'mode:ovs', problemsOnly: false } });
    expect(frame).toContain('sort status · filter mode:ovs · no host matches (of 1)');
    expect(frame).not.toMatch(/hv-nat-01/);
  });

  it('plans every frame within the terminal height, whatever the height', () => {
    const names = Array.from({ length: 500 }, (_, i) => `h${i}`);
    const state = stateOf([...wholeRun(names.map((n) => hostReport(n))), connecting('h1')]);
    for (const rows of [8, 12, 24, 40]) {
      const frame = layoutFleet({ state, inventory: 'f', now: T0, rows, columns: 100, selected: 0, footer: [{ key: 'footer', segments: [{ text: 'keys' }] }], reportPaths: ['r.json'] });
      expect(frame.lines.length).toBeLessThanOrEqual(rows - 1);
      expect(frame.page).toBe(frame.window.end - frame.window.start);
    }
  });
});
