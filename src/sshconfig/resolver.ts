/**
 * ssh_config resolved the way OpenSSH resolves it, for the ssh2 transport (docs/inventory.md, "ssh_config"): each
 * host's `address` is handed to `ssh -G`, OpenSSH's own resolver (Include, Match, Host order, canonicalisation),
 * and what the configuration set is laid over the host (apply.ts); ProxyJump hops are resolved the same way, each
 * with its own settings. Where no `ssh` binary exists, the ssh-config library's `compute` stands in
 * (libraryResolver.ts). Results are cached per destination: a fleet behind one bastion asks about it once.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { CONNECTION_KEYS, TransportError, type ConnectionKey, type HostConfig, type JumpHostConfig, type SshConfigChoice } from '../model.js';
import { raceAbort } from '../transport/errors.js';
import { applySshSettings, type ConfigurableField } from './apply.js';
import { computeWithLibrary } from './libraryResolver.js';
import { isHostIndependent } from './shape.js';
import { configuredKeys, parseProxyJump, parseSshG, type JumpSpec, type SshSettings } from './settings.js';

/** A host as it will be connected to, and which of its fields ssh_config set. */
export interface ResolvedHost {
  host: HostConfig;
  fromConfig: ReadonlySet<ConfigurableField>;
  /** What resolved ssh_config: OpenSSH's `ssh -G`, the library, or nothing (none applies). */
  resolvedBy: 'ssh -G' | 'ssh-config library' | null;
  /** The files read when the choice is OpenSSH's own (`default`); the one file otherwise. */
  files: string[];
}

export interface SshConfigResolverOptions {
  localUser: string;
  /** An agent is there (SSH_AUTH_SOCK): a ProxyJump hop uses it, as OpenSSH would. */
  agentAvailable: boolean;
  /**
   * Where OpenSSH looks for ~/.ssh/config: the password database's home directory, not $HOME (ssh(1) reads
   * getpwuid's). @default os.userInfo().homedir
   */
  opensshHomeDir?: string;
  /** @default 'ssh' */
  sshBinary?: string;
  /** How long one `ssh -G` may run before it and what it started are killed. @default 30 s */
  sshGTimeoutMs?: number;
  /** The environment `ssh -G` runs in (not HOME: OpenSSH finds ~ in the password database). @default process.env */
  env?: NodeJS.ProcessEnv;
}

export interface SshConfigResolver {
  /** @throws TransportError kind `config` when ssh_config cannot be read or names a ProxyJump that cannot be followed. */
  resolve(host: HostConfig, signal?: AbortSignal): Promise<ResolvedHost>;
}

/** How long `ssh -G` may take: it reads files, unless a `Match exec` runs a command. */
const SSH_G_TIMEOUT_MS = 30_000;
/** How long the output of an `ssh -G` that has exited may take to arrive. */
const EXIT_GRACE_MS = 1_000;
/** ProxyJump hops whose own ProxyJump names further hops: past this depth it is taken for a loop. */
const MAX_JUMP_DEPTH = 8;
/** What `ssh -G` is asked about to learn OpenSSH's unconfigured values (never connected to). */
const UNCONFIGURED_ALIAS = 'kvm-netaudit-unconfigured.invalid';
/**
 * Two made-up destinations `ssh -G` is asked about when one answer may stand for every host (never connected to):
 * they differ in name, and in user and port where the inventory names those (given with -l and -p).
 */
const ANY_HOST_QUESTIONS = [
  { alias: 'kvm-netaudit-any-host-a.invalid', user: 'kvm-netaudit-user-a', port: 65001 },
  { alias: 'kvm-netaudit-any-host-b.invalid', user: 'kvm-netaudit-user-b', port: 65002 },
] as const;

/**
 * The answers about the two made-up destinations hold for every host only if nothing in them was derived from
 * the destination: each keeps its own name as HostName (no `%h.example.com`, no canonicalisation), and every
 * other value but the user and port asked with is the same for both (no `%h`, `%n`, `%r`, `%p` or `%C`, the hash
 * of them all, in a known_hosts or agent path).
 */
function answersForAnyHost([a, b]: readonly [SshSettings, SshSettings], asked: { user: boolean; port: boolean }): boolean {
  if (a.get('hostname')?.[0] !== ANY_HOST_QUESTIONS[0].alias || b.get('hostname')?.[0] !== ANY_HOST_QUESTIONS[1].alias) return false;
  if (!['false', 'no'].includes(a.get('canonicalizehostname')?.[0] ?? 'false')) return false;
  const keys = new Set([...a.keys(), ...b.keys()]);
  for (const key of ['host', 'hostname', ...(asked.user ? ['user'] : []), ...(asked.port ? ['port'] : [])]) keys.delete(key);
  return [...keys].every((key) => (a.get(key) ?? []).join('\n') === (b.get(key) ?? []).join('\n'));
}

export function createSshConfigResolver(options: SshConfigResolverOptions): SshConfigResolver {
  const sshBinary = options.sshBinary ?? 'ssh';
  const env = options.env ?? process.env;
  // ssh_config's `~` is OpenSSH's home, as its files' place is.
  const opensshHome = options.opensshHomeDir ?? userInfo().homedir;
  const context = { homeDir: opensshHome, localUser: options.localUser, env };
  const sshGTimeoutMs = options.sshGTimeoutMs ?? SSH_G_TIMEOUT_MS;
  const defaultFiles = [path.join(opensshHome, '.ssh', 'config'), '/etc/ssh/ssh_config'];
  const cache = new Map<string, Promise<SshSettings>>();
  let unconfigured: Promise<SshSettings> | null = null;
  /** Set once `ssh` turned out not to exist: the library stands in from then on. */
  let noSshBinary = false;

  const filesOf = (choice: SshConfigChoice): string[] =>
    choice.kind === 'file' ? [choice.path] : choice.kind === 'default' ? defaultFiles.filter((file) => existsSync(file)) : [];

  /** `ssh -G` for one destination, once per distinct question; a host stops waiting when its own deadline passes. */
  function settingsFor(choice: SshConfigChoice, alias: string, user: string | null, port: number | null, signal?: AbortSignal) {
    const key = JSON.stringify([choice, alias, user, port]);
    let settings = cache.get(key);
    if (!settings) {
      const args = ['-G', '-T', ...(choice.kind === 'file' ? ['-F', choice.path] : []), ...(user ? ['-l', user] : []), ...(port ? ['-p', String(port)] : [])];
      // Shared by every host that asks the same: it runs to its own end, whichever host's deadline passes first.
      settings = runSshG(sshBinary, [...args, '--', alias], env, sshGTimeoutMs);
      cache.set(key, settings);
      // A failed question is asked again next time (a cancelled run's answer is no answer).
      settings.catch(() => cache.delete(key));
    }
    return raceAbort(settings, signal, `reading ssh_config for ${alias}`);
  }

  /**
   * One answer for every host whose user (and port) the inventory names or not alike, when the files cannot tell
   * hosts apart (shape.ts); null when they can. A fleet of thousands with ports of their own asks it once.
   */
  const shared = new Map<string, Promise<SshSettings | null>>();
  function sharedSettings(choice: SshConfigChoice, asked: { user: boolean; port: boolean }): Promise<SshSettings | null> {
    const key = JSON.stringify([choice, asked.user, asked.port]);
    let answer = shared.get(key);
    if (!answer) {
      // `ssh -F FILE` reads FILE as the user's own: its relative Includes are under ~/.ssh, as ~/.ssh/config's are.
      const userFile = choice.kind === 'file' ? choice.path : choice.kind === 'default' ? (defaultFiles[0] ?? null) : null;
      answer = isHostIndependent(filesOf(choice), userFile, opensshHome)
        ? Promise.all(
            ANY_HOST_QUESTIONS.map((q) => settingsFor(choice, q.alias, asked.user ? q.user : null, asked.port ? q.port : null)),
          ).then((both) => (answersForAnyHost(both as [SshSettings, SshSettings], asked) ? both[0]! : null))
        : Promise.resolve(null);
      shared.set(key, answer);
      answer.catch(() => shared.delete(key));
    }
    return answer;
  }

  async function openSshSettings(choice: SshConfigChoice, alias: string, user: string | null, port: number | null, signal?: AbortSignal) {
    const asked = { user: user !== null, port: port !== null };
    const any = await raceAbort(sharedSettings(choice, asked), signal, `reading ssh_config for ${alias}`);
    if (any === null) return settingsFor(choice, alias, user, port, signal);
    const settings = new Map(any);
    settings.set('host', [alias]);
    settings.set('hostname', [alias.toLowerCase()]);
    if (user !== null) settings.set('user', [user]);
    if (port !== null) settings.set('port', [String(port)]);
    return settings;
  }

  async function resolvedSettings(choice: SshConfigChoice, alias: string, user: string | null, port: number | null, signal?: AbortSignal) {
    if (!noSshBinary) {
      try {
        if (!unconfigured) {
          unconfigured = runSshG(sshBinary, ['-G', '-T', '-F', '/dev/null', '--', UNCONFIGURED_ALIAS], env, sshGTimeoutMs);
          unconfigured.catch(() => (unconfigured = null)); // asked again by the next host
        }
        const [settings, before] = await Promise.all([openSshSettings(choice, alias, user, port, signal), unconfigured]);
        return { settings, configured: configuredKeys(settings, before, alias), resolvedBy: 'ssh -G' as const };
      } catch (error) {
        if (!(error instanceof MissingBinaryError)) throw error;
        noSshBinary = true;
      }
    }
    const settings = computeWithLibrary(filesOf(choice), alias, { user, port });
    return { settings, configured: new Set(settings.keys()), resolvedBy: 'ssh-config library' as const };
  }

  /** The hops of a ProxyJump list, each reached through the one before; the innermost is returned. */
  async function chainOf(hops: JumpSpec[], choice: SshConfigChoice, depth: number, signal?: AbortSignal): Promise<JumpHostConfig | null> {
    if (depth > MAX_JUMP_DEPTH) {
      throw new TransportError('config', `ProxyJump hops name further hops more than ${MAX_JUMP_DEPTH} deep (a loop?): ${hops.map((h) => h.spec).join(',')}`);
    }
    let previous: JumpHostConfig | null = null;
    for (const [index, hop] of hops.entries()) {
      const { settings, configured } = await resolvedSettings(choice, hop.host, hop.user, hop.port, signal);
      // OpenSSH reaches the first hop with that hop's own ProxyJump, or its own ProxyCommand (which ssh2 then
      // refuses, as for any host); later hops only through the ones before them, as `ssh -J` does.
      const ownJump = index === 0 ? settings.get('proxyjump')?.[0] : undefined;
      const through: JumpHostConfig | null | undefined = ownJump ? await chainOf(jumpSpecs(ownJump, hop.spec), choice, depth + 1, signal) : index === 0 ? undefined : previous;
      const bare: JumpHostConfig = {
        // Named as written; the bastion pool tells hops apart by everything they are (bastionPool.ts).
        name: hop.spec,
        address: hop.host,
        port: 22,
        user: options.localUser,
        identityFile: null,
        defaultIdentityFiles: [],
        passphraseEnv: null,
        agent: options.agentAvailable,
        passwordEnv: null,
        knownHostsFile: path.join(opensshHome, '.ssh', 'known_hosts'),
        sshConfig: choice,
        namedKeys: [],
      };
      // No inventory describes a hop: every value ssh_config gives, its defaults included, is the hop's.
      previous = applySshSettings(bare, settings, new Set([...settings.keys(), ...configured]), context, through).connection;
    }
    return previous;
  }

  /**
   * A host or inventory jump host with ssh_config laid over it; an inventory jump host it goes through is
   * resolved the same way (its `address` may be an alias too).
   */
  async function resolveConnection<T extends JumpHostConfig | HostConfig>(connection: T, signal?: AbortSignal) {
    const through = connection.jump ? (await resolveConnection(connection.jump, signal)).connection : connection.jump;
    const withJump: T = through === connection.jump ? connection : { ...connection, jump: through };
    const choice = connection.sshConfig ?? { kind: 'off' };
    const files = filesOf(choice);
    if (choice.kind === 'off' || files.length === 0) return { connection: withJump, fromConfig: new Set<ConfigurableField>(), resolvedBy: null, files };
    const named = new Set<ConnectionKey>(connection.namedKeys ?? CONNECTION_KEYS);
    const user = named.has('user') ? connection.user : null;
    const port = named.has('port') ? connection.port : null;
    const { settings, configured, resolvedBy } = await resolvedSettings(choice, connection.address, user, port, signal);
    const jumpValue = configured.has('proxyjump') ? settings.get('proxyjump')?.[0] : undefined;
    const jump = jumpValue === undefined || named.has('jump') ? undefined : await chainOf(jumpSpecs(jumpValue, connection.name), choice, 1, signal);
    return { ...applySshSettings(withJump, settings, configured, context, jump), resolvedBy, files };
  }

  return {
    async resolve(host, signal) {
      const { connection, fromConfig, resolvedBy, files } = await resolveConnection(host, signal);
      return { host: connection, fromConfig, resolvedBy, files };
    },
  };
}

function jumpSpecs(value: string, owner: string): JumpSpec[] {
  try {
    return parseProxyJump(value);
  } catch (error) {
    throw new TransportError('config', `${owner}: ssh_config's ${(error as Error).message}`);
  }
}

/** `ssh` is not installed: the library stands in. */
class MissingBinaryError extends Error {}

/**
 * Run `ssh -G …` and parse what it prints; stdin closed. A `Match exec` command that never returns would hold it
 * for ever, and a command it started would hold its output pipes open even after ssh is gone: past `timeoutMs`
 * the whole process group is killed, and the answer is settled on ssh's exit, not on its pipes closing.
 */
function runSshG(binary: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<SshSettings> {
  const destination = args[args.length - 1] ?? '';
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: the group has gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === 'ENOENT') reject(new MissingBinaryError(`${binary} not found`));
      else reject(new TransportError('config', `cannot run ${binary} -G for ${destination}: ${error.message}`));
    });
    let settled = false;
    let grace: NodeJS.Timeout | undefined;
    const settle = (code: number | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      if (timedOut) {
        return reject(new TransportError('config', `ssh_config for ${destination}: ${binary} -G gave no answer within ${timeoutMs / 1000} s (a Match exec that hangs?)`));
      }
      if (code === 0) return resolve(parseSshG(Buffer.concat(stdout).toString('utf8')));
      const why = Buffer.concat(stderr).toString('utf8').trim().split('\n').slice(-3).join('; ');
      reject(new TransportError('config', `ssh_config could not be read for ${destination} (${binary} -G exited ${code ?? 'on a signal'}): ${why || 'no message'}`));
    };
    // Settled when ssh's pipes close; a command it started that escaped the group kill and still holds them is
    // given a moment, then not waited for.
    child.on('exit', (code) => {
      clearTimeout(timer);
      grace = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        settle(code);
      }, EXIT_GRACE_MS);
    });
    child.on('close', (code) => settle(code));
  });
}
