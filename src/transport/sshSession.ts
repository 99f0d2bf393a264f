/**
 * One authenticated ssh2 connection, opened with the house hygiene (STYLE "SSH hygiene"): an `'error'`
 * listener for the connection's whole life, a ready timeout, host keys verified against known_hosts (the
 * host's known key types asked for first, as OpenSSH does), and a shutdown that really lets go of the socket.
 * Failures come out as TransportErrors with a report kind.
 */
import { createRequire } from 'node:module';
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { Client, ConnectConfig } from 'ssh2';
import { TransportError, type HostKeyPolicy } from '../model.js';
import type { SshCredentials } from './credentials.js';
import { abortError, kindOfSsh2Error, messageOf } from './errors.js';
import type { HostKeyTarget, HostKeyVerifier } from './hostKeyVerifier.js';
import { preferKnownHostKeyAlgorithms } from './knownHosts.js';

/** How long a closing connection may wait for the server to hang up before its socket is destroyed. */
const SHUTDOWN_GRACE_MS = 1_000;

/**
 * ssh2's own default host key algorithms, in its order of preference (it leaves out `ssh-ed25519` when Node's
 * crypto lacks it). ssh2 exposes no public export for them, only `lib/protocol/constants`; we reorder that
 * list rather than keep a copy that could drift from the installed ssh2. Null if that module ever moves:
 * then ssh2's defaults apply unchanged, and a host pinned only by a key of a less preferred type is refused
 * as changed (safe, and test/unit/transport/hostKeyVerifier.test.ts pins that the list loads).
 */
export const SSH2_DEFAULT_HOST_KEY_ALGORITHMS: readonly string[] | null = loadSsh2DefaultHostKeyAlgorithms();

function loadSsh2DefaultHostKeyAlgorithms(): readonly string[] | null {
  try {
    const constants = createRequire(import.meta.url)('ssh2/lib/protocol/constants') as { DEFAULT_SERVER_HOST_KEY?: unknown };
    const list = constants.DEFAULT_SERVER_HOST_KEY;
    if (Array.isArray(list) && list.length > 0 && list.every((item) => typeof item === 'string')) return Object.freeze([...list]);
  } catch {
    // fall through: no reordering
  }
  return null;
}

export interface SshSessionTarget {
  /** How host key messages name the host, e.g. `hv01` or `jump host bastion`. */
  label: string;
  address: string;
  port: number;
  user: string;
  knownHostsFile: string;
  /** known_hosts files also checked, never written. */
  readKnownHostsFiles?: readonly string[];
  /** This host's host key policy; the verifier's own when absent. */
  hostKeyPolicy?: HostKeyPolicy;
  /** Where `hostKeyPolicy` came from (see HostKeyTarget.policyFrom). @default 'operator' */
  hostKeyPolicyFrom?: 'operator' | 'ssh_config';
  /** `accept-new` writes the host's name hashed (ssh_config HashKnownHosts). @default false */
  hashKnownHosts?: boolean;
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
    // Our own socket (not ssh2's), so shutdown can destroy it even after ssh2 has half-closed it. A new TCP
    // connection is only made once the host key algorithms are known (below); a tunnel is already open.
    let sock: Duplex | null = null;
    const useSocket = (stream: Duplex) => {
      sock = stream;
      stream.on('error', () => {}); // ssh2 reports socket errors through the client's 'error' event
    };
    if (target.sock) useSocket(target.sock);
    let hostKeyRefusal: string | null = null;
    let settled = false;

    let markClosed!: () => void;
    const closed = new Promise<void>((done) => (markClosed = done));
    let shutdownTimer: NodeJS.Timeout | undefined;
    client.on('close', () => {
      clearTimeout(shutdownTimer);
      sock?.destroy();
      markClosed();
    });
    const shutdown = () => {
      if (shutdownTimer) return;
      client.end();
      shutdownTimer = setTimeout(() => sock?.destroy(), SHUTDOWN_GRACE_MS);
      shutdownTimer.unref();
    };

    const fail = (error: TransportError) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      shutdown();
      sock?.destroy(); // nothing useful can still arrive on a connection that failed to open
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

    const start = (serverHostKey: string[] | null) => {
      if (settled) return; // aborted while known_hosts was read
      if (target.sock?.destroyed) {
        fail(new TransportError('unreachable', `the tunnel to ${describeTarget(target)} closed before the SSH handshake`));
        return;
      }
      if (!sock) useSocket(netConnect({ host: target.address, port: target.port }));
      const config: ConnectConfig = {
        sock: sock as ConnectConfig['sock'],
        username: target.user,
        readyTimeout: target.readyTimeoutMs,
        hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
          target.verifier.verify(hostKeyTarget(target), key).then(
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
      // An exact list, not ssh2's `prepend` (which skips algorithms already in the list, so cannot reorder).
      if (serverHostKey) config.algorithms = { serverHostKey: serverHostKey as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] };
      const { privateKey, passphrase, agent, password } = target.credentials;
      if (privateKey) config.privateKey = privateKey;
      if (passphrase !== undefined) config.passphrase = passphrase;
      if (agent) config.agent = agent;
      if (password !== undefined) config.password = password;
      const authOrder = authHandlerFor(target);
      if (authOrder) config.authHandler = authOrder;

      try {
        client.connect(config);
      } catch (error) {
        // Only configuration problems throw here (the key was already checked); never echo the config.
        fail(new TransportError('internal', `cannot start the SSH connection to ${describeTarget(target)}: ${messageOf(error)}`));
      }
    };
    hostKeyAlgorithms(target)
      .then(start, () => start(null))
      // Whatever `start` throws (a bad port makes netConnect throw) must still settle this promise.
      .catch((error: unknown) => fail(new TransportError('internal', `cannot connect to ${describeTarget(target)}: ${messageOf(error)}`)));
  });
}

function hostKeyTarget(target: SshSessionTarget): HostKeyTarget {
  return {
    file: target.knownHostsFile,
    alsoRead: target.readKnownHostsFiles ?? [],
    address: target.address,
    port: target.port,
    label: target.label,
    policy: target.hostKeyPolicy,
    policyFrom: target.hostKeyPolicyFrom,
    hashNames: target.hashKnownHosts,
  };
}

/**
 * The host key algorithms to offer: ssh2's defaults with the types known_hosts holds for this host first
 * (OpenSSH's HostKeyAlgorithms ordering), so a host pinned by its RSA key is asked for RSA even if it prefers
 * ed25519. Null (ssh2's defaults) when nothing is known about the host.
 */
async function hostKeyAlgorithms(target: SshSessionTarget): Promise<string[] | null> {
  if (!SSH2_DEFAULT_HOST_KEY_ALGORITHMS) return null;
  const known = await target.verifier.knownKeyTypes(hostKeyTarget(target));
  return known.length > 0 ? preferKnownHostKeyAlgorithms(SSH2_DEFAULT_HOST_KEY_ALGORITHMS, known) : null;
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

/**
 * With several keys to offer (OpenSSH's default key files), the order ssh2 tries methods in: as OpenSSH, the
 * agent, then each key, then the password. ssh2's own order, used otherwise, offers only one key.
 */
function authHandlerFor(target: SshSessionTarget): NonNullable<ConnectConfig['authHandler']> | undefined {
  const { privateKey, passphrase, morePrivateKeys, agent, password } = target.credentials;
  if (!privateKey || !morePrivateKeys?.length) return undefined;
  const username = target.user;
  const keys = [{ key: privateKey, passphrase }, ...morePrivateKeys].map(({ key, passphrase: phrase }) => ({
    type: 'publickey' as const,
    username,
    key,
    ...(phrase !== undefined ? { passphrase: phrase } : {}),
  }));
  return [
    ...(agent ? [{ type: 'agent' as const, username, agent }] : []),
    ...keys,
    ...(password !== undefined ? [{ type: 'password' as const, username, password }] : []),
  ] as NonNullable<ConnectConfig['authHandler']>;
}
