/**
 * A broad sample of text for the width tests, and the checks run over it: that a width is the one Ink
 * measures (`string-width`), that a cut never exceeds its width nor splits a cluster, and that Ink draws
 * a fitted line in exactly the columns it was fitted to. The checks take the implementation as a
 * parameter, so the same sample can be run against an older one to show what it got wrong.
 */
import { Box, renderToString, Text } from 'ink';
import stringWidth from 'string-width';

/** The functions under test (src/ui/sanitize.ts and src/ui/textWidth.ts). */
export interface WidthImplementation {
  sanitizeForTerminal(text: string): string;
  displayWidth(text: string): number;
  truncateToWidth(text: string, width: number): string;
  sliceToWidth(text: string, width: number): string;
  fitEnd(text: string, width: number): string;
}

/** Every code point of these ranges is sampled; most are where a hand-written width table goes wrong. */
export const SAMPLE_RANGES: readonly (readonly [label: string, first: number, last: number])[] = [
  ['Latin-1, soft hyphen U+00AD', 0xa0, 0xff],
  ['Greek (East Asian ambiguous)', 0x391, 0x3c9],
  ['combining diacritical marks', 0x300, 0x36f],
  ['Hangul jamo', 0x1100, 0x11ff],
  ['general punctuation, zero-width and bidi format characters', 0x2000, 0x206f],
  ['arrows (ambiguous)', 0x2190, 0x21ff],
  ['enclosed alphanumerics (ambiguous)', 0x2460, 0x24ff],
  ['box drawing, blocks, geometric shapes (ambiguous)', 0x2500, 0x25ff],
  ['miscellaneous symbols, dingbats (text and emoji presentation)', 0x2600, 0x27bf],
  ['CJK symbols and punctuation, kana', 0x3000, 0x30ff],
  ['Hangul compatibility jamo, filler U+3164', 0x3130, 0x318f],
  ['enclosed CJK letters and months', 0x3200, 0x32ff],
  ['Yijing hexagram symbols', 0x4dc0, 0x4dff],
  ['CJK unified ideographs (first 256)', 0x4e00, 0x4eff],
  ['Hangul syllables (first 256)', 0xac00, 0xacff],
  ['variation selectors, vertical forms, CJK compatibility forms', 0xfe00, 0xfe6f],
  ['halfwidth and fullwidth forms', 0xff00, 0xffef],
  ['Tangut components supplement', 0x18d00, 0x18d7f],
  ['Tai Xuan Jing symbols', 0x1d300, 0x1d35f],
  ['regional indicators', 0x1f1e6, 0x1f1ff],
  ['emoji: pictographs', 0x1f300, 0x1f5ff],
  ['emoji: emoticons, transport, map symbols', 0x1f600, 0x1f6ff],
  ['emoji: supplemental symbols and pictographs', 0x1f900, 0x1f9ff],
];

const RI_A = 0x1f1e6;

/** Hand-picked sequences: emoji with ZWJ, VS16, skin tones and tags, keycaps, Indic and Hangul clusters. */
export const SAMPLE_SEQUENCES: readonly string[] = [
  '👩‍👩‍👧‍👦',
  '👨🏽‍💻',
  '🏳️‍🌈',
  '🏴‍☠️',
  '❤️‍🔥',
  '🧑‍🤝‍🧑',
  '👍🏻👍🏼👍🏽👍🏾👍🏿',
  '🏴󠁧󠁢󠁳󠁣󠁴󠁿', // subdivision flag: tag characters
  '1️⃣#️⃣*⃣9⃣',
  '☺️☺✈️✈',
  'e\u0301\u0302\u0303x', // stacked combining marks
  'Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357\u0358\u0359\u035a\u035b\u035c\u035d\u035e\u035f', // "Zalgo"
  'क्षि नमस्ते', // Devanagari conjuncts and spacing vowel signs
  'கொ สวัสดี', // Tamil two-part vowel, Thai
  'ᄀᄀ가 ᄒ\u1161\u11ab', // unpaired and paired conjoining jamo
  `क${'\u093e'.repeat(12)}`, // one cluster twelve spacing marks wide
  `x${'ᄀ'.repeat(8)}\u1161`, // one Hangul cluster eighteen cells wide
  'ﾊﾟｲﾌﾟ', // halfwidth katakana with voiced sound marks
  '\u200dleading ZWJ',
  '\ufe0fleading VS16',
  'web\u200b01',
  'vm\u202eexe.txt',
];

/** The raw texts of the sample, before sanitising. */
export function sampleTexts(): string[] {
  const texts: string[] = [];
  for (const [, first, last] of SAMPLE_RANGES) {
    for (let cp = first; cp <= last; cp++) {
      const c = String.fromCodePoint(cp);
      texts.push(c, `a${c}${c}b`);
    }
  }
  for (let cp = 0x2190; cp <= 0x27bf; cp++) texts.push(`${String.fromCodePoint(cp)}\ufe0f`); // VS16 after a symbol
  for (let i = 0; i < 26; i++) {
    for (let j = 0; j < 26; j++) texts.push(`x${String.fromCodePoint(RI_A + i, RI_A + j)}y`); // every pair, flag or not
  }
  texts.push(...SAMPLE_SEQUENCES);
  return texts;
}

/** A cut that breaks a rule, for the report of a failing test. */
export interface Finding {
  text: string;
  check: string;
  detail: string;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemes = (text: string) => Array.from(segmenter.segment(text), (s) => s.segment);
const codes = (text: string) => Array.from(text, (c) => c.codePointAt(0)!.toString(16).padStart(4, '0')).join(' ');

/** Widths the implementation reports that are not string-width's, for the sanitised sample. */
export function widthDisagreements(impl: WidthImplementation, texts: readonly string[]): Finding[] {
  const found: Finding[] = [];
  for (const text of texts) {
    const safe = impl.sanitizeForTerminal(text);
    const ours = impl.displayWidth(safe);
    const theirs = stringWidth(safe);
    if (ours !== theirs) found.push({ text: codes(text), check: 'displayWidth = string-width', detail: `${ours} ≠ ${theirs}` });
  }
  return found;
}

/**
 * Sanitised clusters string-width counts as zero cells. Ink's output grid gives every cluster at least one
 * cell (`Math.max(1, stringWidth(grapheme))`), so such a cluster shifts the rest of the line by one.
 */
export function zeroWidthClusters(impl: WidthImplementation, texts: readonly string[]): Finding[] {
  const found: Finding[] = [];
  for (const text of texts) {
    for (const cluster of graphemes(impl.sanitizeForTerminal(text))) {
      if (stringWidth(cluster) === 0) found.push({ text: codes(text), check: 'no zero-width cluster', detail: codes(cluster) });
    }
  }
  return found;
}

/**
 * For every width N from 0 to one past the text's width: truncateToWidth, sliceToWidth and fitEnd stay
 * within N cells by string-width (fitEnd exactly N), cut only at cluster boundaries, end a cut with `…`,
 * leave text that fits alone, and sliceToWidth keeps as much as fits.
 */
export function cutFindings(impl: WidthImplementation, texts: readonly string[]): Finding[] {
  const found: Finding[] = [];
  for (const text of texts) {
    const safe = impl.sanitizeForTerminal(text);
    const full = stringWidth(safe);
    const clusters = graphemes(safe);
    const starts: number[] = []; // where each cluster starts
    let at = 0;
    for (const cluster of clusters) {
      starts.push(at);
      at += cluster.length;
    }
    const ends = new Set<number>([...starts, at]);
    // A cut may fall inside a cluster only if that cluster is wider than two cells (see sliceToWidth).
    const cutsCleanly = (prefixLength: number) => {
      if (ends.has(prefixLength)) return true;
      let start = 0;
      for (const cluster of clusters) {
        if (prefixLength < start + cluster.length) return stringWidth(cluster) > 2;
        start += cluster.length;
      }
      return false;
    };
    const note = (check: string, detail: string) => found.push({ text: codes(text), check, detail });
    for (let n = 0; n <= full + 1; n++) {
      const cut = impl.truncateToWidth(safe, n);
      if (stringWidth(cut) > n) note('truncateToWidth ≤ N', `N=${n}: ${JSON.stringify(cut)} is ${stringWidth(cut)}`);
      if (full <= n && cut !== safe) note('truncateToWidth leaves text that fits', `N=${n}: ${JSON.stringify(cut)}`);
      if (full > n && n > 0) {
        if (!cut.endsWith('…')) note('truncateToWidth ends a cut with …', `N=${n}: ${JSON.stringify(cut)}`);
        const kept = cut.slice(0, -1);
        if (!safe.startsWith(kept) || !cutsCleanly(kept.length)) note('truncateToWidth cuts between clusters', `N=${n}: ${JSON.stringify(cut)}`);
      }
      const slice = impl.sliceToWidth(safe, n);
      if (stringWidth(slice) > n) note('sliceToWidth ≤ N', `N=${n}: ${JSON.stringify(slice)} is ${stringWidth(slice)}`);
      if (!safe.startsWith(slice) || !cutsCleanly(slice.length)) note('sliceToWidth cuts between clusters', `N=${n}: ${JSON.stringify(slice)}`);
      const next = clusters[starts.indexOf(slice.length)];
      if (slice !== safe && next !== undefined && stringWidth(safe.slice(0, slice.length + next.length)) <= n) {
        note('sliceToWidth keeps all that fits', `N=${n}: ${JSON.stringify(slice)} + ${JSON.stringify(next)} fits`);
      }
      const padded = impl.fitEnd(safe, n);
      if (stringWidth(padded) !== n) note('fitEnd = N', `N=${n}: ${JSON.stringify(padded)} is ${stringWidth(padded)}`);
    }
  }
  return found;
}

/**
 * Lines as Ink draws them: each text in a box of `width` columns (`<Text wrap="truncate-end">`, as
 * FrameView draws a line), followed by a `|`. Ink lays a line out in N columns when it prints the text
 * unchanged, padded to N cells, and the `|` right after: no cut of its own, no shift.
 */
export function inkLayoutFindings(lines: readonly { text: string; width: number }[]): Finding[] {
  const found: Finding[] = [];
  const batch = 200;
  for (let from = 0; from < lines.length; from += batch) {
    const chunk = lines.slice(from, from + batch);
    const out = renderToString(
      <Box flexDirection="column">
        {chunk.map((line, i) => (
          <Box key={i} flexDirection="row">
            <Box width={line.width} flexShrink={0}>
              <Text wrap="truncate-end">{line.text}</Text>
            </Box>
            <Text>|</Text>
          </Box>
        ))}
      </Box>,
      { columns: 200 },
    );
    const rows = out.split('\n');
    chunk.forEach((line, i) => {
      const expected = `${line.text}${' '.repeat(Math.max(0, line.width - stringWidth(line.text)))}|`;
      if (rows[i] !== expected) found.push({ text: codes(line.text), check: `Ink lays it out in ${line.width} columns`, detail: JSON.stringify(rows[i]) });
    });
  }
  return found;
}

/** The lines to draw for {@link inkLayoutFindings}: each sanitised text cut to one cell less than it needs, and whole. */
export function inkLines(impl: WidthImplementation, texts: readonly string[]): { text: string; width: number }[] {
  const lines: { text: string; width: number }[] = [];
  for (const text of texts) {
    const safe = impl.sanitizeForTerminal(text);
    const width = impl.displayWidth(safe);
    lines.push({ text: safe, width: Math.max(1, width) });
    if (width > 1) lines.push({ text: impl.truncateToWidth(safe, width - 1), width: width - 1 });
  }
  return lines;
}
