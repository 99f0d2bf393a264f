/**
 * Making remote text safe for a terminal: control characters, escape sequences and invisible format
 * characters become visible escapes (a VM name must not clear the screen, retitle the window, or pass
 * itself off as another name). Pure, and free of dependencies: the CLI's own error messages go through
 * here on the `--version`/`--help` path. Measuring and cutting the escaped text is in textWidth.ts.
 */

/**
 * What is escaped, one code point at a time:
 * - C0 and C1 controls and DEL (ESC, CR, LF, TAB, BEL, the one-byte CSI 0x9b…);
 * - line and paragraph separators (some terminals break lines on them);
 * - format characters and other default-ignorable code points (\p{Cf}, \p{Default_Ignorable_Code_Point}):
 *   bidi embeddings, overrides and isolates reorder what follows on screen ("Trojan Source",
 *   CVE-2021-42574); soft hyphen, zero-width space, word joiner, BOM and the Hangul fillers draw nothing, so
 *   `web\u200b01` would look like `web01`. Ink also gives each such character a cell of its own while
 *   measuring it as none (its output grid advances `Math.max(1, stringWidth(grapheme))`), which shifts the
 *   rest of the line. Kept, because they only ever join a cluster: ZWJ and ZWNJ (emoji sequences, Indic
 *   and Persian text), the emoji tag characters U+E0020–E007F (subdivision flags) and combining
 *   default-ignorables (variation selectors, CGJ);
 * - lone UTF-16 surrogates, which become `�`;
 * - a combining character (\p{Grapheme_Extend}, ZWJ) at the very start: it has nothing to combine with, so
 *   it would sit on a cell of its own that is zero wide by `string-width`, or be drawn onto whatever the
 *   terminal shows to its left;
 * - the joiners and selectors kept above (ZWJ, ZWNJ, CGJ, variation selectors, tag characters) after an ASCII
 *   character, where they join nothing and only make `web\u200d01` look like `web01` (a keycap, `1\ufe0f\u20e3`,
 *   keeps its selector).
 */
const JOINERS = '\\u200c\\u200d\\u034f\\ufe00-\\ufe0f\\u{e0000}-\\u{e007f}\\u{e0100}-\\u{e01ef}';
const UNSAFE = new RegExp(
  '[\\p{Cc}\\p{Cs}\\p{Zl}\\p{Zp}]' +
    '|(?![\\u200c\\u200d\\u{e0020}-\\u{e007f}\\p{Mn}])[\\p{Cf}\\p{Default_Ignorable_Code_Point}]' +
    '|^[\\p{Grapheme_Extend}\\u200d]' +
    `|(?<=[\\x00-\\x7f][${JOINERS}]*)(?!\\ufe0f\\u20e3)[${JOINERS}]`,
  'gu',
);
// Printable ASCII: nearly every name and message, answered without the Unicode regex.
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function escapeCharacter(character: string): string {
  const cp = character.codePointAt(0) ?? 0;
  if (cp >= 0xd800 && cp <= 0xdfff) return '\ufffd';
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, '0')}`;
  return `\\u{${cp.toString(16)}}`;
}

/**
 * Neutralise a string that came from a remote host before it reaches the terminal.
 * Controls, DEL, line separators, format characters (bidi controls, soft hyphen, zero-width space, BOM…)
 * and a leading combining mark are replaced by visible escapes; lone UTF-16 surrogates become `�`.
 * Everything else is kept as is, so the result of a printable name is the name.
 *
 * @example
 * sanitizeForTerminal('vm\x1b[2Jx\nnext') // → 'vm\\x1b[2Jx\\x0anext' (shown as vm\x1b[2Jx\x0anext)
 * sanitizeForTerminal('web\u200b01')      // → 'web\\u{200b}01'
 */
export function sanitizeForTerminal(text: string): string {
  if (PRINTABLE_ASCII.test(text)) return text;
  return text.replace(UNSAFE, escapeCharacter);
}
