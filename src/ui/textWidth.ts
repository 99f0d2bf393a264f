/**
 * Measuring and cutting text in terminal cells, the way Ink lays it out: a width here is
 * `string-width`'s, the function Ink measures every line with, so a line fitted here is one Ink neither
 * cuts again nor misaligns. Text is expected to be sanitised first (sanitize.ts): the escaping is not done
 * here, and string-width would silently drop escape sequences from the count. Pure functions.
 */
import stringWidth from 'string-width';
import { sanitizeForTerminal } from './sanitize.js';

/** The ellipsis that marks truncated text (one cell wide). */
export const ELLIPSIS = '…';

// string-width answers printable ASCII by its length; cutting it is a plain slice.
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

// string-width answers anything beyond printable ASCII by segmenting it into clusters (about 10–20 µs for a
// short cell), and a frame measures the same cells ('✓ done', '·', '…', a host's name) frame after frame: its
// answers are kept, as Ink keeps its own. Bounded in count and in key length, so a long run over many names
// (or one huge description) does not grow it without end.
const MAX_CACHED_WIDTHS = 4096;
const MAX_CACHED_LENGTH = 256;
const widths = new Map<string, number>();

// Made on first use: building it costs ICU set-up that a run which never cuts text does not need.
let segmenter: Intl.Segmenter | null = null;
function graphemes(text: string): Intl.Segments {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return segmenter.segment(text);
}

/**
 * How many terminal cells `text` takes, as Ink counts them (`string-width`): wide CJK, emoji, flags and
 * ZWJ sequences 2, combining marks 0, East Asian ambiguous characters 1.
 *
 * @example
 * displayWidth('漢字')   // → 4
 * displayWidth('🇯🇵 ok') // → 5
 */
export function displayWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  if (text.length > MAX_CACHED_LENGTH) return stringWidth(text);
  let width = widths.get(text);
  if (width === undefined) {
    if (widths.size >= MAX_CACHED_WIDTHS) widths.clear();
    width = stringWidth(text);
    widths.set(text, width);
  }
  return width;
}

/**
 * The longest start of `text` that fits `width` cells, without an ellipsis and without splitting a
 * grapheme cluster (a character that would straddle the edge is left out).
 *
 * One exception keeps every cut moving: a single cluster wider than two cells (only a run of spacing marks
 * or of unpaired Hangul jamo makes one; string-width adds their widths up) is cut between its code points
 * when it does not fit, so that wrapping a hostile name always makes progress.
 */
export function sliceToWidth(text: string, width: number): string {
  if (PRINTABLE_ASCII.test(text)) return text.slice(0, Math.max(0, width));
  if (displayWidth(text) <= width) return text;
  let end = 0;
  let used = 0;
  for (const { segment, index } of graphemes(text)) {
    // string-width measures a string cluster by cluster, so the widths of the clusters add up to the whole.
    const w = displayWidth(segment);
    if (used + w <= width) {
      used += w;
      end = index + segment.length;
      continue;
    }
    if (w > 2) end = index + longestFittingPrefix(segment, width - used).length;
    break;
  }
  return text.slice(0, end);
}

/**
 * The longest run of whole code points from the start of one (too wide) cluster that fits `width` cells.
 * A binary search over the code points: a hostile cluster can be thousands of marks long.
 */
function longestFittingPrefix(cluster: string, width: number): string {
  const codePoints = Array.from(cluster);
  let fits = 0; // code points known to fit
  let tooMany = codePoints.length; // known not to fit (the whole cluster does not)
  while (tooMany - fits > 1) {
    const mid = (fits + tooMany) >> 1;
    if (stringWidth(codePoints.slice(0, mid).join('')) <= width) fits = mid;
    else tooMany = mid;
  }
  return codePoints.slice(0, fits).join('');
}

/**
 * Fit `text` into `width` cells, ending with `…` when something was cut. Never splits a grapheme cluster
 * or a wide character (one that would straddle the edge is dropped), never exceeds `width`.
 *
 * Not `cli-truncate`, although Ink truncates with it: the 5.x that Ink 6 installs cuts with `slice-ansi` 8,
 * which keeps a wide character straddling the edge (`cliTruncate('漢字漢字漢字', 6)` is `漢字漢…`, 7 cells;
 * sindresorhus/cli-truncate#28, chalk/slice-ansi#43) and counts cells by a table of its own, not
 * string-width's (it gives a soft hyphen one cell). Cutting cluster by cluster with string-width's widths
 * keeps the cut within the width by the very measure Ink lays it out with.
 *
 * @example
 * truncateToWidth('hypervisor-01', 8) // → 'hypervi…'
 * truncateToWidth('漢字漢字漢字', 6)  // → '漢字…' (5 cells: a third 漢 would straddle the edge)
 */
export function truncateToWidth(text: string, width: number): string {
  if (width <= 0) return '';
  if (displayWidth(text) <= width) return text;
  return sliceToWidth(text, width - displayWidth(ELLIPSIS)) + ELLIPSIS;
}

/** Truncate to `width` cells, then pad with spaces on the right to exactly `width` cells. */
export function fitEnd(text: string, width: number): string {
  const fitted = truncateToWidth(text, width);
  return fitted + ' '.repeat(Math.max(0, width - displayWidth(fitted)));
}

/** Truncate to `width` cells, then pad with spaces on the left to exactly `width` cells. */
export function fitStart(text: string, width: number): string {
  const fitted = truncateToWidth(text, width);
  return ' '.repeat(Math.max(0, width - displayWidth(fitted))) + fitted;
}

/** Sanitise remote text and fit it into `width` cells (the common case for table cells). */
export function safeCell(text: string, width: number): string {
  return fitEnd(sanitizeForTerminal(text), width);
}
