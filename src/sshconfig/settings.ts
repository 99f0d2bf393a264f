/**
 * ssh_config as OpenSSH resolved it for one destination, as data: the `key value` lines of `ssh -G` (keys
 * lower-case, a key given more than once, like `identityfile`, keeps every value in order), and which of them
 * the operator's configuration set, found by comparing with what the same command prints with no configuration
 * at all (`ssh -G -F /dev/null`). Pure: the processes live in resolver.ts.
 */
import { splitDestination } from '../util/destination.js';

/** Every value of every key, keys lower-case, values in the order printed. */
export type SshSettings = ReadonlyMap<string, readonly string[]>;

/**
 * Parse `ssh -G` output. Lines are `key value…`; the value keeps its inner spaces (`userknownhostsfile A B`
 * lists two files, split later by whoever reads that key).
 * @example parseSshG('hostname 198.18.0.5\nport 22\n').get('hostname') // ['198.18.0.5']
 */
export function parseSshG(text: string): SshSettings {
  const settings = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    const space = trimmed.search(/\s/);
    if (space <= 0) continue;
    const key = trimmed.slice(0, space).toLowerCase();
    const value = trimmed.slice(space + 1).trim();
    const values = settings.get(key);
    if (values) values.push(value);
    else settings.set(key, [value]);
  }
  return settings;
}

/**
 * The keys the configuration set: those whose values differ from the unconfigured ones. `hostname` is compared
 * with the alias itself (what OpenSSH connects to when nothing renames it). A key set to its default value is
 * not told apart from an unset one, which changes nothing: either way the value is OpenSSH's default.
 */
export function configuredKeys(resolved: SshSettings, unconfigured: SshSettings, alias: string): Set<string> {
  const configured = new Set<string>();
  for (const [key, values] of resolved) {
    const before = key === 'hostname' ? [alias.toLowerCase()] : unconfigured.get(key);
    if (!before || before.join('\n') !== values.join('\n')) configured.add(key);
  }
  return configured;
}

/** One hop of a ProxyJump list: `[user@]host[:port]` or `ssh://[user@]host[:port]`; IPv6 in brackets. */
export interface JumpSpec {
  /** As written, for messages and to name the hop. */
  spec: string;
  host: string;
  user: string | null;
  port: number | null;
}

/**
 * Split a ProxyJump value into hops, outermost first; `none` is no hop.
 * @example parseProxyJump('b1,ops@b2:2222') // [{host:'b1',…}, {host:'b2', user:'ops', port:2222,…}]
 * @throws Error naming the hop that cannot be read.
 */
export function parseProxyJump(value: string): JumpSpec[] {
  if (value.trim().toLowerCase() === 'none') return [];
  return value.split(',').map((raw) => parseJumpSpec(raw.trim()));
}

function parseJumpSpec(spec: string): JumpSpec {
  const split = splitDestination(spec.replace(/^ssh:\/\//i, '').replace(/\/$/, ''));
  if (!split.ok || split.value.address === '' || split.value.user === '') throw new Error(`ProxyJump hop "${spec}" is not [user@]host[:port]`);
  const { user, address, port } = split.value;
  return { spec, host: address, user, port };
}

/**
 * The value as a file path: `~` is the home directory, and the tokens ssh_config(5) allows in file names that
 * `ssh -G` leaves unexpanded (%d home, %u local user, %h host name, %r remote user, %p port, %%).
 */
export function expandSshPath(value: string, tokens: { home: string; localUser: string; host: string; user: string; port: number }): string {
  const tilde = value === '~' || value.startsWith('~/') ? tokens.home + value.slice(1) : value;
  return tilde.replace(/%([%dhupr])/g, (_all, token: string) => {
    switch (token) {
      case 'd':
        return tokens.home;
      case 'u':
        return tokens.localUser;
      case 'h':
        return tokens.host;
      case 'r':
        return tokens.user;
      case 'p':
        return String(tokens.port);
      default:
        return '%';
    }
  });
}

/** A files list (`userknownhostsfile A B`): split on spaces, `none` meaning no file. */
export function fileList(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((value) => value.split(/\s+/)).filter((file) => file !== '' && file.toLowerCase() !== 'none');
}
