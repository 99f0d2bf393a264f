/**
 * What a host will be connected with and where each value came from (`kvm-netaudit ssh-settings`, and the header
 * of `show-probe --host`): the inventory, ssh_config, the command line, or a default. Pure: rows as data, and
 * their text.
 */
import { CONNECTION_KEYS, type ConnectionKey, type HostConfig, type HostKeyPolicy, type JumpHostConfig, type TransportName } from '../model.js';
import { FIELD_SOURCES, type ConfigurableField } from './apply.js';
import type { ResolvedHost } from './resolver.js';

export interface SettingRow {
  setting: string;
  value: string;
  /** `inventory`, `ssh_config (Directive)`, `--flag`, or `default (…)`. */
  source: string;
}

/** What the command line said, when it said it. */
export interface RunOverrides {
  transport: TransportName | null;
  hostKeyPolicy: HostKeyPolicy | null;
  connectTimeoutMs: number | null;
  knownHosts: string | null;
  defaultConnectTimeoutMs: number;
}

export function settingRows(original: HostConfig, resolved: ResolvedHost, run: RunOverrides): SettingRow[] {
  const host = resolved.host;
  const named = new Set<ConnectionKey>(original.namedKeys ?? CONNECTION_KEYS);
  const source = (field: ConfigurableField, fallback: string): string => {
    const { directive, inventoryKey } = FIELD_SOURCES[field];
    if (resolved.fromConfig.has(field)) return `ssh_config (${directive})`;
    return inventoryKey !== null && named.has(inventoryKey) ? 'inventory' : fallback;
  };
  const transport = run.transport ?? host.transport ?? 'ssh2';
  const extras = host.fromSshConfig ?? {};
  const keys = host.identityFile !== null ? [host.identityFile] : (host.defaultIdentityFiles ?? []);
  const rows: SettingRow[] = [
    { setting: 'transport', value: transport, source: run.transport ? '--transport' : host.transport === 'openssh' ? 'inventory' : 'default' },
    { setting: 'ssh_config', value: sshConfigValue(original, resolved), source: original.sshConfig?.kind === 'default' ? 'default' : 'inventory' },
    { setting: 'address', value: host.address, source: resolved.fromConfig.has('address') ? `ssh_config (HostName, for ${original.address})` : 'inventory' },
    { setting: 'user', value: host.user, source: source('user', 'default (the local user)') },
    { setting: 'port', value: String(host.port), source: source('port', 'default') },
    { setting: 'key files', value: keys.join(', ') || 'none', source: source('identityFiles', "default (OpenSSH's, those that exist)") },
    { setting: 'agent', value: host.agent ? (extras.agentSocket ?? 'SSH_AUTH_SOCK') : 'no', source: source('agent', 'default (when SSH_AUTH_SOCK is set)') },
    { setting: 'password', value: host.passwordEnv ? `from $${host.passwordEnv}` : 'no', source: named.has('passwordEnv') ? 'inventory' : 'default' },
    {
      setting: 'known_hosts',
      value: run.knownHosts ?? host.knownHostsFile,
      source: run.knownHosts ? '--known-hosts' : source('knownHostsFile', 'default'),
    },
    {
      setting: 'also read',
      value: run.knownHosts ? 'none' : (host.readKnownHostsFiles ?? []).join(', ') || 'none',
      source: run.knownHosts ? '--known-hosts' : source('knownHostsFile', 'default'),
    },
    {
      setting: 'host key policy',
      value: run.hostKeyPolicy ?? extras.hostKeyPolicy ?? 'strict',
      source: run.hostKeyPolicy ? '--host-key-policy' : source('hostKeyPolicy', 'default'),
    },
    { setting: 'hash known_hosts', value: extras.hashKnownHosts ? 'yes' : 'no', source: source('hashKnownHosts', 'default') },
    {
      setting: 'connect timeout',
      value: `${(run.connectTimeoutMs ?? extras.connectTimeoutMs ?? run.defaultConnectTimeoutMs) / 1000} s`,
      source: run.connectTimeoutMs !== null ? '--connect-timeout' : source('connectTimeout', 'default'),
    },
    { setting: 'jump', value: chainOf(host.jump ?? null), source: source('jump', 'default (directly)') },
  ];
  if (extras.proxyCommand !== undefined) rows.push({ setting: 'proxy command', value: extras.proxyCommand, source: source('proxyCommand', '') });
  if (extras.hostKeyAlias !== undefined) rows.push({ setting: 'host key alias', value: extras.hostKeyAlias, source: source('hostKeyAlias', '') });
  return rows;
}

function sshConfigValue(original: HostConfig, resolved: ResolvedHost): string {
  if ((original.sshConfig?.kind ?? 'off') === 'off') return 'off';
  if (resolved.resolvedBy === null) return 'none (no ~/.ssh/config nor /etc/ssh/ssh_config)';
  return `${resolved.files.join(', ')} (read by ${resolved.resolvedBy})`;
}

/** The hops, outermost first: `gateway → bastion (ops@198.18.0.2:22)`. */
function chainOf(jump: JumpHostConfig | null): string {
  const hops: string[] = [];
  for (let hop: JumpHostConfig | null | undefined = jump; hop; hop = hop.jump) hops.unshift(`${hop.name} (${hop.user}@${hop.address}:${hop.port})`);
  return hops.length === 0 ? 'none' : hops.join(' → ');
}

/**
 * The rows as an aligned table. Values and sources quote the inventory and ssh_config (an address, a path):
 * `safe` makes each cell fit for where the table goes (the terminal; shell comments).
 */
export function renderSettingRows(rows: readonly SettingRow[], safe: (text: string) => string): string {
  rows = rows.map((row) => ({ setting: row.setting, value: safe(row.value), source: safe(row.source) }));
  const width = (column: 'setting' | 'value') => Math.max(...rows.map((row) => row[column].length), column.length);
  const settingWidth = width('setting');
  const valueWidth = Math.min(width('value'), 60);
  const line = (a: string, b: string, c: string) => `${a.padEnd(settingWidth)}  ${b.padEnd(valueWidth)}  ${c}`.trimEnd();
  return [line('setting', 'value', 'from'), ...rows.map((row) => line(row.setting, row.value, row.source))].join('\n') + '\n';
}
