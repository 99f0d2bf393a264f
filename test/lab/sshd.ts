/**
 * A real OpenSSH server for the system tier: `/usr/sbin/sshd -D -e -f CONFIG`, started inside a test
 * host's network namespace with a host key, authorized key and pid file of its own (all in a temp
 * directory), so the CLI under test meets the same server, key exchange and shell an operator's fleet has.
 * Everything it starts it stops by pid.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exited, resolveTool } from './run.js';

const execFileAsync = promisify(execFile);

/** Where Debian's sshd is installed. */
export const SSHD_PATH = '/usr/sbin/sshd';

/** An ed25519 key pair written by ssh-keygen. */
export interface SshKeyPair {
  privateKeyPath: string;
  publicKeyPath: string;
  /** The public key as `ssh-ed25519 AAAA… comment`. */
  publicKey: string;
}

/**
 * Generate an unencrypted ed25519 key pair at `<dir>/<name>` and `<dir>/<name>.pub`.
 * @param comment stored in the public key, helps tell keys apart in logs.
 */
export async function generateKeyPair(dir: string, name: string, comment = name): Promise<SshKeyPair> {
  const privateKeyPath = join(dir, name);
  try {
    await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', privateKeyPath]);
  } catch (error) {
    throw new Error(`ssh-keygen could not write ${privateKeyPath}: ${(error as Error).message}`);
  }
  const publicKeyPath = `${privateKeyPath}.pub`;
  return { privateKeyPath, publicKeyPath, publicKey: (await readFile(publicKeyPath, 'utf8')).trim() };
}

/** The known_hosts line for a server key, in OpenSSH's form (`[addr]:port` unless the port is 22). */
export function knownHostsLine(address: string, port: number, publicKey: string): string {
  const [type, blob] = publicKey.trim().split(/\s+/);
  if (!type || !blob) throw new Error(`not an OpenSSH public key: ${publicKey}`);
  const host = port === 22 ? address : `[${address}]:${port}`;
  return `${host} ${type} ${blob}`;
}

/** Write a known_hosts file listing every given server (one line each). */
export async function writeKnownHosts(path: string, servers: readonly Pick<RunningSshd, 'hostKeyLine'>[]): Promise<void> {
  await writeFile(path, servers.map((s) => `${s.hostKeyLine}\n`).join(''), { mode: 0o644 });
}

/** The sshd_config for one test server. Everything not needed to log in with the client key is off. */
export function sshdConfig(paths: {
  address: string;
  port: number;
  hostKeyPath: string;
  authorizedKeysPath: string;
  pidFilePath: string;
  /** A certificate of the host key, served beside it (`HostCertificate`). @default none */
  hostCertificatePath?: string;
  /** Let clients open TCP connections through this server, as a ProxyJump bastion must. @default false */
  allowTcpForwarding?: boolean;
}): string {
  return [
    `ListenAddress ${paths.address}:${paths.port}`,
    `HostKey ${paths.hostKeyPath}`,
    ...(paths.hostCertificatePath ? [`HostCertificate ${paths.hostCertificatePath}`] : []),
    `PidFile ${paths.pidFilePath}`,
    `AuthorizedKeysFile ${paths.authorizedKeysPath}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    // No PAM: the test hosts have no session stack of their own, and PAM would read the real /etc.
    'UsePAM no',
    // The key files live in a temp directory that sshd's ownership checks would refuse.
    'StrictModes no',
    'PrintMotd no',
    'PrintLastLog no',
    'X11Forwarding no',
    `AllowTcpForwarding ${paths.allowTcpForwarding ? 'yes' : 'no'}`,
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

/** Options of {@link startSshd}. */
export interface SshdOptions {
  /** The network namespace sshd runs in (it listens on `address` there). */
  netns: string;
  /**
   * The argv prefix that runs a command inside the host, e.g. a lab host's `launchArgv`, so that sshd's
   * sessions see exactly what the host's own commands see (its namespace, its virsh state).
   * @default (argv) => ['ip', 'netns', 'exec', netns, ...argv]
   */
  launch?: (argv: readonly string[]) => string[];
  /** An address assigned inside `netns`, e.g. `198.18.0.11`. */
  address: string;
  /** @default 22 */
  port?: number;
  /** A directory of this server's own: host key, config, pid file, log and authorized keys go there. */
  workDir: string;
  /** Public keys allowed to log in as any user (root in the system tier). */
  authorizedKeys: readonly string[];
  /**
   * How long to wait for the port to answer with an SSH banner.
   * @default 10000
   */
  readyTimeoutMs?: number;
  /**
   * Let clients open TCP connections through this server (`direct-tcpip`), as a ProxyJump bastion must.
   * @default false
   */
  allowTcpForwarding?: boolean;
  /**
   * Certify the server's freshly generated host key: called with it before sshd starts, it returns the path
   * of the certificate (e.g. from `HostCa.certify` in hostCa.ts), which sshd then serves (`HostCertificate`).
   * @default no certificate
   */
  hostCertificate?: (hostKey: SshKeyPair) => Promise<string>;
  /**
   * How readiness is told. `banner`: the test's own namespace connects and reads the SSH banner. `log`:
   * sshd's own `Server listening on ADDRESS port PORT.` line, for a server the test's namespace cannot
   * reach (one behind a bastion).
   * @default 'banner'
   */
  readiness?: 'banner' | 'log';
}

/** A running sshd. */
export interface RunningSshd {
  address: string;
  port: number;
  /** The sshd listener's pid (the launcher execs sshd, so it is the spawned process itself). */
  pid: number;
  /** This server's known_hosts line, e.g. `198.18.0.11 ssh-ed25519 AAAA…`. */
  hostKeyLine: string;
  /** The server's log (`-e` sends it to stderr, which goes here). */
  logPath: string;
  /** The certificate of its host key that it serves, when `hostCertificate` made one. */
  hostCertificatePath?: string;
  /** True until `stop` has been called or the process exited. */
  readonly running: boolean;
  /** Stop the server by pid: SIGTERM, then SIGKILL if it lingers. Safe to call twice. */
  stop(): Promise<void>;
}

/** sshd needs its privilege-separation directory; Debian creates it only from the service unit. */
export async function ensurePrivsepDir(): Promise<void> {
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
}

/** Resolve with true when the port sends an SSH identification line within `ms`. */
function answersSsh(address: string, port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(ms, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (chunk) => done(chunk.toString('latin1').startsWith('SSH-')));
  });
}

/**
 * Start sshd in a namespace and wait until it answers with an SSH banner.
 * Fails with the server's own log when it exits or never answers.
 * @example
 *   const sshd = await startSshd({ netns: 'kna-s-nat', address: '198.18.0.11', workDir, authorizedKeys: [client.publicKey] });
 *   // sshd.hostKeyLine === '198.18.0.11 ssh-ed25519 AAAAC3…'
 */
export async function startSshd(options: SshdOptions): Promise<RunningSshd> {
  const port = options.port ?? 22;
  const { workDir, address, netns } = options;
  await ensurePrivsepDir();
  await mkdir(workDir, { recursive: true });
  const hostKey = await generateKeyPair(workDir, 'ssh_host_ed25519_key', `${netns} host key`);
  const hostCertificatePath = options.hostCertificate ? await options.hostCertificate(hostKey) : undefined;
  const authorizedKeysPath = join(workDir, 'authorized_keys');
  await writeFile(authorizedKeysPath, options.authorizedKeys.map((k) => `${k.trim()}\n`).join(''), { mode: 0o600 });
  const configPath = join(workDir, 'sshd_config');
  const pidFilePath = join(workDir, 'sshd.pid');
  await writeFile(
    configPath,
    sshdConfig({
      address,
      port,
      hostKeyPath: hostKey.privateKeyPath,
      authorizedKeysPath,
      pidFilePath,
      ...(hostCertificatePath ? { hostCertificatePath } : {}),
      ...(options.allowTcpForwarding ? { allowTcpForwarding: true } : {}),
    }),
  );
  const logPath = join(workDir, 'sshd.log');
  const log = await open(logPath, 'w');
  const launch = options.launch ?? ((argv: readonly string[]) => [resolveTool('ip'), 'netns', 'exec', netns, ...argv]);
  const [file, ...args] = launch([SSHD_PATH, '-D', '-e', '-f', configPath]);
  if (!file) throw new Error('empty launch command');
  let child: ChildProcess;
  try {
    // Every launcher in the lab execs its command, so the spawned pid ends up being sshd's own.
    child = spawn(file, args, { stdio: ['ignore', log.fd, log.fd] });
  } finally {
    await log.close();
  }
  const failedToStart = new Promise<Error>((resolve) => child.once('error', resolve));
  const ended = new Promise<'exited'>((resolve) => child.once('exit', () => resolve('exited')));
  const readLog = () => readFile(logPath, 'utf8').catch(() => '');

  // sshd binds (and logs that it listens) before it writes its pid file: the log check waits for both.
  const listening = `Server listening on ${address} port ${port}.`;
  const listensAndWrotePid = async () =>
    (await readLog()).includes(listening) && (await readFile(pidFilePath, 'utf8').catch(() => '')).trim() !== '';
  const ready =
    options.readiness === 'log'
      ? () => listensAndWrotePid().then((ok) => (ok ? 'ready' : 'waiting'))
      : () => answersSsh(address, port, 1_000).then((ok) => (ok ? 'ready' : 'waiting'));
  const deadline = Date.now() + (options.readyTimeoutMs ?? 10_000);
  for (;;) {
    const outcome = await Promise.race([ready(), ended, failedToStart]);
    if (outcome === 'ready') break;
    if (outcome instanceof Error) throw new Error(`could not run sshd in ${netns}: ${outcome.message}`);
    if (outcome === 'exited') throw new Error(`sshd in ${netns} exited (code ${child.exitCode}); its log:\n${await readLog()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sshd in ${netns} did not answer on ${address}:${port}; its log:\n${await readLog()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  // stop() kills by this pid: make sure it is sshd's, not a launcher that forgot to exec.
  const pid = child.pid;
  const pidFromFile = Number((await readFile(pidFilePath, 'utf8').catch(() => '')).trim());
  if (pid === undefined || pidFromFile !== pid) {
    child.kill('SIGKILL');
    if (pidFromFile > 0) process.kill(pidFromFile, 'SIGKILL');
    throw new Error(`sshd in ${netns} runs as pid ${pidFromFile}, not as the launched pid ${pid}: the launcher must exec it`);
  }
  let stopped = false;
  return {
    address,
    port,
    pid,
    logPath,
    hostKeyLine: knownHostsLine(address, port, hostKey.publicKey),
    ...(hostCertificatePath ? { hostCertificatePath } : {}),
    get running() {
      return !stopped && child.exitCode === null && child.signalCode === null;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(pid, 'SIGTERM');
      if (!(await exited(child, 5_000))) {
        process.kill(pid, 'SIGKILL');
        await exited(child, 5_000);
      }
    },
  };
}
