/**
 * Testing a subject against a rule's conditions. Pure. Every condition says, in words, why it failed, so a
 * finding's message explains itself.
 */
import { compileGlob, type Glob } from '../util/glob.js';
import { listSome, type HostSubjects, type SubjectView } from './subjects.js';
import type { Condition } from './types.js';

/** The outcome of a list of conditions (all must hold). */
export interface ConditionOutcome {
  /** `unknown`: none failed, but a yes/no fact needed was not known. */
  status: 'pass' | 'fail' | 'unknown';
  /** One sentence per failed condition: `mode is bridged (not allowed: bridged, macvtap)`. */
  failures: string[];
  /** One per condition that could not be decided: `autostart unknown`. */
  unknowns: string[];
  /** Evidence of failed counts: the subjects counted. */
  evidence: string[];
}

/** Counted subjects listed in evidence before "and N more". */
const MAX_COUNTED_EVIDENCE = 10;

/** Test `subject` against every condition; `all` gives `count` conditions the host's other subjects. */
export function testConditions(conditions: readonly Condition[], subject: SubjectView, all: HostSubjects): ConditionOutcome {
  const outcome: ConditionOutcome = { status: 'pass', failures: [], unknowns: [], evidence: [] };
  for (const condition of conditions) {
    const result = testOne(condition, subject, all);
    if (result.status === 'fail') {
      outcome.failures.push(result.text);
      outcome.evidence.push(...result.evidence);
    } else if (result.status === 'unknown') {
      outcome.unknowns.push(result.text);
    }
  }
  outcome.status = outcome.failures.length > 0 ? 'fail' : outcome.unknowns.length > 0 ? 'unknown' : 'pass';
  return outcome;
}

interface OneOutcome {
  status: 'pass' | 'fail' | 'unknown';
  text: string;
  evidence: string[];
}

const pass: OneOutcome = { status: 'pass', text: '', evidence: [] };

function testOne(condition: Condition, subject: SubjectView, all: HostSubjects): OneOutcome {
  if (condition.op === 'count') return testCount(condition, all);
  const value = subject.values[condition.attribute] ?? null;
  if (condition.op === 'is') {
    if (typeof value !== 'boolean') return { status: 'unknown', text: `${condition.attribute} unknown`, evidence: [] };
    return value === condition.value ? pass : { status: 'fail', text: `${condition.attribute} is ${yesNo(value)} (expected ${yesNo(condition.value)})`, evidence: [] };
  }
  const matches = anyGlob(condition.values);
  const allowed = `${condition.op === 'in' ? 'allowed' : 'not allowed'}: ${condition.values.join(', ')}`;
  if (Array.isArray(value)) {
    const offending = condition.op === 'in' ? value.filter((item) => !matches(item)) : value.filter(matches);
    return offending.length === 0 ? pass : { status: 'fail', text: `${condition.attribute} include ${listSome(offending)} (${allowed})`, evidence: [] };
  }
  const text = typeof value === 'string' ? value : null;
  const isIn = text !== null && matches(text);
  const holds = condition.op === 'in' ? isIn : !isIn;
  return holds ? pass : { status: 'fail', text: `${condition.attribute} is ${text ?? 'none'} (${allowed})`, evidence: [] };
}

function testCount(condition: Extract<Condition, { op: 'count' }>, all: HostSubjects): OneOutcome {
  const counted = all[condition.of].filter((candidate) => testConditions(condition.where, candidate, all).status === 'pass');
  const n = counted.length;
  const tooMany = condition.atMost !== null && n > condition.atMost;
  const tooFew = condition.atLeast !== null && n < condition.atLeast;
  if (!tooMany && !tooFew) return pass;
  const bound = tooMany ? `at most ${condition.atMost}` : `at least ${condition.atLeast}`;
  const filter = condition.where.length > 0 ? ` with ${condition.where.map(describeCondition).join(' and ')}` : '';
  const evidence = counted.slice(0, MAX_COUNTED_EVIDENCE).map((s) => s.subject);
  if (n > MAX_COUNTED_EVIDENCE) evidence.push(`and ${n - MAX_COUNTED_EVIDENCE} more`);
  return { status: 'fail', text: `${n} ${condition.of}${n === 1 ? '' : 's'}${filter} (expected ${bound})`, evidence };
}

/** A condition in words: `mode in nat, routed`, `autostart is no`. */
export function describeCondition(condition: Condition): string {
  switch (condition.op) {
    case 'in':
      return `${condition.attribute} in ${condition.values.join(', ')}`;
    case 'notIn':
      return `${condition.attribute} not in ${condition.values.join(', ')}`;
    case 'is':
      return `${condition.attribute} is ${yesNo(condition.value)}`;
    case 'count': {
      const bounds = [condition.atLeast !== null ? `at least ${condition.atLeast}` : null, condition.atMost !== null ? `at most ${condition.atMost}` : null];
      const filter = condition.where.length > 0 ? ` with ${condition.where.map(describeCondition).join(' and ')}` : '';
      return `${bounds.filter(Boolean).join(' and ')} ${condition.of}s${filter}`;
    }
  }
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

// Rules are tested against every subject of every host: compile each glob once.
const compiled = new Map<string, Glob>();

function anyGlob(globs: readonly string[]): (name: string) => boolean {
  const patterns = globs.map((glob) => {
    let pattern = compiled.get(glob);
    if (!pattern) {
      pattern = compileGlob(glob);
      compiled.set(glob, pattern);
    }
    return pattern;
  });
  return (name) => patterns.some((pattern) => pattern.test(name));
}

/** True when `name` matches one of `globs` (shared with selectors and waivers). */
export function matchesAnyGlob(globs: readonly string[], name: string): boolean {
  return anyGlob(globs)(name);
}
