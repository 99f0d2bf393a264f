import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/model.js';
import { inFlightCount, initialFleetState, isRunActive, reduceFleet, reduceFleetBatch, type FleetState } from '../../../src/ui/fleetState.js';
import {
  connecting,
  done,
  failedHost,
  finished,
  fleetReport,
  hostReport,
  network,
  probing,
  runStarted,
  T0,
  vm,
} from './builders.js';

function fold(events: RunEvent[], from: FleetState = initialFleetState()): FleetState {
  return events.reduce(reduceFleet, from);
}

function row(state: FleetState, name: string) {
  const position = state.index.get(name);
  const found = position === undefined ? undefined : state.rows[position];
  if (!found) throw new Error(`no row ${name}`);
  return found;
}

describe('reduceFleet', () => {
  it('lists every announced host as queued, in inventory order', () => {
    // Given a run of three hosts
    const state = fold([runStarted(['c', 'a', 'b'])]);
    // Then there is one queued row per host, in the order given, indexed by name
    expect(state.phase).toBe('running');
    expect(state.rows.map((r) => [r.name, r.phase])).toEqual([
      ['c', 'queued'],
      ['a', 'queued'],
      ['b', 'queued'],
    ]);
    expect(state.index.get('b')).toBe(2);
    expect(state.totals.phases).toEqual({ queued: 3, connecting: 0, probing: 0, done: 0 });
  });

  it('moves a host through connecting and probing, remembering when it started', () => {
    const state = fold([runStarted(['a', 'b']), connecting('a', T0 + 5), probing('a', T0 + 50)]);
    expect(row(state, 'a')).toMatchObject({ phase: 'probing', startedAt: T0 + 5 });
    expect(state.totals.phases).toEqual({ queued: 1, connecting: 0, probing: 1, done: 0 });
  });

  it('counts networks, their modes and VM NICs per mode when a host is done', () => {
    // Given a host with a NAT and an isolated network and VMs on nat and bridged
    const report = hostReport('a', {
      networks: [network('default', 'nat'), network('lab', 'isolated'), network('nat2', 'nat')],
      vms: [vm('web', ['nat', 'bridged']), vm('db', ['nat'])],
      warnings: [{ kind: 'link-down', subject: 'x', message: 'y' }],
      findings: [{ rule: 'r', severity: 'high', subject: 's', message: 'm' }],
    });
    // When it is done
    const state = fold([runStarted(['a']), connecting('a'), done(report)]);
    // Then the row and the totals carry the counts
    expect(row(state, 'a')).toMatchObject({
      phase: 'done',
      status: 'ok',
      networkCount: 3,
      networkModes: ['isolated', 'nat'],
      nicCount: 3,
      nicModes: { nat: 2, bridged: 1 },
      warningCount: 1,
      findingCount: 1,
      durationMs: 412,
    });
    expect(state.totals).toMatchObject({ ok: 1, nics: 3, nicModes: { nat: 2, bridged: 1 }, findings: 1 });
  });

  it('totals outcomes and failures by kind across hosts', () => {
    const state = fold([
      runStarted(['a', 'b', 'c', 'd']),
      done(hostReport('a', { vms: [vm('v', ['nat'])] })),
      done(hostReport('b', { status: 'partial', vms: [vm('v', ['nat', 'macvtap'])] })),
      done(failedHost('c', 'timeout', 'no answer within 30 s')),
      done(failedHost('d', 'auth', 'all methods failed')),
    ]);
    expect(state.totals).toMatchObject({
      hosts: 4,
      ok: 1,
      partial: 1,
      failed: 2,
      failuresByKind: { timeout: 1, auth: 1 },
      nics: 3,
      nicModes: { nat: 2, macvtap: 1 },
    });
    expect(state.totals.phases.done).toBe(4);
  });

  it('replaces, not adds, the outcome of a host reported twice', () => {
    const state = fold([
      runStarted(['a']),
      done(failedHost('a', 'timeout', 'slow')),
      done(hostReport('a', { vms: [vm('v', ['nat'])] })),
    ]);
    expect(state.totals).toMatchObject({ ok: 1, failed: 0, failuresByKind: {}, nics: 1 });
    expect(state.totals.phases).toEqual({ queued: 0, connecting: 0, probing: 0, done: 1 });
  });

  it('ignores a stray probing event for a host that is already done', () => {
    const state = fold([runStarted(['a']), done(hostReport('a')), probing('a')]);
    expect(row(state, 'a').phase).toBe('done');
    expect(state.totals.phases.done).toBe(1);
  });

  it('takes a done host back in flight when it is audited again, and its outcome out of the totals', () => {
    // Given a finished run where host a failed and b is ok
    const before = fold([
      runStarted(['a', 'b']),
      done(failedHost('a', 'timeout', 'slow')),
      done(hostReport('b', { vms: [vm('v', ['nat'])] })),
      finished(fleetReport([failedHost('a', 'timeout', 'slow'), hostReport('b', { vms: [vm('v', ['nat'])] })]), T0 + 9000),
    ]);
    // When a is re-audited: connecting, then probing
    const during = fold([connecting('a', T0 + 20_000), probing('a', T0 + 20_100)], before);
    // Then a is in flight with its old report kept, and the failure no longer counts
    expect(row(during, 'a')).toMatchObject({ phase: 'probing', status: null, error: null, startedAt: T0 + 20_000, durationMs: null });
    expect(row(during, 'a').report?.error?.kind).toBe('timeout');
    expect(during.totals).toMatchObject({ hosts: 2, ok: 1, failed: 0, failuresByKind: {} });
    expect(during.totals.phases).toEqual({ queued: 0, connecting: 0, probing: 1, done: 1 });
    // And the run itself stays finished, at its own end time
    expect(during).toMatchObject({ phase: 'finished', finishedAt: T0 + 9000 });
    expect(isRunActive(during)).toBe(true);
    expect(inFlightCount(during)).toBe(1);
  });

  it('counts a re-audited host once, with its new outcome', () => {
    const state = fold([
      runStarted(['a', 'b']),
      done(failedHost('a', 'auth', 'denied')),
      done(hostReport('b', { vms: [vm('v', ['nat'])] })),
      connecting('a', T0 + 1),
      done(hostReport('a', { vms: [vm('w', ['bridged', 'nat'])] }), T0 + 2),
    ]);
    expect(state.totals).toMatchObject({ hosts: 2, ok: 2, failed: 0, nics: 3, nicModes: { nat: 2, bridged: 1 } });
    expect(state.totals.phases).toEqual({ queued: 0, connecting: 0, probing: 0, done: 2 });
    expect(state.totals.modeMixes).toEqual({ nat: 1, 'nat+bridged': 1 });
  });

  it('keeps the rows when a re-audit announces itself with another run-started', () => {
    const before = fold([runStarted(['a', 'b']), done(hostReport('a')), done(hostReport('b')), finished(fleetReport([hostReport('a'), hostReport('b')]))]);
    const after = fold([runStarted(['b'], T0 + 50_000), connecting('b', T0 + 50_001)], before);
    expect(after.rows.map((r) => [r.name, r.phase])).toEqual([
      ['a', 'done'],
      ['b', 'connecting'],
    ]);
    expect(after.startedAt).toBe(T0);
  });

  it('counts hosts per mode mix, leaving failed hosts out', () => {
    const state = fold([
      runStarted(['a', 'b', 'c', 'd']),
      done(hostReport('a', { vms: [vm('v', ['nat', 'bridged'])] })),
      done(hostReport('b', { vms: [vm('v', ['bridged']), vm('w', ['nat'])] })),
      done(hostReport('c')),
      done(failedHost('d', 'timeout', 'slow')),
    ]);
    expect(state.totals.modeMixes).toEqual({ 'nat+bridged': 2, 'no VM NICs': 1 });
    expect(row(state, 'a').modeMix).toBe('nat+bridged');
    expect(row(state, 'd').modeMix).toBeNull();
  });

  it('folds a batch of events to the same state as one event at a time, copying the rows once', () => {
    // Given a 1,000-host run as a list of events
    const names = Array.from({ length: 1000 }, (_, i) => `h${i}`);
    const start = fold([runStarted(names)]);
    const events: RunEvent[] = [];
    names.forEach((name, i) => events.push(connecting(name, T0 + i), done(hostReport(name, { vms: [vm('v', ['nat'])] }), T0 + i + 1)));
    // When it is folded as one batch and event by event
    const batched = reduceFleetBatch(start, events);
    const oneByOne = fold(events, start);
    // Then both give the same rows and totals, and the starting state is untouched
    expect(batched.totals).toEqual(oneByOne.totals);
    expect(batched.rows).toEqual(oneByOne.rows);
    expect(start.rows.every((r) => r.phase === 'queued')).toBe(true);
    expect(reduceFleetBatch(start, [])).toBe(start);
  });

  it('keeps a host the run did not announce instead of losing its outcome', () => {
    const state = fold([runStarted(['a']), done(failedHost('ghost', 'internal', 'x'))]);
    expect(state.rows.map((r) => r.name)).toEqual(['a', 'ghost']);
    expect(state.totals).toMatchObject({ hosts: 2, failed: 1 });
  });

  it('records a stop request and its reason', () => {
    const state = fold([runStarted(['a']), { type: 'run-stopping', at: T0 + 1, reason: 'Ctrl-C' }]);
    expect(state).toMatchObject({ phase: 'stopping', stopReason: 'Ctrl-C' });
  });

  it('takes outcomes missing from the events from the final report, and whether it is complete', () => {
    // Given a stopped run where host b never got a host-done event
    const a = hostReport('a', { vms: [vm('v', ['nat'])] });
    const b = failedHost('b', 'cancelled', 'not audited: the run was stopped first', 0);
    // When the run finishes
    const state = fold([runStarted(['a', 'b']), done(a), finished(fleetReport([a, b], false), T0 + 9000)]);
    // Then b is done and failed, and the state knows the run was incomplete
    expect(row(state, 'b')).toMatchObject({ phase: 'done', status: 'failed' });
    expect(state).toMatchObject({ phase: 'finished', complete: false, finishedAt: T0 + 9000 });
    expect(state.totals).toMatchObject({ ok: 1, failed: 1, failuresByKind: { cancelled: 1 } });
  });

  it('never mutates the state it is given', () => {
    // Given a state after a few events
    const before = fold([runStarted(['a', 'b']), connecting('a')]);
    const snapshot = structuredClone({ rows: before.rows, totals: before.totals });
    const rowsRef = before.rows;
    // When more events are folded in
    fold([probing('a'), done(hostReport('a', { vms: [vm('v', ['nat'])] })), done(hostReport('b'))], before);
    // Then the earlier state is exactly as it was
    expect(before.rows).toBe(rowsRef);
    expect({ rows: before.rows, totals: before.totals }).toEqual(snapshot);
  });
});
