/**
 * The live table as plain data: a list of lines, each a list of styled segments, already
 * sanitised and fitted to the terminal width. `FleetTable` only maps them to Ink elements, so the
 * layout can be tested without a renderer and every frame has a known, bounded number of lines.
 */
import type { FleetState, HostRow } from './fleetState.js';
import {
  formatClock,
  formatCount,
  formatDuration,
  formatHostProblem,
  formatNetworks,
  formatNicTotals,
  formatNics,
  formatOutcomes,
  plural,
} from './format.js';
import { displayWidth, fitEnd, fitStart, sanitizeForTerminal, truncateToWidth } from './sanitize.js';
import { selectVisibleRows } from './visibleRows.js';

/** A colour name Ink's `<Text color>` understands. */
export type SegmentColor = 'green' | 'yellow' | 'red' | 'cyan' | 'gray';

/** A run of text with one style. */
export interface Segment {
  text: string;
  color?: SegmentColor;
  bold?: boolean;
  dim?: boolean;
}

/** One terminal line; `key` is stable for a host row (its name) so React can keep it. */
export interface FrameLine {
  key: string;
  segments: Segment[];
}

/** What a frame is drawn from. */
export interface FrameInput {
  state: FleetState;
  /** Inventory label for the header (a path, or "(embedded demo fleet)"). */
  inventory: string;
  /** Current time (ms since the epoch): drives elapsed times and the spinner. */
  now: number;
  /** Terminal height in lines. */
  rows: number;
  /** Terminal width in cells. */
  columns: number;
  /** Report files written, shown in the final summary. */
  reportPaths?: readonly string[];
  /** Show how to stop the run (only when keys are actually read). @default false */
  stopHint?: boolean;
}

/** Braille spinner frames (one cell each). */
export const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;
const SPINNER_FRAME_MS = 80;

const STATUS_WIDTH = 10;
const DURATION_WIDTH = 6;
const GAP = '  ';
const MIN_NAME_WIDTH = 8;
const MAX_NAME_WIDTH = 32;
const MAX_NETS_WIDTH = 26;
const MAX_NICS_WIDTH = 36;
const PROGRESS_BAR_WIDTH = 20;

function spinner(now: number): string {
  return SPINNER_FRAMES[Math.floor(now / SPINNER_FRAME_MS) % SPINNER_FRAMES.length] ?? '*';
}

function statusSegment(row: HostRow, now: number): Segment {
  switch (row.phase) {
    case 'queued':
      return { text: fitEnd('· queued', STATUS_WIDTH), color: 'gray' };
    case 'connecting':
      return { text: fitEnd(`${spinner(now)} connect`, STATUS_WIDTH), color: 'cyan' };
    case 'probing':
      return { text: fitEnd(`${spinner(now)} probe`, STATUS_WIDTH), color: 'cyan' };
    case 'done':
      if (row.status === 'ok') return { text: fitEnd('✓ ok', STATUS_WIDTH), color: 'green' };
      if (row.status === 'partial') return { text: fitEnd('! partial', STATUS_WIDTH), color: 'yellow' };
      return { text: fitEnd('✗ failed', STATUS_WIDTH), color: 'red' };
  }
}

function rowDuration(row: HostRow, now: number): string {
  if (row.durationMs !== null) return formatDuration(row.durationMs);
  if (row.startedAt !== null) return formatDuration(Math.max(0, now - row.startedAt));
  return '-';
}

interface ColumnWidths {
  name: number;
  nets: number;
  nics: number;
}

function widest(texts: readonly string[], min: number, max: number): number {
  let width = min;
  for (const text of texts) width = Math.max(width, displayWidth(text));
  return Math.min(width, max);
}

/** Size the columns from the visible rows only (bounded work), narrowing them on small terminals. */
function columnWidths(visible: readonly HostRow[], columns: number): ColumnWidths {
  const name = widest(visible.map((r) => sanitizeForTerminal(r.name)), MIN_NAME_WIDTH, MAX_NAME_WIDTH);
  const done = visible.filter((r) => r.phase === 'done' && r.status !== 'failed');
  // The column headers set the minimum widths; no finished host yet means no columns at all.
  let nets = done.length ? widest(done.map(formatNetworks), 'NETWORKS'.length, MAX_NETS_WIDTH) : 0;
  let nics = done.length ? widest(done.map(formatNics), 'VM NICS'.length, MAX_NICS_WIDTH) : 0;
  const fixed = () => STATUS_WIDTH + name + GAP.length + DURATION_WIDTH + GAP.length + (nets && nets + GAP.length) + (nics && nics + GAP.length);
  // Keep at least a few cells for the problem text; drop the least essential columns first.
  const minProblem = 12;
  if (fixed() + minProblem > columns) nets = 0;
  if (fixed() + minProblem > columns) nics = 0;
  return { name: Math.max(4, Math.min(name, columns - STATUS_WIDTH - DURATION_WIDTH - 4)), nets, nics };
}

function hostLine(row: HostRow, widths: ColumnWidths, input: FrameInput): FrameLine {
  const segments: Segment[] = [statusSegment(row, input.now)];
  segments.push({ text: fitEnd(sanitizeForTerminal(row.name), widths.name) + GAP });
  segments.push({ text: fitStart(rowDuration(row, input.now), DURATION_WIDTH) + GAP, dim: row.phase !== 'done' });
  const finished = row.phase === 'done' && row.status !== 'failed';
  if (widths.nets > 0) segments.push({ text: fitEnd(finished ? formatNetworks(row) : '', widths.nets) + GAP });
  if (widths.nics > 0) segments.push({ text: fitEnd(finished ? formatNics(row) : '', widths.nics) + GAP });
  const problem = row.phase === 'done' ? formatHostProblem(row) : '';
  if (problem) segments.push({ text: problem, color: row.status === 'failed' ? 'red' : 'yellow' });
  return { key: `host:${row.name}`, segments: fitSegments(segments, input.columns) };
}

/** Cut a line's segments so that together they take at most `columns` cells; trailing spaces go. */
export function fitSegments(segments: readonly Segment[], columns: number): Segment[] {
  const out: Segment[] = [];
  let used = 0;
  for (const segment of segments) {
    const width = displayWidth(segment.text);
    if (used + width <= columns) {
      out.push(segment);
      used += width;
      continue;
    }
    const room = columns - used;
    if (room > 0) out.push({ ...segment, text: truncateToWidth(segment.text, room) });
    break;
  }
  const last = out[out.length - 1];
  if (last) out[out.length - 1] = { ...last, text: last.text.trimEnd() };
  return out.filter((s) => s.text.length > 0);
}

function elapsedMs(state: FleetState, now: number): number {
  if (state.startedAt === null) return 0;
  return (state.finishedAt ?? now) - state.startedAt;
}

function headerLine(input: FrameInput): FrameLine {
  const { state } = input;
  const parts = [
    sanitizeForTerminal(input.inventory),
    plural(state.totals.hosts, 'host'),
    `concurrency ${formatCount(state.concurrency)}`,
    `${formatClock(elapsedMs(state, input.now))} elapsed`,
  ];
  return {
    key: 'header',
    segments: fitSegments([{ text: 'kvm-netaudit', bold: true }, { text: `  ${parts.join(' · ')}` }], input.columns),
  };
}

function columnHeaderLine(widths: ColumnWidths, columns: number): FrameLine {
  let text = fitEnd('STATUS', STATUS_WIDTH) + fitEnd('HOST', widths.name) + GAP + fitStart('TIME', DURATION_WIDTH) + GAP;
  if (widths.nets > 0) text += fitEnd('NETWORKS', widths.nets) + GAP;
  if (widths.nics > 0) text += fitEnd('VM NICS', widths.nics) + GAP;
  text += 'PROBLEM';
  return { key: 'columns', segments: fitSegments([{ text, dim: true }], columns) };
}

function progressBar(done: number, total: number): string {
  const filled = total === 0 ? PROGRESS_BAR_WIDTH : Math.round((done / total) * PROGRESS_BAR_WIDTH);
  return `${'█'.repeat(filled)}${'░'.repeat(PROGRESS_BAR_WIDTH - filled)}`;
}

function progressLine(input: FrameInput): FrameLine {
  const { state, now } = input;
  const { totals } = state;
  const inFlight = totals.phases.connecting + totals.phases.probing;
  const parts = [`${formatCount(totals.phases.done)}/${formatCount(totals.hosts)} done`];
  if (totals.failed > 0) parts.push(`${formatCount(totals.failed)} failed`);
  if (state.phase !== 'finished' && inFlight > 0) parts.push(`${formatCount(inFlight)} in flight`);
  parts.push(formatClock(elapsedMs(state, now)));
  const segments: Segment[] = [{ text: `${progressBar(totals.phases.done, totals.hosts)} `, color: 'cyan' }, { text: parts.join(' · ') }];
  if (state.phase === 'stopping') {
    segments.push({ text: ` · stopping: ${sanitizeForTerminal(state.stopReason ?? 'requested')}`, color: 'yellow' });
  } else if (state.phase === 'running' && input.stopHint) {
    segments.push({ text: ' · q or Ctrl-C to stop', dim: true });
  }
  return { key: 'progress', segments: fitSegments(segments, input.columns) };
}

function summaryLines(input: FrameInput): FrameLine[] {
  const { state, columns } = input;
  const { totals } = state;
  const lines: FrameLine[] = [
    {
      key: 'summary-hosts',
      segments: fitSegments(
        [
          { text: 'hosts    ', bold: true },
          { text: formatOutcomes(totals), color: totals.failed > 0 ? 'red' : totals.partial > 0 ? 'yellow' : 'green' },
        ],
        columns,
      ),
    },
    { key: 'summary-nics', segments: fitSegments([{ text: 'nics     ', bold: true }, { text: formatNicTotals(totals) }], columns) },
  ];
  if (state.complete === false) {
    lines.push({
      key: 'summary-incomplete',
      segments: fitSegments([{ text: 'stopped before every host was audited: the report is incomplete', color: 'yellow' }], columns),
    });
  }
  (input.reportPaths ?? []).forEach((path, i) => {
    lines.push({
      key: `summary-report-${i}`,
      segments: fitSegments([{ text: 'report   ', bold: true }, { text: sanitizeForTerminal(path) }], columns),
    });
  });
  return lines;
}

function hiddenLine(hidden: ReturnType<typeof selectVisibleRows>, columns: number): FrameLine {
  const detail = hidden.hidden.map((h) => `${formatCount(h.count)} ${h.category}`).join(', ');
  return {
    key: 'hidden',
    segments: fitSegments([{ text: `… ${formatCount(hidden.hiddenCount)} more: ${detail}`, dim: true }], columns),
  };
}

/**
 * Lay out one frame. It never has more than `rows - 1` lines (a frame as tall as the terminal
 * makes Ink clear the whole screen on every redraw), unless the terminal is too small for even the
 * header, progress and summary lines.
 */
export function layoutFrame(input: FrameInput): FrameLine[] {
  const columns = Math.max(20, Math.floor(input.columns));
  const fitted = { ...input, columns };
  const tail: FrameLine[] = [progressLine(fitted)];
  if (input.state.phase === 'finished') tail.push(...summaryLines(fitted));

  const fixedLines = 2 + tail.length; // header, column header, then the tail
  const maxLines = Math.max(Math.floor(input.rows) - 1, fixedLines + 1);
  const hostBudget = maxLines - fixedLines;
  const allFit = input.state.rows.length <= hostBudget;
  const selection = selectVisibleRows(input.state.rows, allFit ? hostBudget : hostBudget - 1);
  const widths = columnWidths(selection.visible, columns);

  const lines: FrameLine[] = [headerLine(fitted), columnHeaderLine(widths, columns)];
  for (const row of selection.visible) lines.push(hostLine(row, widths, fitted));
  if (selection.hiddenCount > 0) lines.push(hiddenLine(selection, columns));
  lines.push(...tail);
  return lines;
}
