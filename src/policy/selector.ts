/**
 * Host selectors of rules and waivers: names and groups, with exceptions, as globs.
 */
import { matchesAnyGlob } from './conditions.js';
import type { HostSelector } from './types.js';

/**
 * True when the selector picks the host. No selector, or one with neither names nor groups, picks every
 * host (minus the exceptions).
 */
export function selectsHost(selector: HostSelector | null, name: string, groups: readonly string[]): boolean {
  if (!selector) return true;
  const inGroup = (globs: readonly string[]) => groups.some((group) => matchesAnyGlob(globs, group));
  const included =
    (selector.names.length === 0 && selector.groups.length === 0) || matchesAnyGlob(selector.names, name) || inGroup(selector.groups);
  const excluded = matchesAnyGlob(selector.exceptNames, name) || inGroup(selector.exceptGroups);
  return included && !excluded;
}

/** `groups prod, nfv except names hv-old-*`, for evidence. */
export function describeSelector(selector: HostSelector): string {
  const parts: string[] = [];
  if (selector.names.length > 0) parts.push(`names ${selector.names.join(', ')}`);
  if (selector.groups.length > 0) parts.push(`groups ${selector.groups.join(', ')}`);
  if (selector.exceptNames.length > 0) parts.push(`except names ${selector.exceptNames.join(', ')}`);
  if (selector.exceptGroups.length > 0) parts.push(`except groups ${selector.exceptGroups.join(', ')}`);
  return parts.length > 0 ? parts.join(' ') : 'every host';
}
