/**
 * Where the operator is in the live view — which screen, which host and NIC are selected, how the list
 * is filtered and sorted, which question is being asked — as a pure reducer over key actions.
 *
 * What a key means can depend on what is on screen (the list as filtered, the window, the run's
 * phase): the caller passes that as a {@link ViewContext}. Anything that must happen outside the view
 * (stop the run, quit, re-audit hosts) comes back as {@link ViewEffect} data for the caller to carry out,
 * so the whole keyboard behaviour is testable without a terminal.
 */
import type { HostRow, RunPhase } from './fleetState.js';
import { nextSort, type RowQuery } from './rowQuery.js';
import { DEFAULT_QUERY } from './tableLayout.js';

/** The host view: which host, which NIC is selected, where the body is scrolled. */
export interface DetailView {
  host: string;
  /** Selected VM NIC, counted across the host's VMs. */
  nic: number;
  /** First body line shown. */
  scroll: number;
  /** Keep the selected NIC in the window (false after paging, so the page stays where it was put). */
  follow: boolean;
  /** Showing the raw probe output (`x`). */
  raw: boolean;
}

/** Everything the keys change. Treat as immutable. */
export interface ViewState {
  screen: 'fleet' | 'detail';
  /** The key help is drawn over the screen. */
  help: boolean;
  query: RowQuery;
  /** The filter being typed after `/` (applied live), and the filter to go back to on Esc. */
  editing: { before: string } | null;
  /** The selected host; null: the first listed one (the window stays at the top of the list). */
  selected: string | null;
  /** First list position shown on the fleet screen. */
  scroll: number;
  detail: DetailView | null;
  /** A question waiting for an answer. */
  prompt: 'quit' | 'reaudit' | null;
  /** A one-line message, shown until the next key. */
  notice: string | null;
  /** The operator asked to leave: the view quits as soon as the run has finished. */
  quitting: boolean;
}

/** What a key asks for (see keymap.ts for which key is which). */
export type ViewAction =
  | { type: 'move'; unit: 'row' | 'page'; by: 1 | -1 }
  | { type: 'move-to'; end: 'first' | 'last' }
  | { type: 'open' }
  | { type: 'back' }
  | { type: 'filter-start' }
  | { type: 'filter-type'; text: string }
  | { type: 'filter-erase' }
  | { type: 'filter-apply' }
  | { type: 'filter-cancel' }
  | { type: 'sort' }
  | { type: 'problems' }
  | { type: 'reaudit' }
  | { type: 'reaudit-choose'; which: 'selected' | 'failed' }
  | { type: 'help' }
  | { type: 'raw' }
  | { type: 'quit' }
  | { type: 'answer'; yes: boolean }
  | { type: 'interrupt' }
  /** Not a key: the run just finished (a pending quit goes through now). */
  | { type: 'run-finished' };

/** Something the caller must do. */
export type ViewEffect = { type: 'interrupt' } | { type: 'quit' } | { type: 'reaudit'; hosts: string[] };

/** What is on screen, as far as keys need to know. */
export interface ViewContext {
  run: RunPhase;
  /** Hosts in flight (the run's, or re-audits). */
  inFlight: number;
  /** The fleet list as drawn: filtered and sorted. */
  list: readonly HostRow[];
  /** The fleet window: first position drawn and rows per page. */
  listWindow: { start: number; page: number };
  /** The host view's body: its length, window and NIC count; null when no host is open. */
  detail: { bodyLength: number; start: number; page: number; nicCount: number } | null;
  /** Whether re-audits can be started at all (the CLI gave a way to). */
  canReaudit: boolean;
  /** Names of the failed hosts (called only when needed). */
  failedHosts(): string[];
  /** A host's row by name. */
  row(name: string): HostRow | undefined;
}

/** The result of one action. */
export interface ViewUpdate {
  view: ViewState;
  effects: ViewEffect[];
}

/** The view before any key. */
export function initialViewState(): ViewState {
  return {
    screen: 'fleet',
    help: false,
    query: DEFAULT_QUERY,
    editing: null,
    selected: null,
    scroll: 0,
    detail: null,
    prompt: null,
    notice: null,
    quitting: false,
  };
}

/** Position of the selected host in `list` (0 when none is selected or it is not listed). */
export function selectedPosition(view: Pick<ViewState, 'selected'>, list: readonly HostRow[]): number {
  if (view.selected === null) return 0;
  const position = list.findIndex((row) => row.name === view.selected);
  return position < 0 ? 0 : position;
}

const clamp = (n: number, min: number, max: number) => Math.min(Math.max(n, min), Math.max(min, max));

function same(view: ViewState): ViewUpdate {
  return { view, effects: [] };
}

function noticed(view: ViewState, notice: string): ViewUpdate {
  return { view: { ...view, notice }, effects: [] };
}

function moveInList(view: ViewState, action: Extract<ViewAction, { type: 'move' | 'move-to' }>, ctx: ViewContext): ViewState {
  const { list } = ctx;
  if (list.length === 0) return view;
  if (action.type === 'move-to') {
    // Home goes back to "the top of the list", which keeps following it as the list changes.
    return action.end === 'first' ? { ...view, selected: null, scroll: 0 } : { ...view, selected: list[list.length - 1]!.name, scroll: list.length };
  }
  const step = action.unit === 'page' ? ctx.listWindow.page : 1;
  const position = clamp(selectedPosition(view, list) + action.by * step, 0, list.length - 1);
  const scroll = action.unit === 'page' ? ctx.listWindow.start + action.by * step : ctx.listWindow.start;
  return { ...view, selected: position === 0 && view.selected === null ? null : list[position]!.name, scroll: Math.max(0, scroll) };
}

function moveInDetail(view: ViewState, detail: DetailView, action: Extract<ViewAction, { type: 'move' | 'move-to' }>, ctx: ViewContext): ViewState {
  const body = ctx.detail;
  if (!body) return view;
  const lastStart = Math.max(0, body.bodyLength - body.page);
  let next: DetailView;
  if (action.type === 'move-to') {
    const first = action.end === 'first';
    next = { ...detail, scroll: first ? 0 : lastStart, follow: false, nic: first || body.nicCount === 0 ? 0 : body.nicCount - 1 };
  } else if (action.unit === 'row' && !detail.raw && body.nicCount > 0) {
    next = { ...detail, nic: clamp(detail.nic + action.by, 0, body.nicCount - 1), scroll: body.start, follow: true };
  } else {
    const step = action.unit === 'page' ? body.page : 1;
    next = { ...detail, scroll: clamp(body.start + action.by * step, 0, lastStart), follow: false };
  }
  return { ...view, detail: next };
}

function openSelected(view: ViewState, ctx: ViewContext): ViewState {
  const row = ctx.list[selectedPosition(view, ctx.list)];
  if (!row) return view;
  return {
    ...view,
    screen: 'detail',
    selected: view.selected === null ? null : row.name,
    detail: { host: row.name, nic: 0, scroll: 0, follow: true, raw: false },
  };
}

function reauditTarget(view: ViewState, ctx: ViewContext): string | null {
  if (view.screen === 'detail' && view.detail) return view.detail.host;
  return ctx.list[selectedPosition(view, ctx.list)]?.name ?? null;
}

function chooseReaudit(view: ViewState, which: 'selected' | 'failed', ctx: ViewContext): ViewUpdate {
  const asked = { ...view, prompt: null };
  if (which === 'failed') {
    const hosts = ctx.failedHosts();
    if (hosts.length === 0) return noticed(asked, 'No failed host to re-audit.');
    return { view: { ...asked, notice: `Re-auditing ${hosts.length} failed host${hosts.length === 1 ? '' : 's'}…` }, effects: [{ type: 'reaudit', hosts }] };
  }
  const host = reauditTarget(view, ctx);
  if (host === null) return same(asked);
  const phase = ctx.row(host)?.phase;
  if (phase !== 'done') return noticed(asked, `${host} is not done yet.`);
  return { view: { ...asked, notice: `Re-auditing ${host}…` }, effects: [{ type: 'reaudit', hosts: [host] }] };
}

function askQuit(view: ViewState, ctx: ViewContext): ViewUpdate {
  if (ctx.run === 'finished' && ctx.inFlight === 0) return { view: { ...view, quitting: true }, effects: [{ type: 'quit' }] };
  if (ctx.run === 'stopping') return noticed({ ...view, quitting: true }, 'Stopping: waiting for the hosts in flight, then the report is written.');
  return same({ ...view, prompt: 'quit' });
}

function answer(view: ViewState, yes: boolean, ctx: ViewContext): ViewUpdate {
  const prompt = view.prompt;
  const cleared = { ...view, prompt: null };
  if (prompt === 'reaudit') return yes ? chooseReaudit(view, 'selected', ctx) : same(cleared);
  if (prompt !== 'quit' || !yes) return same(cleared);
  if (ctx.run === 'finished') return { view: { ...cleared, quitting: true }, effects: [{ type: 'quit' }] };
  return { view: { ...cleared, quitting: true, notice: 'Stopping: no new connections; the report will be marked incomplete.' }, effects: [{ type: 'interrupt' }] };
}

/** Fold one action into the view. Pure: returns a new state and the effects to carry out. */
export function reduceView(current: ViewState, action: ViewAction, ctx: ViewContext): ViewUpdate {
  // A notice lasts until the next key.
  const view = current.notice === null || action.type === 'run-finished' ? current : { ...current, notice: null };

  if (action.type === 'interrupt') {
    if (ctx.run === 'finished') return { view: { ...view, quitting: true, prompt: null }, effects: [{ type: 'quit' }] };
    return { view: { ...view, quitting: true, prompt: null }, effects: [{ type: 'interrupt' }] };
  }
  if (action.type === 'run-finished') {
    // Asked to leave, or asked whether to stop a run that has now ended by itself: leave.
    if (view.quitting || view.prompt === 'quit') return { view: { ...view, prompt: null, quitting: true }, effects: [{ type: 'quit' }] };
    return same(view);
  }
  if (view.help) return same({ ...view, help: false }); // any key closes the help
  if (view.prompt !== null) {
    if (action.type === 'answer') return answer(view, action.yes, ctx);
    if (action.type === 'reaudit-choose') return chooseReaudit(view, action.which, ctx);
    return same(view);
  }

  switch (action.type) {
    case 'move':
    case 'move-to':
      if (view.screen === 'detail' && view.detail) return same(moveInDetail(view, view.detail, action, ctx));
      return same(moveInList(view, action, ctx));
    case 'open':
      return view.screen === 'fleet' ? same(openSelected(view, ctx)) : same(view);
    case 'back':
      if (view.screen === 'detail' && view.detail?.raw) return same({ ...view, detail: { ...view.detail, raw: false, scroll: 0, follow: true } });
      if (view.screen === 'detail') return same({ ...view, screen: 'fleet', detail: null });
      if (view.query.filter || view.query.problemsOnly) {
        return noticed({ ...view, query: { ...view.query, filter: '', problemsOnly: false }, selected: null, scroll: 0 }, 'Filter cleared.');
      }
      return same(view);
    case 'filter-start':
      if (view.screen !== 'fleet') return same(view);
      return same({ ...view, editing: { before: view.query.filter } });
    case 'filter-type':
      return view.editing ? same({ ...view, query: { ...view.query, filter: view.query.filter + action.text }, selected: null, scroll: 0 }) : same(view);
    case 'filter-erase':
      return view.editing ? same({ ...view, query: { ...view.query, filter: [...view.query.filter].slice(0, -1).join('') }, selected: null, scroll: 0 }) : same(view);
    case 'filter-apply':
      return same({ ...view, editing: null, query: { ...view.query, filter: view.query.filter.trim() } });
    case 'filter-cancel':
      return view.editing ? same({ ...view, editing: null, query: { ...view.query, filter: view.editing.before } }) : same(view);
    case 'sort':
      return view.screen === 'fleet' ? same({ ...view, query: { ...view.query, sort: nextSort(view.query.sort) } }) : same(view);
    case 'problems':
      return view.screen === 'fleet' ? same({ ...view, query: { ...view.query, problemsOnly: !view.query.problemsOnly }, scroll: 0 }) : same(view);
    case 'reaudit':
      if (!ctx.canReaudit) return noticed(view, 'Re-audit is not available here.');
      if (ctx.run !== 'finished') return noticed(view, 'Re-audit becomes available when the run has finished.');
      return same({ ...view, prompt: 'reaudit' });
    case 'reaudit-choose':
      return same(view);
    case 'help':
      return same({ ...view, help: true });
    case 'raw':
      if (view.screen !== 'detail' || !view.detail) return same(view);
      return same({ ...view, detail: { ...view.detail, raw: !view.detail.raw, scroll: 0, follow: !view.detail.raw ? false : true } });
    case 'quit':
      return askQuit(view, ctx);
    case 'answer':
      return same(view);
  }
}
