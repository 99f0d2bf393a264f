/**
 * The ssh_config the openssh transport gives every `ssh` it runs with `-F`: the run's own settings first, then
 * `Include` of the operator's files. OpenSSH passes `-l`, `-p`, `-J` and `-F` on to the ssh of a ProxyJump hop it
 * starts for ssh_config, but no `-o`: only a file named with `-F` carries BatchMode, `--known-hosts`,
 * `--host-key-policy` and `--connect-timeout` to every hop as well as to the host.
 *
 * OpenSSH keeps the FIRST value it reads for an option, so what comes before the Includes wins over the operator's
 * files (their Host and Match blocks still apply), and what comes after them only fills in what they left unset.
 */
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../defaults.js';
import { TransportError, type HostKeyPolicy, type SshConfigChoice } from '../model.js';
import { messageOf } from './errors.js';

/** OpenSSH's system-wide client configuration on Debian and most builds (SSHDIR/ssh_config). */
export const SYSTEM_SSH_CONFIG = '/etc/ssh/ssh_config';

/** The run's settings that every ssh, host and hop alike, must obey. */
export interface RunSshSettings {
  /**
   * The run's `--host-key-policy` when the operator gave one; absent: ssh_config decides (OpenSSH's default `ask`
   * refuses unknown keys in batch mode, i.e. strict).
   */
  hostKeyPolicy?: HostKeyPolicy;
  /** The CLI's `--known-hosts FILE`: the only file trusted, for every host and hop. */
  knownHostsOverride?: string;
  /**
   * ssh's ConnectTimeout (TCP connect and banner exchange), rounded up to whole seconds, at least 1. Absent (no
   * `--connect-timeout`): ssh_config's ConnectTimeout where one applies and sets it, else DEFAULT_CONNECT_TIMEOUT_MS.
   */
  connectTimeoutMs?: number;
}

/**
 * What the probe's ssh must never do, whatever ssh_config says: run a command of its own instead of `sh -s`
 * (OpenSSH then refuses with "Cannot execute command-line and remote command"), open forwardings, hand the
 * agent or the X display to the host, or run a LocalCommand.
 */
export const READ_ONLY_SETTINGS: readonly (readonly [string, string])[] = [
  ['RemoteCommand', 'none'],
  ['ClearAllForwardings', 'yes'],
  ['ForwardAgent', 'no'],
  ['ForwardX11', 'no'],
  ['PermitLocalCommand', 'no'],
];

/**
 * The text of the generated ssh_config. Pure: `includes` are the operator's files to read after the run's
 * settings, already known to exist.
 * @throws TransportError `config` for a path ssh_config syntax cannot carry
 * @example
 *   runConfigText({ hostKeyPolicy: 'accept-new', knownHostsOverride: '/srv/audit/known_hosts' }, ['/home/me/.ssh/config', '/etc/ssh/ssh_config'])
 *   // # kvm-netaudit: this run's settings first (first value wins in ssh_config), then the operator's files
 *   // BatchMode yes
 *   // LogLevel ERROR
 *   // RemoteCommand none
 *   // ClearAllForwardings yes
 *   // ForwardAgent no
 *   // ForwardX11 no
 *   // PermitLocalCommand no
 *   // StrictHostKeyChecking accept-new
 *   // UserKnownHostsFile /srv/audit/known_hosts
 *   // GlobalKnownHostsFile /dev/null
 *   // Include "/home/me/.ssh/config"
 *   // Include "/etc/ssh/ssh_config"
 *   // ConnectTimeout 10
 */
export function runConfigText(settings: RunSshSettings, includes: readonly string[]): string {
  const lines = [
    "# kvm-netaudit: this run's settings first (first value wins in ssh_config), then the operator's files",
    // A hop's ssh reads only this file (no -o reaches it): it too must never prompt, chatter on the probe's
    // stderr ("Warning: Permanently added …"), run a command of ssh_config's, forward or run LocalCommand.
    'BatchMode yes',
    'LogLevel ERROR',
    ...READ_ONLY_SETTINGS.map(([key, value]) => `${key} ${value}`),
    ...hostKeyLines(settings),
  ];
  if (settings.connectTimeoutMs !== undefined) lines.push(`ConnectTimeout ${connectTimeoutSeconds(settings.connectTimeoutMs)}`);
  lines.push(...includes.map((file) => `Include ${includePath(file)}`));
  // After the Includes: only where the operator's files set none (Include keeps no Host block open past its end).
  if (settings.connectTimeoutMs === undefined) lines.push(`ConnectTimeout ${connectTimeoutSeconds(DEFAULT_CONNECT_TIMEOUT_MS)}`);
  return `${lines.join('\n')}\n`;
}

function hostKeyLines(settings: RunSshSettings): string[] {
  // `off` trusts anything and writes nothing: no known_hosts file at all.
  if (settings.hostKeyPolicy === 'off') {
    return ['StrictHostKeyChecking no', 'UserKnownHostsFile /dev/null', 'GlobalKnownHostsFile /dev/null'];
  }
  const lines = settings.hostKeyPolicy ? [`StrictHostKeyChecking ${settings.hostKeyPolicy === 'strict' ? 'yes' : 'accept-new'}`] : [];
  if (settings.knownHostsOverride) {
    const only = configPath(settings.knownHostsOverride, '--known-hosts', 'known_hosts file');
    lines.push(`UserKnownHostsFile ${only}`, 'GlobalKnownHostsFile /dev/null');
  }
  return lines;
}

/** ssh's ConnectTimeout in whole seconds, rounded up, at least 1 (0 would mean "no timeout" to ssh). */
export function connectTimeoutSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * A path as an ssh_config value (`-o Key=VALUE`, or a line of this file): ssh expands `%` tokens and `${VAR}` in it
 * and splits it on spaces and quotes, so `%` is doubled, and a path with a space, quote, backslash or `#` goes in
 * double quotes (where `\\` stands for `\`). Neither `"` nor `${` can be escaped there: such a path is refused.
 */
export function configPath(file: string, label: string, what: string): string {
  refuseUnwritable(file, label, what);
  const value = file.replace(/%/g, '%%');
  return /[\s'\\#]/.test(value) ? `"${value.replace(/\\/g, '\\\\')}"` : value;
}

/**
 * A path as an `Include` argument. OpenSSH 9.2 expands neither `%` nor `${VAR}` there, but matches it as a glob
 * pattern: `\ * ? [ ]` are escaped for glob(3), then every backslash doubled for the config line's own quoting.
 */
export function includePath(file: string): string {
  refuseUnwritable(file, 'ssh_config', 'file');
  const pattern = file.replace(/[\\*?[\]]/g, '\\$&');
  return `"${pattern.replace(/\\/g, '\\\\')}"`;
}

function refuseUnwritable(file: string, label: string, what: string): void {
  if (file.includes('"')) throw new TransportError('config', `${label}: the ${what} ${file} contains a double quote, which ssh cannot be given`);
  if (file.includes('${')) {
    throw new TransportError('config', `${label}: the ${what} ${file} contains "\${", which ssh would expand as an environment variable`);
  }
  if (/[\r\n]/.test(file)) throw new TransportError('config', `${label}: the ${what} ${JSON.stringify(file)} contains a line break`);
}

export interface RunConfigFilesOptions extends RunSshSettings {
  /** Whose `~/.ssh/config` the `default` choice reads: OpenSSH's home (the password database's, not $HOME). @default os.userInfo().homedir */
  opensshHomeDir?: string;
  /** The system-wide file the `default` choice reads. @default SYSTEM_SSH_CONFIG */
  systemConfigFile?: string;
  /**
   * Where the private folder is made; its path must be one shell word without `%` (see safeTempRoot).
   * @default os.tmpdir(), or /tmp when that path would need quoting
   */
  tempDir?: string;
}

/** The generated files of one connector: one per distinct ssh_config choice, written on first use. */
export interface RunConfigFiles {
  /**
   * The path of the file for `choice`, written the first time it is asked for.
   * @throws TransportError `config` when the choice names a file that cannot be read, or a path ssh_config
   *   syntax cannot carry; `internal` when the file cannot be written; `cancelled` once closed
   */
  pathFor(choice: SshConfigChoice): Promise<string>;
  /** Remove the folder and every file in it; later `pathFor` calls reject. */
  close(): Promise<void>;
}

/**
 * Make the generated files of one connector, in a private folder (`mkdtemp`, mode 0700) that `close()` removes.
 * @example
 *   const files = createRunConfigFiles({ hostKeyPolicy: 'strict' });
 *   await files.pathFor({ kind: 'default' }); // '/tmp/kvm-netaudit-ssh-Ab12Cd/default.conf'
 *   await files.close();
 */
export function createRunConfigFiles(options: RunConfigFilesOptions): RunConfigFiles {
  const home = options.opensshHomeDir ?? userInfo().homedir;
  const systemConfig = options.systemConfigFile ?? SYSTEM_SSH_CONFIG;
  const written = new Map<string, Promise<string>>();
  let folder: Promise<string> | null = null;
  let fileCount = 0;
  let closed = false;

  // OpenSSH writes `-F PATH` unquoted into the `sh -c` line of a ProxyJump hop and %-expands it: the folder's
  // path must be one shell word with no `%`.
  const root = options.tempDir ?? (process.platform === 'win32' ? tmpdir() : safeTempRoot(tmpdir()));
  const makeFolder = () =>
    (folder ??= mkdtemp(path.join(root, 'kvm-netaudit-ssh-')).catch((error: unknown) => {
      folder = null; // tried again by the next write
      throw error;
    }));

  async function includesOf(choice: SshConfigChoice): Promise<string[]> {
    if (choice.kind === 'off') return [];
    if (choice.kind === 'file') {
      const file = path.resolve(choice.path);
      // Include skips a file that is not there without a word, where `-F FILE` refused it: refused here instead.
      const unreadable = await unreadableBecause(file);
      if (unreadable !== null) throw new TransportError('config', `cannot read the ssh_config file ${file} (sshConfig in the inventory): ${unreadable}`);
      return [file];
    }
    const candidates = [path.join(home, '.ssh', 'config'), systemConfig];
    const missing = await Promise.all(candidates.map(unreadableBecause));
    return candidates.filter((_, i) => missing[i] === null);
  }

  async function write(key: string, choice: SshConfigChoice): Promise<string> {
    const text = runConfigText(options, await includesOf(choice));
    const name = choice.kind === 'file' ? `file-${++fileCount}.conf` : `${choice.kind}.conf`;
    let file: string;
    try {
      file = path.join(await makeFolder(), name);
      await writeFile(file, text, { mode: 0o600 });
    } catch (error) {
      throw new TransportError('internal', `cannot write the ssh_config for OpenSSH's client (${key}): ${messageOf(error)}`);
    }
    return file;
  }

  return {
    pathFor(choice) {
      if (closed) return Promise.reject(new TransportError('cancelled', 'the OpenSSH connector is closed'));
      const key = choiceKey(choice);
      let file = written.get(key);
      if (!file) {
        file = write(key, choice);
        written.set(key, file);
        // A failed write is tried again by the next host (a file may appear, a full disk may clear).
        file.catch(() => {
          if (written.get(key) === file) written.delete(key);
        });
      }
      return file;
    },
    async close() {
      closed = true;
      await Promise.allSettled(written.values());
      const made = folder;
      if (made === null) return;
      const dir = await made.catch(() => null);
      if (dir !== null) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One key per distinct ssh_config choice (a `file` by its absolute path): choices with one key share one file. */
export function choiceKey(choice: SshConfigChoice): string {
  return choice.kind === 'file' ? `file ${path.resolve(choice.path)}` : choice.kind;
}

/** `dir` when it is one shell word without `%` (it goes unquoted into ProxyJump's command line), else /tmp. */
export function safeTempRoot(dir: string): string {
  return /^[\w./+-]+$/.test(dir) ? dir : '/tmp';
}

/** Why `file` cannot be read, or null when it can. */
async function unreadableBecause(file: string): Promise<string | null> {
  try {
    await access(file, constants.R_OK);
    return null;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? messageOf(error);
  }
}
