import { describe, expect, it } from 'vitest';
import { sanitizeForTerminal } from '../../../src/ui/sanitize.js';
import { displayWidth, fitEnd, truncateToWidth } from '../../../src/ui/textWidth.js';

describe('sanitizeForTerminal', () => {
  it('turns escape sequences into visible text so they cannot drive the terminal', () => {
    // Given a VM name that clears the screen, retitles the window and hides itself
    const hostile = 'web\x1b[2J\x1b]0;pwned\x07\x1b[8m';
    // When it is sanitised
    const safe = sanitizeForTerminal(hostile);
    // Then no ESC or BEL byte is left, and each is shown as an escape
    expect(safe).not.toMatch(/[\x00-\x1f\x7f]/);
    expect(safe).toBe('web\\x1b[2J\\x1b]0;pwned\\x07\\x1b[8m');
  });

  it('keeps everything on one line by escaping newlines, carriage returns and tabs', () => {
    expect(sanitizeForTerminal('a\nb\rc\td')).toBe('a\\x0ab\\x0dc\\x09d');
  });

  it('escapes DEL and the C1 controls, including the one-byte CSI', () => {
    expect(sanitizeForTerminal('x\x7f\x9b31m\x85y')).toBe('x\\x7f\\x9b31m\\x85y');
  });

  it('escapes bidi overrides and isolates that would reorder what is displayed', () => {
    const trojan = 'vm\u202eexe.txt\u2066\u2069';
    expect(sanitizeForTerminal(trojan)).toBe('vm\\u{202e}exe.txt\\u{2066}\\u{2069}');
  });

  it('replaces lone surrogates and keeps valid astral characters', () => {
    expect(sanitizeForTerminal('a\ud800b\udc00c')).toBe('a\ufffdb\ufffdc');
    expect(sanitizeForTerminal('ok 🚀 é 漢字')).toBe('ok 🚀 é 漢字');
  });

  it('escapes invisible format characters, so a name cannot pass itself off as another', () => {
    // Given names with a zero-width space, a soft hyphen, a word joiner and a Hangul filler in them
    // Then each shows where the invisible character is (and Ink no longer gets a cluster it measures as none)
    expect(sanitizeForTerminal('web\u200b01')).toBe('web\\u{200b}01');
    expect(sanitizeForTerminal('hyper\u00advisor')).toBe('hyper\\xadvisor');
    expect(sanitizeForTerminal('a\u2060b\u3164')).toBe('a\\u{2060}b\\u{3164}');
  });

  it('escapes a combining mark that opens the text, having nothing to combine with', () => {
    expect(sanitizeForTerminal('\u0301abc')).toBe('\\u{301}abc');
    expect(sanitizeForTerminal('\u200dx')).toBe('\\u{200d}x');
    expect(sanitizeForTerminal('e\u0301')).toBe('e\u0301');
  });

  it('keeps the joiners, selectors and tags that emoji and scripts need inside a cluster', () => {
    const kept = ['👩‍👩‍👧‍👦', '☺\ufe0f', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', 'क्षि', 'می\u200cخواهم', '1\ufe0f\u20e3'];
    for (const text of kept) expect(sanitizeForTerminal(text)).toBe(text);
  });

  it('returns ordinary names unchanged', () => {
    const name = 'hv-nat-01.example.com';
    expect(sanitizeForTerminal(name)).toBe(name);
  });
});

describe('displayWidth and truncateToWidth', () => {
  it('counts wide characters as two cells and combining marks as none', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('漢字')).toBe(4);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('🚀x')).toBe(3);
  });

  it('cuts with an ellipsis and never exceeds the width', () => {
    // Given a long name
    // When it is truncated to 8 cells
    const cut = truncateToWidth('hypervisor-01', 8);
    // Then it is 8 cells and ends with the ellipsis
    expect(cut).toBe('hypervi…');
    expect(displayWidth(cut)).toBe(8);
  });

  it('does not split a wide character across the edge', () => {
    // Given CJK text whose 4th character would straddle the limit
    const cut = truncateToWidth('漢字漢字漢字', 6);
    // Then two wide characters and the ellipsis fit (5 cells), not a half character
    expect(cut).toBe('漢字…');
    expect(displayWidth(cut)).toBeLessThanOrEqual(6);
    expect(displayWidth(fitEnd('漢字漢字漢字', 6))).toBe(6);
  });

  it('leaves text that fits alone', () => {
    expect(truncateToWidth('short', 10)).toBe('short');
    expect(truncateToWidth('anything', 0)).toBe('');
  });
});

describe('fitCell', () => {
  it('pads a cell that fits, and ends a cut cell with an ellipsis even between two segments', async () => {
    const { fitCell } = await import('../../../src/ui/lines.js');
    const text = (segments: { text: string }[]) => segments.map((s) => s.text).join('');
    const cell = [{ text: '7: ' }, { text: 'nat 1', color: 'cyan' as const }, { text: ', ' }, { text: 'bridged 2', color: 'green' as const }];
    expect(text(fitCell(cell, 22))).toBe('7: nat 1, bridged 2   ');
    // Given a cut that falls right after "nat 1, "
    const cut = fitCell(cell, 11);
    // Then the cell is 11 cells wide and ends with the ellipsis, not a dangling comma
    expect(text(cut)).toBe('7: nat 1, …');
    expect(displayWidth(text(cut))).toBe(11);
    expect(text(fitCell(cell, 9))).toBe('7: nat 1…');
  });
});

describe('joiners and selectors that join nothing', () => {
  it('are escaped after an ASCII character, where they only make a name look like another', () => {
    expect(sanitizeForTerminal('web\u200d01')).toBe('web\\u{200d}01');
    expect(sanitizeForTerminal('web\ufe0f01')).toBe('web\\u{fe0f}01');
    expect(sanitizeForTerminal('web\u034f01')).toBe('web\\u{34f}01');
    expect(sanitizeForTerminal('web\u{e0030}\u{e0031}01')).toBe('web\\u{e0030}\\u{e0031}01');
  });

  it('are kept where they join: emoji sequences, a keycap, tag flags, Indic conjuncts', () => {
    for (const kept of ['1\ufe0f\u20e3', '👨\u200d👩\u200d👧', '🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}', '❤\ufe0f', 'क्\u200dष']) {
      expect(sanitizeForTerminal(kept)).toBe(kept);
    }
  });
});
