/**
 * The fleet view as plain data (see lines.ts): a two-line header with the run's progress, one row per
 * host in a window that follows the selection, where the list stands (sort, filter, position), the
 * fleet summary bar (outcomes, VM NICs per mode with the colour legend, hosts per mode mix), the report
 * paths at the end, and whatever footer the caller passes (key hints, prompts).
 *
 * @example (120 columns, colours removed)
 * kvm-netaudit  (embedded demo fleet) · 14 hosts · concurrency 32 · 0:03 elapsed
 * ████████████████████ 14/14 done · 2 failed · 0 remaining · 4.7 hosts/s
 *   STATUS         HOST          GROUP     TIME  NETWORKS              VM NICS                    WARN FIND  PROBLEM
 * › ✗ auth         hv-locked-90  legacy   218ms                                                     ·    ·  auth: …
 *   ✓ ok           hv-nat-01     dev      552ms  1: nat                3: nat 3                        ·    ·
 * sort status · 14 hosts
 * hosts    ok 12, partial 0, failed 2 (timeout 1, auth 1)
 * VM NICs  95: ■ bridged 45  ■ macvtap 8  ■ nat 7 …
 * mixes    3 bridged+nat · 2 bridged · …
 */
import { MODES, type Mode } from '../model.js';
import { inFlightCount, type FleetState, type HostRow } from './fleetState.js';
import { formatClock, formatCount, formatDuration, formatHostProblem, formatOutcomes, plural } from './format.js';
import { blankLine, countSegment, fitCell, fitSegments, restyle, segmentsLine, segmentsWidth, textLine, type FrameLine } from './lines.js';
import { orderRows, type RowQuery } from './rowQuery.js';
import { sanitizeForTerminal } from './sanitize.js';
import { LEGEND_MARK, modeColor, type Segment } from './styles.js';
import { displayWidth, fitEnd, fitStart } from './textWidth.js';
import { scrollWindow, type ScrollWindow } from './visibleRows.js';

export type { FrameLine } from './lines.js';
export type { Segment, SegmentColor } from './styles.js';
export { fitSegments } from './lines.js';

/** The list as it is when nobody has pressed a key. */
export const DEFAULT_QUERY: RowQuery = { sort: 'status', filter: '', problemsOnly: false };

/** What a fleet frame is drawn from. */
export interface FleetFrameInput {
  state: FleetState;
  /** Inventory label for the header (a path, or "(embedded demo fleet)"). */
  inventory: string;
  /** Current time (ms since the epoch): drives elapsed times and the spinner. */
  now: number;
  /** Terminal height in lines. */
  rows: number;
  /** Terminal width in cells. */
  columns: number;
  /** Report files written, listed at the end. */
  reportPaths?: readonly string[];
  /** How the list is filtered and sorted (named in the list line). @default DEFAULT_QUERY */
  query?: RowQuery;
  /** The listed rows in display order. @default orderRows(state, query, now) */
  list?: readonly HostRow[];
  /**
   * Position in `list` of the selected row, which gets the cursor and stays in the window. Undefined
   * draws no cursor column at all (keys are not read, or it is the final frame).
   */
  selected?: number;
  /** First list position shown before the window moves to show the selection. @default 0 */
  scroll?: number;
  /** Lines drawn last: key hints, a prompt, the filter being typed. @default [] */
  footer?: readonly FrameLine[];
  /** Colours are on: draw the legend's colour marks. @default true */
  colors?: boolean;
}

/** A laid-out fleet frame, and the window it shows (the caller keeps it to scroll from there). */
export interface FleetFrame {
  lines: FrameLine[];
  window: ScrollWindow;
  /** Host rows that fit: the PgUp/PgDn step. */
  page: number;
}

/** Braille spinner frames (one cell each). */
export const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;
const SPINNER_FRAME_MS = 80;

const CURSOR_WIDTH = 2;
const STATUS_WIDTH = 14; // '✗ unreachable' and '– not audited', and a space
const DURATION_WIDTH = 6;
const COUNT_WIDTH = 4;
const GAP = '  ';
const MIN_NAME_WIDTH = 8;
const MAX_NAME_WIDTH = 32;
const MAX_GROUP_WIDTH = 16;
const MAX_NETS_WIDTH = 26;
const MAX_NICS_WIDTH = 32;
const MIN_PROBLEM_WIDTH = 12;
const PROGRESS_BAR_WIDTH = 20;
const MAX_MIXES_SHOWN = 8;

/** A spinner frame for `now`. */
export function spinner(now: number): string {
  return SPINNER_FRAMES[Math.floor(now / SPINNER_FRAME_MS) % SPINNER_FRAMES.length] ?? '*';
}

/** The status cell: phase while in flight, outcome once done, with the error kind for failures. */
export function statusSegment(row: HostRow, now: number): Segment {
  switch (row.phase) {
    case 'queued':
      return { text: '· queued', color: 'gray' };
    case 'connecting':
      return { text: `${spinner(now)} connect`, color: 'cyan' };
    case 'probing':
      return { text: `${spinner(now)} probe`, color: 'cyan' };
    case 'done':
      if (row.status === 'ok') return { text: '✓ ok', color: 'green' };
      if (row.status === 'partial') return { text: '! partial', color: 'yellow' };
      if (row.error?.kind === 'cancelled') return { text: '– not audited', color: 'gray' };
      return { text: `✗ ${sanitizeForTerminal(row.error?.kind ?? 'failed')}`, color: 'red' };
  }
}

function rowDuration(row: HostRow, now: number): string {
  if (row.durationMs !== null) return formatDuration(row.durationMs);
  if (row.startedAt !== null) return formatDuration(Math.max(0, now - row.startedAt));
  return '-';
}

function hasFacts(row: HostRow): boolean {
  return row.phase === 'done' && row.status !== 'failed';
}

/** `2: bridged, isolated`, each mode in its legend colour. */
export function networkSegments(row: HostRow): Segment[] {
  const segments: Segment[] = [{ text: `${formatCount(row.networkCount)}${row.networkModes.length ? ': ' : ''}` }];
  row.networkModes.forEach((mode, i) => {
    if (i > 0) segments.push({ text: ', ' });
    segments.push({ text: mode, color: modeColor(mode) });
  });
  return segments;
}

/** Modes of a count record, largest first, ties in vocabulary order. */
export function modesByCount(counts: Partial<Record<Mode, number>>): [Mode, number][] {
  return MODES.filter((mode) => (counts[mode] ?? 0) > 0)
    .map((mode): [Mode, number] => [mode, counts[mode] ?? 0])
    .sort((a, b) => b[1] - a[1]);
}

/** `5: bridged 4, nat 1`, each mode in its legend colour. */
export function nicSegments(row: HostRow): Segment[] {
  const modes = modesByCount(row.nicModes);
  const segments: Segment[] = [{ text: `${formatCount(row.nicCount)}${modes.length ? ': ' : ''}` }];
  modes.forEach(([mode, n], i) => {
    if (i > 0) segments.push({ text: ', ' });
    segments.push({ text: `${mode} ${formatCount(n)}`, color: modeColor(mode) });
  });
  return segments;
}

interface RowCells {
  row: HostRow;
  status: Segment;
  name: string;
  group: string;
  time: string;
  nets: Segment[];
  nics: Segment[];
  problem: string;
}

function cellsOf(row: HostRow, now: number): RowCells {
  const facts = hasFacts(row);
  return {
    row,
    status: statusSegment(row, now),
    name: sanitizeForTerminal(row.name),
    group: sanitizeForTerminal(row.groups.join(',')),
    time: rowDuration(row, now),
    nets: facts ? networkSegments(row) : [],
    nics: facts ? nicSegments(row) : [],
    problem: problemOf(row),
  };
}

/** What went wrong: for a failed host the message alone (the status column names the kind). */
function problemOf(row: HostRow): string {
  if (row.phase !== 'done') return '';
  if (row.status === 'failed' && row.error) return sanitizeForTerminal(row.error.message);
  return formatHostProblem(row);
}

interface ColumnWidths {
  cursor: number;
  name: number;
  group: number;
  time: number;
  nets: number;
  nics: number;
  counts: boolean;
}

function widest(widths: readonly number[], min: number, max: number): number {
  let width = min;
  for (const w of widths) width = Math.max(width, w);
  return Math.min(width, max);
}

/**
 * Size the columns from the visible rows only (bounded work). On a narrow terminal columns go in this
 * order: group, warning/finding counts, networks, time, VM NICs; the host name shrinks last.
 */
function columnWidths(cells: readonly RowCells[], columns: number, cursor: boolean): ColumnWidths {
  const anyFacts = cells.some((c) => hasFacts(c.row));
  const widths: ColumnWidths = {
    cursor: cursor ? CURSOR_WIDTH : 0,
    name: widest(cells.map((c) => displayWidth(c.name)), MIN_NAME_WIDTH, MAX_NAME_WIDTH),
    group: cells.some((c) => c.group) ? widest(cells.map((c) => displayWidth(c.group)), 'GROUP'.length, MAX_GROUP_WIDTH) : 0,
    time: DURATION_WIDTH,
    nets: anyFacts ? widest(cells.map((c) => segmentsWidth(c.nets)), 'NETWORKS'.length, MAX_NETS_WIDTH) : 0,
    nics: anyFacts ? widest(cells.map((c) => segmentsWidth(c.nics)), 'VM NICS'.length, MAX_NICS_WIDTH) : 0,
    counts: anyFacts,
  };
  const minProblem = cells.some((c) => c.problem && hasFacts(c.row)) ? MIN_PROBLEM_WIDTH : 0;
  const used = () =>
    widths.cursor +
    STATUS_WIDTH +
    widths.name +
    GAP.length +
    (widths.group && widths.group + GAP.length) +
    (widths.time && widths.time + GAP.length) +
    (widths.nets && widths.nets + GAP.length) +
    (widths.nics && widths.nics + GAP.length) +
    (widths.counts ? COUNT_WIDTH * 2 + 1 + GAP.length : 0);
  const drops: (() => void)[] = [
    () => (widths.group = 0),
    () => (widths.counts = false),
    () => (widths.nets = 0),
    () => (widths.time = 0),
    () => (widths.nics = 0),
  ];
  for (const drop of drops) if (used() + minProblem > columns) drop();
  const overflow = used() + minProblem - columns;
  if (overflow > 0) widths.name = Math.max(4, widths.name - overflow);
  return widths;
}

function hostLine(cells: RowCells, widths: ColumnWidths, selected: boolean, columns: number): FrameLine {
  const segments: Segment[] = [];
  if (widths.cursor) segments.push({ text: selected ? '› ' : '  ', bold: selected });
  segments.push(...fitCell([cells.status], STATUS_WIDTH));
  segments.push({ text: fitEnd(cells.name, widths.name) + GAP, bold: selected });
  if (widths.group) segments.push({ text: fitEnd(cells.group, widths.group) + GAP, dim: true });
  if (widths.time) segments.push({ text: fitStart(cells.time, widths.time) + GAP, dim: cells.row.phase !== 'done' });
  // A host with no facts has nothing for the next columns: its problem may use their room.
  const facts = hasFacts(cells.row);
  if (widths.nets && (facts || !cells.problem)) segments.push(...fitCell(cells.nets, widths.nets), { text: GAP });
  if (widths.nics && (facts || !cells.problem)) segments.push(...fitCell(cells.nics, widths.nics), { text: GAP });
  if (widths.counts && (facts || !cells.problem)) {
    const warn = facts ? countSegment(cells.row.warningCount, 'yellow') : { text: '' };
    const find = facts ? countSegment(cells.row.findingCount, 'red') : { text: '' };
    segments.push({ ...warn, text: fitStart(warn.text, COUNT_WIDTH) }, { text: ' ' }, { ...find, text: fitStart(find.text, COUNT_WIDTH) }, { text: GAP });
  }
  if (cells.problem) segments.push({ text: cells.problem, color: cells.row.status === 'failed' ? 'red' : 'yellow' });
  const fitted = fitSegments(segments, columns);
  // The selection bar spans the whole line, so it reads as one row even on a sparse line.
  const line = selected ? restyle(fitCell(fitted, columns), { inverse: true }) : fitted;
  return { key: `host:${cells.row.name}`, segments: line };
}

function columnHeaderLine(widths: ColumnWidths, columns: number): FrameLine {
  let text = ' '.repeat(widths.cursor) + fitEnd('STATUS', STATUS_WIDTH) + fitEnd('HOST', widths.name) + GAP;
  if (widths.group) text += fitEnd('GROUP', widths.group) + GAP;
  if (widths.time) text += fitStart('TIME', widths.time) + GAP;
  if (widths.nets) text += fitEnd('NETWORKS', widths.nets) + GAP;
  if (widths.nics) text += fitEnd('VM NICS', widths.nics) + GAP;
  if (widths.counts) text += `${fitStart('WARN', COUNT_WIDTH)} ${fitStart('FIND', COUNT_WIDTH)}${GAP}`;
  text += 'PROBLEM';
  return textLine('columns', text, columns, { dim: true });
}

function elapsedMs(state: FleetState, now: number): number {
  if (state.startedAt === null) return 0;
  return (state.finishedAt ?? now) - state.startedAt;
}

function headerLine(input: FleetFrameInput, columns: number): FrameLine {
  const { state } = input;
  const parts = [
    sanitizeForTerminal(input.inventory),
    plural(state.totals.hosts, 'host'),
    `concurrency ${formatCount(state.concurrency)}`,
    `${formatClock(elapsedMs(state, input.now))} elapsed`,
  ];
  return segmentsLine('header', [{ text: 'kvm-netaudit', bold: true }, { text: `  ${parts.join(' · ')}` }], columns);
}

function progressBar(done: number, total: number): string {
  const filled = total === 0 ? PROGRESS_BAR_WIDTH : Math.round((done / total) * PROGRESS_BAR_WIDTH);
  return `${'█'.repeat(filled)}${'░'.repeat(PROGRESS_BAR_WIDTH - filled)}`;
}

function hostsPerSecond(state: FleetState, now: number): string | null {
  const seconds = elapsedMs(state, now) / 1000;
  if (seconds < 0.5 || state.totals.phases.done === 0) return null;
  const rate = state.totals.phases.done / seconds;
  const digits = rate >= 100 ? formatCount(Math.round(rate)) : rate.toFixed(rate >= 1 ? 1 : 2);
  return `${digits} hosts/s`;
}

/** The run's progress: bar, done/failed/remaining, in flight, hosts per second, stopping or re-auditing. */
export function progressLine(state: FleetState, now: number, columns: number): FrameLine {
  const { totals } = state;
  const inFlight = inFlightCount(state);
  const parts = [
    `${formatCount(totals.phases.done)}/${formatCount(totals.hosts)} done`,
    `${formatCount(totals.failed)} failed`,
    `${formatCount(totals.hosts - totals.phases.done)} remaining`,
  ];
  if (inFlight > 0) parts.push(`${formatCount(inFlight)} in flight`);
  const rate = hostsPerSecond(state, now);
  if (rate) parts.push(rate);
  const segments: Segment[] = [{ text: `${progressBar(totals.phases.done, totals.hosts)} `, color: 'cyan' }, { text: parts.join(' · ') }];
  if (state.phase === 'stopping') {
    segments.push({ text: ` · stopping: ${sanitizeForTerminal(state.stopReason ?? 'requested')}`, color: 'yellow' });
  } else if (state.phase === 'finished' && inFlight > 0) {
    segments.push({ text: ` · re-auditing ${plural(inFlight, 'host')}`, color: 'cyan' });
  }
  return segmentsLine('progress', segments, columns);
}

function listLine(input: FleetFrameInput, query: RowQuery, listed: number, window: ScrollWindow, columns: number): FrameLine {
  const parts = [`sort ${query.sort}`];
  if (query.filter.trim()) parts.push(`filter ${sanitizeForTerminal(query.filter.trim())}`);
  if (query.problemsOnly) parts.push('failed/partial only');
  const total = input.state.rows.length;
  if (listed === 0 && total > 0) parts.push(`no host matches (of ${formatCount(total)})`);
  else if (window.end - window.start < listed) {
    parts.push(`${formatCount(window.start + 1)}–${formatCount(window.end)} of ${formatCount(listed)}`);
    if (listed !== total) parts.push(plural(total, 'host'));
  } else parts.push(listed === total ? plural(total, 'host') : `${formatCount(listed)} of ${plural(total, 'host')}`);
  const more = listed - window.end;
  if (more > 0) parts.push(`↓ ${formatCount(more)} more`);
  return textLine('list', parts.join(' · '), columns, { dim: true });
}

const LABEL_WIDTH = 9;
function label(word: string): Segment {
  return { text: fitEnd(word, LABEL_WIDTH), bold: true };
}

/** `95: ■ bridged 45  ■ nat 7 …`: the counts and the colour legend in one. */
function nicTotalsSegments(state: FleetState, colors: boolean): Segment[] {
  const modes = modesByCount(state.totals.nicModes);
  const segments: Segment[] = [{ text: `${formatCount(state.totals.nics)}${modes.length ? ':' : ''}` }];
  modes.forEach(([mode, n], i) => {
    segments.push({ text: i === 0 ? ' ' : colors ? '  ' : ', ' });
    if (colors) segments.push({ text: `${LEGEND_MARK} `, color: modeColor(mode) });
    segments.push({ text: `${mode} ${formatCount(n)}`, color: modeColor(mode) });
  });
  return segments;
}

/** `3 bridged+nat · 2 nat · 1 no VM NICs`, most common first. */
export function formatModeMixes(mixes: Partial<Record<string, number>>, limit = MAX_MIXES_SHOWN): string {
  const entries = Object.entries(mixes)
    .filter((entry): entry is [string, number] => (entry[1] ?? 0) > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = entries.slice(0, limit).map(([mix, n]) => `${formatCount(n)} ${mix}`);
  const rest = entries.length - limit;
  if (rest > 0) shown.push(`${formatCount(rest)} more`);
  return shown.join(' · ');
}

function summaryLines(input: FleetFrameInput, columns: number, room: number): FrameLine[] {
  const { state } = input;
  const { totals } = state;
  const outcome = totals.failed > 0 ? 'red' : totals.partial > 0 ? 'yellow' : 'green';
  const lines: FrameLine[] = [
    segmentsLine('summary-hosts', [label('hosts'), { text: formatOutcomes(totals), color: totals.phases.done ? outcome : undefined }], columns),
    segmentsLine('summary-nics', [label('VM NICs'), ...nicTotalsSegments(state, input.colors ?? true)], columns),
    segmentsLine('summary-mixes', [label('mixes'), { text: formatModeMixes(totals.modeMixes) || '-', dim: true }], columns),
  ];
  return lines.slice(0, Math.max(0, room));
}

function closingLines(input: FleetFrameInput, columns: number): FrameLine[] {
  const lines: FrameLine[] = [];
  if (input.state.complete === false) {
    lines.push(textLine('incomplete', 'stopped before every host was audited: the report is incomplete', columns, { color: 'yellow' }));
  }
  (input.reportPaths ?? []).forEach((path, i) => {
    lines.push(segmentsLine(`report-${i}`, [label('report'), { text: sanitizeForTerminal(path) }], columns));
  });
  return lines;
}

/**
 * Lay out one fleet frame. It never has more than `rows - 1` lines (a frame as tall as the terminal
 * makes Ink clear the whole screen on every redraw), unless the terminal is too small for even the
 * header and one host; the summary bar gives way first on short terminals.
 */
export function layoutFleet(input: FleetFrameInput): FleetFrame {
  const columns = Math.max(20, Math.floor(input.columns));
  const query = input.query ?? DEFAULT_QUERY;
  const list = input.list ?? orderRows(input.state, query, input.now);
  const footer = input.footer ?? [];
  const closing = closingLines(input, columns);

  const maxLines = Math.max(Math.floor(input.rows) - 1, 1);
  const fixed = 3 + 1 + closing.length + footer.length; // header, progress, column header; list line
  const summaryRoom = Math.min(3, Math.max(0, maxLines - fixed - 3)); // keep 3 host rows before any summary
  const summary = summaryLines(input, columns, summaryRoom);
  const page = Math.max(1, maxLines - fixed - summary.length);

  const cursor = input.selected !== undefined;
  const selected = cursor && list.length > 0 ? Math.min(Math.max(0, input.selected ?? 0), list.length - 1) : -1;
  const window = scrollWindow({
    length: list.length,
    height: page,
    scroll: input.scroll ?? 0,
    focus: selected >= 0 ? { from: selected, to: selected } : undefined,
  });
  const cells = list.slice(window.start, window.end).map((row) => cellsOf(row, input.now));
  const widths = columnWidths(cells, columns, cursor);

  const lines: FrameLine[] = [headerLine(input, columns), progressLine(input.state, input.now, columns), columnHeaderLine(widths, columns)];
  cells.forEach((c, i) => lines.push(hostLine(c, widths, window.start + i === selected, columns)));
  if (cells.length === 0) lines.push(blankLine('no-rows'));
  lines.push(listLine(input, query, list.length, window, columns), ...summary, ...closing, ...footer);
  return { lines, window, page };
}
