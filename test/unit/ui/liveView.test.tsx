import { cleanup, render } from 'ink-testing-library';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '../../../src/model.js';
import { initialFleetState, reduceFleet } from '../../../src/ui/fleetState.js';
import { LiveFleetApp, startLiveView, type FleetSnapshot } from '../../../src/ui/liveView.js';
import { connecting, done, failedHost, hostReport, normaliseFrame, runStarted, stripAnsi, vm, wholeRun } from './builders.js';
import { FakeStdin, FakeStdout } from './fakeStreams.js';

afterEach(() => cleanup());

/** A snapshot holder fed the way startLiveView feeds it: reducer per event, version bump. */
function snapshotFeed(events: RunEvent[] = []) {
  let snapshot: FleetSnapshot = { state: initialFleetState(), reportPaths: [], version: 0 };
  const push = (event: RunEvent) => {
    snapshot = { ...snapshot, state: reduceFleet(snapshot.state, event), version: snapshot.version + 1 };
  };
  events.forEach(push);
  return { source: () => snapshot, push };
}

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
  return stripAnsi(frame).replace(/\n$/, '');
}

const ctrlC = '\x03';

/** Ink reads keys only once raw mode is on, which happens in an effect after the first render. */
async function keysAreRead(stdin: { listenerCount(event: string): number }): Promise<void> {
  await vi.waitFor(() => expect(stdin.listenerCount('readable')).toBeGreaterThan(0));
}

describe('LiveFleetApp keys', () => {
  it('calls onInterrupt on Ctrl-C and keeps running', async () => {
    // Given a live view of a running fleet
    const onInterrupt = vi.fn();
    const feed = snapshotFeed([runStarted(['a', 'b']), connecting('a')]);
    const { stdin, lastFrame } = render(<LiveFleetApp source={feed.source} inventory="fleet.yaml" onInterrupt={onInterrupt} frameMs={10} />);
    await keysAreRead(stdin);
    // When the operator presses Ctrl-C
    stdin.write(ctrlC);
    await delay(20);
    // Then the CLI is asked to stop, and the table is still drawn
    expect(onInterrupt).toHaveBeenCalledTimes(1);
    expect(normaliseFrame(lastFrame())).toContain('* connect');
  });

  it('calls onInterrupt on q but not on other keys', async () => {
    const onInterrupt = vi.fn();
    const feed = snapshotFeed([runStarted(['a'])]);
    const { stdin } = render(<LiveFleetApp source={feed.source} inventory="fleet.yaml" onInterrupt={onInterrupt} frameMs={10} />);
    await keysAreRead(stdin);
    stdin.write('x');
    await delay(5);
    expect(onInterrupt).not.toHaveBeenCalled();
    stdin.write('q');
    await delay(5);
    expect(onInterrupt).toHaveBeenCalledTimes(1);
  });

  it('ignores keys once the run is finished', async () => {
    const onInterrupt = vi.fn();
    const feed = snapshotFeed(wholeRun([hostReport('a')]));
    const { stdin } = render(<LiveFleetApp source={feed.source} inventory="fleet.yaml" onInterrupt={onInterrupt} frameMs={10} />);
    await delay(20);
    stdin.write('q');
    stdin.write(ctrlC);
    await delay(20);
    expect(onInterrupt).not.toHaveBeenCalled();
  });
});

describe('LiveFleetApp batching', () => {
  it('redraws once per frame, not once per event, during a 5,000-host burst', async () => {
    // Given a live view with a 40 ms frame
    const names = Array.from({ length: 5000 }, (_, i) => `hv-${i}`);
    const feed = snapshotFeed([runStarted(names)]);
    const { frames, lastFrame } = render(<LiveFleetApp source={feed.source} inventory="fleet.yaml" onInterrupt={() => {}} frameMs={40} />);
    const framesBefore = frames.length;
    const startedAt = Date.now();
    // When 10,000 events arrive, with the event loop free to run timers between chunks
    for (let i = 0; i < names.length; i++) {
      const name = names[i] ?? '';
      feed.push(connecting(name));
      feed.push(done(hostReport(name, { vms: [vm('v', ['nat'])] })));
      if (i % 250 === 0) await delay(1);
    }
    await delay(120);
    // Then the number of redraws is bounded by elapsed time / frame, far below the event count
    const redraws = frames.length - framesBefore;
    const maxFrames = Math.ceil((Date.now() - startedAt) / 40) + 2;
    expect(redraws).toBeGreaterThan(0);
    expect(redraws).toBeLessThanOrEqual(maxFrames);
    // And the last frame shows the whole burst
    expect(normaliseFrame(lastFrame())).toContain('5,000/5,000 done');
  });
});

describe('startLiveView', () => {
  it('draws the run from its events and leaves a final frame with the summary and report paths', async () => {
    // Given a live view on a 100×30 terminal without keyboard input
    const events = hub();
    const stdout = new FakeStdout(100, 30);
    const view = startLiveView({
      subscribe: events.subscribe,
      inventory: 'fleet.yaml',
      stdout: stdout.asStream(),
      stdin: new FakeStdin(false).asStream(),
      onInterrupt: () => {},
      frameMs: 10,
      patchConsole: false,
    });
    // When a whole run is emitted, and the CLI hands over the report paths and finishes
    for (const event of wholeRun([hostReport('hv-nat-01', { vms: [vm('v', ['nat', 'bridged'])] }), failedHost('hv-dead-13', 'timeout', 'no answer')])) {
      events.emit(event);
    }
    view.setReportPaths(['reports/x/report.json', 'reports/x/report.md']);
    await view.finish();
    // Then the final frame has the rows, the summary and the paths
    const frame = lastFrameOf(stdout);
    expect(frame).toMatch(/✓ ok\s+hv-nat-01/);
    expect(frame).toMatch(/✗ failed\s+hv-dead-13\s+30\.0s\s+timeout: no answer/);
    expect(frame).toContain('hosts    ok 1, partial 0, failed 1 (timeout 1)');
    expect(frame).toContain('nics     2 VM NICs: nat 1, bridged 1');
    expect(frame).toContain('report   reports/x/report.json');
    expect(frame).toContain('report   reports/x/report.md');
    // And the view no longer listens to the run
    expect(events.listenerCount).toBe(0);
  });

  it('keeps every frame shorter than the terminal', async () => {
    // Given a 15-line terminal and 200 hosts
    const events = hub();
    const stdout = new FakeStdout(100, 15);
    const view = startLiveView({
      subscribe: events.subscribe,
      inventory: 'fleet.yaml',
      stdout: stdout.asStream(),
      stdin: new FakeStdin(false).asStream(),
      onInterrupt: () => {},
      frameMs: 10,
      patchConsole: false,
    });
    const names = Array.from({ length: 200 }, (_, i) => `h${i}`);
    events.emit(runStarted(names));
    names.slice(0, 50).forEach((name) => events.emit(done(hostReport(name))));
    await vi.waitFor(() => expect(lastFrameOf(stdout)).toContain('50/200 done'));
    const midRun = lastFrameOf(stdout);
    events.emit({ type: 'run-stopping', at: 0, reason: 'stop requested' });
    for (const event of wholeRun(names.map((n) => hostReport(n))).slice(1)) events.emit(event);
    await view.finish();
    // Then neither the running frame nor the final one uses more than 14 lines
    expect(midRun.split('\n').length).toBeLessThanOrEqual(14);
    expect(lastFrameOf(stdout).split('\n').length).toBeLessThanOrEqual(14);
    expect(lastFrameOf(stdout)).toMatch(/… 1\d\d more: 1\d\d ok/);
  });

  it('never turns on raw mode when stdin is not a TTY', async () => {
    const stdin = new FakeStdin(false);
    const onInterrupt = vi.fn();
    const view = startLiveView({
      subscribe: hub().subscribe,
      inventory: 'fleet.yaml',
      stdout: new FakeStdout().asStream(),
      stdin: stdin.asStream(),
      onInterrupt,
      frameMs: 10,
      patchConsole: false,
    });
    await delay(30);
    stdin.type(ctrlC);
    await view.finish();
    expect(stdin.rawModeCalls).toEqual([]);
    expect(onInterrupt).not.toHaveBeenCalled();
  });

  it('reads Ctrl-C from a TTY in raw mode, without exiting, and restores the terminal on finish', async () => {
    // Given a live view on a TTY
    const stdin = new FakeStdin(true);
    const onInterrupt = vi.fn();
    const events = hub();
    const view = startLiveView({
      subscribe: events.subscribe,
      inventory: 'fleet.yaml',
      stdout: new FakeStdout().asStream(),
      stdin: stdin.asStream(),
      onInterrupt,
      frameMs: 10,
      patchConsole: false,
    });
    events.emit(runStarted(['a']));
    await keysAreRead(stdin);
    // When the operator presses Ctrl-C
    stdin.type(ctrlC);
    await delay(10);
    // Then onInterrupt is called and the view keeps running until the CLI finishes it
    expect(onInterrupt).toHaveBeenCalledTimes(1);
    expect(stdin.rawModeCalls[0]).toBe(true);
    await view.finish();
    expect(stdin.rawModeCalls.at(-1)).toBe(false);
  });
});
