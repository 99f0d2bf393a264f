/**
 * Shared fixtures for transport tests: temp dirs, keys generated at test time (never committed), host configs,
 * known_hosts lines, a port nobody listens on, and a real ssh-agent.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateEd25519KeyPair, startSshServer, type RunningSshServer, type SshServerOptions } from '../../src/demo/sshServer.js';
import type { HostConfig, JumpHostConfig } from '../../src/model.js';

/** Every temp dir, socket and process of these tests carries this prefix. */
export const TEST_PREFIX = 'kna-h1-';

export async function makeTempDir(label: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), `${TEST_PREFIX}${label}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface ClientKey {
  /** Path of the private key file (mode 0600). */
  file: string;
  /** `ssh-ed25519 AAAA…` line. */
  publicKey: string;
}

/** Generate an ed25519 key pair into `dir`; encrypted with `passphrase` when given. */
export async function writeClientKey(dir: string, name: string, passphrase?: string): Promise<ClientKey> {
  const pair = generateEd25519KeyPair(passphrase);
  const file = path.join(dir, name);
  await writeFile(file, pair.private, { mode: 0o600 });
  await writeFile(`${file}.pub`, `${pair.public}\n`);
  return { file, publicKey: pair.public };
}

/** A HostConfig for 127.0.0.1:port with no auth configured; override what the test is about. */
export function hostConfig(overrides: Partial<HostConfig> & Pick<HostConfig, 'port'>): HostConfig {
  return {
    name: `test-${overrides.port}`,
    address: '127.0.0.1',
    user: 'audit',
    groups: [],
    identityFile: null,
    passphraseEnv: null,
    agent: false,
    passwordEnv: null,
    knownHostsFile: '/nonexistent/known_hosts',
    libvirtUri: 'qemu:///system',
    sudo: false,
    uplinkInterfaces: [],
    jump: null,
    ...overrides,
  };
}

export function jumpConfig(overrides: Partial<JumpHostConfig> & Pick<JumpHostConfig, 'port'>): JumpHostConfig {
  return {
    name: 'bastion',
    address: '127.0.0.1',
    user: 'jump',
    identityFile: null,
    passphraseEnv: null,
    agent: false,
    passwordEnv: null,
    knownHostsFile: '/nonexistent/known_hosts',
    ...overrides,
  };
}

/** The known_hosts line for a server on 127.0.0.1 (in `[127.0.0.1]:port` form). */
export function knownHostsLineFor(server: { port: number; hostKey: { type: string; base64: string } }): string {
  return `[127.0.0.1]:${server.port} ${server.hostKey.type} ${server.hostKey.base64}`;
}

/** A loopback port that was just free: bind it, note it, close it. */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Hash every host name of a known_hosts file in place with OpenSSH's own `ssh-keygen -H`. */
export function hashKnownHostsFile(file: string): void {
  const result = spawnSync('ssh-keygen', ['-H', '-f', file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ssh-keygen -H failed: ${result.stderr}`);
  rmSync(`${file}.old`, { force: true });
}

export interface RunningAgent {
  socket: string;
  pid: number;
  stop(): Promise<void>;
}

/** Start a real `ssh-agent -D -a SOCK` (foreground, so we own its pid) and load `keyFile` into it. */
export async function startAgentWithKey(dir: string, keyFile: string): Promise<RunningAgent> {
  const socket = path.join(dir, `${TEST_PREFIX}agent.sock`);
  const child: ChildProcess = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error('ssh-agent did not start');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGTERM');
    await exited;
  };
  try {
    for (let waited = 0; !existsSync(socket); waited += 20) {
      if (waited > 5_000) throw new Error('ssh-agent socket did not appear');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await chmod(keyFile, 0o600);
    const added = spawnSync('ssh-add', [keyFile], { env: { ...process.env, SSH_AUTH_SOCK: socket }, encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`ssh-add failed: ${added.stderr}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { socket, pid, stop };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { kind?: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/**
 * A server that accepts `key` for user `audit` and answers every exec with `<label>:<stdin>` and exit 0,
 * so a test can tell which server answered and that the script arrived whole.
 */
export function startEchoServer(key: ClientKey, label: string, extra: SshServerOptions = {}): Promise<RunningSshServer> {
  return startSshServer({
    username: 'audit',
    authorizedKey: key.publicKey,
    onExec: async (exec) => {
      await exec.write(`${label}:${await exec.stdin}`);
      exec.exit(0);
    },
    ...extra,
  });
}
