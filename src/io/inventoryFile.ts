/**
 * Reading the inventory `-i` names: the I/O half of `inventory/load.ts` `parseInventory` (kvm-netaudit's YAML) and
 * `inventory/ansible.ts` `parseAnsibleInventory` (Ansible's), which are pure. Which of them reads it is decided by
 * `inventory/ansibleDetect.ts` alone; an Ansible inventory other than its JSON is listed by `ansible-inventory`.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { detectInventoryFormat, InventoryError, parseAnsibleInventory, parseInventory, type InventoryOptions, type InventorySource } from '../inventory/index.js';
import type { Inventory } from '../model.js';

/**
 * How long `ansible-inventory` may take: a dynamic inventory may ask a cloud API, but one that hangs must not hold
 * the audit for ever.
 */
export const ANSIBLE_INVENTORY_TIMEOUT_MS = 120_000;

/** The most `ansible-inventory --list` may print (its JSON is decoded into one string). */
export const ANSIBLE_INVENTORY_MAX_BYTES = 256 * 1024 * 1024;

/** The last lines of `ansible-inventory`'s stderr shown when it fails (its own error comes last). */
const STDERR_LINES = 40;

/** Options of {@link loadInventory}. */
export interface LoadInventoryOptions extends InventoryOptions {
  /** How to run `ansible-inventory` for an Ansible inventory other than its JSON. */
  ansibleInventory?: {
    /** The program, looked up in PATH (never through a shell). @default 'ansible-inventory' */
    command?: string;
    /** @default ANSIBLE_INVENTORY_TIMEOUT_MS */
    timeoutMs?: number;
  };
  /** What relative paths in an Ansible inventory are relative to, as for Ansible. @default process.cwd() */
  cwd?: string;
}

/**
 * Read and validate the inventory at `path`: kvm-netaudit's YAML, or an Ansible inventory (INI, YAML, a directory,
 * a dynamic inventory, or the JSON `ansible-inventory --list` prints).
 * @throws InventoryError listing every problem (the CLI exits 64), or when the inventory cannot be read.
 */
export function loadInventory(path: string, options: LoadInventoryOptions = {}): Inventory {
  const source = readSource(path);
  const format = detectInventoryFormat(source);
  if (format.format === 'kvm-netaudit') return parseInventory(source.kind === 'file' ? source.text : '', path, options);
  const list = format.format === 'ansible-json' ? format.data : listAnsibleInventory(path, format.why, options);
  return parseAnsibleInventory(list, path, options);
}

function readSource(path: string): InventorySource {
  const fail = (error: unknown): never => {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new InventoryError([`${path}: cannot read the inventory: ${reason}`]);
  };
  try {
    if (statSync(path).isDirectory()) return { kind: 'directory' };
    return { kind: 'file', text: readFileSync(path, 'utf8'), executable: isExecutable(path) };
  } catch (error) {
    return fail(error);
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * `ansible-inventory -i PATH --list`, run without a shell and with a deadline, as JSON. Ansible is told to fail
 * when it can read nothing of the inventory (by default it only warns and lists no hosts), and to merge every
 * host's variables itself (not `--export`, whatever ansible.cfg says): Ansible's precedence rules are Ansible's.
 * @throws InventoryError when it is not installed, fails, takes too long or prints no JSON; with its stderr.
 */
export function listAnsibleInventory(path: string, why: string, options: LoadInventoryOptions = {}): unknown {
  const command = options.ansibleInventory?.command ?? 'ansible-inventory';
  const timeoutMs = options.ansibleInventory?.timeoutMs ?? ANSIBLE_INVENTORY_TIMEOUT_MS;
  // Absolute: a path starting with "-" must not read as an option, and ansible-inventory takes one with a comma
  // that does not exist as a list of hosts.
  const argv = ['-i', resolve(path), '--list'];
  // spawnSync's own timeout kills ansible-inventory alone, and a dynamic inventory script it started (and what that
  // started) would live on. coreutils' `timeout` kills the whole process group; spawnSync's deadline stays as a
  // backstop where it is missing.
  const groupTimeout = findOnPath('timeout');
  const runsCommand = command.includes('/') ? existsSync(command) : findOnPath(command) !== null;
  const [file, args] =
    groupTimeout !== null && runsCommand ? [groupTimeout, ['-s', 'KILL', `${timeoutMs / 1000}s`, command, ...argv]] : [command, argv];
  const result = spawnSync(file, args, {
    encoding: 'utf8',
    shell: false,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: groupTimeout !== null && runsCommand ? timeoutMs + 5_000 : timeoutMs,
    // SIGKILL: a hung inventory script is what the deadline is for, and it must end.
    killSignal: 'SIGKILL',
    maxBuffer: ANSIBLE_INVENTORY_MAX_BYTES,
    env: {
      ...(options.env ?? process.env),
      ANSIBLE_INVENTORY_UNPARSED_FAILED: 'True',
      ANSIBLE_INVENTORY_EXPORT: 'False',
      ANSIBLE_NOCOLOR: '1',
    },
  });
  const ran = `${command} -i ${resolve(path)} --list`;
  const said = stderrTail(result.stderr);
  const error = result.error as NodeJS.ErrnoException | undefined;
  if (error?.code === 'ENOENT') {
    throw new InventoryError([
      `${path}: this is an Ansible inventory (${why}): reading it needs ${command}, which is not installed (Debian package ansible-core, or pip install ansible-core); ` +
        'or give the JSON it prints: ansible-inventory -i PATH --list > inventory.json, then -i inventory.json',
    ]);
  }
  // `timeout -s KILL` kills the whole group, itself included (or exits 128 + 9 where it outlives it).
  const timedOut = error?.code === 'ETIMEDOUT' || (file !== command && (result.signal === 'SIGKILL' || result.status === 137));
  if (timedOut) throw new InventoryError([`${path}: ${ran} did not finish in ${timeoutMs / 1000} s, and was stopped${said}`]);
  if (error?.code === 'ENOBUFS') throw new InventoryError([`${path}: ${ran} printed more than ${ANSIBLE_INVENTORY_MAX_BYTES / 1024 / 1024} MiB`]);
  if (error) throw new InventoryError([`${path}: cannot run ${ran}: ${error.message}`]);
  if (result.status !== 0) {
    const how = result.status === null ? `was killed by ${result.signal}` : `failed (exit ${result.status})`;
    throw new InventoryError([`${path}: ${ran} ${how}${said}`]);
  }
  try {
    return JSON.parse(result.stdout);
  } catch (parseError) {
    throw new InventoryError([`${path}: ${ran} printed no JSON (${(parseError as Error).message})${said}`]);
  }
}

/** The path of `name` on PATH, or null. */
function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** `:` and the last lines of stderr, indented; nothing when it is empty. */
function stderrTail(stderr: string | null | undefined): string {
  const lines = (stderr ?? '').split('\n').map((line) => line.trimEnd()).filter((line) => line !== '');
  if (lines.length === 0) return '';
  const shown = lines.slice(-STDERR_LINES);
  const cut = lines.length > shown.length ? [`  … (${lines.length - shown.length} lines before)`] : [];
  return `; it said:\n${[...cut, ...shown.map((line) => `  ${line}`)].join('\n')}`;
}
