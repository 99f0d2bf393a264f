/**
 * The SSH connector (docs/architecture.md, docs/cli.md): one ssh2 connection per host, host keys checked against known_hosts under
 * the run's policy, auth from the inventory (key file, agent, password from the environment), jump hosts
 * through one shared connection per bastion. Every failure is a TransportError with a report kind.
 */
import { TransportError, type Connector, type HostConfig, type HostKeyPolicy, type JumpHostConfig, type Transport } from '../model.js';
import { createBastionPool } from './bastionPool.js';
import { resolveCredentials, type IdentityCache } from './credentials.js';
import { abortError } from './errors.js';
import { createHostKeyVerifier } from './hostKeyVerifier.js';
import { execOverSsh } from './sshExec.js';
import { openSshSession, type SshSession } from './sshSession.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../defaults.js';

export { DEFAULT_CONNECT_TIMEOUT_MS };

export interface SshConnectorOptions {
  /** @default 'strict' */
  hostKeyPolicy?: HostKeyPolicy;
  /** The CLI's `--known-hosts FILE`: used for every host and bastion instead of their `knownHostsFile`. */
  knownHostsOverride?: string;
  /** ssh2's `readyTimeout` (TCP connect, handshake and auth), also the deadline for a jump-host tunnel. @default 10000 */
  connectTimeoutMs?: number;
  /** Warnings for the operator (policy `off`, once; each key added by `accept-new`). */
  warn?: (message: string) => void;
  /** Where `passwordEnv`, `passphraseEnv` and `SSH_AUTH_SOCK` are looked up. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * Create the connector a run uses for all its hosts; `close()` ends bastion connections and any transport
 * still open.
 * @example
 *   const connector = createSshConnector({ hostKeyPolicy: 'accept-new', warn: console.warn });
 *   const deadline = startDeadline(60_000, stop.signal); // a held timer: AbortSignal.timeout can be lost to the GC
 *   const transport = await connector.connect(host, { signal: deadline.signal });
 *   try { await transport.exec(script, { maxBytes: 64 << 20 }); } finally { transport.close(); deadline.clear(); }
 */
export function createSshConnector(options: SshConnectorOptions = {}): Connector {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const env = options.env ?? process.env;
  const verifier = createHostKeyVerifier({ policy: options.hostKeyPolicy ?? 'strict', warn: options.warn ?? (() => {}) });
  const knownHostsFor = (configured: string) => options.knownHostsOverride ?? configured;
  // --known-hosts names the one file to trust: the others a host would also read are left out with it.
  const alsoReadFor = (configured: string[] | undefined) => (options.knownHostsOverride ? [] : (configured ?? []));
  const openSessions = new Set<SshSession>();
  const identities: IdentityCache = new Map();
  let closed = false;

  const bastions = createBastionPool({
    tunnelTimeoutMs: connectTimeoutMs,
    async openSession(jump: JumpHostConfig) {
      const label = `jump host ${jump.name}`;
      const credentials = await resolveCredentials(jump, env, label, identities);
      // A jump host behind another is reached through that one's shared connection, each hop verified on its own.
      const sock = jump.jump ? await bastions.tunnel(jump.jump, jump.address, jump.port) : undefined;
      return openSshSession({
        label,
        address: jump.address,
        port: jump.port,
        user: jump.user,
        knownHostsFile: knownHostsFor(jump.knownHostsFile),
        readKnownHostsFiles: alsoReadFor(jump.readKnownHostsFiles),
        credentials,
        readyTimeoutMs: connectTimeoutMs,
        verifier,
        ...(sock ? { sock } : {}),
      });
    },
  });

  async function connect(host: HostConfig, { signal }: { signal?: AbortSignal }): Promise<Transport> {
    if (closed) throw new TransportError('cancelled', `cannot connect to ${host.name}: the connector is closed`);
    if (signal?.aborted) throw abortError(signal, `connecting to ${host.name}`);
    const credentials = await resolveCredentials(host, env, host.name, identities);
    const sock = host.jump ? await bastions.tunnel(host.jump, host.address, host.port, signal) : undefined;
    const session = await openSshSession({
      label: host.name,
      address: host.address,
      port: host.port,
      user: host.user,
      knownHostsFile: knownHostsFor(host.knownHostsFile),
      readKnownHostsFiles: alsoReadFor(host.readKnownHostsFiles),
      credentials,
      readyTimeoutMs: connectTimeoutMs,
      verifier,
      ...(sock ? { sock } : {}),
      ...(signal ? { signal } : {}),
    });
    openSessions.add(session);
    void session.closed.then(() => openSessions.delete(session));
    return sshTransport(session);
  }

  async function close(): Promise<void> {
    closed = true;
    const sessions = [...openSessions];
    for (const session of sessions) session.shutdown();
    await Promise.all([bastions.close(), ...sessions.map((session) => session.closed)]);
  }

  return { connect, close };
}

function sshTransport(session: SshSession): Transport {
  let closed = false;
  return {
    exec(script, execOptions) {
      if (closed) return Promise.reject(new TransportError('internal', 'exec on a closed transport'));
      return execOverSsh(session, script, execOptions);
    },
    close() {
      if (closed) return;
      closed = true;
      session.shutdown();
    },
  };
}
