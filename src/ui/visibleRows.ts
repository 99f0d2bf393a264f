/**
 * The window of a long list that is drawn: only the lines that fit are ever laid out, so a frame costs
 * the same for 10 hosts as for 5,000 (STYLE "Redraws are cheap"). The window follows the selection with
 * as little scrolling as possible, like a pager. Pure.
 */

/** Where the window starts, and what it covers (`start` inclusive, `end` exclusive). */
export interface ScrollWindow {
  start: number;
  end: number;
}

/**
 * The window of `height` lines over a list of `length` lines that shows the lines `focus.from` to
 * `focus.to` (inclusive; a selected row, or a selected interface with its evidence), moving as little
 * as possible from `scroll` and never past either end of the list.
 *
 * @example scrollWindow({ length: 100, height: 10, scroll: 0, focus: { from: 12, to: 12 } }) // → { start: 3, end: 13 }
 */
export function scrollWindow(options: { length: number; height: number; scroll: number; focus?: { from: number; to: number } }): ScrollWindow {
  const length = Math.max(0, Math.floor(options.length));
  const height = Math.max(1, Math.floor(options.height));
  const maxStart = Math.max(0, length - height);
  let start = Math.min(Math.max(0, Math.floor(options.scroll)), maxStart);
  const focus = options.focus;
  if (focus && length > 0) {
    const from = Math.min(Math.max(0, focus.from), length - 1);
    const to = Math.min(Math.max(from, focus.to), length - 1);
    // Show the end of the focus first, then its start, so a tall focus shows its top line.
    if (to >= start + height) start = to - height + 1;
    if (from < start) start = from;
    start = Math.min(Math.max(0, start), maxStart);
  }
  return { start, end: Math.min(length, start + height) };
}
