/**
 * Ansible inventories (docs/inventory.md, "Ansible inventories"): the JSON that `ansible-inventory -i PATH --list`
 * prints (or a dynamic inventory script's own output) mapped onto the raw inventory that `schema.ts` validates,
 * then checked and resolved by the same code as an inventory file (`references.ts`, `resolve.ts`): OpenSSH's
 * defaults, ssh_config and named keys mean exactly what they mean there. Nothing here reads a file or runs a
 * program (io/inventoryFile.ts does).
 *
 * - every group a host is in, directly or through `children`, becomes one of its groups (but `all` and `ungrouped`);
 * - Ansible's connection variables become the host's keys (`ansible_host` → address, …; {@link ANSIBLE_VARIABLES});
 * - a ProxyJump or ProxyCommand in the ssh options becomes a chain of `jumpHosts` (ansibleArgs.ts);
 * - `kvm_netaudit_<key>` sets any settings key of the inventory (`kvm_netaudit_libvirt_uri` → libvirtUri) and wins
 *   over the Ansible variable for the same key.
 *
 * There are no lines to point at: each problem names the inventory, then the host or group and the variable.
 */
import { safeHostName } from './hostEntry.js';
import type { Inventory } from '../model.js';
import { closestName } from '../util/suggest.js';
import { splitPatternList } from '../util/glob.js';
import { InventoryError } from './errors.js';
import type { InventoryIssue } from './issues.js';
import { checkAndResolve, type InventoryOptions } from './load.js';
import { NAME_PATTERN } from './references.js';
import { ALLOWED_KEYS, type RawSettings } from './schema.js';
import { parseProxyJump, proxyOfArgs, type Hop, type Parsed, type Proxy } from './ansibleArgs.js';
import { isRecord } from '../util/records.js';

/** The prefix of this tool's own variables in an Ansible inventory. */
export const OWN_VARIABLE_PREFIX = 'kvm_netaudit_';

/** `identityFile` → `kvm_netaudit_identity_file`. */
export function ownVariableName(key: string): string {
  return OWN_VARIABLE_PREFIX + key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Every settings key of the inventory, by the name of the variable that sets it. */
const OWN_VARIABLES: ReadonlyMap<string, keyof RawSettings> = new Map(
  (ALLOWED_KEYS.settings as readonly (keyof RawSettings)[]).map((key) => [ownVariableName(key), key]),
);

/**
 * Ansible's own variables that are read, by the key each one sets. Where several name one setting, the last that is
 * set wins, as in Ansible (its ssh connection plugin reads them in this order).
 */
export const ANSIBLE_VARIABLES = {
  address: ['ansible_host', 'ansible_ssh_host'],
  port: ['ansible_port', 'ansible_ssh_port'],
  user: ['ansible_user', 'ansible_ssh_user'],
  identityFile: ['ansible_private_key_file', 'ansible_ssh_private_key_file'],
  sudo: ['ansible_become'],
} as const;

/** The variables whose ssh options may hold a ProxyJump or ProxyCommand, in the order Ansible gives them to ssh. */
export const SSH_ARGS_VARIABLES = ['ansible_ssh_args', 'ansible_ssh_common_args', 'ansible_ssh_extra_args'] as const;

/** `ansible_connection` values that mean SSH (unset means SSH too). */
const SSH_CONNECTIONS = new Set(['ssh', 'smart', 'paramiko', 'paramiko_ssh', 'ansible.builtin.ssh', 'ansible.builtin.paramiko_ssh']);

/** Groups every host is in, which name nothing about it. */
const IMPLICIT_GROUPS = new Set(['all', 'ungrouped']);

/** Where a value of the inventory came from: a host's variables (Ansible has merged its groups' into them), or a group's `vars`. */
export interface Origin {
  kind: 'host' | 'group';
  /** The host or group. */
  name: string;
  /** The variable; null for the host or group itself (its name). */
  variable: string | null;
}

/** One problem, before it is given the inventory's path. */
export interface AnsibleIssue {
  /** null: the inventory as a whole. */
  origin: Origin | null;
  message: string;
}

/** A host of the raw inventory (schema.ts validates it). */
type RawHostEntry = { name: string; address: unknown; groups: string[] } & Record<string, unknown>;
type RawJumpEntry = { address: string; user?: string; port?: number; identityFile?: string; jump?: string };

/** The raw inventory made of an Ansible one, and where each of its values came from. */
export interface AnsibleMapping {
  raw: { groups: Record<string, null>; jumpHosts: Record<string, RawJumpEntry>; hosts: RawHostEntry[] };
  /** Every group but `all` and `ungrouped`, by name. */
  groups: string[];
  /** Problems found while mapping; hosts with a problem of their own are left out of `raw`. */
  issues: AnsibleIssue[];
  /**
   * Hosts Ansible reaches otherwise than over SSH (`ansible_connection=local`, `winrm`…), and why: they stay in the
   * inventory (every host is reported, and `--limit` can leave them out) and fail with kind `config` when audited.
   */
  unusable: Map<string, string>;
  /** Where the value at a key path of `raw` came from (`['hosts', 2, 'port']`); null when nothing says. */
  originOf(path: readonly (string | number)[]): Origin | null;
}

interface Group {
  hosts: string[];
  children: string[];
  vars: Record<string, unknown>;
}

interface Variable {
  value: unknown;
  origin: Origin;
}

/**
 * True for what `ansible-inventory --list` prints (and dynamic inventory scripts print): a JSON object with a
 * `_meta.hostvars` object.
 */
export function isAnsibleList(data: unknown): data is Record<string, unknown> {
  return isRecord(data) && isRecord(data._meta) && isRecord(data._meta.hostvars);
}

/**
 * Map Ansible's JSON inventory onto the raw inventory. Groups may be given as `ansible-inventory --list` gives them
 * (every host's variables merged into `_meta.hostvars`), with `vars` of their own (`--export`, or a script's
 * output: merged here in Ansible's order, `all` first, then by depth, `ansible_group_priority` and name, the host's
 * own last), or as a list of hosts.
 */
export function ansibleToRaw(list: unknown): AnsibleMapping {
  const issues: AnsibleIssue[] = [];
  const origins = new Map<string, Origin>();
  const { groups, hostvars } = readGroups(list, issues);
  const order = hostOrder(groups);
  const parents = parentsOf(groups);
  const direct = directGroups(groups);
  const depth = groupDepths(groups, parents, issues);
  const jumps = new JumpRegistry();
  const hosts: RawHostEntry[] = [];
  const unusable = new Map<string, string>();

  for (const name of order) {
    if (!NAME_PATTERN.test(name)) {
      issues.push({
        origin: { kind: 'host', name, variable: null },
        message: 'invalid host name: use letters, digits, ".", "_" and "-", starting with a letter or digit (rename the host, and keep its address in ansible_host)',
      });
      continue;
    }
    const memberOf = groupsOf(direct.get(name) ?? [], parents);
    const variables = mergedVariables(name, memberOf, groups, hostvars, depth);
    const shown = [...memberOf].filter((group) => !IMPLICIT_GROUPS.has(group)).sort();
    const entry = mapHost(name, shown, variables, jumps, issues);
    if (entry === null) continue;
    if (entry.unusable !== undefined) unusable.set(name, entry.unusable);
    const index = hosts.length;
    hosts.push(entry.host);
    for (const [key, origin] of entry.origins) origins.set(JSON.stringify(['hosts', index, key]), origin);
  }
  if (order.length === 0) issues.push({ origin: null, message: 'the Ansible inventory has no hosts' });

  const groupNames = [...groups.keys()].filter((group) => !IMPLICIT_GROUPS.has(group)).sort();
  return {
    raw: { groups: Object.fromEntries(groupNames.map((group) => [group, null])), jumpHosts: jumps.entries, hosts },
    groups: groupNames,
    issues,
    unusable,
    originOf(path) {
      const [section, key, setting] = path;
      if (section === 'groups' && typeof key === 'string') return { kind: 'group', name: key, variable: null };
      if (section === 'jumpHosts' && typeof key === 'string') return jumps.origins.get(key) ?? null;
      if (section !== 'hosts' || typeof key !== 'number') return null;
      const found = setting === undefined ? undefined : origins.get(JSON.stringify(['hosts', key, setting]));
      const host = hosts[key];
      return found ?? (host ? { kind: 'host', name: host.name, variable: null } : null);
    },
  };
}

/**
 * Validate an Ansible inventory as any inventory is validated, and resolve its hosts. Relative paths (key files, an
 * ssh_config file) are taken relative to `cwd`, as Ansible takes them (it hands them to ssh as written).
 * @param file names the inventory in messages and in the report
 * @throws InventoryError listing every problem, each naming the host or group and the variable.
 */
export function parseAnsibleInventory(list: unknown, file: string, options: InventoryOptions & { cwd?: string } = {}): Inventory {
  const mapping = ansibleToRaw(list);
  const checked = checkAndResolve(mapping.raw, (index) => `host "${mapping.raw.hosts[index]?.name}"`, options, options.cwd ?? process.cwd());
  const issues: AnsibleIssue[] = [...mapping.issues];
  // An empty inventory is already said: the schema's "add one under hosts:" would only confuse.
  const said = (issue: InventoryIssue) => mapping.raw.hosts.length > 0 || issue.path.join('.') !== 'hosts';
  for (const issue of checked.issues.filter(said)) issues.push({ origin: mapping.originOf(issue.path), message: issue.message });
  if (issues.length > 0 || checked.inventory === null) throw new InventoryError(formatAnsibleIssues(issues, file));
  const hosts = checked.inventory.hosts.map((host) => {
    const why = mapping.unusable.get(host.name);
    return why === undefined ? host : { ...host, unusable: why };
  });
  return { file, groups: mapping.groups, hosts };
}

/** How many hosts one message names before it counts the rest. */
const NAMED_HOSTS = 3;

/**
 * One line per problem: `FILE: host "hv01": ansible_port: expected a number from 1 to 65535`. A problem that hosts
 * share (a group's variable, which `--list` merges into each host's) is said once, naming a few of them.
 */
export function formatAnsibleIssues(issues: readonly AnsibleIssue[], file: string): string[] {
  const byProblem = new Map<string, { issue: AnsibleIssue; hosts: string[] }>();
  for (const issue of issues) {
    const { origin } = issue;
    const shared = origin?.kind === 'host' && origin.variable !== null;
    const key = JSON.stringify(shared ? ['hosts', origin.variable, issue.message] : [origin, issue.message]);
    const seen = byProblem.get(key);
    if (seen) {
      if (shared && !seen.hosts.includes(origin.name)) seen.hosts.push(origin.name);
    } else {
      byProblem.set(key, { issue, hosts: origin ? [origin.name] : [] });
    }
  }
  return [...byProblem.values()].map(({ issue, hosts }) => {
    const { origin, message } = issue;
    if (origin === null) return `${file}: ${message}`;
    const quoted = hosts.slice(0, NAMED_HOSTS).map((name) => `"${name}"`).join(', ');
    const who =
      origin.kind === 'group' ? `group "${origin.name}"` : hosts.length === 1 ? `host ${quoted}` : `hosts ${quoted}${hosts.length > NAMED_HOSTS ? ` and ${hosts.length - NAMED_HOSTS} more` : ''}`;
    return `${file}: ${who}: ${origin.variable !== null ? `${origin.variable}: ` : ''}${message}`;
  });
}

// ───────────────────────────── groups ─────────────────────────────

/** The groups and host variables of the JSON, read as Ansible's script plugin reads them. */
function readGroups(list: unknown, issues: AnsibleIssue[]): { groups: Map<string, Group>; hostvars: Map<string, Record<string, unknown>> } {
  const groups = new Map<string, Group>();
  const hostvars = new Map<string, Record<string, unknown>>();
  if (!isRecord(list)) {
    issues.push({ origin: null, message: 'expected a JSON object of groups, as ansible-inventory --list prints' });
    return { groups, hostvars };
  }
  const group = (name: string): Group => {
    let found = groups.get(name);
    if (!found) groups.set(name, (found = { hosts: [], children: [], vars: {} }));
    return found;
  };
  const names = (value: unknown, name: string, what: 'hosts' | 'children'): string[] => {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
    issues.push({ origin: { kind: 'group', name, variable: null }, message: `${what}: expected a list of names` });
    return [];
  };
  for (const [name, data] of Object.entries(list)) {
    if (name === '_meta') {
      const meta = isRecord(data) ? data.hostvars : undefined;
      if (meta === undefined) continue;
      if (!isRecord(meta)) {
        issues.push({ origin: null, message: '_meta.hostvars: expected an object of host → variables' });
        continue;
      }
      for (const [host, vars] of Object.entries(meta)) {
        if (isRecord(vars)) hostvars.set(host, vars);
        else if (vars !== null) issues.push({ origin: { kind: 'host', name: host, variable: null }, message: '_meta.hostvars: expected an object of variables' });
      }
      continue;
    }
    const entry = group(name);
    // As Ansible's script plugin: a list is the group's hosts, and an object without hosts, children or vars is
    // a host of that name with those variables.
    const shaped = Array.isArray(data) ? { hosts: data } : isRecord(data) && !['hosts', 'children', 'vars'].some((key) => key in data) ? { hosts: [name], vars: data } : data;
    if (shaped === null) continue;
    if (!isRecord(shaped)) {
      issues.push({ origin: { kind: 'group', name, variable: null }, message: 'expected an object with hosts, children or vars' });
      continue;
    }
    entry.hosts.push(...names(shaped.hosts, name, 'hosts'));
    for (const child of names(shaped.children, name, 'children')) {
      group(child);
      entry.children.push(child);
    }
    if (isRecord(shaped.vars)) Object.assign(entry.vars, shaped.vars);
    else if (shaped.vars !== undefined && shaped.vars !== null) issues.push({ origin: { kind: 'group', name, variable: null }, message: 'vars: expected an object of variables' });
  }
  return { groups, hostvars };
}

/**
 * Every host, once, in the order a walk from `all` meets them (a group's hosts, then its children, as listed),
 * then those of groups `all` does not reach. A group is entered once, so groups that contain each other end.
 */
function hostOrder(groups: ReadonlyMap<string, Group>): string[] {
  const order: string[] = [];
  const seenHosts = new Set<string>();
  const seenGroups = new Set<string>();
  const walk = (start: string) => {
    const stack = [start];
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (seenGroups.has(name)) continue;
      seenGroups.add(name);
      const group = groups.get(name);
      if (!group) continue;
      for (const host of group.hosts) {
        if (!seenHosts.has(host)) order.push(host);
        seenHosts.add(host);
      }
      for (let i = group.children.length - 1; i >= 0; i--) stack.push(group.children[i]!);
    }
  };
  if (groups.has('all')) walk('all');
  for (const name of groups.keys()) walk(name);
  return order;
}

function parentsOf(groups: ReadonlyMap<string, Group>): Map<string, string[]> {
  const parents = new Map<string, string[]>();
  for (const [name, group] of groups) {
    for (const child of group.children) parents.set(child, [...(parents.get(child) ?? []), name]);
  }
  return parents;
}

/**
 * Each group's depth as Ansible counts it (the longest way down from `all`: 0 for `all`, 1 for a group under nothing
 * else), for the order group variables apply in. Groups that contain each other are an error, as in Ansible.
 */
function groupDepths(groups: ReadonlyMap<string, Group>, parents: ReadonlyMap<string, string[]>, issues: AnsibleIssue[]): Map<string, number> {
  const depth = new Map<string, number>();
  const waiting = new Map<string, number>();
  const ready: string[] = [];
  for (const name of groups.keys()) {
    const count = new Set(parents.get(name) ?? []).size;
    waiting.set(name, count);
    if (count === 0) {
      depth.set(name, name === 'all' ? 0 : 1);
      ready.push(name);
    }
  }
  // Kahn's order: a group is placed once every group it is in has been; what is never placed is in a loop.
  while (ready.length > 0) {
    const name = ready.pop()!;
    for (const child of new Set(groups.get(name)?.children ?? [])) {
      depth.set(child, Math.max(depth.get(child) ?? 0, (depth.get(name) ?? 0) + 1));
      const left = (waiting.get(child) ?? 1) - 1;
      waiting.set(child, left);
      if (left === 0) ready.push(child);
    }
  }
  const looped = [...groups.keys()].filter((name) => (waiting.get(name) ?? 0) > 0);
  if (looped.length > 0) issues.push({ origin: null, message: `groups contain each other in a loop (children): ${looped.join(', ')}` });
  return depth;
}

/** The groups that list each host themselves. */
function directGroups(groups: ReadonlyMap<string, Group>): Map<string, string[]> {
  const direct = new Map<string, string[]>();
  for (const [name, group] of groups) {
    for (const host of new Set(group.hosts)) direct.set(host, [...(direct.get(host) ?? []), name]);
  }
  return direct;
}

/**
 * Every group a host is in: those that list it, and every group that has one of those among its children, and so on
 * up (each group once, so groups that contain each other end).
 */
function groupsOf(direct: readonly string[], parents: ReadonlyMap<string, string[]>): Set<string> {
  const found = new Set<string>();
  const queue = [...direct];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (found.has(name)) continue;
    found.add(name);
    queue.push(...(parents.get(name) ?? []));
  }
  return found;
}

/** The host's variables: its groups' `vars` in Ansible's order, then its own, each with where it came from. */
function mergedVariables(
  host: string,
  memberOf: ReadonlySet<string>,
  groups: ReadonlyMap<string, Group>,
  hostvars: ReadonlyMap<string, Record<string, unknown>>,
  depth: ReadonlyMap<string, number>,
): Map<string, Variable> {
  const variables = new Map<string, Variable>();
  const priority = (name: string) => {
    const value = Number.parseInt(String(groups.get(name)?.vars.ansible_group_priority ?? 1), 10);
    return Number.isFinite(value) ? value : 1;
  };
  // `all` holds every host in Ansible, whether or not the JSON lists it under all.
  const applying = new Set(['all', ...memberOf]);
  const ordered = [...applying]
    .filter((name) => Object.keys(groups.get(name)?.vars ?? {}).length > 0)
    .sort((a, b) => (depth.get(a) ?? 1) - (depth.get(b) ?? 1) || priority(a) - priority(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const name of ordered) {
    for (const [variable, value] of Object.entries(groups.get(name)!.vars)) variables.set(variable, { value, origin: { kind: 'group', name, variable } });
  }
  for (const [variable, value] of Object.entries(hostvars.get(host) ?? {})) variables.set(variable, { value, origin: { kind: 'host', name: host, variable } });
  return variables;
}

// ───────────────────────────── one host ─────────────────────────────

/** The raw host for one Ansible host and where each of its keys came from; null when it has a problem of its own. */
function mapHost(
  name: string,
  groups: string[],
  variables: ReadonlyMap<string, Variable>,
  jumps: JumpRegistry,
  issues: AnsibleIssue[],
): { host: RawHostEntry; origins: Map<string, Origin>; unusable?: string } | null {
  const host: RawHostEntry = { name, address: name, groups };
  const origins = new Map<string, Origin>();
  // Not an SSH host (localhost, a Windows or network device): nothing else of it is read, it is failed when audited.
  const connectionVariable = variables.get('ansible_connection');
  const connectionValue = connectionVariable?.value;
  if (connectionValue !== null && connectionValue !== undefined && unreadable(connectionValue) === null && !SSH_CONNECTIONS.has(String(connectionValue))) {
    return { host, origins, unusable: `ansible_connection=${String(connectionValue)}: kvm-netaudit audits hosts over SSH only (ssh or paramiko)` };
  }
  const before = issues.length;
  const problem = (origin: Origin, message: string) => issues.push({ origin, message });
  const set = (key: string, value: unknown, origin: Origin) => {
    host[key] = value;
    origins.set(key, origin);
  };
  /** The variable of `names` that is set last, as Ansible picks it; null values are unset, as in Ansible. */
  const pick = (names: readonly string[]): Variable | null => {
    let found: Variable | null = null;
    for (const variable of names) {
      const value = variables.get(variable);
      if (value && value.value !== null && value.value !== undefined) found = value;
    }
    if (found) {
      const why = unreadable(found.value);
      if (why !== null) {
        problem(found.origin, why);
        return null;
      }
    }
    return found;
  };

  // Read for what it cannot be (a Jinja template): an SSH host's has been let through above.
  pick(['ansible_connection']);

  const address = pick(ANSIBLE_VARIABLES.address);
  if (address) set('address', address.value, address.origin);
  const port = pick(ANSIBLE_VARIABLES.port);
  if (port) set('port', asPort(port.value), port.origin);
  const user = pick(ANSIBLE_VARIABLES.user);
  if (user) set('user', user.value, user.origin);
  const key = pick(ANSIBLE_VARIABLES.identityFile);
  if (key) set('identityFile', key.value, key.origin);

  // Our own variables, after Ansible's: for the same key, they win.
  let jump: { proxy: Proxy; origin: Origin } | null = null;
  let ownSudo = false;
  for (const [variable, { value, origin }] of variables) {
    if (!variable.startsWith(OWN_VARIABLE_PREFIX)) continue;
    const setting = OWN_VARIABLES.get(variable);
    if (setting === undefined) {
      const meant = closestName(variable, [...OWN_VARIABLES.keys()]);
      problem(origin, meant ? `unknown variable (did you mean ${meant}?)` : `unknown variable (kvm-netaudit reads: ${[...OWN_VARIABLES.keys()].join(', ')})`);
      continue;
    }
    const why = unreadable(value);
    if (why !== null) {
      problem(origin, why);
      continue;
    }
    if (setting === 'jump') {
      const proxy = ownJump(value);
      if (proxy.ok) jump = { proxy: proxy.value, origin };
      else problem(origin, proxy.problem);
      continue;
    }
    if (setting === 'sudo') ownSudo = true;
    const coerced = coerceOwn(setting, value);
    if (!coerced.ok) problem(origin, coerced.problem);
    else set(setting, coerced.value, origin);
  }

  const become = ownSudo ? null : pick(ANSIBLE_VARIABLES.sudo);
  if (become) {
    const on = ansibleBoolean(become.value);
    if (on === null) problem(become.origin, `"${String(become.value)}": expected a boolean (true or false, yes or no)`);
    else if (!on || becomesRootThroughSudo(pick, problem)) set('sudo', on, become.origin);
  }

  if (jump === null) {
    for (const variable of SSH_ARGS_VARIABLES) {
      const args = pick([variable]);
      if (!args) continue;
      if (typeof args.value !== 'string') {
        problem(args.origin, 'expected ssh options as one string');
        break;
      }
      const proxy = proxyOfArgs(args.value);
      if (!proxy.ok) {
        problem(args.origin, `${proxy.problem} (kvm-netaudit reads ProxyJump and ProxyCommand here to find the bastions)`);
        break;
      }
      // ssh keeps the first ProxyJump or ProxyCommand it is given.
      if (proxy.value !== null) {
        jump = { proxy: proxy.value, origin: args.origin };
        break;
      }
    }
  }
  if (jump) set('jump', jump.proxy.kind === 'direct' ? null : jumps.chain(jump.proxy.hops, jump.origin), jump.origin);

  return issues.length > before ? null : { host, origins };
}

/** Whether `ansible_become` means sudo to root, which is what `sudo: true` does; when not, it says so. */
function becomesRootThroughSudo(pick: (names: readonly string[]) => Variable | null, problem: (origin: Origin, message: string) => void): boolean {
  const method = pick(['ansible_become_method']);
  const becomeUser = pick(['ansible_become_user']);
  const hint = 'kvm-netaudit runs virsh through "sudo -n" as root only (set kvm_netaudit_sudo to decide for this host)';
  if (method && !['sudo', 'ansible.builtin.sudo'].includes(String(method.value))) {
    problem(method.origin, `"${String(method.value)}": ${hint}`);
    return false;
  }
  if (becomeUser && String(becomeUser.value) !== 'root') {
    problem(becomeUser.origin, `"${String(becomeUser.value)}": ${hint}`);
    return false;
  }
  return true;
}

/** Why a value cannot be read as written, or null: a Jinja template, or an Ansible Vault secret. */
function unreadable(value: unknown): string | null {
  if (typeof value === 'string' && /\{\{|\{%/.test(value)) return 'is a Jinja template, which only Ansible evaluates: write the value itself';
  if (isRecord(value) && '__ansible_vault' in value) return 'is encrypted with Ansible Vault, which kvm-netaudit does not decrypt';
  return null;
}

/** `kvm_netaudit_jump`: hops as ProxyJump writes them (`user@b1,b2:2222`); null or `none`: directly. */
function ownJump(value: unknown): Parsed<Proxy> {
  if (value === null || value === false) return { ok: true, value: { kind: 'direct' } };
  if (typeof value !== 'string' || value.trim() === '') return { ok: false, problem: 'expected the bastions as ProxyJump writes them ([user@]host[:port], comma-separated), or none' };
  return parseProxyJump(value);
}

/** Ansible's truth values (its `boolean()` filter): INI leaves `yes` and `true` as strings. */
const TRUE_WORDS = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE_WORDS = new Set(['n', 'no', 'off', '0', 'false', 'f']);

/** true, false, or null for a value Ansible would not take as a boolean either. */
export function ansibleBoolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value !== 'string') return null;
  const word = value.trim().toLowerCase();
  return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : null;
}

function asPort(value: unknown): unknown {
  return typeof value === 'string' && /^\d{1,5}$/.test(value.trim()) ? Number(value.trim()) : value;
}

/**
 * A `kvm_netaudit_*` value as the schema takes it, forgiving what INI makes of values: `yes`/`true` strings for
 * booleans, digits for a port, a list written as text for uplinkInterfaces. Anything else goes to the schema as is.
 */
function coerceOwn(setting: keyof RawSettings, value: unknown): Parsed<unknown> {
  const ok = (coerced: unknown): Parsed<unknown> => ({ ok: true, value: coerced });
  switch (setting) {
    case 'sudo':
    case 'agent':
      return ok(ansibleBoolean(value) ?? value);
    case 'port':
      return ok(asPort(value));
    case 'sshConfig':
      return ok(typeof value === 'string' && /^(true|false|yes|no)$/i.test(value) ? ansibleBoolean(value) : value);
    case 'uplinkInterfaces': {
      if (typeof value !== 'string') return ok(value);
      const text = value.trim();
      if (text.startsWith('[') && /['"]/.test(text)) {
        const list = listLiteral(text);
        return list ? ok(list) : { ok: false, problem: `"${value}": expected a list of globs (['eno*', 'bond0']) or globs separated by commas` };
      }
      return ok(splitPatternList(text).map((glob) => glob.trim()).filter((glob) => glob !== ''));
    }
    default:
      return ok(value);
  }
}

/** `['eno*', "bond0"]` (a list written as a Python or JSON literal of strings, as INI keeps it when quoted), or null. */
function listLiteral(text: string): string[] | null {
  const items: string[] = [];
  let i = 1;
  const space = () => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  space();
  if (text[i] === ']') return i === text.length - 1 ? items : null;
  for (;;) {
    space();
    const quote = text[i];
    if (quote !== "'" && quote !== '"') return null;
    const end = text.indexOf(quote, i + 1);
    if (end < 0) return null;
    items.push(text.slice(i + 1, end));
    i = end + 1;
    space();
    if (text[i] === ',') {
      i++;
      space();
      if (text[i] === ']') return i === text.length - 1 ? items : null;
      continue;
    }
    return text[i] === ']' && i === text.length - 1 ? items : null;
  }
}

// ───────────────────────────── bastions ─────────────────────────────

/**
 * The jump hosts the hosts' ProxyJumps make, one entry per distinct hop (the same bastion reached the same way, after
 * the same hops): hosts behind it share one connection to it. Each is named after its address, made safe for the
 * name rule (`2001:db8::1` → `2001-db8--1`), and numbered (`b1-2`) when that name is taken.
 */
class JumpRegistry {
  readonly entries: Record<string, RawJumpEntry> = {};
  /** The variable that first named each entry. */
  readonly origins = new Map<string, Origin>();
  private readonly byHop = new Map<string, string>();

  /** The name of the last hop of `hops` (outermost first), each hop reached through the one before it. */
  chain(hops: readonly Hop[], origin: Origin): string {
    let previous: string | null = null;
    let key = '';
    for (const hop of hops) {
      key = JSON.stringify([key, hop.address, hop.user, hop.port, hop.identityFile]);
      let name = this.byHop.get(key);
      if (name === undefined) {
        name = this.freeName(hop.address);
        this.byHop.set(key, name);
        this.origins.set(name, origin);
        this.entries[name] = {
          address: hop.address,
          ...(hop.user !== null ? { user: hop.user } : {}),
          ...(hop.port !== null ? { port: hop.port } : {}),
          ...(hop.identityFile !== null ? { identityFile: hop.identityFile } : {}),
          // The first hop names no jump: ssh_config's ProxyJump for it applies, as OpenSSH does.
          ...(previous !== null ? { jump: previous } : {}),
        };
      }
      previous = name;
    }
    return previous!;
  }

  private freeName(address: string): string {
    // Named as the command line names such hosts (an IPv6 address as ipv6-literal.net writes it: `::1` → `0--1`).
    const base = safeHostName(address) ?? 'jump';
    let name = base;
    for (let n = 2; Object.hasOwn(this.entries, name); n++) name = `${base}-${n}`;
    return name;
  }
}

