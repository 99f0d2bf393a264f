/**
 * The openssh transport (docs/inventory.md `transport: openssh`): the same probe, run through OpenSSH's own
 * `ssh`, so whatever that client supports works unchanged (host certificates, FIDO keys, GSSAPI, ControlMaster,
 * ProxyCommand, ProxyJump, everything in ~/.ssh/config). One `ssh … -F RUN_CONFIG … -- ADDRESS 'sh -s'` per exec,
 * the script on stdin.
 *
 * OpenSSH takes the FIRST value it is given for an option, and the command line comes before any ssh_config
 * file: so every `-o` below wins over ssh_config, and each option is given at most once. The `-o` options reach
 * only the ssh we start; the hops OpenSSH starts itself for an ssh_config ProxyJump are given only `-F`, so the
 * run's settings are also written into that file (opensshRunConfig.ts), ahead of an `Include` of the operator's.
 */
import {
  TransportError,
  type ConnectionKey,
  type Connector,
  type HostConfig,
  type JumpHostConfig,
  type SshConfigChoice,
  type Transport,
} from '../model.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../defaults.js';
import { shellQuote } from '../probe/shell.js';
import { abortError } from './errors.js';
import { openSshFailure } from './opensshErrors.js';
import {
  choiceKey,
  configPath,
  connectTimeoutSeconds,
  createRunConfigFiles,
  READ_ONLY_SETTINGS,
  type RunConfigFilesOptions,
  type RunSshSettings,
} from './opensshRunConfig.js';
import { runSpawnedScript } from './spawnExec.js';
import { REMOTE_COMMAND } from './sshExec.js';

/**
 * The run's settings (RunSshSettings: `hostKeyPolicy`, `knownHostsOverride`, `connectTimeoutMs`) reach the host's
 * ssh on its command line and every hop's ssh, the inventory's jump hosts and ssh_config's ProxyJump alike,
 * through the generated ssh_config.
 */
export interface OpenSshConnectorOptions extends RunSshSettings {
  /** The environment of `ssh` (SSH_AUTH_SOCK, PATH, HOME); SSH_ASKPASS_REQUIRE is always `never`. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The client to run, for every hop too. @default 'ssh' */
  sshBinary?: string;
  /**
   * OpenSSH's home, whose `.ssh/config` the `default` ssh_config choice reads (ssh finds it through the password
   * database, not $HOME; tests point it elsewhere). @default os.userInfo().homedir
   */
  opensshHomeDir?: string;
  /** The system-wide ssh_config the `default` choice reads. @default '/etc/ssh/ssh_config' */
  systemConfigFile?: string;
}

/** The options `openSshArgs` reads. */
export interface OpenSshArgOptions extends RunSshSettings {
  /** The client run for each inventory jump host. @default 'ssh' */
  sshBinary?: string;
  /**
   * The generated ssh_config (opensshRunConfig.ts) given with `-F` to the ssh of a host or jump host whose
   * ssh_config choice is `choice` (`off` when the level has none).
   */
  runConfig: (choice: SshConfigChoice) => string;
}

/** The most jump hosts in front of a host: each hop nests the quoting of the ones behind it once more. */
export const MAX_JUMP_HOPS = 8;

/**
 * Create the connector a run uses for its openssh hosts. `connect()` checks that the host can be audited this way
 * and writes the generated ssh_config its ssh and hops read (once per ssh_config choice, in a private folder);
 * each `exec()` runs one ssh. `close()` kills any ssh still running and removes the generated files.
 * @example
 *   const connector = createOpenSshConnector({ connectTimeoutMs: 10_000, hostKeyPolicy: 'accept-new' });
 *   const transport = await connector.connect(host, { signal });
 *   try { await transport.exec(script, { maxBytes: 64 << 20, signal }); } finally { transport.close(); }
 *   await connector.close();
 */
export function createOpenSshConnector(options: OpenSshConnectorOptions): Connector {
  const sshBinary = options.sshBinary ?? 'ssh';
  // An ssh started without a terminal may still pop up an askpass dialog on the operator's desktop: never.
  const baseEnv = { ...(options.env ?? process.env), SSH_ASKPASS_REQUIRE: 'never' };
  const runConfigFiles = createRunConfigFiles(runConfigOptions(options));
  const open = new Set<{ close(): void }>();
  let closed = false;

  async function connect(host: HostConfig, { signal }: { signal?: AbortSignal }): Promise<Transport> {
    if (closed) throw new TransportError('cancelled', `cannot connect to ${host.name}: the connector is closed`);
    if (signal?.aborted) throw abortError(signal, `connecting to ${host.name}`);
    // Which generated files the host's ssh and its hops read: asked of openSshArgs itself (it also refuses what
    // cannot work before anything is written), then each file written once for the whole run.
    const choices: SshConfigChoice[] = [];
    openSshArgs(host, { ...options, runConfig: (choice) => (choices.push(choice), '') });
    const paths = new Map<string, string>();
    for (const choice of choices) paths.set(choiceKey(choice), await runConfigFiles.pathFor(choice));
    if (closed) throw new TransportError('cancelled', `cannot connect to ${host.name}: the connector is closed`);
    const args = openSshArgs(host, { ...options, runConfig: (choice) => paths.get(choiceKey(choice))! });
    // ssh runs ProxyCommand with $SHELL -c: ours is quoted for POSIX sh, whatever the operator's login shell is.
    const env = args.some(isOwnProxyCommand) ? { ...baseEnv, SHELL: '/bin/sh' } : baseEnv;
    const where = describeDestination(host);
    const running = new Set<AbortController>();
    let transportClosed = false;

    const transport: Transport = {
      async exec(script, execOptions) {
        if (transportClosed) throw new TransportError('internal', 'exec on a closed transport');
        // One signal for both the caller's deadline and our own close(); the caller's reason is kept.
        const stop = new AbortController();
        const outer = execOptions.signal;
        const forward = () => stop.abort(outer?.reason);
        if (outer?.aborted) forward();
        else outer?.addEventListener('abort', forward, { once: true });
        running.add(stop);
        try {
          const result = await runSpawnedScript(
            sshBinary,
            args,
            script,
            { ...execOptions, signal: stop.signal },
            'the probe over ssh',
            env,
            missingSshFailure,
          );
          // 255 with no stdout: ssh itself failed and the probe never started (the probe prints before it can fail).
          const failure = result.stdout === '' ? openSshFailure(result.stderr, result.code, where) : null;
          if (failure) {
            execOptions.budget?.give(result.bytes); // a failed exec gives its bytes back itself
            throw failure;
          }
          return result;
        } finally {
          outer?.removeEventListener('abort', forward);
          running.delete(stop);
        }
      },
      close() {
        if (transportClosed) return;
        transportClosed = true;
        open.delete(transport);
        const reason = new TransportError('cancelled', `the connection to ${host.name} was closed while the probe ran`);
        for (const stop of running) stop.abort(reason);
      },
    };
    open.add(transport);
    return transport;
  }

  async function close(): Promise<void> {
    closed = true;
    for (const transport of [...open]) transport.close();
    await runConfigFiles.close();
  }

  return { connect, close };
}

function runConfigOptions(options: OpenSshConnectorOptions): RunConfigFilesOptions {
  const { hostKeyPolicy, knownHostsOverride, connectTimeoutMs, opensshHomeDir, systemConfigFile } = options;
  return {
    ...(hostKeyPolicy ? { hostKeyPolicy } : {}),
    ...(knownHostsOverride ? { knownHostsOverride } : {}),
    ...(connectTimeoutMs !== undefined ? { connectTimeoutMs } : {}),
    ...(opensshHomeDir !== undefined ? { opensshHomeDir } : {}),
    ...(systemConfigFile !== undefined ? { systemConfigFile } : {}),
  };
}

/** ENOENT from spawning ssh: OpenSSH's client is not there, which the operator fixes, not us. */
function missingSshFailure(command: string, error: NodeJS.ErrnoException): TransportError | null {
  if (error.code !== 'ENOENT') return null;
  return new TransportError(
    'config',
    `cannot start ${command}: OpenSSH's client is not installed (${error.code}); install openssh-client, or use \`transport: ssh2\``,
  );
}

/**
 * The arguments of `ssh` (after the program name) that run the probe on `host`: options, then `--`, the address
 * and `sh -s`, so an address like `-oProxyCommand=x` can never be read as an option.
 * Pure: nothing is read or checked on disk; `options.runConfig` names the generated ssh_config of each choice.
 * @throws TransportError `config` for what OpenSSH's client cannot do (a password or passphrase from the
 *   environment), a path ssh_config syntax cannot carry, or a jump chain that loops or is too long
 * @example
 *   // a host with no ssh_config (every inventory key is said), agent: false
 *   openSshArgs(host, { connectTimeoutMs: 10_000, runConfig: () => '/tmp/kvm-netaudit-ssh-Ab12Cd/off.conf' })
 *   // ['-T', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR', '-o', 'RemoteCommand=none', '-o', 'ClearAllForwardings=yes',
 *   //  '-o', 'ForwardAgent=no', '-o', 'ForwardX11=no', '-o', 'PermitLocalCommand=no', '-o', 'ConnectTimeout=10',
 *   //  '-F', '/tmp/kvm-netaudit-ssh-Ab12Cd/off.conf', '-l', 'audit', '-p', '22', '-i', '/home/me/.ssh/id_ed25519',
 *   //  '-o', 'IdentityAgent=none', '-o', 'UserKnownHostsFile=/home/me/.ssh/known_hosts', '-o', 'GlobalKnownHostsFile=/dev/null',
 *   //  '-o', 'ProxyCommand=none', '--', '10.0.0.5', 'sh -s']
 */
export function openSshArgs(host: HostConfig, options: OpenSshArgOptions): string[] {
  return [...levelOptions(host, host.name, options, []), '--', host.address, REMOTE_COMMAND];
}

/** A host, or one of the jump hosts in front of it: each is given to its own ssh by the same rules. */
type Level = HostConfig | JumpHostConfig;

function levelOptions(level: Level, label: string, options: OpenSshArgOptions, chain: readonly JumpHostConfig[]): string[] {
  refuseTerminalOnlyAuth(level, label);
  const named = (key: ConnectionKey) => isNamed(level, key);
  // LogLevel=ERROR keeps ssh's chatter ("Permanently added …") out of the probe's stderr; errors still show.
  const args = ['-T', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR'];
  // Read-only and quiet whatever ssh_config says (the generated file says the same to OpenSSH's own hops).
  for (const [key, value] of READ_ONLY_SETTINGS) args.push('-o', `${key}=${value}`);
  const timeoutMs = options.connectTimeoutMs ?? (usesSshConfig(level) ? undefined : DEFAULT_CONNECT_TIMEOUT_MS);
  if (timeoutMs !== undefined) args.push('-o', `ConnectTimeout=${connectTimeoutSeconds(timeoutMs)}`);
  // Always a -F: OpenSSH passes it on to the hops of an ssh_config ProxyJump, which no -o reaches.
  args.push('-F', options.runConfig(level.sshConfig ?? { kind: 'off' }));
  if (named('user') && level.user !== '') args.push('-l', level.user);
  if (named('port')) args.push('-p', String(level.port));
  if (named('identityFile') && level.identityFile !== null) args.push(...identityArgs(level.identityFile, label));
  // Named either way, it wins over ssh_config's IdentityAgent (`none` included); SSH_AUTH_SOCK is the agent it names.
  if (named('agent')) args.push('-o', level.agent ? 'IdentityAgent=SSH_AUTH_SOCK' : 'IdentityAgent=none');
  args.push(...hostKeyArgs(level, named('knownHostsFile'), label, options));
  if (named('jump')) {
    const jump = level.jump ?? null;
    // ProxyCommand=none, not ProxyJump=none: OpenSSH 9.2 still runs an ssh_config ProxyCommand after ProxyJump=none,
    // while a ProxyCommand given first shuts out both.
    args.push('-o', jump === null ? 'ProxyCommand=none' : `ProxyCommand=${proxyCommand(jump, label, options, chain)}`);
  }
  return args;
}

/**
 * Whether ssh is told this key: it is when an inventory level names it (`namedKeys`), and always when no
 * ssh_config applies (nothing else would supply it then). Every key is named when `namedKeys` is absent.
 */
function isNamed(level: Level, key: ConnectionKey): boolean {
  if (level.namedKeys === undefined || !usesSshConfig(level)) return true;
  return level.namedKeys.includes(key);
}

function usesSshConfig(level: Level): boolean {
  return (level.sshConfig?.kind ?? 'off') !== 'off';
}

function refuseTerminalOnlyAuth(level: Level, label: string): void {
  if (level.passwordEnv !== null) {
    throw new TransportError(
      'config',
      `${label}: OpenSSH's client reads passwords only from a terminal, so passwordEnv (${level.passwordEnv}) cannot be used; ` +
        'use `transport: ssh2` for password logins',
    );
  }
  if (level.passphraseEnv !== null) {
    throw new TransportError(
      'config',
      `${label}: OpenSSH's client reads key passphrases only from a terminal, so passphraseEnv (${level.passphraseEnv}) cannot be used; ` +
        'load the key into ssh-agent, or use `transport: ssh2`',
    );
  }
}

function identityArgs(file: string, label: string): string[] {
  const value = configPath(file, label, 'identity file');
  // ssh stat()s a `-i` path as given but loads it %-expanded, so a path with `%` only works as IdentityFile.
  return file.includes('%') ? ['-o', `IdentityFile=${value}`] : ['-i', file];
}

function hostKeyArgs(level: Level, knownHostsNamed: boolean, label: string, options: OpenSshArgOptions): string[] {
  // `off` trusts anything and writes nothing: no known_hosts file at all, so no key is ever added or compared.
  if (options.hostKeyPolicy === 'off') {
    return ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'GlobalKnownHostsFile=/dev/null'];
  }
  const args = options.hostKeyPolicy ? ['-o', `StrictHostKeyChecking=${options.hostKeyPolicy === 'strict' ? 'yes' : 'accept-new'}`] : [];
  if (options.knownHostsOverride) {
    // --known-hosts names the only file to trust. OpenSSH 9.2 also takes `none`; /dev/null means "no file" to every version.
    const only = configPath(options.knownHostsOverride, label, 'known_hosts file');
    args.push('-o', `UserKnownHostsFile=${only}`, '-o', 'GlobalKnownHostsFile=/dev/null');
  } else if (knownHostsNamed && level.knownHostsFile !== '') {
    // The inventory's file is the only one, as with ssh2: no system-wide file from ssh_config or OpenSSH's defaults.
    args.push('-o', `UserKnownHostsFile=${configPath(level.knownHostsFile, label, 'known_hosts file')}`, '-o', 'GlobalKnownHostsFile=/dev/null');
  }
  return args;
}

/**
 * The ProxyCommand that reaches a host through `jump`: the hop's own ssh (its options by the same rules, its own
 * jump nested as its own ProxyCommand) forwarding stdin/stdout to the host with `-W`. ssh runs it with `sh -c`
 * after expanding `%` tokens: each word is shell-quoted and its `%` doubled; only `-W`'s `%h`/`%p` stay tokens.
 */
function proxyCommand(jump: JumpHostConfig, label: string, options: OpenSshArgOptions, chain: readonly JumpHostConfig[]): string {
  if (chain.includes(jump)) {
    const names = [...chain.slice(chain.indexOf(jump)), jump].map((hop) => hop.name);
    throw new TransportError('config', `${label}: its jump hosts form a loop (${names.join(' → ')})`);
  }
  if (chain.length >= MAX_JUMP_HOPS) throw new TransportError('config', `${label}: more than ${MAX_JUMP_HOPS} jump hosts in a row`);
  const hop = [options.sshBinary ?? 'ssh', ...levelOptions(jump, `jump host ${jump.name}`, options, [...chain, jump])];
  // `[%h]` as OpenSSH's own ProxyJump writes it, so an IPv6 address survives -W's host:port split.
  return `${hop.map(proxyWord).join(' ')} -W '[%h]:%p' -- ${proxyWord(jump.address)}`;
}

/**
 * One word of a ProxyCommand. ssh also checks the line's quotes itself, reading `\'` as an escaped quote even
 * inside single quotes: a backslash is therefore written outside the quotes, as `\\`, which sh reads as `\`.
 */
function proxyWord(word: string): string {
  return word.split('\\').map(shellQuote).join('\\\\').replace(/%/g, '%%');
}

function isOwnProxyCommand(arg: string): boolean {
  return arg.startsWith('ProxyCommand=') && arg !== 'ProxyCommand=none';
}

/** How failures name the destination: what ssh is told of it, e.g. `audit@10.0.0.5:22 via jump host bastion`. */
function describeDestination(host: HostConfig): string {
  const user = isNamed(host, 'user') && host.user !== '' ? `${host.user}@` : '';
  const port = isNamed(host, 'port') ? `:${host.port}` : '';
  const via = isNamed(host, 'jump') && host.jump ? ` via jump host ${host.jump.name}` : '';
  return `${user}${host.address}${port}${via}`;
}
