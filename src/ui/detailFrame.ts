/**
 * One frame of the host view: the host's name and the run's progress on top, a window of the body (the
 * detail, or the raw probe output) that keeps the selected NIC in sight, where the window is, and the
 * caller's footer. Pure.
 */
import type { FleetState, HostRow } from './fleetState.js';
import { formatCount } from './format.js';
import { segmentsLine, textLine, type FrameLine } from './lines.js';
import type { LazyLines } from './rawLayout.js';
import { sanitizeForTerminal } from './sanitize.js';
import { progressLine, statusSegment } from './tableLayout.js';
import { scrollWindow, type ScrollWindow } from './visibleRows.js';

/** What a host-view frame is drawn from. */
export interface DetailFrameInput {
  state: FleetState;
  row: HostRow;
  now: number;
  rows: number;
  columns: number;
  /** The body: `hostDetailBody` lines, or `rawCaptureLines`. */
  body: LazyLines;
  /** Showing the raw probe output. */
  raw: boolean;
  /** Body lines that must be in the window (the selected NIC and its evidence). */
  focus?: { from: number; to: number };
  /** First body line shown before the window moves to the focus. */
  scroll: number;
  footer?: readonly FrameLine[];
}

/** A laid-out host-view frame and its body window. */
export interface DetailFrame {
  lines: FrameLine[];
  window: ScrollWindow;
  /** Body lines that fit: the PgUp/PgDn step. */
  page: number;
}

/** Lay out a host-view frame of at most `rows - 1` lines. */
export function layoutDetailFrame(input: DetailFrameInput): DetailFrame {
  const columns = Math.max(20, Math.floor(input.columns));
  const footer = input.footer ?? [];
  const maxLines = Math.max(Math.floor(input.rows) - 1, 1);
  const page = Math.max(1, maxLines - 3 - footer.length); // title, progress, position line
  const window = scrollWindow({ length: input.body.length, height: page, scroll: input.scroll, focus: input.focus });

  const title = segmentsLine(
    'detail:title',
    [
      { text: 'kvm-netaudit', bold: true },
      { text: ' › ' },
      { text: sanitizeForTerminal(input.row.name), bold: true },
      { text: '  ' },
      statusSegment(input.row, input.now),
      { text: input.raw ? '  · raw probe output' : '', color: 'cyan' },
    ],
    columns,
  );
  const lines: FrameLine[] = [title, progressLine(input.state, input.now, columns)];
  for (let i = window.start; i < window.end; i++) lines.push(input.body.lineAt(i));
  const shown = window.end - window.start;
  const position =
    shown < input.body.length
      ? `lines ${formatCount(window.start + 1)}–${formatCount(window.end)} of ${formatCount(input.body.length)}${
          input.body.length > window.end ? ` · ↓ ${formatCount(input.body.length - window.end)} more` : ''
        }`
      : `${formatCount(input.body.length)} lines`;
  lines.push(textLine('detail:position', position, columns, { dim: true }), ...footer);
  return { lines, window, page };
}
