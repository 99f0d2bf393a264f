/**
 * Reading and validating an inventory file (docs/inventory.md): YAML → schema → names and references →
 * merged HostConfigs. Every problem found is reported at once, each as `file:line: key.path: message`.
 */
import { homedir, userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { defaultAgentSocket } from '../defaults.js';
import type { Inventory } from '../model.js';
import { InventoryError } from './errors.js';
import { formatIssues, fromZodIssues, type InventoryIssue } from './issues.js';
import { checkNamesAndReferences } from './references.js';
import { resolveHosts } from './resolve.js';
import { inventorySchema } from './schema.js';
import { parseYamlSource } from './yaml-source.js';

/** Where `~` points and which environment to read it from. */
export interface InventoryOptions {
  /** Environment used to find the home directory (`HOME`). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Directory `~` expands to. @default env.HOME, else the OS user's home */
  homeDir?: string;
  /** Who runs the audit, the SSH user when none is named. @default env.USER, env.LOGNAME, else the OS user */
  localUser?: string;
}

/** Who runs the audit, as OpenSSH sees them: home directory, user name, and whether an agent is there. */
export function localContext(options: InventoryOptions = {}): { homeDir: string; localUser: string; agentAvailable: boolean } {
  const env = options.env ?? process.env;
  return {
    homeDir: options.homeDir ?? env.HOME ?? homedir(),
    localUser: options.localUser ?? (env.USER || env.LOGNAME || userInfo().username),
    agentAvailable: defaultAgentSocket(env) !== undefined,
  };
}

/**
 * Validate inventory text. `file` names it in messages; relative key paths are taken relative to
 * its directory.
 * @throws InventoryError listing every problem.
 */
export function parseInventory(text: string, file: string, options: InventoryOptions = {}): Inventory {
  const source = parseYamlSource(text);
  if (source.syntaxErrors.length > 0) {
    throw new InventoryError(source.syntaxErrors.map(({ line, message }) => `${file}:${line}: YAML syntax error: ${message}`));
  }
  if (source.data === null || source.data === undefined) {
    throw new InventoryError([`${file}:1: the inventory is empty: it needs at least a hosts: list`]);
  }

  const describeHost = (index: number): string => `${file}:${source.lineOf(['hosts', index])}`;
  const checked = checkAndResolve(source.data, describeHost, options, dirname(resolve(file)));
  if (checked.issues.length > 0) throw new InventoryError(formatIssues(checked.issues, file, source));
  return { file, ...checked.inventory! };
}

/**
 * The one way every source of hosts (this YAML, an Ansible inventory, hosts on the command line) becomes an
 * inventory: the raw mapping through the schema, the names and references checks, then defaults → groups → host
 * merged. Problems come back as data, for each source to say in its own terms (file:line, host "x", --flag).
 * @param describeHost how a problem naming two hosts points at the `index`th
 * @param baseDir what relative paths are relative to
 */
export function checkAndResolve(
  raw: unknown,
  describeHost: (index: number) => string,
  options: InventoryOptions,
  baseDir: string,
): { issues: InventoryIssue[]; inventory: Pick<Inventory, 'groups' | 'hosts'> | null } {
  const parsed = inventorySchema.safeParse(raw, { reportInput: true });
  const issues = [...(parsed.success ? [] : fromZodIssues(parsed.error.issues)), ...checkNamesAndReferences(raw, describeHost)];
  if (!parsed.success || issues.length > 0) return { issues, inventory: null };
  const resolved = resolveHosts(parsed.data, { ...localContext(options), baseDir });
  if (resolved.issues.length > 0) return { issues: resolved.issues, inventory: null };
  return { issues: [], inventory: { groups: Object.keys(parsed.data.groups ?? {}), hosts: resolved.hosts } };
}
