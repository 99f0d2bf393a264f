/**
 * ssh_config without OpenSSH: where no `ssh` binary exists, the ssh-config library's `compute` (Host and Match
 * blocks, first value wins) stands in for `ssh -G`. It does not follow `Include` nor canonicalise host names;
 * docs/inventory.md says so. Its answer has the shape of `ssh -G`'s, holding only what the files set.
 */
import { readFileSync } from 'node:fs';
import SSHConfig from 'ssh-config';
import { TransportError } from '../model.js';
import type { SshSettings } from './settings.js';

/** Keys that may be given more than once, each occurrence a value of its own (as `ssh -G` prints them). */
const REPEATED_KEYS = new Set(['identityfile', 'certificatefile']);

const parsedFiles = new Map<string, SSHConfig>();

/**
 * The settings `files` give `alias` (earlier files first, as OpenSSH reads ~/.ssh/config before
 * /etc/ssh/ssh_config), keys lower-case.
 * @throws TransportError kind `config` when a file cannot be read.
 */
export function computeWithLibrary(
  files: readonly string[],
  alias: string,
  query: { user: string | null; port: number | null },
): SshSettings {
  const settings = new Map<string, string[]>();
  for (const file of files) {
    // A User given to compute() is taken as set (first value wins): only a named one is, as `ssh -l` is.
    const computed = parsed(file).compute({ Host: alias, ...(query.user !== null ? { User: query.user } : {}) }, { ignoreCase: true });
    for (const [key, value] of Object.entries(computed)) {
      const lower = key.toLowerCase();
      if (settings.has(lower) || lower === 'host') continue; // the first file to set a key wins
      const values = Array.isArray(value) ? value : [value];
      settings.set(lower, REPEATED_KEYS.has(lower) ? values : [values.join(' ')]);
    }
  }
  if (query.user !== null) settings.set('user', [query.user]);
  if (query.port !== null) settings.set('port', [String(query.port)]);
  // `ssh -G` expands the tokens HostName allows; the library leaves them (%h the name asked about, %% a percent).
  const hostname = settings.get('hostname')?.[0];
  if (hostname !== undefined) settings.set('hostname', [hostname.replace(/%([%h])/g, (_all, token: string) => (token === 'h' ? alias : '%'))]);
  return settings;
}

function parsed(file: string): SSHConfig {
  let config = parsedFiles.get(file);
  if (!config) {
    try {
      config = SSHConfig.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new TransportError('config', `ssh_config ${file} cannot be read: ${(error as Error).message}`);
    }
    parsedFiles.set(file, config);
  }
  return config;
}
