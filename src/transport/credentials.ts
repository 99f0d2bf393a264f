/**
 * Resolve the inventory's auth settings (docs/inventory.md) into what ssh2 needs: a private key (and its passphrase),
 * an agent socket, a password. Secrets come from the environment by *name*; messages name the variable or
 * the file, never a secret.
 */
import { access, readFile } from 'node:fs/promises';
import ssh2 from 'ssh2';
import { defaultAgentSocket } from '../defaults.js';
import { TransportError, type HostConfig } from '../model.js';
import { messageOf } from './errors.js';

/** The auth fields shared by HostConfig and JumpHostConfig (`fromSshConfig` for its `agentSocket`). */
export type AuthSettings = Pick<HostConfig, 'identityFile' | 'defaultIdentityFiles' | 'passphraseEnv' | 'agent' | 'passwordEnv' | 'fromSshConfig'>;

/** What to hand to ssh2's `connect()`; `methods` lists them for error messages. */
export interface SshCredentials {
  privateKey?: Buffer;
  passphrase?: string;
  /** Further private keys to offer after `privateKey`, in order (OpenSSH's default key files that exist). */
  morePrivateKeys?: { key: Buffer; passphrase?: string }[];
  /** Path of the ssh-agent socket. */
  agent?: string;
  password?: string;
  /** e.g. `publickey (/home/a/.ssh/id_ed25519)`, `agent`, `password ($HV_PASSWORD)`. */
  methods: string[];
  /** Why a configured method was left out (an unreadable key, no agent socket) while another one remains. */
  skipped: string[];
}

/**
 * Key files already read and checked in this run, by file and passphrase variable: a fleet usually shares one
 * key, and reading and parsing it once per host cost more CPU than the handshake's own key use.
 */
export type IdentityCache = Map<string, Promise<{ key: Buffer; passphrase?: string }>>;

/**
 * Read and check the credentials for one host or bastion.
 * @param who how messages name the host, e.g. `hv01` or `jump host bastion`
 * @throws TransportError kind `auth` when the password variable is missing, or when a configured key or agent is
 *   unusable and no other method remains
 */
export async function resolveCredentials(
  settings: AuthSettings,
  env: NodeJS.ProcessEnv,
  who: string,
  identities: IdentityCache = new Map(),
): Promise<SshCredentials> {
  const credentials: SshCredentials = { methods: [], skipped: [] };

  if (settings.passwordEnv) {
    const password = env[settings.passwordEnv];
    if (password === undefined || password === '') {
      throw new TransportError('auth', `${who}: the password variable ${settings.passwordEnv} (passwordEnv) is not set`);
    }
    credentials.password = password;
    credentials.methods.push(`password ($${settings.passwordEnv})`);
  }

  if (settings.agent) {
    // ssh_config's IdentityAgent names the socket for this host, as it does for OpenSSH; else the environment's.
    const configured = settings.fromSshConfig?.agentSocket;
    const socket = configured || defaultAgentSocket(env);
    if (socket) {
      credentials.agent = socket;
      credentials.methods.push(configured ? `agent (IdentityAgent ${configured})` : 'agent');
    } else {
      credentials.skipped.push('agent authentication is configured but SSH_AUTH_SOCK is not set');
    }
  }

  if (settings.identityFile) {
    try {
      const { key, passphrase } = await cachedIdentity(settings.identityFile, settings.passphraseEnv, env, identities);
      credentials.privateKey = key;
      if (passphrase !== undefined) credentials.passphrase = passphrase;
      credentials.methods.push(`publickey (${settings.identityFile})`);
    } catch (error) {
      credentials.skipped.push(messageOf(error));
    }
  }

  if (!settings.identityFile && settings.defaultIdentityFiles?.length) await addDefaultKeys(settings, env, credentials, identities);

  // An unusable key or agent is fatal only when nothing else is left to try: a shared default key
  // (defaults.identityFile) that this user lacks must not hide a working agent or password.
  if (credentials.methods.length === 0 && credentials.skipped.length > 0) {
    throw new TransportError('auth', `${who}: ${credentials.skipped.join('; ')}`);
  }
  return credentials;
}

/**
 * OpenSSH's default key files, those that exist and can be used, offered in order. A missing one is not worth a
 * word (most users have one key, not three); one that cannot be used (encrypted without passphraseEnv, unreadable)
 * is named among the methods not tried, as a configured key is.
 */
async function addDefaultKeys(settings: AuthSettings, env: NodeJS.ProcessEnv, credentials: SshCredentials, identities: IdentityCache): Promise<void> {
  const keys: { key: Buffer; passphrase?: string }[] = [];
  for (const file of settings.defaultIdentityFiles ?? []) {
    if (!(await exists(file))) continue;
    try {
      keys.push(await cachedIdentity(file, settings.passphraseEnv, env, identities));
      credentials.methods.push(`publickey (${file})`);
    } catch (error) {
      credentials.skipped.push(messageOf(error));
    }
  }
  const [first, ...more] = keys;
  if (!first) return;
  credentials.privateKey = first.key;
  if (first.passphrase !== undefined) credentials.passphrase = first.passphrase;
  if (more.length > 0) credentials.morePrivateKeys = more;
}

/** A key file read and checked once per run, whoever asks (a fleet usually shares one key). */
function cachedIdentity(file: string, passphraseEnv: string | null, env: NodeJS.ProcessEnv, identities: IdentityCache): Promise<{ key: Buffer; passphrase?: string }> {
  const cacheKey = `${file}\0${passphraseEnv ?? ''}`;
  let identity = identities.get(cacheKey);
  if (!identity) {
    identity = readIdentity(file, passphraseEnv, env);
    identities.set(cacheKey, identity);
  }
  return identity;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

async function readIdentity(
  file: string,
  passphraseEnv: string | null,
  env: NodeJS.ProcessEnv,
): Promise<{ key: Buffer; passphrase?: string }> {
  let passphrase: string | undefined;
  if (passphraseEnv) {
    passphrase = env[passphraseEnv];
    if (passphrase === undefined) throw new Error(`the passphrase variable ${passphraseEnv} (passphraseEnv) for ${file} is not set`);
  }
  let key: Buffer;
  try {
    key = await readFile(file);
  } catch (error) {
    throw new Error(`cannot read identity file ${file}: ${(error as NodeJS.ErrnoException).code ?? messageOf(error)}`);
  }
  // Parse here, not inside ssh2's connect(), so a bad key or passphrase gets a message that names the file.
  const parsed = ssh2.utils.parseKey(key, passphrase);
  if (parsed instanceof Error) {
    const hint = passphraseEnv ? ` (passphrase from $${passphraseEnv})` : /passphrase/i.test(parsed.message) ? '; set passphraseEnv' : '';
    throw new Error(`cannot use identity file ${file}${hint}: ${parsed.message}`);
  }
  return passphrase === undefined ? { key } : { key, passphrase };
}
