/**
 * An embedded SSH server (ssh2 `Server`) on 127.0.0.1: the demo fleet serves captured probe outputs with it,
 * and the transport tests use it as the real thing's cheapest faithful double (STYLE "Tests").
 *
 * It authenticates (publickey signatures really verified, or a password), runs exec requests through a
 * behaviour callback, forwards `direct-tcpip` channels to an allow-list of local ports (so it can play a jump
 * host), and can misbehave on purpose (`behaviour`). `close()` drops every client.
 */
import { createServer, connect as netConnect, type Socket } from 'node:net';
import type { Writable } from 'node:stream';
import ssh2 from 'ssh2';
import type { AuthContext, Connection, ServerChannel } from 'ssh2';

/** One authentication attempt, as the `authenticate` callback sees it (a publickey one is already verified). */
export type AuthAttempt =
  | { method: 'password'; username: string; password: string }
  | {
      method: 'publickey';
      username: string;
      keyType: string;
      keyBlob: Buffer;
      /** False while the client only asks whether the key would do (before it signs). */
      signed: boolean;
    };

/** What an exec handler gets: the command, its stdin, and ways to answer. */
export interface ExecContext {
  /** The command line the client asked for (`sh -s` for kvm-netaudit). */
  command: string;
  /** Everything the client writes to stdin, once it sends EOF (or the channel closes). */
  stdin: Promise<string>;
  /** Write to stdout; resolves once the data is accepted (back-pressure), or at once after the channel closed. */
  write(data: string | Buffer): Promise<void>;
  writeStderr(data: string | Buffer): Promise<void>;
  /** Send the exit status and close the channel; later writes are ignored. */
  exit(code: number): void;
  /** Close the channel without any exit status (as a server that is killed mid-command may). */
  closeWithoutStatus(): void;
  /** Aborted when the channel or the whole connection closes (the client went away). */
  signal: AbortSignal;
}

/**
 * Ways to misbehave on purpose:
 * - `normal`: a working SSH server;
 * - `never-answer`: accepts TCP connections but never sends the SSH banner;
 * - `hang-up`: accepts TCP connections and closes them at once.
 */
export type ServerBehaviour = 'normal' | 'never-answer' | 'hang-up';

export interface SshServerOptions {
  /** @default 0 (a free port) */
  port?: number;
  /**
   * The host key (OpenSSH or PEM private key); a fresh ed25519 key when neither this nor `hostKeyPems` is
   * given (see generateEd25519KeyPair).
   */
  hostKeyPem?: string;
  /**
   * More host keys, one per type, offered after `hostKeyPem`'s (a real sshd usually has ed25519, ECDSA and
   * RSA keys). The client picks which one the server proves itself with.
   * @example hostKeyPems: [generateEd25519KeyPair().private, ssh2.utils.generateKeyPairSync('rsa', { bits: 2048 }).private]
   */
  hostKeyPems?: string[];
  /** The user the default authenticator accepts; any user when absent. */
  username?: string;
  /** A public key (`ssh-ed25519 AAAA… comment`) the default authenticator accepts. */
  authorizedKey?: string;
  /** More public keys the default authenticator accepts. */
  authorizedKeys?: string[];
  /** The password the default authenticator accepts. */
  password?: string;
  /** Replaces the default authenticator (publickey attempts reach it only with a valid signature or as a query). */
  authenticate?: (attempt: AuthAttempt) => boolean;
  /** Runs each exec request; the default answers exit 127. Throwing ends the command with exit 1. */
  onExec?: (exec: ExecContext) => void | Promise<void>;
  /** 127.0.0.1 ports that `direct-tcpip` (jump host) requests may reach; none when absent. */
  forwardPorts?: number[];
  /** @default 'normal' */
  behaviour?: ServerBehaviour;
}

export interface RunningSshServer {
  port: number;
  /** The (first) host key's public half, as known_hosts writes it. */
  hostKey: { type: string; base64: string };
  /** Every host key's public half, in the order given (`hostKeyPem` first). */
  hostKeys: { type: string; base64: string }[];
  /** TCP connections accepted since start. */
  connections(): number;
  /** TCP connections open right now. */
  openConnections(): number;
  /** Stop listening and drop every client. */
  close(): Promise<void>;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost']);

/**
 * A fresh ed25519 key pair in OpenSSH format (`private`, and `public` as `ssh-ed25519 AAAA…`).
 * ssh2's own `generateKeyPairSync('ed25519')` strips leading zero bytes from the public key, so about one
 * pair in 256 is malformed and `parseKey` rejects it (https://github.com/mscdex/ssh2/issues/1390): draw again
 * until both halves parse.
 * @param passphrase encrypts the private key (aes256-ctr, bcrypt KDF) when given
 */
export function generateEd25519KeyPair(passphrase?: string): { private: string; public: string } {
  for (let attempt = 0; attempt < 16; attempt++) {
    const pair =
      passphrase === undefined
        ? ssh2.utils.generateKeyPairSync('ed25519')
        : ssh2.utils.generateKeyPairSync('ed25519', { passphrase, cipher: 'aes256-ctr', rounds: 16 });
    const usable = !(ssh2.utils.parseKey(pair.public) instanceof Error) && !(ssh2.utils.parseKey(pair.private, passphrase) instanceof Error);
    if (usable) return pair;
  }
  throw new Error('could not generate a usable ed25519 key pair');
}

/** Start a server on 127.0.0.1; resolves once it listens. */
export async function startSshServer(options: SshServerOptions = {}): Promise<RunningSshServer> {
  const given = [...(options.hostKeyPem !== undefined ? [options.hostKeyPem] : []), ...(options.hostKeyPems ?? [])];
  const hostKeyPems = given.length > 0 ? given : [generateEd25519KeyPair().private];
  const hostKeys = hostKeyPems.map((pem) => {
    const parsed = ssh2.utils.parseKey(pem);
    if (parsed instanceof Error) throw new Error(`startSshServer: unusable host key: ${parsed.message}`);
    return { type: parsed.type, base64: parsed.getPublicSSH().toString('base64') };
  });
  // ssh2 keeps the first key of each type and silently drops the others: refuse a list it would not serve whole.
  if (new Set(hostKeys.map((key) => key.type)).size !== hostKeys.length) throw new Error('startSshServer: two host keys of the same type');
  const authenticate = options.authenticate ?? defaultAuthenticator(options);
  const behaviour = options.behaviour ?? 'normal';
  const forwardPorts = new Set(options.forwardPorts ?? []);

  const ssh = new ssh2.Server({ hostKeys: hostKeyPems }, (client) => {
    serveConnection(client, { authenticate, onExec: options.onExec ?? noCommandHandler, forwardPorts });
  });

  const sockets = new Set<Socket>();
  let accepted = 0;
  const tcp = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {}); // a client vanishing is not the server's problem
    if (behaviour === 'never-answer') socket.resume(); // read and drop, never answer
    else if (behaviour === 'hang-up') socket.destroy();
    else ssh.injectSocket(socket);
  });

  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(options.port ?? 0, '127.0.0.1', () => {
      tcp.removeListener('error', reject);
      resolve();
    });
  });
  tcp.on('error', () => {});
  const address = tcp.address();
  if (address === null || typeof address === 'string') throw new Error('startSshServer: no TCP address');

  return {
    port: address.port,
    hostKey: hostKeys[0]!,
    hostKeys,
    connections: () => accepted,
    openConnections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        tcp.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

interface ConnectionHandlers {
  authenticate: (attempt: AuthAttempt) => boolean;
  onExec: (exec: ExecContext) => void | Promise<void>;
  forwardPorts: ReadonlySet<number>;
}

function serveConnection(client: Connection, handlers: ConnectionHandlers): void {
  const running = new Set<AbortController>();
  client.on('error', () => {});
  client.on('close', () => {
    for (const controller of running) controller.abort();
  });
  client.on('authentication', (ctx) => {
    if (isAuthenticated(ctx, handlers.authenticate)) ctx.accept();
    else ctx.reject(['publickey', 'password']);
  });
  client.on('session', (acceptSession) => {
    const session = acceptSession();
    session.on('exec', (acceptExec, _reject, info) => {
      const channel = acceptExec();
      const controller = new AbortController();
      running.add(controller);
      channel.on('close', () => {
        running.delete(controller);
        controller.abort();
      });
      runExec(channel, info.command, controller.signal, handlers.onExec);
    });
  });
  client.on('tcpip', (accept, reject, info) => {
    if (!LOOPBACK_NAMES.has(info.destIP) || !handlers.forwardPorts.has(info.destPort)) {
      reject();
      return;
    }
    const upstream = netConnect({ host: '127.0.0.1', port: info.destPort });
    let channel: ServerChannel | null = null;
    upstream.on('error', () => {
      if (channel) channel.destroy();
      else reject();
    });
    upstream.once('connect', () => {
      const opened = accept() as ServerChannel;
      channel = opened;
      opened.on('error', () => {});
      opened.on('close', () => upstream.destroy());
      upstream.on('close', () => opened.destroy());
      opened.pipe(upstream).pipe(opened);
    });
  });
}

function isAuthenticated(ctx: AuthContext, authenticate: (attempt: AuthAttempt) => boolean): boolean {
  if (ctx.method === 'password') return authenticate({ method: 'password', username: ctx.username, password: ctx.password });
  if (ctx.method !== 'publickey') return false;
  const offered = ssh2.utils.parseKey(ctx.key.data);
  if (offered instanceof Error) return false;
  const signed = ctx.signature !== undefined && ctx.blob !== undefined;
  // The signature over the session data proves the client holds the private key: never skip it.
  if (signed && offered.verify(ctx.blob!, ctx.signature!, ctx.hashAlgo) !== true) return false;
  return authenticate({ method: 'publickey', username: ctx.username, keyType: offered.type, keyBlob: offered.getPublicSSH(), signed });
}

/** Accepts the configured user with one of the authorized keys or the password; nothing else. */
function defaultAuthenticator(options: SshServerOptions): (attempt: AuthAttempt) => boolean {
  const lines = [...(options.authorizedKey !== undefined ? [options.authorizedKey] : []), ...(options.authorizedKeys ?? [])];
  const keys = lines.map((line) => {
    const parsed = ssh2.utils.parseKey(line);
    if (parsed instanceof Error) throw new Error(`startSshServer: unusable authorized key: ${parsed.message}`);
    return parsed.getPublicSSH();
  });
  return (attempt) => {
    if (options.username !== undefined && attempt.username !== options.username) return false;
    if (attempt.method === 'password') return options.password !== undefined && attempt.password === options.password;
    return keys.some((key) => key.equals(attempt.keyBlob));
  };
}

function noCommandHandler(exec: ExecContext): void {
  void exec.writeStderr('demo ssh server: no command handler\n');
  exec.exit(127);
}

function runExec(channel: ServerChannel, command: string, signal: AbortSignal, onExec: (exec: ExecContext) => void | Promise<void>): void {
  channel.on('error', () => {});
  let exited = false;

  const stdin = new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
    channel.on('data', (chunk: Buffer) => chunks.push(chunk));
    channel.once('end', done);
    channel.once('close', done);
  });

  const writer = (target: Writable) => (data: string | Buffer) =>
    new Promise<void>((resolve) => {
      if (exited || signal.aborted) return resolve();
      if (target.write(data)) return resolve();
      const release = () => {
        target.removeListener('drain', release);
        signal.removeEventListener('abort', release);
        resolve();
      };
      target.once('drain', release);
      signal.addEventListener('abort', release, { once: true });
    });

  const exec: ExecContext = {
    command,
    stdin,
    write: writer(channel),
    writeStderr: writer(channel.stderr),
    exit(code) {
      if (exited || signal.aborted) return;
      exited = true;
      channel.exit(code);
      channel.end();
    },
    closeWithoutStatus() {
      if (exited || signal.aborted) return;
      exited = true;
      channel.end();
    },
    signal,
  };

  Promise.resolve()
    .then(() => onExec(exec))
    .catch((error: unknown) => {
      if (exited || signal.aborted) return;
      channel.stderr.write(`demo ssh server: ${error instanceof Error ? error.message : String(error)}\n`);
      exec.exit(1);
    });
}
