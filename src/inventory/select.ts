/**
 * `--limit`: choose hosts by name or group with globs, and `!pattern` to exclude.
 */
import type { HostConfig } from '../model.js';
import { HostSelectionError } from './errors.js';
import { compileGlob, GlobError, splitPatternList, type Glob } from '../util/glob.js';

/**
 * Select hosts by patterns, keeping inventory order. Each pattern may hold several, comma-separated;
 * a pattern matches a host when it matches its name or one of its groups (globs: `*`, `?`, `[a-z]`, `{a,b}`).
 * Hosts matching any include (all hosts when there are only exclusions) and no `!exclusion` are kept.
 * No patterns keep every host.
 * @throws HostSelectionError naming every pattern that matches no host name or group, or when
 *   nothing is left.
 * @example selectHosts(hosts, ['prod,!hv0?', 'lab-*'])
 */
export function selectHosts(hosts: readonly HostConfig[], patterns: readonly string[]): HostConfig[] {
  const terms = patterns.flatMap(splitPatternList).map((term) => term.trim()).filter((term) => term !== '');
  if (terms.length === 0) return [...hosts];

  const problems: string[] = [];
  const includes: Glob[] = [];
  const excludes: Glob[] = [];
  for (const term of terms) {
    const isExclusion = term.startsWith('!');
    const glob = isExclusion ? term.slice(1).trim() : term;
    if (glob === '') {
      problems.push(`--limit: "${term}" excludes nothing: write !NAME or !GLOB`);
      continue;
    }
    let matcher: Glob;
    try {
      matcher = compileGlob(glob);
    } catch (error) {
      if (!(error instanceof GlobError)) throw error;
      problems.push(`--limit: ${error.message}`);
      continue;
    }
    if (!hosts.some((host) => hostMatches(host, matcher))) {
      problems.push(`--limit: "${term}" matches no host name or group`);
    }
    (isExclusion ? excludes : includes).push(matcher);
  }
  if (problems.length > 0) throw new HostSelectionError(problems);

  const selected = hosts.filter(
    (host) =>
      (includes.length === 0 || includes.some((matcher) => hostMatches(host, matcher))) &&
      !excludes.some((matcher) => hostMatches(host, matcher)),
  );
  if (selected.length === 0) throw new HostSelectionError([`--limit ${terms.join(',')}: no host left to audit`]);
  return selected;
}

function hostMatches(host: HostConfig, matcher: Glob): boolean {
  return matcher.test(host.name) || host.groups.some((group) => matcher.test(group));
}
