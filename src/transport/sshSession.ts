/**
 * One authenticated ssh2 connection, opened with the house hygiene (STYLE "SSH hygiene"): an `'error'`
 * listener for the connection's whole life, a ready timeout, host keys verified against known_hosts, and a
 * shutdown that really lets go of the socket. Failures come out as TransportErrors with a report kind.
 */
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { Client, ConnectConfig } from 'ssh2';
import { TransportError } from '../model.js';
import type { SshCredentials } from './credentials.js';
import { abortError, kindOfSsh2Error, messageOf } from './errors.js';
import type { HostKeyVerifier } from './hostKeyVerifier.js';

/** How long a closing connection may wait for the server to hang up before its socket is destroyed. */
const SHUTDOWN_GRACE_MS = 1_000;

export interface SshSessionTarget {
  /** How host key messages name the host, e.g. `hv01` or `jump host bastion`. */
  label: string;
  address: string;
  port: number;
  user: string;
  knownHostsFile: string;
  credentials: SshCredentials;
  /** ssh2's `readyTimeout`: TCP connect + handshake + auth. */
  readyTimeoutMs: number;
  verifier: HostKeyVerifier;
  /** A stream to speak SSH over instead of a new TCP connection (a tunnel through a jump host). */
  sock?: Duplex;
  signal?: AbortSignal;
}

/** An open connection and the one way to end it. */
export interface SshSession {
  client: Client;
  /** End the connection (idempotent): a polite disconnect, then the socket is destroyed if the server lingers. */
  shutdown(): void;
  /** Resolves once the connection has closed, whoever closed it. */
  readonly closed: Promise<void>;
}

/** `user@address:port`, the way error messages name a connection. */
export function describeTarget(target: Pick<SshSessionTarget, 'user' | 'address' | 'port'>): string {
  return `${target.user}@${target.address}:${target.port}`;
}

/**
 * Connect, verify the host key, authenticate.
 * @throws TransportError `hostkey` | `auth` | `timeout` | `unreachable` | `cancelled` | `internal`
 */
export function openSshSession(target: SshSessionTarget): Promise<SshSession> {
  const { signal } = target;
  if (signal?.aborted) return Promise.reject(abortError(signal, `connecting to ${describeTarget(target)}`));

  return new Promise<SshSession>((resolve, reject) => {
    const client = new ssh2.Client();
    // Our own socket (not ssh2's), so shutdown can destroy it even after ssh2 has half-closed it.
    const sock: Duplex = target.sock ?? netConnect({ host: target.address, port: target.port });
    sock.on('error', () => {}); // ssh2 reports socket errors through the client's 'error' event
    let hostKeyRefusal: string | null = null;
    let settled = false;

    let markClosed!: () => void;
    const closed = new Promise<void>((done) => (markClosed = done));
    let shutdownTimer: NodeJS.Timeout | undefined;
    client.on('close', () => {
      clearTimeout(shutdownTimer);
      sock.destroy();
      markClosed();
    });
    const shutdown = () => {
      if (shutdownTimer) return;
      client.end();
      shutdownTimer = setTimeout(() => sock.destroy(), SHUTDOWN_GRACE_MS);
      shutdownTimer.unref();
    };

    const fail = (error: TransportError) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      shutdown();
      sock.destroy(); // nothing useful can still arrive on a connection that failed to open
      reject(error);
    };
    const onAbort = () => fail(abortError(signal!, `connecting to ${describeTarget(target)}`));
    signal?.addEventListener('abort', onAbort, { once: true });

    // `on`, not `once`: ssh2 can emit several errors, and an unheard one would crash the process.
    client.on('error', (error) => {
      fail(hostKeyRefusal !== null ? new TransportError('hostkey', hostKeyRefusal) : connectError(error, target));
    });
    client.on('close', () => {
      fail(
        hostKeyRefusal !== null
          ? new TransportError('hostkey', hostKeyRefusal)
          : new TransportError('unreachable', `${describeTarget(target)} closed the connection before the SSH session was ready`),
      );
    });
    client.on('ready', () => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      resolve({ client, shutdown, closed });
    });

    const config: ConnectConfig = {
      sock: sock as ConnectConfig['sock'],
      username: target.user,
      readyTimeout: target.readyTimeoutMs,
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
        const hostKeyTarget = { file: target.knownHostsFile, address: target.address, port: target.port, label: target.label };
        target.verifier.verify(hostKeyTarget, key).then(
          (decision) => {
            if (!decision.accepted) hostKeyRefusal = decision.message;
            verify(decision.accepted);
          },
          (error: unknown) => {
            hostKeyRefusal = `cannot verify the host key of ${target.label}: ${messageOf(error)}`;
            verify(false);
          },
        );
      },
    };
    const { privateKey, passphrase, agent, password } = target.credentials;
    if (privateKey) config.privateKey = privateKey;
    if (passphrase !== undefined) config.passphrase = passphrase;
    if (agent) config.agent = agent;
    if (password !== undefined) config.password = password;

    try {
      client.connect(config);
    } catch (error) {
      // Only configuration problems throw here (the key was already checked); never echo the config.
      fail(new TransportError('internal', `cannot start the SSH connection to ${describeTarget(target)}: ${messageOf(error)}`));
    }
  });
}

/** The TransportError for an error ssh2 emitted before the session was ready. */
function connectError(error: unknown, target: SshSessionTarget): TransportError {
  const kind = kindOfSsh2Error(error);
  const where = describeTarget(target);
  switch (kind) {
    case 'auth': {
      const tried = target.credentials.methods.length > 0 ? target.credentials.methods.join(', ') : 'no method configured';
      const skipped = target.credentials.skipped.length > 0 ? `; not tried: ${target.credentials.skipped.join('; ')}` : '';
      return new TransportError('auth', `authentication failed for ${where} (tried ${tried}${skipped}): ${messageOf(error)}`);
    }
    case 'timeout':
      return new TransportError('timeout', `no SSH session with ${where} within ${target.readyTimeoutMs} ms: ${messageOf(error)}`);
    default:
      return new TransportError(kind, `cannot connect to ${where}: ${messageOf(error)}`);
  }
}
