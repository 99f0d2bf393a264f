/**
 * `--limit`: choose hosts by name or group with globs, Ansible's `:&` and `:!`, ranges and subscripts.
 */
import type { HostConfig } from '../model.js';
import { HostSelectionError } from './errors.js';
import { limitTerms, termMatches, type LimitTerm } from './limitPatterns.js';

/**
 * Select hosts by patterns (limitPatterns.ts), keeping inventory order: the hosts any union term picks (every
 * host when there is none), that every `&` term picks too, and that no `!` term picks. No patterns keep every host.
 * @throws HostSelectionError naming every term that matches no host name or group, or when nothing is left.
 * @example selectHosts(hosts, ['prod:&dmz,!hv0?', 'lab-*'])
 */
export function selectHosts(hosts: readonly HostConfig[], patterns: readonly string[]): HostConfig[] {
  const terms = limitTerms(patterns);
  if (terms.length === 0) return [...hosts];

  const problems: string[] = [];
  const picked = new Map<LimitTerm, Set<number>>();
  for (const term of terms) {
    if (term.pattern === '') {
      problems.push(`--limit: "${term.text}" ${term.kind === 'exclusion' ? 'excludes' : 'intersects with'} nothing: write ${term.text}NAME or ${term.text}GLOB`);
      continue;
    }
    try {
      const matches = termMatches(term.pattern, hosts);
      if (matches.size === 0) problems.push(`--limit: "${term.text}" matches no host name or group`);
      picked.set(term, matches);
    } catch (error) {
      problems.push(`--limit: "${term.text}": ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new HostSelectionError(problems);

  const of = (kind: LimitTerm['kind']) => terms.filter((term) => term.kind === kind).map((term) => picked.get(term)!);
  const unions = of('union');
  const intersections = of('intersection');
  const exclusions = of('exclusion');
  const selected = hosts.filter(
    (_, index) =>
      (unions.length === 0 || unions.some((set) => set.has(index))) &&
      intersections.every((set) => set.has(index)) &&
      !exclusions.some((set) => set.has(index)),
  );
  if (selected.length === 0) throw new HostSelectionError([`--limit ${terms.map((t) => t.text).join(',')}: no host left to audit`]);
  return selected;
}
