/**
 * The raw probe output of one host (`x` in the host view): every section with its command, exit
 * status and size, then its stdout and stderr, sanitised line by line. A 3,000-VM host has tens of
 * thousands of lines, so only the text is split up front; a line is styled when it is on screen. Pure.
 */
import type { ProbeSection, RawCapture } from '../model.js';
import { formatCount } from './format.js';
import { textLine, type FrameLine } from './lines.js';
import { sanitizeForTerminal } from './sanitize.js';

/** Lines that are laid out only when asked for. */
export interface LazyLines {
  length: number;
  lineAt(index: number): FrameLine;
}

/** A fixed list of lines as {@link LazyLines}. */
export function eagerLines(lines: readonly FrameLine[]): LazyLines {
  return { length: lines.length, lineAt: (i) => lines[i] ?? { key: `missing:${i}`, segments: [] } };
}

type RawLine = { kind: 'title' | 'stdout' | 'stderr-title' | 'stderr' | 'note'; text: string };

function sectionLines(section: ProbeSection): RawLine[] {
  const exit = section.exit === null ? 'did not finish' : `exit ${section.exit}`;
  const size = `${formatCount(section.stdout.length)} chars`;
  const lines: RawLine[] = [{ kind: 'title', text: `── ${section.id} · ${exit} · ${size} · ${section.command}` }];
  const out = section.stdout.replace(/\n$/, '');
  if (out) for (const line of out.split('\n')) lines.push({ kind: 'stdout', text: line });
  else lines.push({ kind: 'note', text: '(no output)' });
  const err = section.stderr.replace(/\n$/, '');
  if (err) {
    lines.push({ kind: 'stderr-title', text: 'stderr:' });
    for (const line of err.split('\n')) lines.push({ kind: 'stderr', text: line });
  }
  return lines;
}

/**
 * The raw sections of `capture` as lines of at most `columns` cells (long lines are cut, not wrapped:
 * the output stays line-for-line what the host printed).
 */
export function rawCaptureLines(capture: RawCapture | undefined, columns: number): LazyLines {
  if (!capture) {
    return eagerLines([textLine('raw:none', 'The raw probe output of this host was not kept in this run.', columns, { dim: true })]);
  }
  const raw: RawLine[] = [
    { kind: 'note', text: `${formatCount(capture.sections.length)} sections · ${formatCount(capture.bytes)} bytes${capture.truncated ? ' · output cut off' : ''}` },
  ];
  for (const section of capture.sections) raw.push(...sectionLines(section));
  return {
    length: raw.length,
    lineAt(index) {
      const line = raw[index];
      const key = `raw:${index}`;
      if (!line) return { key, segments: [] };
      // Tabs would be shown as \x09: expand them, as the terminal would have.
      const text = sanitizeForTerminal(line.text.replace(/\t/g, '    '));
      switch (line.kind) {
        case 'title':
          return textLine(key, text, columns, { bold: true, color: 'cyan' });
        case 'stderr-title':
          return textLine(key, `  ${text}`, columns, { color: 'yellow' });
        case 'stderr':
          return textLine(key, `  ${text}`, columns, { color: 'yellow', dim: true });
        case 'note':
          return textLine(key, text, columns, { dim: true });
        case 'stdout':
          return textLine(key, `  ${text}`, columns);
      }
    },
  };
}
