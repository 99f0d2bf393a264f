/**
 * Laying ssh_config's settings over a host's connection for the ssh2 transport (docs/inventory.md, "ssh_config"):
 * a key the inventory names at any level wins; what ssh_config set comes next; what neither says keeps the
 * inventory's defaults, which are OpenSSH's own. Pure: the settings come from resolver.ts.
 */
import { CONNECTION_KEYS, type ConnectionKey, type HostKeyPolicy, type JumpHostConfig, type SshConfigExtras } from '../model.js';
import { expandSshPath, fileList, type SshSettings } from './settings.js';

/** What the paths' `~` and tokens expand with, and where `IdentityAgent $VAR` is read. */
export interface ApplyContext {
  homeDir: string;
  localUser: string;
  env: NodeJS.ProcessEnv;
}

/** The connection fields ssh_config can set, named as the report and `ssh-settings` name them. */
export type ConfigurableField =
  | 'address'
  | 'user'
  | 'port'
  | 'identityFiles'
  | 'agent'
  | 'knownHostsFile'
  | 'jump'
  | 'hostKeyPolicy'
  | 'hashKnownHosts'
  | 'connectTimeout'
  | 'proxyCommand'
  | 'hostKeyAlias';

/** Each field's ssh_config directive, and the inventory key that wins over it when there is one (ssh-settings names both). */
export const FIELD_SOURCES: Readonly<Record<ConfigurableField, { directive: string; inventoryKey: ConnectionKey | null }>> = {
  address: { directive: 'HostName', inventoryKey: null },
  user: { directive: 'User', inventoryKey: 'user' },
  port: { directive: 'Port', inventoryKey: 'port' },
  identityFiles: { directive: 'IdentityFile', inventoryKey: 'identityFile' },
  agent: { directive: 'IdentityAgent/IdentitiesOnly', inventoryKey: 'agent' },
  knownHostsFile: { directive: 'UserKnownHostsFile/GlobalKnownHostsFile', inventoryKey: 'knownHostsFile' },
  jump: { directive: 'ProxyJump', inventoryKey: 'jump' },
  hostKeyPolicy: { directive: 'StrictHostKeyChecking', inventoryKey: null },
  hashKnownHosts: { directive: 'HashKnownHosts', inventoryKey: null },
  connectTimeout: { directive: 'ConnectTimeout', inventoryKey: null },
  proxyCommand: { directive: 'ProxyCommand', inventoryKey: 'jump' },
  hostKeyAlias: { directive: 'HostKeyAlias', inventoryKey: null },
};

/** The connection fields both hosts and jump hosts have. */
type Connection = Omit<JumpHostConfig, 'name'> & { name: string };

/**
 * StrictHostKeyChecking → the three policies. `ssh -G` prints `yes` as `true` and `no`/`off` as `false`; the
 * library (no ssh binary) gives the words as written. `ask` cannot ask in a batch run: it refuses, as `yes` does.
 */
const POLICY_BY_STRICT_HOST_KEY_CHECKING: Readonly<Record<string, HostKeyPolicy>> = {
  true: 'strict',
  yes: 'strict',
  ask: 'strict',
  'accept-new': 'accept-new',
  false: 'off',
  no: 'off',
  off: 'off',
};

/**
 * The connection with ssh_config applied, and which fields ssh_config set.
 * @param configured the keys of `settings` the configuration set (settings.ts configuredKeys); for a ProxyJump hop,
 *   which no inventory describes, every key.
 * @param jump the chain ProxyJump names, already resolved; undefined when ssh_config names none.
 */
export function applySshSettings<T extends Connection>(
  connection: T,
  settings: SshSettings,
  configured: ReadonlySet<string>,
  context: ApplyContext,
  jump: JumpHostConfig | null | undefined,
): { connection: T; fromConfig: Set<ConfigurableField> } {
  const named = new Set<ConnectionKey>(connection.namedKeys ?? CONNECTION_KEYS);
  const fromConfig = new Set<ConfigurableField>();
  const first = (key: string): string | undefined => settings.get(key)?.[0];
  /** A value ssh_config set for `key`, when the inventory does not name `field`'s key. */
  const take = (key: string, inventoryKey: ConnectionKey | null): string | undefined =>
    configured.has(key) && (inventoryKey === null || !named.has(inventoryKey)) ? first(key) : undefined;

  const next: T = { ...connection };
  const hostname = take('hostname', null);
  if (hostname !== undefined) {
    next.address = hostname;
    fromConfig.add('address');
  }
  const user = take('user', 'user');
  if (user !== undefined) {
    next.user = user;
    fromConfig.add('user');
  }
  const port = Number(take('port', 'port'));
  if (Number.isInteger(port) && port >= 1 && port <= 65535) {
    next.port = port;
    fromConfig.add('port');
  }
  const tokens = { home: context.homeDir, localUser: context.localUser, host: next.address, user: next.user, port: next.port };
  const path = (value: string) => expandSshPath(value, tokens);

  if (configured.has('identityfile') && !named.has('identityFile')) {
    // Every IdentityFile, tried in order; those that do not exist are skipped, as OpenSSH does.
    next.identityFile = null;
    next.defaultIdentityFiles = (settings.get('identityfile') ?? []).map(path);
    fromConfig.add('identityFiles');
  }
  const extras: SshConfigExtras = { ...connection.fromSshConfig };
  if (!named.has('agent')) {
    const agent = take('identityagent', null);
    if (agent !== undefined && agent.toLowerCase() === 'none') {
      next.agent = false;
      fromConfig.add('agent');
    } else if (agent !== undefined && agent !== 'SSH_AUTH_SOCK') {
      // `$NAME` is the socket an environment variable names (ssh_config(5)); unset, there is no agent.
      const socket = agent.startsWith('$') ? context.env[agent.slice(1)] : path(agent);
      next.agent = Boolean(socket);
      if (socket) extras.agentSocket = socket;
      fromConfig.add('agent');
    } else if (take('identitiesonly', null) === 'yes' && configured.has('identityfile')) {
      // IdentitiesOnly: only the configured files. ssh2 would offer every key the agent holds, so the agent stays out.
      next.agent = false;
      fromConfig.add('agent');
    }
  }
  if (!named.has('knownHostsFile') && (configured.has('userknownhostsfile') || configured.has('globalknownhostsfile'))) {
    // The first user file is the one written to; the rest, and the global ones, are only read (ssh_config(5)).
    const [written, ...alsoUser] = fileList(settings.get('userknownhostsfile')).map(path);
    // `UserKnownHostsFile none`: no file of the user's is read, and accept-new has nowhere to keep a key.
    next.knownHostsFile = written ?? '/dev/null';
    next.readKnownHostsFiles = [...alsoUser, ...fileList(settings.get('globalknownhostsfile')).map(path)];
    fromConfig.add('knownHostsFile');
  }
  if (jump !== undefined && !named.has('jump')) {
    next.jump = jump;
    fromConfig.add('jump');
  }
  const strict = take('stricthostkeychecking', null);
  const policy = strict === undefined ? undefined : POLICY_BY_STRICT_HOST_KEY_CHECKING[strict.toLowerCase()];
  if (policy !== undefined) {
    extras.hostKeyPolicy = policy;
    fromConfig.add('hostKeyPolicy');
  }
  if (take('hashknownhosts', null) === 'yes') {
    extras.hashKnownHosts = true;
    fromConfig.add('hashKnownHosts');
  }
  const timeout = Number(take('connecttimeout', null));
  if (Number.isInteger(timeout) && timeout > 0) {
    extras.connectTimeoutMs = timeout * 1000;
    fromConfig.add('connectTimeout');
  }
  // An inventory `jump:` (even `jump: null`, "directly") says how the host is reached: ssh_config's ProxyCommand with it.
  const proxyCommand = take('proxycommand', 'jump');
  if (proxyCommand !== undefined && proxyCommand.toLowerCase() !== 'none' && !fromConfig.has('jump')) {
    extras.proxyCommand = proxyCommand;
    fromConfig.add('proxyCommand');
  }
  const alias = take('hostkeyalias', null);
  if (alias !== undefined) {
    extras.hostKeyAlias = alias;
    fromConfig.add('hostKeyAlias');
  }
  if (Object.keys(extras).length > 0) next.fromSshConfig = extras;
  return { connection: next, fromConfig };
}
