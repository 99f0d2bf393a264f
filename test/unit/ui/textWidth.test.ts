import { describe, expect, it } from 'vitest';
import { wrapText } from '../../../src/ui/lines.js';
import { sanitizeForTerminal } from '../../../src/ui/sanitize.js';
import { displayWidth, fitEnd, fitStart, sliceToWidth, truncateToWidth } from '../../../src/ui/textWidth.js';
import { cutFindings, inkLayoutFindings, inkLines, sampleTexts, widthDisagreements, zeroWidthClusters } from './widthSample.js';

const implementation = { sanitizeForTerminal, displayWidth, truncateToWidth, sliceToWidth, fitEnd };
// Every code point of the ranges in widthSample.ts alone and doubled between letters, every pair of regional
// indicators, symbols with VS16, and hand-picked emoji, Indic and Hangul sequences: about 11,600 texts.
const texts = sampleTexts();

describe('displayWidth, as Ink measures', () => {
  it('agrees with string-width on every escaped text of a broad sample', () => {
    // Given flags, soft hyphens, combining marks, CJK, emoji with ZWJ and VS16, East Asian ambiguous…
    // When each is escaped and measured
    // Then the width is string-width's, the one Ink lays lines out by
    expect(widthDisagreements(implementation, texts)).toEqual([]);
  });

  it('leaves no cluster string-width counts as zero cells once escaped, since Ink would give it one', () => {
    expect(zeroWidthClusters(implementation, texts)).toEqual([]);
  });

  it('counts flags, emoji sequences and wide symbols as two cells, ambiguous and enclosed ones as one', () => {
    expect(displayWidth('🇯🇵')).toBe(2);
    expect(displayWidth('🏴󠁧󠁢󠁳󠁣󠁴󠁿')).toBe(2);
    expect(displayWidth('👩‍👩‍👧‍👦')).toBe(2);
    expect(displayWidth('☺\ufe0f')).toBe(2);
    expect(displayWidth('☰䷀')).toBe(4); // a trigram and a Yijing hexagram: wide (the old table said 1)
    expect(displayWidth('㉈')).toBe(1); // circled number on a black square: ambiguous, so narrow (the old table said 2)
    expect(displayWidth('±①─')).toBe(3); // East Asian ambiguous: narrow, as Ink counts them
    expect(displayWidth('क्षि')).toBe(2);
  });
});

describe('cutting to N cells', () => {
  it('never exceeds N, never splits a cluster, and keeps all that fits, for every N and every text of the sample', () => {
    // Given each escaped text of the sample
    // When it is cut to every width from 0 to one past its own (truncateToWidth, sliceToWidth, fitEnd)
    // Then the cut is within N cells by string-width (fitEnd exactly N), ends at a cluster boundary, ends
    // with … when something was cut, and sliceToWidth left out nothing that would have fitted
    expect(cutFindings(implementation, texts)).toEqual([]);
  });

  it('gives Ink lines it lays out in exactly the columns they were fitted to', () => {
    // Given each escaped text, whole and cut to one cell less than it needs
    // When Ink draws it in a box that wide, followed by a "|"
    // Then Ink prints it unchanged, padded to the box, with the "|" right after: no cut, no shift
    expect(inkLayoutFindings(inkLines(implementation, texts))).toEqual([]);
  });

  it('keeps a flag or a ZWJ sequence whole or leaves it out', () => {
    expect(truncateToWidth('🇯🇵🇫🇷🇩🇪', 5)).toBe('🇯🇵🇫🇷…');
    expect(truncateToWidth('🇯🇵🇫🇷🇩🇪', 4)).toBe('🇯🇵…');
    expect(sliceToWidth('a👩‍👩‍👧b', 2)).toBe('a');
    expect(fitStart('漢字漢字', 6)).toBe(' 漢字…'); // a third 漢 would straddle the edge
  });

  it('cuts a cluster wider than two cells between its code points, so wrapping a hostile name ends', () => {
    // Given one cluster forty cells wide (a consonant and 39 spacing vowel signs)
    const hostile = `क${'\u093e'.repeat(39)}`;
    expect(displayWidth(hostile)).toBe(40);
    // When it is cut and wrapped
    const lines = wrapText(hostile, 10);
    // Then every line fits and the wrapping ends
    expect(sliceToWidth(hostile, 5)).toBe(hostile.slice(0, 5));
    expect(lines.length).toBe(4);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(10);
  });
});
