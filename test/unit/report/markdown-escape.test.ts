import { describe, expect, it } from 'vitest';
import { escapeMarkdownInline } from '../../../src/report/index.js';

/** What a CommonMark reader shows for escaped text: each `\X` of ASCII punctuation is X; comments vanish. */
function unescape(markdown: string): string {
  return markdown.replace(/<!-- -->/g, '').replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

describe('escapeMarkdownInline', () => {
  it('leaves ordinary names alone', () => {
    for (const name of ['web01', 'br0', 'virbr0-nic', '52:54:00:ab:cd:ef', '192.168.122.1/24', 'qemu:///system', 'fe80::1']) {
      expect(escapeMarkdownInline(name)).toBe(name);
    }
  });

  it('escapes table pipes, so a cell cannot be split', () => {
    expect(escapeMarkdownInline('a|b||c')).toBe('a\\|b\\|\\|c');
  });

  it('escapes HTML, so tags and entities are shown, not interpreted', () => {
    const escaped = escapeMarkdownInline('x | <script>alert(1)</script> &amp;');
    expect(escaped).not.toMatch(/(?<!\\)[<>&|]/);
    expect(unescape(escaped)).toBe('x | <script>alert(1)</script> &amp;');
  });

  it('escapes code, emphasis, links, images, mentions, issue references and math', () => {
    const hostile = '```js `x` **b** _i_ ~~s~~ [l](http://e.x) ![i](y) @admin #1 $x$ \\';
    const escaped = escapeMarkdownInline(hostile);
    // Every special character is preceded by a backslash that is not itself escaped.
    expect(escaped.replaceAll('<!-- -->', '')).not.toMatch(/(?<!\\)(?:\\\\)*[`*_~[\]!#$]/);
    expect(unescape(escaped)).toBe(hostile);
  });

  it('splits @ and # from what follows, so GitHub links no email, mention or issue', () => {
    expect(escapeMarkdownInline('ops@example.com @admin #12')).toBe('ops@<!-- -->example.com @<!-- -->admin \\#<!-- -->12');
  });

  it('breaks bare autolinks', () => {
    expect(escapeMarkdownInline('see https://evil.example and www.evil.example')).toBe('see https\\://evil.example and www\\.evil.example');
  });

  it('turns line breaks into a space, or <br> when asked', () => {
    expect(escapeMarkdownInline('a\nb\r\nc\rd\u2028e')).toBe('a b c d e');
    expect(escapeMarkdownInline('a\n| b', { newlines: 'br' })).toBe('a<br>\\| b');
  });

  it('makes control and invisible characters visible', () => {
    // Given an escape sequence, a NUL, a tab, a C1 control and a right-to-left override
    const escaped = escapeMarkdownInline('a\x1b[31mb\x00c\td\x9be\u202ef');
    // Then none survives raw, and each is shown as a readable escape
    expect(escaped).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202e]/);
    expect(unescape(escaped)).toBe('a\\x1b[31mb\\x00c\\td\\x9be\\u202ef');
  });

  it('keeps non-ASCII text', () => {
    expect(escapeMarkdownInline('réseau-ü 🖧')).toBe('réseau-ü 🖧');
  });
});
