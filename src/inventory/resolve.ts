/**
 * Merge defaults → groups (in the host's listed order) → host into one HostConfig per host.
 * A key set to `null` at a later level unsets it (e.g. `jump: null` reaches a host directly).
 */
import { CONNECTION_KEYS, type ConnectionKey, type HostConfig, type JumpHostConfig, type SshConfigChoice } from '../model.js';
import type { InventoryIssue } from './issues.js';
import { expandPath } from './paths.js';
import type { RawInventory, RawJumpHost, RawSettings } from './schema.js';

/**
 * What an unset key means (docs/inventory.md). `user` and `agent` are OpenSSH's defaults, which depend on who runs
 * the audit: the context gives them (see resolveHosts).
 */
export const BUILTIN_DEFAULTS = {
  user: '',
  port: 22,
  identityFile: null,
  passphraseEnv: null,
  agent: false,
  passwordEnv: null,
  knownHostsFile: '~/.ssh/known_hosts',
  libvirtUri: 'qemu:///system',
  sudo: false,
  uplinkInterfaces: [] as string[],
  jump: null,
  // OpenSSH's own files, when one exists (sshconfig/resolver.ts checks).
  sshConfig: true,
  transport: 'ssh2',
} satisfies Required<RawSettings>;

type Settings = Required<RawSettings>;

/**
 * The known_hosts files OpenSSH also reads when none is configured (ssh_config(5), UserKnownHostsFile and
 * GlobalKnownHostsFile): checked, never written. `~/.ssh/known_hosts`, the first, is BUILTIN_DEFAULTS' file.
 */
export const OPENSSH_ALSO_READ_KNOWN_HOSTS = ['~/.ssh/known_hosts2', '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];

/** The key files OpenSSH tries, in this order, when none is configured (ssh(1), -i): those that exist. */
export const OPENSSH_DEFAULT_IDENTITY_FILES = ['~/.ssh/id_ed25519', '~/.ssh/id_ecdsa', '~/.ssh/id_rsa'];

export interface ResolveContext {
  homeDir: string;
  /** The user running the audit: OpenSSH logs in as them when no user is named. */
  localUser: string;
  /** An ssh-agent is there (`SSH_AUTH_SOCK` is set): OpenSSH uses it when nothing says otherwise. */
  agentAvailable: boolean;
  /** Relative key paths are taken relative to this directory (the inventory's). */
  baseDir: string;
}

/** Resolve every host; path problems (`~user`) come back as issues rather than thrown. */
export function resolveHosts(raw: RawInventory, context: ResolveContext): { hosts: HostConfig[]; issues: InventoryIssue[] } {
  const issues: InventoryIssue[] = [];
  const path = (value: string | null, at: (string | number)[]): string | null => {
    if (value === null) return null;
    const expanded = expandPath(value, context.homeDir, context.baseDir);
    if (expanded === null) issues.push({ path: at, message: 'only "~" or "~/…" is expanded; write the full path for another user\'s home' });
    return expanded ?? value;
  };
  const defaults = overlay({ ...BUILTIN_DEFAULTS, user: context.localUser, agent: context.agentAvailable }, raw.defaults);
  // OpenSSH's other files only when no level of the inventory names a known_hosts file: a named file is the one trusted.
  const openSshDefaults = (files: readonly string[]) => files.map((file) => expandPath(file, context.homeDir, context.baseDir) ?? file);
  // originOf answers a bare ['defaults'] when no level names the key (not even `defaults:` itself).
  const namedNowhere = (origin: (string | number)[]) => origin.length === 1;
  const alsoRead = (origin: (string | number)[]): string[] => (namedNowhere(origin) ? openSshDefaults(OPENSSH_ALSO_READ_KNOWN_HOSTS) : []);
  // Only when no level names a key: `identityFile: null` is an explicit "no key file".
  const defaultKeys = (origin: (string | number)[]): string[] => (namedNowhere(origin) ? openSshDefaults(OPENSSH_DEFAULT_IDENTITY_FILES) : []);

  const sshConfigChoice = (value: boolean | string, origin: (string | number)[]): SshConfigChoice => {
    if (value === true) return { kind: 'default' };
    if (value === false) return { kind: 'off' };
    return { kind: 'file', path: path(value, origin) ?? value };
  };
  /** The connection keys some level names: they win over ssh_config. */
  const namedKeysOf = (levels: Level[]): ConnectionKey[] => CONNECTION_KEYS.filter((key) => !namedNowhere(originOf(key, levels, raw)));

  // Jump hosts take the connection keys from defaults (not groups: they are not hypervisors), and their own `jump:`
  // only (defaults' `jump:` is the hypervisors' bastion). Each is made once, after the one it goes through;
  // references.ts has refused loops, and `resolving` guards against one all the same.
  const jumpHosts = new Map<string, JumpHostConfig>();
  const resolving = new Set<string>();
  const jumpHost = (name: string): JumpHostConfig | null => {
    const entry = raw.jumpHosts?.[name];
    if (!entry || resolving.has(name)) return null;
    const made = jumpHosts.get(name);
    if (made) return made;
    resolving.add(name);
    const through = entry.jump ? jumpHost(entry.jump) : null;
    resolving.delete(name);
    const merged = overlayJump(defaults, entry);
    const config: JumpHostConfig = {
      name,
      address: entry.address,
      port: merged.port,
      user: merged.user,
      identityFile: path(merged.identityFile, originOf('identityFile', [['jumpHosts', name, entry]], raw)),
      defaultIdentityFiles: defaultKeys(originOf('identityFile', [['jumpHosts', name, entry]], raw)),
      passphraseEnv: merged.passphraseEnv,
      agent: merged.agent,
      passwordEnv: merged.passwordEnv,
      knownHostsFile: path(merged.knownHostsFile, originOf('knownHostsFile', [['jumpHosts', name, entry]], raw)) ?? merged.knownHostsFile,
      readKnownHostsFiles: alsoRead(originOf('knownHostsFile', [['jumpHosts', name, entry]], raw)),
      jump: through,
      sshConfig: sshConfigChoice(merged.sshConfig, originOf('sshConfig', [['jumpHosts', name, entry]], raw)),
      // A jump host's own `jump:` is named by its entry; defaults' `jump:` is the hypervisors' bastion.
      namedKeys: CONNECTION_KEYS.filter((key) => (key === 'jump' ? entry.jump !== undefined : !namedNowhere(originOf(key, [['jumpHosts', name, entry]], raw)))),
    };
    jumpHosts.set(name, config);
    return config;
  };
  for (const name of Object.keys(raw.jumpHosts ?? {})) jumpHost(name);

  const hosts = raw.hosts.map((host, index): HostConfig => {
    const groupNames = host.groups ?? [];
    const levels: Level[] = [
      ...groupNames.map((group): Level => ['groups', group, raw.groups?.[group] ?? null]),
      ['hosts', index, host],
    ];
    let merged = defaults;
    for (const [, , settings] of levels) merged = overlay(merged, settings);
    return {
      name: host.name,
      address: host.address,
      port: merged.port,
      user: merged.user,
      groups: [...groupNames],
      identityFile: path(merged.identityFile, originOf('identityFile', levels, raw)),
      defaultIdentityFiles: defaultKeys(originOf('identityFile', levels, raw)),
      passphraseEnv: merged.passphraseEnv,
      agent: merged.agent,
      passwordEnv: merged.passwordEnv,
      knownHostsFile: path(merged.knownHostsFile, originOf('knownHostsFile', levels, raw)) ?? merged.knownHostsFile,
      readKnownHostsFiles: alsoRead(originOf('knownHostsFile', levels, raw)),
      libvirtUri: merged.libvirtUri,
      sudo: merged.sudo,
      uplinkInterfaces: [...merged.uplinkInterfaces],
      // references.ts has checked that the name exists.
      jump: merged.jump === null ? null : (jumpHosts.get(merged.jump) ?? null),
      transport: merged.transport,
      sshConfig: sshConfigChoice(merged.sshConfig, originOf('sshConfig', levels, raw)),
      namedKeys: namedKeysOf(levels),
    };
  });
  return { hosts, issues: dedupe(issues) };
}

/** One level of settings and where it sits in the file: [section, key or index, settings]. */
type Level = [string, string | number, RawSettings | RawJumpHost | null];

/** The path of the level that set `key` last, for error messages; `defaults` when no level did. */
function originOf(key: keyof RawSettings, levels: Level[], raw: RawInventory): (string | number)[] {
  for (let i = levels.length - 1; i >= 0; i--) {
    const level = levels[i];
    if (level && level[2] && key in level[2]) return [level[0], level[1], key];
  }
  return raw.defaults && key in raw.defaults ? ['defaults', key] : ['defaults'];
}

/** Later wins; an absent key keeps the earlier value, an explicit null replaces it. */
function overlay(base: Settings, settings: RawSettings | null | undefined): Settings {
  if (!settings) return base;
  const merged = { ...base };
  for (const [key, value] of Object.entries(settings) as [keyof Settings, unknown][]) {
    if (value !== undefined && key in BUILTIN_DEFAULTS) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

function overlayJump(defaults: Settings, entry: RawJumpHost): Settings {
  const { address: _address, jump: _jump, ...connection } = entry;
  return overlay(defaults, connection);
}

/** The same bad `defaults` path would otherwise be reported once per host. */
function dedupe(issues: InventoryIssue[]): InventoryIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = JSON.stringify(issue.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
