import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/model.js';
import { initialFleetState, reduceFleet } from '../../../src/ui/fleetState.js';
import { selectVisibleRows } from '../../../src/ui/visibleRows.js';
import { connecting, done, failedHost, hostReport, runStarted, T0 } from './builders.js';

const names = Array.from({ length: 10 }, (_, i) => `h${i}`);

function rowsAfter(events: RunEvent[]) {
  return events.reduce(reduceFleet, initialFleetState()).rows;
}

describe('selectVisibleRows', () => {
  it('shows every row when they all fit', () => {
    const rows = rowsAfter([runStarted(names)]);
    const selection = selectVisibleRows(rows, 10);
    expect(selection.visible.map((r) => r.name)).toEqual(names);
    expect(selection.hiddenCount).toBe(0);
  });

  it('prefers hosts in flight, then failures, then partial hosts, over the queue', () => {
    // Given ten hosts: h7 in flight, h8 failed, h9 partial, h1 ok, the rest queued
    const rows = rowsAfter([
      runStarted(names),
      done(hostReport('h1'), T0 + 1),
      connecting('h7'),
      done(failedHost('h8', 'auth', 'denied'), T0 + 2),
      done(hostReport('h9', { status: 'partial' }), T0 + 3),
    ]);
    // When only three rows fit
    const selection = selectVisibleRows(rows, 3);
    // Then the in-flight, failed and partial hosts are shown, in inventory order
    expect(selection.visible.map((r) => r.name)).toEqual(['h7', 'h8', 'h9']);
    expect(selection.hidden).toEqual([
      { category: 'ok', count: 1 },
      { category: 'queued', count: 6 },
    ]);
    expect(selection.hiddenCount).toBe(7);
  });

  it('keeps the most recently finished ok hosts when not all of them fit', () => {
    const rows = rowsAfter([
      runStarted(names),
      ...names.map((name, i) => done(hostReport(name), T0 + i)),
    ]);
    const selection = selectVisibleRows(rows, 2);
    expect(selection.visible.map((r) => r.name)).toEqual(['h8', 'h9']);
  });

  it('ranks hosts the run stopped before auditing below real failures', () => {
    const rows = rowsAfter([
      runStarted(['a', 'b']),
      done(failedHost('a', 'cancelled', 'not audited'), T0 + 5),
      done(failedHost('b', 'timeout', 'slow'), T0 + 1),
    ]);
    expect(selectVisibleRows(rows, 1).visible.map((r) => r.name)).toEqual(['b']);
  });
});
