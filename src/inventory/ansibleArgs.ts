/**
 * The bastions of an Ansible host, read from the ssh options its inventory gives (`ansible_ssh_args`,
 * `ansible_ssh_common_args`, `ansible_ssh_extra_args`): `-J a,b`, `-o ProxyJump=a,b`, and the older idiom
 * `-o ProxyCommand="ssh -W %h:%p -q user@bastion"`. Pure: text in, hops (or what is wrong) out.
 *
 * Ansible splits each of these variables with Python's `shlex.split` and hands the words to `ssh`, which keeps the
 * first ProxyJump or ProxyCommand it is given; so does {@link proxyOfArgs}, over the variables in Ansible's order.
 */
import { splitDestination } from '../util/destination.js';

/** One bastion, outermost first in a chain. */
export interface Hop {
  /** As written (`admin@b1:2200`), for names and messages. */
  text: string;
  /** What is connected to: a host name, an ssh_config alias or an IP address (IPv6 without brackets). */
  address: string;
  /** null: ssh_config's `User`, else the user running kvm-netaudit (as OpenSSH does for a ProxyJump hop). */
  user: string | null;
  /** null: ssh_config's `Port`, else 22. */
  port: number | null;
  /** `ssh -i FILE` in a ProxyCommand; null when none is given (ssh_config's, else OpenSSH's default keys). */
  identityFile: string | null;
}

/** What the ssh options say about how to reach the host. */
export type Proxy =
  /** `ProxyJump none` / `ProxyCommand none`: directly, whatever ssh_config says. */
  | { kind: 'direct' }
  /** Through these bastions, outermost first. */
  | { kind: 'hops'; hops: Hop[] };

/** A value read, or a sentence on why it cannot be. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

/**
 * Split as Python's `shlex.split` does (POSIX mode, no comments), which is how Ansible splits these variables:
 * white space separates words; `'…'` is literal; in `"…"` a backslash escapes only `"` and `\`; outside quotes a
 * backslash escapes any character.
 * @example shellWords(`-o ProxyCommand="ssh -W %h:%p -q bastion"`) // ok: ['-o', 'ProxyCommand=ssh -W %h:%p -q bastion']
 */
export function shellWords(text: string): Parsed<string[]> {
  const words: string[] = [];
  let word: string | null = null;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote === "'") {
      if (char === "'") quote = null;
      else word = (word ?? '') + char;
    } else if (quote === '"') {
      if (char === '"') quote = null;
      else if (char === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) word = (word ?? '') + text[++i]!;
      else word = (word ?? '') + char;
    } else if (/\s/.test(char)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (char === "'" || char === '"') {
      quote = char;
      word ??= '';
    } else if (char === '\\') {
      if (i + 1 >= text.length) return fail('ends with a lone backslash');
      word = (word ?? '') + text[++i];
    } else {
      word = (word ?? '') + char;
    }
  }
  if (quote !== null) return fail(`a ${quote === "'" ? 'single' : 'double'} quote is never closed`);
  if (word !== null) words.push(word);
  return ok(words);
}

/**
 * One `[user@]host[:port]` hop, as OpenSSH reads ProxyJump and `-J` (also `ssh://[user@]host[:port]`, and an IPv6
 * address as `[addr]` or `[addr]:port`): the user is everything before the last `@`.
 */
export function parseHop(text: string): Parsed<Hop> {
  const bad = (why: string) => fail<Hop>(`hop "${text}": ${why}`);
  const split = splitDestination(text.startsWith('ssh://') ? text.slice('ssh://'.length) : text);
  if (!split.ok) {
    const { problem } = split;
    if (problem.kind === 'unclosed-bracket') return bad('"[" without "]"');
    if (problem.kind === 'after-bracket') return bad(`unexpected "${problem.after}" after "]"`);
    if (problem.kind === 'port') return bad(problem.message);
    return bad('expected [user@]host[:port]');
  }
  const { user, address, port } = split.value;
  // A leading "-" would read as an option to ssh; quotes, spaces and % (OpenSSH's tokens, which only it expands)
  // have no place in a user or host name.
  const unfit = (word: string) => word === '' || word.startsWith('-') || /[\s\x00-\x1f\x7f'"`%]/.test(word);
  if ((user !== null && unfit(user)) || unfit(address)) return bad('expected [user@]host[:port]');
  return ok({ text, address, user, port, identityFile: null });
}

/** A ProxyJump value (`-J`, `-o ProxyJump=…`): `none`, or hops separated by commas. */
export function parseProxyJump(value: string): Parsed<Proxy> {
  if (value.trim().toLowerCase() === 'none') return ok({ kind: 'direct' });
  const hops: Hop[] = [];
  for (const text of value.split(',')) {
    const hop = parseHop(text.trim());
    if (!hop.ok) return hop;
    hops.push(hop.value);
  }
  return ok({ kind: 'hops', hops });
}

/** ssh options that take no argument, and those whose argument says nothing about where or as whom to connect. */
const HARMLESS_FLAGS = new Set('46AaCfGgKkMNnqsTtVvXxYy');
const HARMLESS_WITH_ARGUMENT = new Set('bcEeBmP');

/**
 * A ProxyCommand that is a bastion by another name: `ssh [options] -W %h:%p [user@]host` (options before or
 * after the host, as ssh takes them; `-l`, `-p`, `-i`, `-J` and `-o User|Port|IdentityFile|HostName|ProxyJump`
 * are read). `none` is direct. Anything else (`nc %h %p`, a remote command, port forwards) is refused: only
 * OpenSSH could run it.
 */
export function parseProxyCommand(value: string): Parsed<Proxy> {
  if (value.trim().toLowerCase() === 'none') return ok({ kind: 'direct' });
  const refuse = (why: string) => fail<Proxy>(`ProxyCommand "${value}": ${why}; only "ssh -W %h:%p [user@]bastion" (or ProxyJump) is read`);
  const words = shellWords(value);
  if (!words.ok) return refuse(words.problem);
  const [program, ...args] = words.value;
  if (program === undefined || !/(^|\/)ssh$/.test(program)) return refuse(`"${program ?? ''}" is not ssh`);
  let destination: string | null = null;
  let user: string | null = null;
  let port: string | null = null;
  let identityFile: string | null = null;
  let hostName: string | null = null;
  let through: string | null = null;
  let forwardsToTarget = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      if (destination !== null) return refuse(`"${arg}" after the bastion would be run there as a command`);
      destination = arg;
      continue;
    }
    // Flags may be bundled (`-qT`); the first that takes an argument ends the bundle, its argument attached or next.
    for (let j = 1; j < arg.length; j++) {
      const flag = arg[j]!;
      if (HARMLESS_FLAGS.has(flag)) continue;
      const takesArgument = 'lpiJoW'.includes(flag) || HARMLESS_WITH_ARGUMENT.has(flag);
      if (!takesArgument) return refuse(`option -${flag} is not read`);
      const attached = arg.slice(j + 1);
      const argument = attached !== '' ? attached : args[++i];
      if (argument === undefined) return refuse(`option -${flag} needs a value`);
      if (flag === 'l') user ??= argument;
      else if (flag === 'p') port ??= argument;
      else if (flag === 'i') identityFile ??= argument;
      else if (flag === 'J') through ??= argument;
      else if (flag === 'W') {
        if (argument !== '%h:%p' && argument !== '[%h]:%p') return refuse(`-W ${argument} does not lead to the host (-W %h:%p)`);
        forwardsToTarget = true;
      } else if (flag === 'o') {
        const option = /^\s*([A-Za-z]+)\s*(?:=\s*|\s+)(.*)$/.exec(argument);
        if (!option) return refuse(`-o ${argument}: expected Keyword=value`);
        const keyword = option[1]!.toLowerCase();
        const setting = option[2]!.trim();
        // As ssh: the first value given for an option wins. Other options are ignored, as for the host itself.
        if (keyword === 'user') user ??= setting;
        else if (keyword === 'port') port ??= setting;
        else if (keyword === 'identityfile') identityFile ??= setting;
        else if (keyword === 'hostname') hostName ??= setting;
        else if (keyword === 'proxyjump') through ??= setting;
      }
      break;
    }
  }
  if (!forwardsToTarget) return refuse('no -W %h:%p');
  if (destination === null) return refuse('no bastion to connect to');
  const hop = parseHop(destination);
  if (!hop.ok) return refuse(hop.problem);
  const bastion: Hop = { ...hop.value, text: destination };
  if (hostName !== null) bastion.address = hostName;
  if (user !== null && bastion.user === null) bastion.user = user;
  if (port !== null) {
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return refuse(`port "${port}": expected a number from 1 to 65535`);
    // ssh: a port in the destination (ssh://h:p) wins over -p; user@host has none.
    bastion.port ??= Number(port);
  }
  bastion.identityFile = identityFile;
  if (through === null) return ok({ kind: 'hops', hops: [bastion] });
  const before = parseProxyJump(through);
  if (!before.ok) return refuse(before.problem);
  return ok({ kind: 'hops', hops: before.value.kind === 'hops' ? [...before.value.hops, bastion] : [bastion] });
}

/**
 * The first ProxyJump (`-J`, `-o ProxyJump`) or ProxyCommand (`-o ProxyCommand`) among `args`, which are the ssh
 * options of one variable; null when they set neither. Options are split as Ansible splits them ({@link shellWords}).
 */
export function proxyOfArgs(args: string): Parsed<Proxy | null> {
  const words = shellWords(args);
  if (!words.ok) return words;
  const list = words.value;
  for (let i = 0; i < list.length; i++) {
    const word = list[i]!;
    let option: string | undefined;
    if (word === '-J' || word === '-o') {
      const value = list[i + 1];
      if (value === undefined) return fail(`${word} needs a value`);
      i++;
      if (word === '-J') return parseProxyJump(value);
      option = value;
    } else if (word.startsWith('-J')) {
      return parseProxyJump(word.slice(2));
    } else if (word.startsWith('-o')) {
      option = word.slice(2);
    }
    if (option === undefined) continue;
    const match = /^\s*(ProxyJump|ProxyCommand)\s*(?:=\s*|\s+)(.*)$/i.exec(option);
    if (!match) continue;
    const value = match[2]!.trim();
    if (value === '') return fail(`${match[1]} needs a value`);
    return match[1]!.toLowerCase() === 'proxyjump' ? parseProxyJump(value) : parseProxyCommand(value);
  }
  return ok(null);
}
