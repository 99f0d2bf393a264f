/**
 * `where:` and `expect:` mappings → Condition lists, checked against the attributes of the rule's subject
 * (attributes.ts). Problems come back as issues with key paths, so the loader can name file:line.
 *
 *   mode: nat                       → mode in [nat]
 *   mode: [nat, routed]             → mode in [nat, routed]
 *   mode: { notIn: [bridged] }      → mode not in [bridged]
 *   autostart: false                → autostart is no
 *   count: { of: vm-interface, where: { mode: nat }, atMost: 10 }   (host rules only)
 */
import type { InventoryIssue } from '../inventory/issues.js';
import type { PathSegment } from '../inventory/yaml-source.js';
import { compileGlob, globProblem } from '../util/glob.js';
import { attributeNames, attributeSpec, type AttributeSpec } from './attributes.js';
import { SUBJECT_KINDS, type Condition, type SubjectKind } from './types.js';

/** Parse one condition mapping for `subject`; `path` is where it sits in the file. */
export function parseConditions(raw: unknown, subject: SubjectKind, path: PathSegment[]): { conditions: Condition[]; issues: InventoryIssue[] } {
  const issues: InventoryIssue[] = [];
  const conditions: Condition[] = [];
  if (raw === undefined || raw === null) return { conditions, issues };
  if (!isRecord(raw)) return { conditions, issues: [{ path, message: 'expected a mapping of attribute → condition' }] };
  for (const [attribute, value] of Object.entries(raw)) {
    const at = [...path, attribute];
    if (attribute === 'count') {
      if (subject !== 'host') {
        issues.push({ path: at, focus: 'key', message: 'count: is a condition of host rules (subject: host)' });
        continue;
      }
      const parsed = parseCount(value, at);
      issues.push(...parsed.issues);
      if (parsed.condition) conditions.push(parsed.condition);
      continue;
    }
    const spec = attributeSpec(subject, attribute);
    if (!spec) {
      const extra = subject === 'host' ? ', count' : '';
      issues.push({ path: at, focus: 'key', message: `${subject} has no attribute "${attribute}" (attributes: ${attributeNames(subject).join(', ')}${extra})` });
      continue;
    }
    const parsed = parseAttributeCondition(attribute, spec, value, at);
    issues.push(...parsed.issues);
    if (parsed.condition) conditions.push(parsed.condition);
  }
  return { conditions, issues };
}

type Parsed = { condition: Condition | null; issues: InventoryIssue[] };

function parseAttributeCondition(attribute: string, spec: AttributeSpec, value: unknown, path: PathSegment[]): Parsed {
  if (spec.type === 'boolean') {
    return typeof value === 'boolean'
      ? { condition: { attribute, op: 'is', value }, issues: [] }
      : { condition: null, issues: [{ path, message: 'expected true or false' }] };
  }
  const wrong: Parsed = { condition: null, issues: [{ path, message: 'expected a name, a list of names, { in: [...] } or { notIn: [...] }' }] };
  let op: 'in' | 'notIn';
  let values: unknown;
  let valuesPath = path;
  if (typeof value === 'string' || Array.isArray(value)) {
    op = 'in';
    values = typeof value === 'string' ? [value] : value;
  } else if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length !== 1 || (keys[0] !== 'in' && keys[0] !== 'notIn')) return wrong;
    op = keys[0];
    values = value[op];
    valuesPath = [...path, op];
  } else {
    return wrong;
  }
  if (!Array.isArray(values) || values.length === 0 || !values.every((v): v is string => typeof v === 'string' && v !== '')) {
    return { condition: null, issues: [{ path: valuesPath, message: 'expected a non-empty list of names (globs * ? [a-z] {a,b} allowed)' }] };
  }
  const issues: InventoryIssue[] = [];
  values.forEach((glob, index) => {
    const at = typeof value === 'string' ? valuesPath : [...valuesPath, index];
    const problem = globProblem(glob);
    if (problem !== null) {
      issues.push({ path: at, message: problem });
      return;
    }
    // A value that can never occur is a typo (`brigded`): refuse it rather than let the rule pass forever.
    const pattern = compileGlob(glob);
    if (spec.values && !spec.values.some((known) => pattern.test(known))) {
      issues.push({ path: at, message: `"${glob}" is not a ${attribute} (one of: ${spec.values.join(', ')})` });
    }
  });
  return { condition: issues.length > 0 ? null : { attribute, op, values: [...values] }, issues };
}

const COUNT_KEYS = ['of', 'where', 'atMost', 'atLeast'];

function parseCount(value: unknown, path: PathSegment[]): Parsed {
  if (!isRecord(value)) return { condition: null, issues: [{ path, message: 'expected { of: SUBJECT, where: {...}, atMost: N, atLeast: N }' }] };
  const issues: InventoryIssue[] = [];
  for (const key of Object.keys(value)) {
    if (!COUNT_KEYS.includes(key)) issues.push({ path: [...path, key], focus: 'key', message: `unknown key (allowed here: ${COUNT_KEYS.join(', ')})` });
  }
  const countable = SUBJECT_KINDS.filter((kind) => kind !== 'host');
  const of = value.of;
  if (typeof of !== 'string' || !(countable as readonly string[]).includes(of)) {
    issues.push({ path: [...path, 'of'], message: `expected what to count: ${countable.join(', ')}` });
    return { condition: null, issues };
  }
  const kind = of as Exclude<SubjectKind, 'host'>;
  const where = parseConditions(value.where, kind, [...path, 'where']);
  issues.push(...where.issues);
  const bound = (key: 'atMost' | 'atLeast'): number | null => {
    const n = value[key];
    if (n === undefined) return null;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      issues.push({ path: [...path, key], message: 'expected a whole number, 0 or more' });
      return null;
    }
    return n;
  };
  const atMost = bound('atMost');
  const atLeast = bound('atLeast');
  if (value.atMost === undefined && value.atLeast === undefined) issues.push({ path, message: 'count: needs atMost:, atLeast: or both' });
  if (issues.length > 0) return { condition: null, issues };
  return { condition: { attribute: 'count', op: 'count', of: kind, where: where.conditions, atMost, atLeast }, issues };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
