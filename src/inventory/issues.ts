/**
 * Validation problems as data, and their one-line rendering `file:line: key.path: message`.
 */
import type * as z from 'zod';
import { ALLOWED_KEYS } from './schema.js';
import type { PathSegment, YamlSource } from './yaml-source.js';
import { unknownKeyMessage as unknownKeyAmong } from '../util/suggest.js';

/** One problem in the inventory, before it is given a file and line. */
export interface InventoryIssue {
  path: PathSegment[];
  message: string;
  /** Point at the key (an unknown key) rather than at its value. @default 'value' */
  focus?: 'key' | 'value';
}

/** `hosts[3].port`, `groups.prod.user`; keys that are not plain words are quoted. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Render issues sorted by line, one message each. */
export function formatIssues(issues: readonly InventoryIssue[], file: string, source: YamlSource): string[] {
  return issues
    .map((issue) => ({ line: source.lineOf(issue.path, issue.focus), issue }))
    .sort((a, b) => a.line - b.line)
    .map(({ line, issue }) => {
      const where = issue.path.length > 0 ? `${formatPath(issue.path)}: ` : '';
      return `${file}:${line}: ${where}${issue.message}`;
    });
}

// A Map, not an object literal: a YAML key such as `__proto__` must not find Object.prototype.
const SECRET_HINTS = new Map<string, string>([
  ['password', 'plaintext passwords are refused: put the password in an environment variable and name that variable with passwordEnv'],
  ['passphrase', 'plaintext passphrases are refused: put the passphrase in an environment variable and name that variable with passphraseEnv'],
]);

/** Turn zod's issues into inventory issues: one per unknown key, `required` for missing ones. */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[]): InventoryIssue[] {
  return issues.flatMap((issue): InventoryIssue[] => {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key], focus: 'key', message: unknownKeyMessage(key, path) }));
    }
    if (issue.code === 'invalid_type' && issue.input === undefined) {
      return [{ path, message: 'required' }];
    }
    return [{ path, message: issue.message }];
  });
}

function unknownKeyMessage(key: string, parent: readonly PathSegment[]): string {
  const secretHint = SECRET_HINTS.get(key.toLowerCase());
  if (secretHint) return secretHint;
  return unknownKeyAmong(key, allowedKeysAt(parent));
}

function allowedKeysAt(parent: readonly PathSegment[]): readonly string[] {
  const [section] = parent;
  if (parent.length === 0) return ALLOWED_KEYS.inventory;
  if (section === 'hosts') return ALLOWED_KEYS.host;
  if (section === 'jumpHosts') return ALLOWED_KEYS.jumpHost;
  return ALLOWED_KEYS.settings;
}
