/**
 * `--limit` patterns as Ansible users write them (docs/inventory.md, "Choosing hosts"), pure:
 * - terms separated by `,` or `:` (outside `[…]` and `{…}`); a term is a union, `&term` an intersection, `!term`
 *   an exclusion, whatever their order (as Ansible: unions first, then intersections, then exclusions);
 * - a term is a glob (util/glob.ts) matched against host names and group names;
 * - `hv[01:20]` (digits or single letters on both sides) is a range of host names, zero-padded as written, as in
 *   Ansible inventories and ClusterShell's node sets;
 * - `group[0]`, `group[1:3]`, `group[-1]`, `group[2:]` pick hosts of a group by position (from 0, the end
 *   included), as Ansible's subscripts do.
 */
import { compileGlob, MAX_BRACE_EXPANSIONS, splitPatternList, type Glob } from '../util/glob.js';

export type TermKind = 'union' | 'intersection' | 'exclusion';

export interface LimitTerm {
  kind: TermKind;
  /** As written, without its `&` or `!`. */
  pattern: string;
  /** As written, for messages. */
  text: string;
}

/** A range past this many names is refused: `hv[0:99999999]` is a typo, not a fleet. */
export const MAX_RANGE_NAMES = 100_000;

/**
 * Split `--limit` arguments into terms.
 * @example limitTerms(['prod:&dmz:!hv0[1:3]']) // union prod, intersection dmz, exclusion hv0[1:3]
 */
export function limitTerms(patterns: readonly string[]): LimitTerm[] {
  const terms: LimitTerm[] = [];
  for (const pattern of patterns) {
    for (const raw of splitPatternList(pattern, ',:')) {
      const text = raw.trim();
      if (text === '') continue;
      const kind: TermKind = text.startsWith('&') ? 'intersection' : text.startsWith('!') ? 'exclusion' : 'union';
      terms.push({ kind, pattern: kind === 'union' ? text : text.slice(1).trim(), text });
    }
  }
  return terms;
}

/** What a term picks, given the hosts (names and groups) in inventory order. */
export interface Candidate {
  name: string;
  groups: readonly string[];
}

/**
 * The hosts `pattern` picks, as a set of indexes into `hosts`.
 * @throws GlobError for a glob whose braces expand too far; Error for a range past MAX_RANGE_NAMES.
 */
export function termMatches(pattern: string, hosts: readonly Candidate[]): Set<number> {
  const subscript = /^([A-Za-z0-9._-]+)\[(-?\d+)?(?:(:)(-?\d+)?)?\]$/.exec(pattern);
  const range = /^(.*)\[([0-9]+|[A-Za-z]):([0-9]+|[A-Za-z])\](.*)$/.exec(pattern);
  if (subscript) {
    const [, group, from, colon, to] = subscript;
    const members = hosts.flatMap((host, index) => (host.groups.includes(group!) ? [index] : []));
    if (members.length > 0 && (from !== undefined || to !== undefined)) {
      const picked = slice(members, from, colon !== undefined, to);
      // `web[01:03]` with a group `web` and hosts web01…: positions or names? Guessing would audit the wrong hosts.
      if (range && rangePick(range, hosts).size > 0) {
        throw new Error(`"${pattern}" reads both as hosts ${from ?? ''}…${to ?? ''} of the group ${group} by position and as a range of host names: write the names (${group}${from}, …) or another glob`);
      }
      return new Set(picked);
    }
  }
  if (range) return rangePick(range, hosts);
  const glob = compileGlob(pattern);
  return new Set(hosts.flatMap((host, index) => (glob.test(host.name) || host.groups.some((group) => glob.test(group)) ? [index] : [])));
}

/** The hosts a `prefix[from:to]suffix` range of names picks. */
function rangePick(range: RegExpExecArray, hosts: readonly Candidate[]): Set<number> {
  const [, prefix, from, to, suffix] = range;
  const names = rangeNames(from!, to!).map((middle) => `${prefix}${middle}${suffix}`);
  if (!/[*?[{]/.test(`${prefix}${suffix}`)) {
    // Plain names: one lookup per host, however long the range.
    const wanted = new Set(names);
    return new Set(hosts.flatMap((host, index) => (wanted.has(host.name) ? [index] : [])));
  }
  if (names.length > MAX_BRACE_EXPANSIONS) throw new Error(`a range with wildcards around it may hold at most ${MAX_BRACE_EXPANSIONS} names`);
  const globs: Glob[] = names.map((name) => compileGlob(name));
  return new Set(hosts.flatMap((host, index) => (globs.some((glob) => glob.test(host.name)) ? [index] : [])));
}

/** Ansible's subscript: one position, or from..to with the end included; negative positions count from the end. */
function slice(members: number[], from: string | undefined, isRange: boolean, to: string | undefined): number[] {
  const at = (text: string) => {
    const n = Number(text);
    return n < 0 ? members.length + n : n;
  };
  if (!isRange) {
    const member = members[at(from ?? '0')];
    return member === undefined ? [] : [member];
  }
  const start = from === undefined ? 0 : at(from);
  const end = to === undefined ? members.length - 1 : at(to);
  return members.slice(Math.max(0, start), end + 1);
}

/** `01`..`20` (zero-padded to the first bound's width) or `a`..`f`. */
function rangeNames(from: string, to: string): string[] {
  const numeric = /^\d+$/.test(from) && /^\d+$/.test(to);
  const low = numeric ? Number(from) : from.charCodeAt(0);
  const high = numeric ? Number(to) : to.charCodeAt(0);
  if (high < low) return [];
  if (high - low + 1 > MAX_RANGE_NAMES) throw new Error(`the range [${from}:${to}] holds more than ${MAX_RANGE_NAMES} names`);
  const names: string[] = [];
  for (let value = low; value <= high; value++) {
    names.push(numeric ? String(value).padStart(from.length, '0') : String.fromCharCode(value));
  }
  return names;
}
