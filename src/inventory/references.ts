/**
 * Checks the schema cannot express: unique host names, names safe to use in `--limit` patterns and
 * file names, and references (`groups:`, `jump:`) to entries that exist. They run on the raw data,
 * defensively, so that schema errors and these are reported together.
 */
import type { InventoryIssue } from './issues.js';
import { isRecord } from '../util/records.js';

/**
 * Host, group and jump host names: no glob characters, commas, `!` or spaces (they would be
 * ambiguous in `--limit`), nor path separators (names become capture file names).
 */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const NAME_RULE = 'letters, digits, ".", "_" and "-", starting with a letter or digit';

/**
 * Find broken names and references. Undefined groups are errors (not implicit groups): a typo in
 * `groups: [prdo]` would otherwise silently drop the host's group settings and policy.
 * @param describeHost where `hosts[index]` is (`file:line`), to say where a duplicate was first defined.
 */
export function checkNamesAndReferences(data: unknown, describeHost: (index: number) => string): InventoryIssue[] {
  if (!isRecord(data)) return [];
  const issues: InventoryIssue[] = [];
  const groups = isRecord(data.groups) ? data.groups : {};
  const jumpHosts = isRecord(data.jumpHosts) ? data.jumpHosts : {};
  const groupNames = Object.keys(groups);
  const jumpNames = Object.keys(jumpHosts);

  for (const name of groupNames) {
    if (!NAME_PATTERN.test(name)) issues.push({ path: ['groups', name], focus: 'key', message: `invalid group name: use ${NAME_RULE}` });
  }
  for (const name of jumpNames) {
    if (!NAME_PATTERN.test(name)) issues.push({ path: ['jumpHosts', name], focus: 'key', message: `invalid jump host name: use ${NAME_RULE}` });
  }

  const checkJump = (owner: Record<string, unknown>, path: (string | number)[]): void => {
    if (typeof owner.jump === 'string' && !Object.hasOwn(jumpHosts, owner.jump)) {
      issues.push({ path: [...path, 'jump'], message: `jump host "${owner.jump}" is not defined under jumpHosts: (${listOrNone(jumpNames)})` });
    }
  };
  if (isRecord(data.defaults)) checkJump(data.defaults, ['defaults']);
  for (const [name, group] of Object.entries(groups)) if (isRecord(group)) checkJump(group, ['groups', name]);
  for (const [name, jump] of Object.entries(jumpHosts)) if (isRecord(jump)) checkJump(jump, ['jumpHosts', name]);
  issues.push(...jumpLoops(jumpHosts));

  const firstIndexByName = new Map<string, number>();
  const hosts = Array.isArray(data.hosts) ? data.hosts : [];
  hosts.forEach((host: unknown, index) => {
    if (!isRecord(host)) return;
    checkJump(host, ['hosts', index]);
    if (typeof host.name === 'string' && host.name !== '') {
      const first = firstIndexByName.get(host.name);
      if (first !== undefined) {
        issues.push({ path: ['hosts', index, 'name'], message: `duplicate host name "${host.name}" (first defined at ${describeHost(first)})` });
      } else {
        firstIndexByName.set(host.name, index);
      }
      if (!NAME_PATTERN.test(host.name)) issues.push({ path: ['hosts', index, 'name'], message: `invalid host name: use ${NAME_RULE}` });
    }
    if (Array.isArray(host.groups)) {
      host.groups.forEach((group: unknown, position) => {
        if (typeof group === 'string' && group !== '' && !Object.hasOwn(groups, group)) {
          issues.push({
            path: ['hosts', index, 'groups', position],
            message: `group "${group}" is not defined under groups: (${listOrNone(groupNames)})`,
          });
        }
      });
    }
  });
  return issues;
}

/** Jump hosts whose chain comes back to itself (`a` through `b` through `a`): it could never be reached. */
function jumpLoops(jumpHosts: Record<string, unknown>): InventoryIssue[] {
  const next = (name: string): string | null => {
    const entry = jumpHosts[name];
    return isRecord(entry) && typeof entry.jump === 'string' && Object.hasOwn(jumpHosts, entry.jump) ? entry.jump : null;
  };
  const issues: InventoryIssue[] = [];
  for (const start of Object.keys(jumpHosts)) {
    const chain = [start];
    // At most one step per jump host: past that, the chain has come round.
    for (let hop = next(start); hop !== null && chain.length <= Object.keys(jumpHosts).length; hop = next(hop)) {
      if (hop === start) {
        issues.push({ path: ['jumpHosts', start, 'jump'], message: `jump hosts reach each other in a loop: ${[...chain, start].join(' → ')}` });
        break;
      }
      if (chain.includes(hop)) break; // a loop further on: reported from its own members
      chain.push(hop);
    }
  }
  return issues;
}

function listOrNone(names: readonly string[]): string {
  return names.length > 0 ? `defined: ${names.join(', ')}` : 'none defined';
}

