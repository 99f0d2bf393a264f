/**
 * Reading and validating an inventory file (docs/inventory.md): YAML → schema → names and references →
 * merged HostConfigs. Every problem found is reported at once, each as `file:line: key.path: message`.
 */
import { homedir, userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { defaultAgentSocket } from '../defaults.js';
import type { Inventory } from '../model.js';
import { InventoryError } from './errors.js';
import { formatIssues, fromZodIssues } from './issues.js';
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

  const parsed = inventorySchema.safeParse(source.data, { reportInput: true });
  const describeHost = (index: number): string => `${file}:${source.lineOf(['hosts', index])}`;
  const issues = [...(parsed.success ? [] : fromZodIssues(parsed.error.issues)), ...checkNamesAndReferences(source.data, describeHost)];
  if (!parsed.success || issues.length > 0) throw new InventoryError(formatIssues(issues, file, source));

  const resolved = resolveHosts(parsed.data, { ...localContext(options), baseDir: dirname(resolve(file)) });
  if (resolved.issues.length > 0) throw new InventoryError(formatIssues(resolved.issues, file, source));
  return { file, groups: Object.keys(parsed.data.groups ?? {}), hosts: resolved.hosts };
}
