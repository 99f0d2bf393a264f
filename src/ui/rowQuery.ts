/**
 * Which hosts the fleet table lists, and in what order: the `/` filter (name, group, status, mode),
 * the `f` "problems only" switch and the `s` sort. Pure.
 *
 * One call is one linear pass over the fleet plus a sort on precomputed numbers (no string compares in
 * the comparator), and the live view calls it at most once per frame, only when something changed.
 */
import { MODES, type ErrorKind, type Mode } from '../model.js';
import { compileGlob } from '../util/glob.js';
import type { FleetState, HostRow } from './fleetState.js';

/** The orders `s` cycles through, in that order. */
export const SORT_KEYS = ['status', 'name', 'duration', 'mode'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** What the table lists. */
export interface RowQuery {
  /** @default 'status' (hosts in flight, then failures, partial, ok, not audited, queued) */
  sort: SortKey;
  /** Filter text as typed after `/`, e.g. `mode:bridged !group:lab`. Empty: every host. */
  filter: string;
  /** Only failed and partial hosts (`f`). */
  problemsOnly: boolean;
}

/** The next sort key after `sort`, wrapping around. */
export function nextSort(sort: SortKey): SortKey {
  return SORT_KEYS[(SORT_KEYS.indexOf(sort) + 1) % SORT_KEYS.length] ?? 'status';
}

/** The fields a filter term can name; a bare word looks at all of them. */
type FilterField = 'name' | 'group' | 'status' | 'mode';

/** One parsed filter term. */
export interface FilterTerm {
  /** null: a bare word (name or group contains it, or it is the status or a mode). */
  field: FilterField | null;
  /** Lower-cased value; `*` and `?` are globs. */
  value: string;
  /** Written with a leading `!`: the term must not match. */
  negated: boolean;
}

const FIELD_ALIASES: Record<string, FilterField> = {
  name: 'name',
  host: 'name',
  group: 'group',
  groups: 'group',
  status: 'status',
  state: 'status',
  mode: 'mode',
  modes: 'mode',
};

/**
 * Split filter text into terms: whitespace separates terms that must all match; `field:value` narrows a
 * term to one field; a leading `!` negates it. An unknown `field:` is read as a bare word.
 *
 * @example parseFilter('mode:bridged !group:lab') // → [{field:'mode',value:'bridged',negated:false}, {field:'group',value:'lab',negated:true}]
 */
export function parseFilter(text: string): FilterTerm[] {
  const terms: FilterTerm[] = [];
  for (const word of text.trim().toLowerCase().split(/\s+/)) {
    if (!word) continue;
    const negated = word.startsWith('!');
    const body = negated ? word.slice(1) : word;
    const colon = body.indexOf(':');
    const field = colon > 0 ? FIELD_ALIASES[body.slice(0, colon)] : undefined;
    const value = field ? body.slice(colon + 1) : body;
    if (!value) continue;
    terms.push({ field: field ?? null, value, negated });
  }
  return terms;
}

/** The words a row's status answers to: its phase or outcome, `in-flight`, `done`, its error kind. */
function statusWords(row: HostRow): string[] {
  switch (row.phase) {
    case 'queued':
      return ['queued'];
    case 'connecting':
    case 'probing':
      return [row.phase, 'in-flight', 'running'];
    case 'done': {
      const words = ['done', row.status ?? 'failed'];
      const kind: ErrorKind | undefined = row.error?.kind;
      if (kind) words.push(kind);
      if (kind === 'cancelled') words.push('not-audited');
      return words;
    }
  }
}

/** Modes of the host's VM NICs and of its networks. */
function modesOf(row: HostRow): string[] {
  return [...(Object.keys(row.nicModes) as Mode[]), ...row.networkModes];
}

type Matcher = (candidate: string) => boolean;

function matcherOf(value: string, exact: boolean): Matcher {
  if (/[*?[{]/.test(value)) {
    // A filter is typed as it goes: braces that expand too far for now (still being typed) just match nothing.
    let pattern: { test(candidate: string): boolean };
    try {
      pattern = compileGlob(value, { ignoreCase: true });
    } catch {
      return () => false;
    }
    return (candidate) => pattern.test(candidate);
  }
  return exact ? (candidate) => candidate.toLowerCase() === value : (candidate) => candidate.toLowerCase().includes(value);
}

/** Compile filter terms into one predicate over rows. */
export function compileFilter(terms: readonly FilterTerm[]): (row: HostRow) => boolean {
  const tests = terms.map((term) => {
    const contains = matcherOf(term.value, false);
    const equals = matcherOf(term.value, true);
    const test = (row: HostRow): boolean => {
      switch (term.field) {
        case 'name':
          return contains(row.name);
        case 'group':
          return row.groups.some(contains);
        case 'status':
          return statusWords(row).some(equals);
        case 'mode':
          return modesOf(row).some(equals);
        case null:
          return contains(row.name) || row.groups.some(contains) || statusWords(row).some(equals) || modesOf(row).some(equals);
      }
    };
    return term.negated ? (row: HostRow) => !test(row) : test;
  });
  return (row) => tests.every((test) => test(row));
}

/** A failed or partial host (what `f` keeps). */
export function isProblem(row: HostRow): boolean {
  return row.phase === 'done' && (row.status === 'failed' || row.status === 'partial');
}

/** Status order: what needs attention, or is moving, first. */
function statusRank(row: HostRow): number {
  switch (row.phase) {
    case 'connecting':
    case 'probing':
      return 0;
    case 'queued':
      return 5;
    case 'done':
      if (row.status === 'failed') return row.error?.kind === 'cancelled' ? 4 : 1;
      return row.status === 'partial' ? 2 : 3;
  }
}

const MODE_RANK = new Map<Mode, number>(MODES.map((mode, i) => [mode, i]));

/** The mode most of the host's NICs use (ties: vocabulary order), as a rank; hosts without NICs after. */
function dominantModeRank(row: HostRow): number {
  if (row.phase !== 'done' || row.status === 'failed') return MODES.length + 1;
  let best: number = MODES.length;
  let bestCount = 0;
  for (const [mode, count] of Object.entries(row.nicModes) as [Mode, number][]) {
    const rank = MODE_RANK.get(mode) ?? MODES.length;
    if (count > bestCount || (count === bestCount && rank < best)) {
      best = rank;
      bestCount = count;
    }
  }
  return best;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
// Name ranks depend only on the set of hosts, which changes far less often than the rows do.
const nameRanksByIndex = new WeakMap<ReadonlyMap<string, number>, Int32Array>();

function nameRanks(state: FleetState): Int32Array {
  const cached = nameRanksByIndex.get(state.index);
  if (cached && cached.length === state.rows.length) return cached;
  const positions = state.rows.map((_, i) => i);
  positions.sort((a, b) => collator.compare(state.rows[a]?.name ?? '', state.rows[b]?.name ?? '') || a - b);
  const ranks = new Int32Array(state.rows.length);
  positions.forEach((position, rank) => (ranks[position] = rank));
  nameRanksByIndex.set(state.index, ranks);
  return ranks;
}

/** A row's primary sort key (smaller first); ties fall back to the name order. */
function primaryKey(row: HostRow, sort: SortKey, now: number): number {
  switch (sort) {
    case 'status':
      return statusRank(row);
    case 'name':
      return 0;
    case 'duration': {
      // Slowest first; hosts not started yet go last.
      if (row.durationMs !== null) return -row.durationMs;
      return row.startedAt !== null ? -(now - row.startedAt) : 1;
    }
    case 'mode':
      return dominantModeRank(row);
  }
}

/**
 * The rows the table lists, in display order.
 * @param now the current time, for the elapsed time of hosts in flight when sorting by duration
 */
export function orderRows(state: FleetState, query: RowQuery, now: number): HostRow[] {
  const terms = parseFilter(query.filter);
  const matches = terms.length > 0 ? compileFilter(terms) : null;
  const positions: number[] = [];
  state.rows.forEach((row, position) => {
    if (query.problemsOnly && !isProblem(row)) return;
    if (matches && !matches(row)) return;
    positions.push(position);
  });
  const names = nameRanks(state);
  const keys = new Float64Array(state.rows.length);
  for (const position of positions) keys[position] = primaryKey(state.rows[position]!, query.sort, now);
  // The status sort keeps inventory order within a group, so rows move only when their status changes.
  const tieBreak = query.sort === 'status' ? (a: number, b: number) => a - b : (a: number, b: number) => names[a]! - names[b]!;
  positions.sort((a, b) => keys[a]! - keys[b]! || tieBreak(a, b));
  return positions.map((position) => state.rows[position]!);
}
