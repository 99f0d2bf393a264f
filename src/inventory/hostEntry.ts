/**
 * Hosts given on the command line (`kvm-netaudit audit hv1 user@hv2:2222`, `-H hv1,hv2`), as pssh's `-H` and
 * ClusterShell's `-w` take them: `[user@]host[:port]`, an IPv6 address as `[addr]` or `[addr]:port`. Pure and
 * light (no schema library): cliArgs.ts parses with it before anything else is loaded. adhoc.ts turns the
 * entries into HostConfigs through the inventory's own schema and resolver.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { splitDestination } from '../util/destination.js';
import { NAME_PATTERN } from './references.js';

/** One host given on the command line. */
export interface HostEntry {
  /** As written, for messages. */
  text: string;
  /** What is connected to: a host name, an ssh_config alias or an IP address (IPv6 without brackets). */
  address: string;
  /** `user@`; null: ssh_config's `User`, else the user running kvm-netaudit (as for an inventory host). */
  user: string | null;
  /** `:port`; null: ssh_config's `Port`, else 22. */
  port: number | null;
  /**
   * The host's name in the reports, `--limit` and capture files: the host as written, without user and port
   * ({@link safeHostName} for an IPv6 address); `NAME-PORT` when several entries name the same host on
   * different ports (see {@link parseHostEntries}).
   */
  name: string;
}

/**
 * The entries of one `-H` value or host argument: separated by commas or white space (pssh's `-H "hv1 hv2"`,
 * clush's `-w hv1,hv2`); empty ones are dropped.
 * @example splitHostList('hv1,hv2 root@hv3') // ['hv1', 'hv2', 'root@hv3']
 */
export function splitHostList(text: string): string[] {
  return text.split(/[\s,]+/).filter((entry) => entry !== '');
}

/** One entry, or what is wrong with it (a sentence naming the entry). */
export type ParsedEntry = { ok: true; entry: Omit<HostEntry, 'name'> & { baseName: string } } | { ok: false; problem: string };

const HOST_RULE = 'a host name (letters, digits, ".", "_" and "-", starting with a letter or digit) or an IP address';

/**
 * Read `[user@]host[:port]`. The user is everything before the last `@` (as OpenSSH splits a destination);
 * a bare address with two or more colons is IPv6 without a port; a port after an IPv6 address needs brackets.
 * @example parseHostEntry('audit@[2001:db8::1]:2222') // ok: address 2001:db8::1, user audit, port 2222
 */
export function parseHostEntry(text: string): ParsedEntry {
  const fail = (why: string): ParsedEntry => ({ ok: false, problem: `host "${text}": ${why}` });
  const split = splitDestination(text);
  if (!split.ok) {
    const { problem } = split;
    if (problem.kind === 'unclosed-bracket') return fail('"[" without "]" (an IPv6 address with a port is written [addr]:port)');
    if (problem.kind === 'after-bracket') return fail(`unexpected "${problem.after}" after "]" (write [addr]:port)`);
    if (problem.kind === 'port') return fail(problem.message);
    return fail('not an IPv6 address (a port after an IPv6 address needs brackets: [addr]:port)');
  }
  const { user, address, port, bracketed } = split.value;
  if (user !== null) {
    if (user === '') return fail('no user before "@" (write user@host, or leave "@" out)');
    // A user starting with "-" would read as an option to ssh; control characters have no place in a login.
    if (user.startsWith('-') || /[\s\x00-\x1f\x7f]/.test(user)) return fail(`"${user}" is not a user name`);
  }
  if (address === '') return fail('no host');
  if (!isIPv6(address) && !isIPv4(address) && !NAME_PATTERN.test(address)) {
    // clush users may expect its node sets: say that they are not expanded, rather than only that the name is bad.
    if (!bracketed && /[[\]{}*?]/.test(address)) return fail('ranges and globs (hv[01-03], hv*) are not expanded here: list each host');
    return fail(`expected ${HOST_RULE}`);
  }
  const baseName = safeHostName(address);
  if (baseName === null) return fail(`expected ${HOST_RULE}`);
  return { ok: true, entry: { text, address, user, port, baseName } };
}

/**
 * A name the inventory's name rule accepts (letters, digits, `.`, `_`, `-`, starting with a letter or digit) for a
 * host name, an IP address or a machine's host name; null when nothing of it is left.
 *
 * An IPv6 address is written as Microsoft's `ipv6-literal.net` names write it, which keeps it readable and
 * unambiguous: each `:` becomes `-`, a zone's `%` becomes `s`, and a leading `-` gets a `0` before it (`0::1` is
 * `::1`). Anything else outside the rule becomes `-`, and what comes before the first letter or digit is dropped.
 * @example safeHostName('2001:db8::1') // '2001-db8--1'
 * @example safeHostName('::1') // '0--1'
 * @example safeHostName('hv01.example.com') // 'hv01.example.com'
 */
export function safeHostName(text: string): string | null {
  if (NAME_PATTERN.test(text)) return text;
  if (isIPv6(text)) {
    const name = text.replace(/:/g, '-').replace('%', 's').replace(/[^A-Za-z0-9._-]/g, '-');
    return name.startsWith('-') ? `0${name}` : name;
  }
  const name = text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return name === '' ? null : name;
}

/**
 * Read every entry of the given `-H` values and host arguments (each split with {@link splitHostList}) and name
 * them; every problem is returned at once, each naming its entry.
 *
 * Names: an entry's host as written, without user or port. The same entry given twice is audited once. When
 * entries name the same host on different ports (several SSH servers behind one address), each entry with a
 * port is named `HOST-PORT` (`127.0.0.1-2201`) and one without a port keeps `HOST`; entries that would still
 * share a name (the same host and port as different users) are a problem: a report cannot tell them apart.
 */
export function parseHostEntries(values: readonly string[]): { entries: HostEntry[]; problems: string[] } {
  const problems: string[] = [];
  const parsed: (Omit<HostEntry, 'name'> & { baseName: string })[] = [];
  const seen = new Set<string>();
  for (const text of values.flatMap(splitHostList)) {
    const result = parseHostEntry(text);
    if (!result.ok) {
      problems.push(result.problem);
      continue;
    }
    const { entry } = result;
    const key = JSON.stringify([entry.user, entry.address, entry.port]);
    if (seen.has(key)) continue;
    seen.add(key);
    parsed.push(entry);
  }

  const sharing = new Map<string, number>();
  for (const entry of parsed) sharing.set(entry.baseName, (sharing.get(entry.baseName) ?? 0) + 1);
  const entries = parsed.map(({ baseName, ...entry }): HostEntry => ({
    ...entry,
    name: (sharing.get(baseName) ?? 0) > 1 && entry.port !== null ? `${baseName}-${entry.port}` : baseName,
  }));

  const firstByName = new Map<string, HostEntry>();
  for (const entry of entries) {
    const first = firstByName.get(entry.name);
    if (first === undefined) firstByName.set(entry.name, entry);
    else problems.push(`hosts "${first.text}" and "${entry.text}" would both be reported as ${entry.name}: audit them in separate runs, or name them in an inventory (-i)`);
  }
  return { entries: problems.length > 0 ? [] : entries, problems };
}
