import { cleanup, render } from 'ink-testing-library';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HostReport, RawCapture, RunEvent } from '../../../src/model.js';
import { initialFleetState, reduceFleet } from '../../../src/ui/fleetState.js';
import { nextFrameDelay } from '../../../src/ui/LiveFleetApp.js';
import { LiveFleetApp, startLiveView, type FleetSnapshot, type LiveView } from '../../../src/ui/liveView.js';
import { colorsWanted } from '../../../src/ui/styles.js';
import { displayWidth } from '../../../src/ui/textWidth.js';
import { connecting, done, failedHost, finished, fleetReport, hostReport, normaliseFrame, probing, runStarted, stripAnsi, T0, vm, wholeRun } from './builders.js';
import { FakeStdin, FakeStdout } from '../../helpers/fakeTerminal.js';

afterEach(() => cleanup());

const KEY = {
  up: '\x1b[A',
  down: '\x1b[B',
  pageDown: '\x1b[6~',
  enter: '\r',
  escape: '\x1b',
  backspace: '\x7f',
  ctrlC: '\x03',
} as const;

/** A tiny event hub that also says how many listeners are attached. */
function hub() {
  const listeners = new Set<(event: RunEvent) => void>();
  return {
    subscribe(listener: (event: RunEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(event: RunEvent) {
      for (const listener of listeners) listener(event);
    },
    get listenerCount() {
      return listeners.size;
    },
  };
}

/** The last frame Ink wrote to a fake terminal, colours and cursor codes removed. */
function lastFrameOf(stdout: FakeStdout): string {
  const frame = [...stdout.writes].reverse().find((w) => w.includes('kvm-netaudit')) ?? '';
  return normaliseFrame(stripAnsi(frame).replace(/\n$/, ''));
}

/** Ink reads keys only once raw mode is on, which happens in an effect after the first render. */
async function keysAreRead(stdin: { listenerCount(event: string): number }): Promise<void> {
  await vi.waitFor(() => expect(stdin.listenerCount('readable')).toBeGreaterThan(0));
}

interface Harness {
  events: ReturnType<typeof hub>;
  stdout: FakeStdout;
  stdin: FakeStdin;
  view: LiveView;
  onInterrupt: ReturnType<typeof vi.fn>;
  onReaudit: ReturnType<typeof vi.fn>;
  /** Type a key and wait until the frame shows `expected`. */
  press(key: string, expected?: RegExp | string): Promise<string>;
  frame(): string;
  quit: { resolved: boolean };
}

/** Wait until keys are read and the finished run is on screen (keys act on what is drawn). */
async function finishedRunShown(h: Harness): Promise<void> {
  await keysAreRead(h.stdin);
  await vi.waitFor(() => expect(h.frame()).toMatch(/4\/4 done/));
}

/** A live view on a fake TTY (keys on unless `tty` is false), fed by a hub. */
function mount(opts: { tty?: boolean; columns?: number; rows?: number; captureOf?: (host: string) => RawCapture | undefined; reaudit?: boolean } = {}): Harness {
  const events = hub();
  const stdout = new FakeStdout(opts.columns ?? 100, opts.rows ?? 30);
  const stdin = new FakeStdin(opts.tty ?? true);
  const onInterrupt = vi.fn();
  const onReaudit = vi.fn();
  const view = startLiveView({
    subscribe: events.subscribe,
    inventory: 'fleet.yaml',
    stdout: stdout.asStream(),
    stdin: stdin.asStream(),
    onInterrupt,
    onReaudit: opts.reaudit === false ? undefined : onReaudit,
    captureOf: opts.captureOf,
    frameMs: 10,
    pacing: false,
    patchConsole: false,
  });
  const quit = { resolved: false };
  void view.waitForQuit().then(() => (quit.resolved = true));
  const frame = () => lastFrameOf(stdout);
  return {
    events,
    stdout,
    stdin,
    view,
    onInterrupt,
    onReaudit,
    frame,
    quit,
    async press(key, expected) {
      stdin.type(key);
      if (expected === undefined) {
        await delay(30);
        return frame();
      }
      await vi.waitFor(() => expect(frame()).toMatch(expected));
      return frame();
    },
  };
}

const natHost = hostReport('hv-nat-01', { verdict: '1 VM NIC uses NAT', vms: [vm('web', ['nat'])] });
const bridgedHost = hostReport('hv-br-02', { vms: [vm('db', ['bridged', 'bridged'])] });
const deadHost = failedHost('hv-dead-13', 'timeout', 'no answer within 30 s');
const lockedHost = failedHost('hv-locked-14', 'auth', 'permission denied', 200);
const fleet: HostReport[] = [natHost, bridgedHost, deadHost, lockedHost];

describe('startLiveView on a terminal', () => {
  it('stays open after the run for browsing, and quits on q', async () => {
    // Given a finished run on a TTY
    const h = mount();
    for (const event of wholeRun(fleet)) h.events.emit(event);
    await keysAreRead(h.stdin);
    await vi.waitFor(() => expect(h.frame()).toContain('4/4 done'));
    // Then the view does not quit by itself
    await delay(50);
    expect(h.quit.resolved).toBe(false);
    expect(h.frame()).toMatch(/q quit$/);
    // When the operator presses q, waitForQuit resolves without stopping anything
    h.stdin.type('q');
    await vi.waitFor(() => expect(h.quit.resolved).toBe(true));
    expect(h.onInterrupt).not.toHaveBeenCalled();
    // And finish leaves the final frame with the report paths
    h.view.setReportPaths(['reports/x/report.json']);
    await h.view.finish();
    expect(h.frame()).toContain('report   reports/x/report.json');
    expect(h.events.listenerCount).toBe(0);
  });

  it('moves, opens a host, shows its detail and goes back', async () => {
    const h = mount();
    for (const event of wholeRun(fleet)) h.events.emit(event);
    await keysAreRead(h.stdin);
    // Status order puts the two failures first: hv-dead-13, hv-locked-14, then hv-nat-01
    await vi.waitFor(() => expect(h.frame()).toMatch(/^› ✗ timeout\s+hv-dead-13/m));
    await h.press(KEY.down, /^› ✗ auth\s+hv-locked-14/m);
    await h.press(KEY.down, /^› ✓ ok\s+hv-nat-01/m);
    const detail = await h.press(KEY.enter, /kvm-netaudit › hv-nat-01/);
    expect(detail).toContain('verdict  1 VM NIC uses NAT');
    expect(detail).toMatch(/^ {2}› nat\s+network default\s+52:54:00:00:00:01/m);
    expect(detail).toMatch(/↑↓ NIC · PgUp\/PgDn scroll · x raw output · Esc back/);
    const back = await h.press(KEY.escape, /^› ✓ ok\s+hv-nat-01/m);
    expect(back).toMatch(/^kvm-netaudit {2}fleet\.yaml/);
  });

  it('filters by mode as the operator types, and clears the filter with Esc', async () => {
    const h = mount();
    for (const event of wholeRun(fleet)) h.events.emit(event);
    await finishedRunShown(h);
    await h.press('/', /^\/█/m);
    for (const ch of 'mode:bridged') h.stdin.type(ch);
    const typed = await vi.waitFor(() => {
      const frame = h.frame();
      expect(frame).toMatch(/^\/mode:bridged█/m);
      return frame;
    });
    expect(typed).toMatch(/hv-br-02/);
    expect(typed).not.toMatch(/hv-nat-01|hv-dead-13/);
    const applied = await h.press(KEY.enter, /sort status · filter mode:bridged · 1 of 4 hosts/);
    expect(applied).toMatch(/^› ✓ ok\s+hv-br-02/m);
    const cleared = await h.press(KEY.escape, /sort status · 4 hosts/);
    expect(cleared).toContain('Filter cleared.');
  });

  it('cycles the sort with s, shows only failed hosts with f, and the help with ?', async () => {
    const h = mount();
    for (const event of wholeRun(fleet)) h.events.emit(event);
    await finishedRunShown(h);
    const byName = await h.press('s', /sort name/);
    const names = byName.split('\n').map((l) => /^[› ] .*?(hv-[a-z]+-\d+)/.exec(l)?.[1]).filter(Boolean);
    expect(names).toEqual(['hv-br-02', 'hv-dead-13', 'hv-locked-14', 'hv-nat-01']);
    const failedOnly = await h.press('f', /failed\/partial only · 2 of 4 hosts/);
    expect(failedOnly).not.toMatch(/hv-nat-01|hv-br-02/);
    const help = await h.press('?', /kvm-netaudit › keys/);
    expect(help).toMatch(/^ {2}\/\s+filter: words match name, group, status or mode/m);
    expect(help).toContain('mode:bridged');
    await h.press('x', /failed\/partial only/); // any key closes the help
  });

  it('shows the raw probe output of the open host on x', async () => {
    const capture: RawCapture = {
      nonce: 'n',
      truncated: false,
      bytes: 40,
      sections: [{ id: 'ip-link', command: 'ip -j -d link show', exit: 0, stdout: '[{"ifname":"br0"}]\n', stderr: '' }],
    };
    const h = mount({ captureOf: (host) => (host === 'hv-dead-13' ? capture : undefined) });
    for (const event of wholeRun(fleet)) h.events.emit(event);
    await finishedRunShown(h);
    await h.press(KEY.enter, /kvm-netaudit › hv-dead-13/);
    const raw = await h.press('x', /raw probe output/);
    expect(raw).toContain('── ip-link · exit 0 · 19 chars · ip -j -d link show');
    expect(raw).toContain('  [{"ifname":"br0"}]');
    await h.press(KEY.escape, /error {4}timeout: no answer within 30 s/);
  });

  it('re-audits every failed host on r then a, and shows them back in flight', async () => {
    const h = mount();
    for (const event of wholeRun(fleet)) h.events.emit(event);
    await finishedRunShown(h);
    await h.press('r', /Re-audit: Enter hv-dead-13 · a all 2 failed hosts · Esc cancel/);
    await h.press('a', /Re-auditing 2 failed hosts/);
    expect(h.onReaudit).toHaveBeenCalledWith(['hv-dead-13', 'hv-locked-14']);
    // When the CLI re-audits them, their events come through the same subscription
    h.events.emit(connecting('hv-dead-13', Date.now()));
    h.events.emit(probing('hv-dead-13', Date.now()));
    await vi.waitFor(() => expect(h.frame()).toMatch(/^. \* probe\s+hv-dead-13/m));
    expect(h.frame()).toMatch(/3\/4 done · 1 failed · 1 remaining · 1 in flight/);
    h.events.emit(done(hostReport('hv-dead-13', { vms: [vm('x', ['nat'])] })));
    await vi.waitFor(() => expect(h.frame()).toMatch(/4\/4 done · 1 failed · 0 remaining/));
    expect(h.frame()).toContain('hosts    ok 3, partial 0, failed 1 (auth 1)');
  });

  it('asks before stopping a run on q, stops it on y, and quits once the run has ended', async () => {
    const h = mount();
    h.events.emit(runStarted(['a', 'b']));
    h.events.emit(connecting('a'));
    await keysAreRead(h.stdin);
    await h.press('q', /Stop the run\? No new connections; hosts in flight are closed; the report is marked incomplete\./);
    await h.press('n', /q stop$/);
    expect(h.onInterrupt).not.toHaveBeenCalled();
    await h.press('q', /Stop the run\?/);
    h.stdin.type('y');
    await vi.waitFor(() => expect(h.onInterrupt).toHaveBeenCalledTimes(1));
    expect(h.quit.resolved).toBe(false);
    // The CLI stops the run; it ends incomplete, and the view quits because it was asked to
    h.events.emit({ type: 'run-stopping', at: T0, reason: 'stop requested' });
    h.events.emit(done(hostReport('a')));
    h.events.emit(finished(fleetReport([hostReport('a'), failedHost('b', 'cancelled', 'not audited')], false)));
    await vi.waitFor(() => expect(h.quit.resolved).toBe(true));
    await h.view.finish();
    expect(h.frame()).toContain('stopped before every host was audited: the report is incomplete');
  });

  it('reads Ctrl-C in raw mode as a stop request, and restores the terminal on finish', async () => {
    const h = mount();
    h.events.emit(runStarted(['a']));
    await keysAreRead(h.stdin);
    h.stdin.type(KEY.ctrlC);
    await vi.waitFor(() => expect(h.onInterrupt).toHaveBeenCalledTimes(1));
    expect(h.stdin.rawModeCalls[0]).toBe(true);
    await h.view.finish();
    expect(h.stdin.rawModeCalls.at(-1)).toBe(false);
  });

  it('says re-audit is not available when the CLI offers none', async () => {
    const h = mount({ reaudit: false });
    for (const event of wholeRun(fleet)) h.events.emit(event);
    await finishedRunShown(h);
    await h.press('r', /Re-audit is not available here\./);
  });

  it('lays the frame out again at the new width when the terminal is resized', async () => {
    const h = mount({ columns: 100 });
    for (const event of wholeRun(fleet)) h.events.emit(event);
    await vi.waitFor(() => expect(h.frame()).toMatch(/WARN FIND/));
    h.stdout.resize(50, 30);
    await vi.waitFor(() => expect(h.frame()).not.toMatch(/WARN FIND/));
    for (const line of h.frame().split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(50);
  });
});

describe('startLiveView without a terminal for keys', () => {
  it('never turns on raw mode and is done as soon as the run has finished', async () => {
    const h = mount({ tty: false });
    h.events.emit(runStarted(['hv-nat-01']));
    await delay(30);
    h.stdin.type(KEY.ctrlC);
    expect(h.quit.resolved).toBe(false);
    h.events.emit(done(natHost));
    h.events.emit(finished(fleetReport([natHost])));
    await vi.waitFor(() => expect(h.quit.resolved).toBe(true));
    h.view.setReportPaths(['reports/x/report.json', 'reports/x/report.md']);
    await h.view.finish();
    expect(h.stdin.rawModeCalls).toEqual([]);
    expect(h.onInterrupt).not.toHaveBeenCalled();
    const frame = h.frame();
    expect(frame).toMatch(/^✓ ok\s+hv-nat-01/m); // no cursor column without keys
    expect(frame).toContain('report   reports/x/report.md');
    expect(frame).not.toMatch(/q quit|q stop/);
  });
});

describe('scale', () => {
  it('feeds 5,000 host events and draws only the rows that fit', async () => {
    // Given a live view on a 120×40 terminal
    const h = mount({ columns: 120, rows: 40 });
    const names = Array.from({ length: 5000 }, (_, i) => `hv-${String(i).padStart(4, '0')}`);
    h.events.emit(runStarted(names));
    // When 5,000 hosts are connected to and done, in bursts
    for (let i = 0; i < names.length; i++) {
      h.events.emit(connecting(names[i]!));
      h.events.emit(done(hostReport(names[i]!, { vms: [vm('v', ['nat'])] })));
      if (i % 500 === 0) await delay(1);
    }
    await vi.waitFor(() => expect(h.frame()).toContain('5,000/5,000 done'));
    // Then every frame written fits the terminal, and holds only a window of host rows
    const frames = h.stdout.writes.filter((w) => w.includes('kvm-netaudit')).map((w) => stripAnsi(w).replace(/\n$/, ''));
    for (const frame of frames) expect(frame.split('\n').length).toBeLessThanOrEqual(39);
    const last = h.frame().split('\n');
    const hostRows = last.filter((l) => /\bhv-\d{4}\b/.test(l));
    expect(hostRows.length).toBeGreaterThan(20);
    expect(hostRows.length).toBeLessThanOrEqual(32);
    expect(last.find((l) => l.startsWith('sort'))).toMatch(new RegExp(`^sort status · 1–${hostRows.length} of 5,000 · ↓ [\\d,]+ more$`));
  });

  it('redraws once per frame, not once per event, during a 5,000-host burst', async () => {
    // Given the live view component reading a snapshot, with a 40 ms frame
    const names = Array.from({ length: 5000 }, (_, i) => `hv-${i}`);
    let snapshot: FleetSnapshot = { state: reduceFleet(initialFleetState(), runStarted(names)), reportPaths: [], version: 1 };
    const push = (event: RunEvent) => (snapshot = { ...snapshot, state: reduceFleet(snapshot.state, event), version: snapshot.version + 1 });
    const { frames, lastFrame } = render(<LiveFleetApp source={() => snapshot} inventory="fleet.yaml" onInterrupt={() => {}} frameMs={40} />);
    const framesBefore = frames.length;
    const startedAt = Date.now();
    // When 10,000 events arrive, with the event loop free to run timers between chunks
    for (let i = 0; i < names.length; i++) {
      push(connecting(names[i]!));
      push(done(hostReport(names[i]!, { vms: [vm('v', ['nat'])] })));
      if (i % 250 === 0) await delay(1);
    }
    await delay(120);
    // Then the number of redraws is bounded by elapsed time / frame, far below the event count
    const redraws = frames.length - framesBefore;
    expect(redraws).toBeGreaterThan(0);
    expect(redraws).toBeLessThanOrEqual(Math.ceil((Date.now() - startedAt) / 40) + 2);
    expect(normaliseFrame(lastFrame())).toContain('5,000/5,000 done');
  });

  it('spaces frames by their cost, so drawing takes at most about 5 % of the time', () => {
    expect(nextFrameDelay(100, 2)).toBe(100);
    expect(nextFrameDelay(100, 15)).toBe(300);
    expect(nextFrameDelay(100, 400)).toBe(1000);
    expect(nextFrameDelay(2000, 400)).toBe(2000);
  });
});

describe('colorsWanted', () => {
  const tty = { isTTY: true, hasColors: () => true };
  it('follows FORCE_COLOR first, then NO_COLOR, then the terminal', () => {
    expect(colorsWanted({}, tty)).toBe(true);
    expect(colorsWanted({ NO_COLOR: '1' }, tty)).toBe(false);
    expect(colorsWanted({ NO_COLOR: '' }, tty)).toBe(true);
    expect(colorsWanted({ NO_COLOR: '1', FORCE_COLOR: '1' }, tty)).toBe(true);
    expect(colorsWanted({ FORCE_COLOR: '0' }, tty)).toBe(false);
    expect(colorsWanted({}, { isTTY: false })).toBe(false);
    expect(colorsWanted({ FORCE_COLOR: '' }, { isTTY: false })).toBe(true);
    expect(colorsWanted({ TERM: 'dumb' }, tty)).toBe(false);
    expect(colorsWanted({}, { isTTY: true, hasColors: () => false })).toBe(false);
  });
});
