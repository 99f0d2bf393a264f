/**
 * Making remote text safe and tidy for a terminal: control characters and escape sequences become
 * visible escapes (a VM name must not clear the screen or retitle the window), and text is fitted to
 * a column width counted in terminal cells, not UTF-16 units. Pure functions.
 */

/** The ellipsis that marks truncated text (one cell wide). */
export const ELLIPSIS = '…';

// Bidirectional embeddings, overrides, isolates and marks: they reorder what follows them on screen
// ("Trojan Source", CVE-2021-42574), so a name could display as something it is not.
const BIDI_CONTROLS = new Set([0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]);
// Line/paragraph separators and the BOM: some terminals break lines or hide text on them.
const INVISIBLE_BREAKERS = new Set([0x2028, 0x2029, 0xfeff]);

function isUnsafeCodePoint(cp: number): boolean {
  return (
    cp < 0x20 || // C0 controls, including ESC, CR, LF, TAB, BEL
    (cp >= 0x7f && cp <= 0x9f) || // DEL and the C1 controls (0x9b is a one-byte CSI)
    BIDI_CONTROLS.has(cp) ||
    INVISIBLE_BREAKERS.has(cp)
  );
}

function escapeCodePoint(cp: number): string {
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, '0')}`;
  return `\\u{${cp.toString(16)}}`;
}

/**
 * Neutralise a string that came from a remote host before it reaches the terminal.
 * C0/C1 controls (ESC, newline, tab, BEL…), DEL, bidi controls and line separators are replaced
 * by visible escapes; lone UTF-16 surrogates become `�`. Everything else is kept as is.
 *
 * @example
 * sanitizeForTerminal('vm\x1b[2Jx\nnext') // → 'vm\\x1b[2Jx\\x0anext' (shown as vm\x1b[2Jx\x0anext)
 */
export function sanitizeForTerminal(text: string): string {
  let out = '';
  let clean = 0; // start of the run of safe characters not yet copied
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    let replacement: string | null = null;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++; // a valid pair: astral characters are never controls
        continue;
      }
      replacement = '\ufffd';
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      replacement = '\ufffd';
    } else if (isUnsafeCodePoint(unit)) {
      replacement = escapeCodePoint(unit);
    }
    if (replacement !== null) {
      out += text.slice(clean, i) + replacement;
      clean = i + 1;
    }
  }
  return clean === 0 ? text : out + text.slice(clean);
}

// East Asian Wide and Fullwidth blocks, and the emoji blocks terminals draw two cells wide.
const WIDE_RANGES: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f0],
  [0x23f3, 0x23f3],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x267f, 0x267f],
  [0x2693, 0x2693],
  [0x26a1, 0x26a1],
  [0x26aa, 0x26ab],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26ce, 0x26ce],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f3],
  [0x26f5, 0x26f5],
  [0x26fa, 0x26fa],
  [0x26fd, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274c],
  [0x274e, 0x274e],
  [0x2753, 0x2755],
  [0x2757, 0x2757],
  [0x2795, 0x2797],
  [0x27b0, 0x27b0],
  [0x27bf, 0x27bf],
  [0x2b1b, 0x2b1c],
  [0x2b50, 0x2b50],
  [0x2b55, 0x2b55],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff],
  [0x1b000, 0x1b2ff],
  [0x1f004, 0x1f004],
  [0x1f0cf, 0x1f0cf],
  [0x1f18e, 0x1f18e],
  [0x1f191, 0x1f19a],
  [0x1f200, 0x1f202],
  [0x1f210, 0x1f23b],
  [0x1f240, 0x1f248],
  [0x1f250, 0x1f251],
  [0x1f260, 0x1f265],
  [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff],
  [0x1f7e0, 0x1f7eb],
  [0x1f90c, 0x1f9ff],
  [0x1fa70, 0x1faff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

function isWide(cp: number): boolean {
  if (cp < 0x1100) return false;
  let lo = 0;
  let hi = WIDE_RANGES.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const range = WIDE_RANGES[mid];
    if (!range) break;
    if (cp < range[0]) hi = mid - 1;
    else if (cp > range[1]) lo = mid + 1;
    else return true;
  }
  return false;
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;
// Made on first use: building it costs ~15 ms of ICU set-up, which a run that never fits text (--version, an
// error message) must not pay.
let segmenter: Intl.Segmenter | null = null;
function graphemes(text: string): Intl.Segments {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return segmenter.segment(text);
}

/** Terminal cells taken by one grapheme cluster: 0, 1 or 2. */
function graphemeWidth(grapheme: string): number {
  const first = grapheme.codePointAt(0);
  if (first === undefined) return 0;
  if (first < 0x20 || (first >= 0x7f && first < 0xa0)) return 0;
  const firstChar = String.fromCodePoint(first);
  if (ZERO_WIDTH.test(firstChar)) return 0;
  if (isWide(first)) return 2;
  // A text-style symbol followed by VARIATION SELECTOR-16 is drawn as a (wide) emoji.
  if (grapheme.includes('\ufe0f') && /\p{Extended_Pictographic}/u.test(firstChar)) return 2;
  return 1;
}

// Characters that are always one cell and never combine: printable ASCII and Latin-1, Latin Extended,
// Greek and Cyrillic letters, general punctuation, arrows, math operators, box drawing, block elements,
// geometric shapes (up to U+25FC), braille, and the check marks the tables use. Text made only of these
// (nearly every frame line) is measured by its length, without grapheme segmentation.
const NARROW_ONLY = /^[\x20-\x7e\xa0-\u02ff\u0370-\u0482\u2010-\u2027\u2030-\u205e\u2190-\u22ff\u2500-\u25fc\u2800-\u28ff\u2713\u2717]*$/;

/** How many terminal cells `text` takes (wide CJK and emoji count 2, combining marks 0). */
export function displayWidth(text: string): number {
  if (NARROW_ONLY.test(text)) return text.length;
  let width = 0;
  for (const { segment } of graphemes(text)) width += graphemeWidth(segment);
  return width;
}

/**
 * Fit `text` into `width` cells, ending with `…` when something was cut. Never splits a grapheme
 * cluster or a wide character (a wide character that would straddle the edge is dropped).
 *
 * @example
 * truncateToWidth('hypervisor-01', 8) // → 'hypervi…'
 */
export function truncateToWidth(text: string, width: number): string {
  if (width <= 0) return '';
  if (displayWidth(text) <= width) return text;
  const budget = width - displayWidth(ELLIPSIS);
  let out = '';
  let used = 0;
  for (const { segment } of graphemes(text)) {
    const w = graphemeWidth(segment);
    if (used + w > budget) break;
    out += segment;
    used += w;
  }
  return out + ELLIPSIS;
}

/** The longest start of `text` that fits `width` cells, without an ellipsis and without splitting a grapheme. */
export function sliceToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const { segment } of graphemes(text)) {
    const w = graphemeWidth(segment);
    if (used + w > width) break;
    out += segment;
    used += w;
  }
  return out;
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
