/**
 * Escaping of untrusted text (VM, network, bridge names, messages: anything a host sent) for inline
 * Markdown on GitHub, so that it is shown as written and can neither break a table nor inject HTML,
 * links, images, mentions or formatting.
 *
 * Why backslash escapes: CommonMark lets any ASCII punctuation be escaped with `\`, and GFM tables
 * honour `\|` even inside code spans, so escaping is exact (no entity decoding surprises) and still
 * readable in the raw file. Never put escaped text inside a code span: backslashes are literal there.
 *
 * `@` and `#` also get an empty HTML comment after them: GitHub links `a@b.c` emails, `@user`
 * mentions and `#12` issue references in the rendered text, where a backslash is already gone; the
 * comment splits the text node so none of them matches (checked with cmark-gfm), and shows nothing.
 */

/** How line breaks inside a value are rendered. */
export interface EscapeOptions {
  /** `space` keeps the value on one line; `br` shows breaks (valid in GFM table cells). @default 'space' */
  newlines?: 'space' | 'br';
}

/**
 * Characters with inline meaning: `\` escapes, `` ` `` code, `*_~` emphasis, `[]!` links and images,
 * `<>&` HTML and entities, `|` table cells, `#` headings, `$` math.
 */
const SPECIAL = new Set(['\\', '`', '*', '_', '~', '[', ']', '!', '<', '>', '&', '|', '#', '$']);

/** Breaks GitHub's text-level linking (see the module comment). */
const LINK_BREAK = '<!-- -->';

/** Invisible characters that reorder or hide text (Trojan Source): shown as `\uXXXX`. */
const INVISIBLE = /^[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]$/;

/** Text made only of these characters is shown as written (`.` and `:` matter only in autolinks). */
const PLAIN = /^[A-Za-z0-9 ,.:;=+\-/()%'"?{}^]*$/;
const MAYBE_AUTOLINK = /www|:\/\//i;

const LINE_BREAK = /^(?:\r\n|[\n\r\u2028\u2029\u0085])/;

/**
 * Escape text for use inline (a table cell, a heading, a list item).
 * Control characters become visible escapes (`\x1b`, `\t`), line breaks a space or `<br>`.
 * @example escapeMarkdownInline('x | <script>') // 'x \\| \\<script\\>'
 */
export function escapeMarkdownInline(text: string, options: EscapeOptions = {}): string {
  // Most values (MACs, addresses, plain names) need nothing: skip the per-character walk for them.
  if (PLAIN.test(text) && !MAYBE_AUTOLINK.test(text)) return text;
  const lineBreak = options.newlines === 'br' ? '<br>' : ' ';
  let out = '';
  let index = 0;
  while (index < text.length) {
    const rest = text.slice(index, index + 2);
    const breakMatch = LINE_BREAK.exec(rest);
    if (breakMatch) {
      out += lineBreak;
      index += breakMatch[0].length;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(index) ?? 0);
    // A few characters of context are all the autolink checks need.
    out += escapeChar(char, text.slice(Math.max(0, index - 5), index), text.slice(index + char.length, index + char.length + 2));
    index += char.length;
  }
  return out;
}

function escapeChar(char: string, before: string, after: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (char === '\t') return '\\\\t';
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `\\\\x${code.toString(16).padStart(2, '0')}`;
  if (INVISIBLE.test(char)) return `\\\\u${code.toString(16).padStart(4, '0')}`;
  if (char === '@') return `@${LINK_BREAK}`;
  if (char === '#') return `\\#${LINK_BREAK}`;
  if (SPECIAL.has(char)) return `\\${char}`;
  // GFM autolinks bare `http://`, `https://`, `ftp://` and `www.` text: an escaped character breaks the pattern.
  if (char === ':' && after.startsWith('//') && /(?:https?|ftp)$/i.test(before)) return '\\:';
  if (char === '.' && /(?:^|[^A-Za-z0-9])www$/i.test(before)) return '\\.';
  return char;
}
