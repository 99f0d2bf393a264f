/**
 * The connector an inventory run uses (docs/inventory.md `transport`, `sshConfig`): each host through the SSH
 * client it names, or the run's `--transport`. ssh2 hosts get ssh_config laid over them first (OpenSSH's
 * client reads it itself); settings the operator gave on the command line win over ssh_config's.
 */
import { TransportError, type Connector, type HostConfig, type HostKeyPolicy, type JumpHostConfig, type TransportName } from '../model.js';
import type { SshConfigResolver } from '../sshconfig/resolver.js';
import { createOpenSshConnector } from './openssh.js';
import { createSshConnector } from './ssh.js';

export interface FleetConnectorOptions {
  /** `--transport`: every host through this client, whatever the inventory says; null: each host's own. */
  transport: TransportName | null;
  /** `--host-key-policy`; null: each host's ssh_config StrictHostKeyChecking, else strict. */
  hostKeyPolicy: HostKeyPolicy | null;
  /** `--connect-timeout`; null: each host's ssh_config ConnectTimeout, else `defaultConnectTimeoutMs`. */
  connectTimeoutMs: number | null;
  defaultConnectTimeoutMs: number;
  /** `--known-hosts FILE`: the only file trusted, for every host and hop. */
  knownHostsOverride: string | null;
  resolver: SshConfigResolver;
  warn: (message: string) => void;
}

export function createFleetConnector(options: FleetConnectorOptions): Connector {
  const givenPolicy = options.hostKeyPolicy ?? undefined;
  const knownHostsOverride = options.knownHostsOverride ?? undefined;
  const ssh2 = createSshConnector({
    ...(givenPolicy ? { hostKeyPolicy: givenPolicy } : {}),
    ...(knownHostsOverride ? { knownHostsOverride } : {}),
    connectTimeoutMs: options.connectTimeoutMs ?? options.defaultConnectTimeoutMs,
    warn: options.warn,
  });
  // Made on first use: most runs never start OpenSSH's client.
  let openssh: Connector | null = null;
  const opensshConnector = () =>
    (openssh ??= createOpenSshConnector({
      ...(givenPolicy ? { hostKeyPolicy: givenPolicy } : {}),
      ...(knownHostsOverride ? { knownHostsOverride } : {}),
      ...(options.connectTimeoutMs !== null ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    }));

  return {
    async connect(host, { signal }) {
      if (host.unusable !== undefined) throw new TransportError('config', `${host.name}: ${host.unusable}`);
      const transport = options.transport ?? host.transport ?? 'ssh2';
      if (transport === 'openssh') return opensshConnector().connect(host, signal ? { signal } : {});
      const { host: resolved } = await options.resolver.resolve(host, signal);
      return ssh2.connect(options.connectTimeoutMs === null ? resolved : withoutConfiguredTimeout(resolved), signal ? { signal } : {});
    },
    async close() {
      await Promise.all([ssh2.close(), openssh?.close()]);
    },
  };
}

/** `--connect-timeout` was given: it wins over ssh_config's ConnectTimeout, for the host and every hop in front of it. */
function withoutConfiguredTimeout<T extends HostConfig | JumpHostConfig>(connection: T): T {
  const jump = connection.jump ? withoutConfiguredTimeout(connection.jump) : connection.jump;
  const { connectTimeoutMs: _dropped, ...extras } = connection.fromSshConfig ?? {};
  return { ...connection, jump, ...(connection.fromSshConfig ? { fromSshConfig: extras } : {}) };
}
