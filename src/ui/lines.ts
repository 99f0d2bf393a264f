/**
 * Frames as plain data: a frame is a list of lines, a line a list of styled segments, already
 * sanitised and fitted to the terminal width. The layouts build them and `FrameView` only maps them to
 * Ink elements, so every view can be tested without a renderer and a frame never has more lines than
 * planned. Pure helpers.
 */
import { sanitizeForTerminal } from './sanitize.js';
import type { Segment, SegmentColor } from './styles.js';
import { displayWidth, ELLIPSIS, sliceToWidth, truncateToWidth } from './textWidth.js';

export type { Segment, SegmentColor } from './styles.js';

/** One terminal line; `key` is stable for the same content slot (e.g. a host's name) so React can keep it. */
export interface FrameLine {
  key: string;
  segments: Segment[];
}

/** A line of one plain or styled text, fitted to `columns`. */
export function textLine(key: string, text: string, columns: number, style: Omit<Segment, 'text'> = {}): FrameLine {
  return { key, segments: fitSegments([{ ...style, text }], columns) };
}

/** A line from segments, fitted to `columns`. */
export function segmentsLine(key: string, segments: readonly Segment[], columns: number): FrameLine {
  return { key, segments: fitSegments(segments, columns) };
}

/** An empty line (Ink drops a Text with no content, so it holds one space). */
export function blankLine(key: string): FrameLine {
  return { key, segments: [] };
}

/** Total cells taken by segments. */
export function segmentsWidth(segments: readonly Segment[]): number {
  let width = 0;
  for (const segment of segments) width += displayWidth(segment.text);
  return width;
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
  if (last && !last.inverse) out[out.length - 1] = { ...last, text: last.text.trimEnd() };
  return out.filter((s) => s.text.length > 0);
}

/**
 * Cut or pad segments to exactly `width` cells (a table cell made of several styles). A cut always ends
 * with `…`, even when it falls between two segments.
 */
export function fitCell(segments: readonly Segment[], width: number, fill: Omit<Segment, 'text'> = {}): Segment[] {
  if (width <= 0) return [];
  const total = segmentsWidth(segments);
  const out: Segment[] = [];
  let used = 0;
  if (total <= width) {
    out.push(...segments);
    used = total;
  } else {
    const budget = width - 1; // room for the ellipsis
    for (const segment of segments) {
      const piece = sliceToWidth(segment.text, budget - used);
      if (piece) out.push({ ...segment, text: piece });
      used += displayWidth(piece);
      if (piece.length < segment.text.length) break;
    }
    const last = out[out.length - 1];
    out.push({ ...(last ?? {}), text: ELLIPSIS });
    used += 1;
  }
  if (used < width) out.push({ ...fill, text: ' '.repeat(width - used) });
  return out;
}

/** Apply `style` on top of every segment (the selection bar). */
export function restyle(segments: readonly Segment[], style: Omit<Segment, 'text'>): Segment[] {
  return segments.map((segment) => ({ ...segment, ...style }));
}

/**
 * Wrap remote text (sanitised here) into lines of at most `width` cells, breaking at spaces when it can
 * and inside a word only when the word alone is too long; lines after the first start with `indent` spaces.
 */
export function wrapText(text: string, width: number, indent = 0): string[] {
  const safe = sanitizeForTerminal(text);
  const room = Math.max(8, Math.floor(width));
  if (displayWidth(safe) <= room) return [safe];
  const pad = ' '.repeat(Math.max(0, Math.min(indent, room - 4)));
  const lines: string[] = [];
  let line = '';
  const breakLine = () => {
    lines.push(line);
    line = pad;
  };
  for (const word of safe.split(' ')) {
    const separator = line.trim() ? ' ' : '';
    if (displayWidth(line + separator + word) <= room) {
      line += separator + word;
      continue;
    }
    if (line.trim()) breakLine();
    let rest = word;
    while (displayWidth(line + rest) > room) {
      const piece = sliceToWidth(rest, room - displayWidth(line));
      line += piece;
      rest = rest.slice(piece.length);
      breakLine();
    }
    line += rest;
  }
  if (line.trim()) lines.push(line);
  return lines;
}

/** A colour for text that is `n > 0` worth a look, else dim. */
export function countSegment(n: number, color: SegmentColor): Segment {
  return n > 0 ? { text: String(n), color } : { text: '·', dim: true };
}
