/**
 * Small building blocks of the Markdown renderers (report.md, its compliance and drift sections): tables,
 * escaping, evidence chains, collapsed lists. Every string from a host goes through `esc`.
 */
import { escapeMarkdownInline, type EscapeOptions } from './markdown-escape.js';

/** What an empty cell shows. */
export const NONE = '—';

export type Align = 'left' | 'right';

/** A GFM table from cells that are already escaped. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const line = (cells: readonly string[]): string => `| ${cells.map((cell) => (cell === '' ? NONE : cell)).join(' | ')} |`;
  const rule = `|${headers.map((_, index) => (align[index] === 'right' ? '---:' : '---')).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

export function esc(text: string, options?: EscapeOptions): string {
  return escapeMarkdownInline(text, options);
}

export function orNone(text: string | null): string {
  return text === null || text === '' ? NONE : esc(text);
}

export function listOrNone(items: readonly string[]): string {
  return items.length > 0 ? items.map((item) => esc(item)).join(', ') : NONE;
}

/** Steps joined by arrows; the conclusion (`⇒ mode`) follows its last step after a space. */
export function chain(steps: readonly string[]): string {
  if (steps.length === 0) return NONE;
  return steps.map((step, index) => (index === 0 ? '' : step.startsWith('⇒') ? ' ' : ' → ') + esc(step)).join('');
}

/** Already escaped items, the first `max` named and the rest counted: `a, b and 280 more`. */
export function collapse(items: readonly string[], max: number): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return count === 1 ? singular : pluralForm;
}

