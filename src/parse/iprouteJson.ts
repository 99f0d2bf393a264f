/**
 * Reading `ip -j` / `bridge -j` output. iproute2's JSON writer escapes `"` and `\` but prints other control
 * characters raw, so a link named `evil\e[31m` makes the whole document invalid JSON. We escape them, only
 * inside strings (outside, a raw newline is legal whitespace and must stay), and JSON.parse then gives the
 * name back with its real characters.
 */
import { ParseError } from './errors.js';
import { isRecord } from '../util/records.js';

/** Escape raw U+0000–U+001F characters that appear inside JSON strings as `\u00XX`. */
export function escapeControlCharsInJsonStrings(text: string): string {
  let out = '';
  let inString = false;
  let escaped = false;
  let copiedUpTo = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!inString) {
      if (code === 0x22) inString = true;
      continue;
    }
    if (escaped) {
      escaped = false;
    } else if (code === 0x5c) {
      escaped = true;
    } else if (code === 0x22) {
      inString = false;
    } else if (code < 0x20) {
      out += text.slice(copiedUpTo, i) + `\\u${code.toString(16).padStart(4, '0')}`;
      copiedUpTo = i + 1;
    }
  }
  return out + text.slice(copiedUpTo);
}

/**
 * Parse an iproute2 JSON document that must be an array of objects (`ip -j link`, `ip -j addr`, …).
 * @throws ParseError on empty output, invalid JSON, or anything but an array of objects.
 */
export function parseIprouteJson(text: string): Record<string, unknown>[] {
  if (text.trim() === '') throw new ParseError('empty output (ip -j always prints a JSON array)');
  let doc: unknown;
  try {
    // Nearly every document is valid as printed; only one that fails pays for the escaping pass.
    doc = parseJsonOrNull(text) ?? JSON.parse(escapeControlCharsInJsonStrings(text));
  } catch (error) {
    throw new ParseError(`invalid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(doc)) throw new ParseError('expected a JSON array');
  return doc.map((item, i) => {
    if (!isRecord(item)) throw new ParseError(`item ${i} is not an object`);
    return item;
  });
}

function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}


/** A string field, or null. */
export function stringField(record: Record<string, unknown> | undefined, key: string): string | null {
  const value = record?.[key];
  return typeof value === 'string' ? value : null;
}

/** An integer field, or null. */
export function intField(record: Record<string, unknown> | undefined, key: string): number | null {
  const value = record?.[key];
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/** An object field, or undefined. */
export function recordField(record: Record<string, unknown> | undefined, key: string): Record<string, unknown> | undefined {
  const value = record?.[key];
  return isRecord(value) ? value : undefined;
}
