/**
 * The SSH connector (docs/architecture.md, docs/cli.md): one ssh2 connection per host, host keys checked against known_hosts under
 * the run's policy (or, when the run names none, the host's ssh_config one), auth from the inventory (key file, agent,
 * password from the environment), jump hosts through one shared connection per bastion. What ssh_config adds for a
 * host (`fromSshConfig`) applies to jump hosts alike. Every failure is a TransportError with a report kind.
 */
import { TransportError, type Connector, type HostConfig, type HostKeyPolicy, type JumpHostConfig, type Transport } from '../model.js';
import { createBastionPool } from './bastionPool.js';
import { resolveCredentials, type IdentityCache } from './credentials.js';
import { abortError } from './errors.js';
import { createHostKeyVerifier } from './hostKeyVerifier.js';
import { execOverSsh } from './sshExec.js';
import { openSshSession, type SshSession, type SshSessionTarget } from './sshSession.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../defaults.js';

export { DEFAULT_CONNECT_TIMEOUT_MS };

export interface SshConnectorOptions {
  /**
   * The run's `--host-key-policy`: when given, it is every host's and jump host's policy. When absent, each uses its
   * ssh_config's StrictHostKeyChecking (`fromSshConfig.hostKeyPolicy`), else `strict`.
   * @default undefined (per host, `strict` when ssh_config says nothing)
   */
  hostKeyPolicy?: HostKeyPolicy;
  /** The CLI's `--known-hosts FILE`: used for every host and bastion instead of their `knownHostsFile`. */
  knownHostsOverride?: string;
  /**
   * ssh2's `readyTimeout` (TCP connect, handshake and auth), also the deadline for a jump host to open the tunnel to
   * the host behind it. A host's or jump host's ssh_config ConnectTimeout (`fromSshConfig.connectTimeoutMs`) replaces
   * it for that one. @default 10000
   */
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
  // Every session names its own policy (see sessionSettings); the verifier's default is never used.
  const verifier = createHostKeyVerifier({ warn: options.warn ?? (() => {}) });
  const knownHostsFor = (configured: string) => options.knownHostsOverride ?? configured;
  // --known-hosts names the one file to trust: the others a host would also read are left out with it.
  const alsoReadFor = (configured: string[] | undefined) => (options.knownHostsOverride ? [] : (configured ?? []));
  /** What ssh_config decides for one host's or jump host's session, the run's options applied. */
  const sessionSettings = (
    connection: HostConfig | JumpHostConfig,
  ): Pick<SshSessionTarget, 'hostKeyPolicy' | 'hostKeyPolicyFrom' | 'hashKnownHosts' | 'readyTimeoutMs'> => {
    const extras = connection.fromSshConfig;
    const fromConfig = options.hostKeyPolicy === undefined ? extras?.hostKeyPolicy : undefined;
    return {
      hostKeyPolicy: options.hostKeyPolicy ?? fromConfig ?? 'strict',
      hostKeyPolicyFrom: fromConfig ? 'ssh_config' : 'operator',
      hashKnownHosts: extras?.hashKnownHosts === true,
      readyTimeoutMs: extras?.connectTimeoutMs ?? connectTimeoutMs,
    };
  };
  const openSessions = new Set<SshSession>();
  const identities: IdentityCache = new Map();
  let closed = false;

  const bastions = createBastionPool({
    tunnelTimeoutMs: connectTimeoutMs,
    async openSession(jump: JumpHostConfig) {
      const label = `jump host ${jump.name}`;
      refuseProxyCommand(jump, label);
      const settings = sessionSettings(jump);
      const credentials = await resolveCredentials(jump, env, label, identities);
      // A jump host behind another is reached through that one's shared connection, each hop verified on its own.
      const sock = jump.jump ? await bastions.tunnel(jump.jump, jump.address, jump.port, undefined, settings.readyTimeoutMs) : undefined;
      return openSshSession({
        label,
        address: jump.address,
        port: jump.port,
        user: jump.user,
        knownHostsFile: knownHostsFor(jump.knownHostsFile),
        readKnownHostsFiles: alsoReadFor(jump.readKnownHostsFiles),
        credentials,
        ...settings,
        verifier,
        ...(sock ? { sock } : {}),
      });
    },
  });

  async function connect(host: HostConfig, { signal }: { signal?: AbortSignal }): Promise<Transport> {
    if (closed) throw new TransportError('cancelled', `cannot connect to ${host.name}: the connector is closed`);
    if (signal?.aborted) throw abortError(signal, `connecting to ${host.name}`);
    refuseProxyCommand(host, host.name);
    const settings = sessionSettings(host);
    const credentials = await resolveCredentials(host, env, host.name, identities);
    const sock = host.jump ? await bastions.tunnel(host.jump, host.address, host.port, signal, settings.readyTimeoutMs) : undefined;
    const session = await openSshSession({
      label: host.name,
      address: host.address,
      port: host.port,
      user: host.user,
      knownHostsFile: knownHostsFor(host.knownHostsFile),
      readKnownHostsFiles: alsoReadFor(host.readKnownHostsFiles),
      credentials,
      ...settings,
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

/**
 * ssh2 cannot run a ProxyCommand: connecting directly instead would reach another path, or another host, than the
 * operator's ssh does. Nor does it look keys up under a HostKeyAlias: it would refuse a pinned host as unknown, or
 * pin it a second time under its address.
 * @throws TransportError kind `config`
 */
function refuseProxyCommand(connection: HostConfig | JumpHostConfig, who: string): void {
  if (connection.fromSshConfig?.proxyCommand) {
    throw new TransportError('config', `${who}: ssh_config gives a ProxyCommand, which only transport: openssh can run`);
  }
  if (connection.fromSshConfig?.hostKeyAlias) {
    throw new TransportError('config', `${who}: ssh_config gives a HostKeyAlias, which only transport: openssh honours`);
  }
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
