import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/model.js';
import { initialFleetState, reduceFleet, type FleetState, type HostRow } from '../../../src/ui/fleetState.js';
import { orderRows } from '../../../src/ui/rowQuery.js';
import { initialViewState, reduceView, selectedPosition, type ViewAction, type ViewContext, type ViewState } from '../../../src/ui/viewState.js';
import { connecting, done, failedHost, finished, fleetReport, hostReport, runStarted } from './builders.js';

const names = Array.from({ length: 50 }, (_, i) => `h${String(i).padStart(2, '0')}`);

function fleetOf(events: RunEvent[]): FleetState {
  return events.reduce(reduceFleet, initialFleetState());
}

const running = fleetOf([runStarted(names), done(failedHost('h03', 'auth', 'denied')), connecting('h04')]);
const reports = names.map((n) => (n === 'h03' || n === 'h07' ? failedHost(n, 'timeout', 'slow') : hostReport(n)));
const ended = fleetOf([runStarted(names), ...reports.map((r) => done(r)), finished(fleetReport(reports))]);

/** What the screen would say, for a fleet and a view: the list sorted by name, a 10-row page. */
function contextOf(fleet: FleetState, view: ViewState, overrides: Partial<ViewContext> = {}): ViewContext {
  const list = orderRows(fleet, { ...view.query, sort: 'name' }, 0);
  const start = Math.max(0, Math.min(view.scroll, list.length - 10));
  return {
    run: fleet.phase,
    inFlight: fleet.totals.phases.connecting + fleet.totals.phases.probing,
    list,
    listWindow: { start, page: 10 },
    detail: view.detail ? { bodyLength: 80, start: view.detail.scroll, page: 20, nicCount: 3 } : null,
    canReaudit: true,
    failedHosts: () => fleet.rows.filter((r: HostRow) => r.status === 'failed').map((r) => r.name),
    row: (name) => fleet.rows[fleet.index.get(name) ?? -1],
    ...overrides,
  };
}

/** Apply actions one after the other, as keys would; collect every effect. */
function press(fleet: FleetState, actions: ViewAction[], from: ViewState = initialViewState(), overrides: Partial<ViewContext> = {}) {
  let view = from;
  const effects: unknown[] = [];
  for (const action of actions) {
    const update = reduceView(view, action, contextOf(fleet, view, overrides));
    view = update.view;
    effects.push(...update.effects);
  }
  return { view, effects };
}

const down: ViewAction = { type: 'move', unit: 'row', by: 1 };
const up: ViewAction = { type: 'move', unit: 'row', by: -1 };
const pageDown: ViewAction = { type: 'move', unit: 'page', by: 1 };

describe('reduceView: moving in the fleet list', () => {
  it('starts at the top of the list and moves the selection by rows and pages', () => {
    const list = orderRows(ended, { sort: 'name', filter: '', problemsOnly: false }, 0);
    expect(selectedPosition(initialViewState(), list)).toBe(0);
    const { view } = press(ended, [down, down, pageDown]);
    expect(view.selected).toBe('h12');
    expect(view.scroll).toBe(10);
    expect(press(ended, [down, down, up]).view.selected).toBe('h01');
  });

  it('stops at both ends, and Home goes back to following the top of the list', () => {
    const atEnd = press(ended, [{ type: 'move-to', end: 'last' }, down]).view;
    expect(atEnd.selected).toBe('h49');
    expect(press(ended, [up, up]).view.selected).toBeNull();
    expect(press(ended, [{ type: 'move-to', end: 'first' }], atEnd).view).toMatchObject({ selected: null, scroll: 0 });
  });
});

describe('reduceView: opening a host', () => {
  it('opens the selected host with its first NIC selected, and goes back on Esc', () => {
    const opened = press(ended, [down, { type: 'open' }]).view;
    expect(opened).toMatchObject({ screen: 'detail', detail: { host: 'h01', nic: 0, scroll: 0, raw: false } });
    const back = press(ended, [{ type: 'back' }], opened).view;
    expect(back).toMatchObject({ screen: 'fleet', detail: null, selected: 'h01' });
  });

  it('moves the NIC selection with the arrows and pages the body without following the NIC', () => {
    const opened = press(ended, [{ type: 'open' }]).view;
    const moved = press(ended, [down, down, down, down], opened).view;
    expect(moved.detail).toMatchObject({ nic: 2, follow: true });
    const paged = press(ended, [pageDown], moved).view;
    expect(paged.detail).toMatchObject({ nic: 2, scroll: 20, follow: false });
    expect(press(ended, [{ type: 'move-to', end: 'last' }], moved).view.detail).toMatchObject({ scroll: 60, nic: 2 });
  });

  it('shows the raw output on x, and Esc closes the raw output before the host', () => {
    const raw = press(ended, [{ type: 'open' }, { type: 'raw' }]).view;
    expect(raw.detail?.raw).toBe(true);
    const back = press(ended, [{ type: 'back' }], raw).view;
    expect(back).toMatchObject({ screen: 'detail', detail: { raw: false } });
  });
});

describe('reduceView: filter, sort and problems', () => {
  it('filters as the operator types, keeps it on Enter, and undoes it on Esc', () => {
    const typing = press(ended, [{ type: 'filter-start' }, { type: 'filter-type', text: 'h0' }, { type: 'filter-type', text: '7x' }, { type: 'filter-erase' }]).view;
    expect(typing.editing).not.toBeNull();
    expect(typing.query.filter).toBe('h07');
    expect(press(ended, [{ type: 'filter-apply' }], typing).view).toMatchObject({ editing: null, query: { filter: 'h07' } });
    expect(press(ended, [{ type: 'filter-cancel' }], typing).view).toMatchObject({ editing: null, query: { filter: '' } });
  });

  it('cycles the sort and toggles failed/partial only; Esc in the list clears both', () => {
    const view = press(ended, [{ type: 'sort' }, { type: 'sort' }, { type: 'problems' }]).view;
    expect(view.query).toMatchObject({ sort: 'duration', problemsOnly: true });
    const cleared = press(ended, [{ type: 'back' }], view).view;
    expect(cleared.query).toMatchObject({ sort: 'duration', problemsOnly: false, filter: '' });
    expect(cleared.notice).toBe('Filter cleared.');
  });
});

describe('reduceView: quitting', () => {
  it('asks before stopping a run, and stops it only on yes', () => {
    const asked = press(running, [{ type: 'quit' }]);
    expect(asked.view.prompt).toBe('quit');
    expect(asked.effects).toEqual([]);
    expect(press(running, [{ type: 'answer', yes: false }], asked.view)).toMatchObject({ view: { prompt: null, quitting: false }, effects: [] });
    const stopped = press(running, [{ type: 'answer', yes: true }], asked.view);
    expect(stopped.effects).toEqual([{ type: 'interrupt' }]);
    expect(stopped.view.quitting).toBe(true);
  });

  it('leaves once a run it was asked to stop has finished', () => {
    const stopped = press(running, [{ type: 'quit' }, { type: 'answer', yes: true }]).view;
    expect(press(ended, [{ type: 'run-finished' }], stopped).effects).toEqual([{ type: 'quit' }]);
    // and a run that ends by itself while the question is open needs no answer
    const asking = press(running, [{ type: 'quit' }]).view;
    expect(press(ended, [{ type: 'run-finished' }], asking).effects).toEqual([{ type: 'quit' }]);
    // but an operator who did not ask to leave stays
    expect(press(ended, [{ type: 'run-finished' }]).effects).toEqual([]);
  });

  it('quits at once after the run, and stops the run at once on Ctrl-C', () => {
    expect(press(ended, [{ type: 'quit' }]).effects).toEqual([{ type: 'quit' }]);
    expect(press(running, [{ type: 'interrupt' }])).toMatchObject({ effects: [{ type: 'interrupt' }], view: { quitting: true } });
    expect(press(ended, [{ type: 'interrupt' }]).effects).toEqual([{ type: 'quit' }]);
  });

  it('asks before quitting while re-audits are still running', () => {
    expect(press(ended, [{ type: 'quit' }], initialViewState(), { inFlight: 2 }).view.prompt).toBe('quit');
  });
});

describe('reduceView: re-audit', () => {
  it('re-audits the selected host or every failed host, after the run', () => {
    const asked = press(ended, [down, down, down, { type: 'reaudit' }]).view;
    expect(asked.prompt).toBe('reaudit');
    expect(press(ended, [{ type: 'reaudit-choose', which: 'selected' }], asked).effects).toEqual([{ type: 'reaudit', hosts: ['h03'] }]);
    expect(press(ended, [{ type: 'reaudit-choose', which: 'failed' }], asked).effects).toEqual([{ type: 'reaudit', hosts: ['h03', 'h07'] }]);
    expect(press(ended, [{ type: 'answer', yes: false }], asked)).toMatchObject({ view: { prompt: null }, effects: [] });
  });

  it('re-audits the open host from its detail view', () => {
    const opened = press(ended, [{ type: 'move-to', end: 'last' }, { type: 'open' }, { type: 'reaudit' }]).view;
    expect(press(ended, [{ type: 'reaudit-choose', which: 'selected' }], opened).effects).toEqual([{ type: 'reaudit', hosts: ['h49'] }]);
  });

  it('explains instead of acting during the run, or when the CLI offers no re-audit', () => {
    expect(press(running, [{ type: 'reaudit' }]).view).toMatchObject({ prompt: null, notice: expect.stringMatching(/when the run has finished/) });
    expect(press(ended, [{ type: 'reaudit' }], initialViewState(), { canReaudit: false }).view.notice).toMatch(/not available/);
  });
});

describe('reduceView: help', () => {
  it('opens the help, and any key closes it without doing anything else', () => {
    const help = press(ended, [{ type: 'help' }]).view;
    expect(help.help).toBe(true);
    const closed = press(ended, [{ type: 'quit' }], help);
    expect(closed.view.help).toBe(false);
    expect(closed.effects).toEqual([]);
  });
});
