/**
 * Host key verification against known_hosts files, under each host's policy (docs/cli.md `--host-key-policy`, or
 * the host's ssh_config StrictHostKeyChecking when the run names none):
 * - `strict`: only keys already in the file are accepted;
 * - `accept-new`: an unknown host's key is appended to the file (trust on first use), a changed or revoked
 *   key is still refused. A host is known once the file holds any key for it, of any type: a key of another
 *   type is a changed key, never appended (as OpenSSH's StrictHostKeyChecking accept-new);
 * - `off`: anything is accepted, with one warning per verifier.
 * Whatever the policy short of `off`, a host a `@cert-authority` line covers is refused unless a plain line holds
 * its key: it proves itself with a certificate, which ssh2 cannot check, and pinning its plain key would bypass
 * the CA (the openssh transport checks certificates).
 * Decisions are data (accepted, or refused with a message that says what to do); the SSH layer turns a
 * refusal into a `hostkey` TransportError.
 *
 * Like OpenSSH, a host is checked against every file it has at once: the one keys are added to (`file`, the
 * user's known_hosts) and those only read (`alsoRead`: known_hosts2, the system-wide /etc/ssh/ssh_known_hosts that
 * FreeIPA or Ansible distribute). A key in any of them is known; a host known in one with other keys is changed.
 */
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { HostKeyPolicy } from '../model.js';
import {
  checkHostKey,
  formatKnownHostsLine,
  indexKnownHosts,
  keyFingerprint,
  keyTypeFromBlob,
  knownHostEntries,
  knownHostsName,
  parseKnownHosts,
  type KnownHostEntry,
  type KnownHostsIndex,
} from './knownHosts.js';
import { messageOf } from './errors.js';

/** Which host offered the key, and which file vouches for it. */
export interface HostKeyTarget {
  /** known_hosts file to check (and to append to under `accept-new`). */
  file: string;
  /** More known_hosts files to check, never written (missing ones hold nothing). */
  alsoRead?: readonly string[];
  address: string;
  port: number;
  /** How messages name the host, e.g. `hv01` or `jump host bastion`. */
  label: string;
  /** The policy for this host; the verifier's own (`HostKeyVerifierOptions.policy`) when absent. */
  policy?: HostKeyPolicy;
  /**
   * Where `policy` came from, for the warning that checking is off: the run's `--host-key-policy`, or the host's
   * ssh_config (StrictHostKeyChecking). @default 'operator'
   */
  policyFrom?: 'operator' | 'ssh_config';
  /** `accept-new` writes the host's name hashed (ssh_config HashKnownHosts yes). @default false */
  hashNames?: boolean;
}

export type HostKeyDecision = { accepted: true } | { accepted: false; message: string };

export interface HostKeyVerifier {
  verify(target: HostKeyTarget, keyBlob: Buffer): Promise<HostKeyDecision>;
  /**
   * The key types the file already holds for the host (e.g. `['ssh-rsa']`), distinct, in file order, so the
   * connection can ask for those first (see preferKnownHostKeyAlgorithms). Empty when the host is unknown or
   * the file cannot be read: `verify` is the one that reports an unreadable file.
   */
  knownKeyTypes(target: Pick<HostKeyTarget, 'file' | 'alsoRead' | 'address' | 'port'>): Promise<string[]>;
}

export interface HostKeyVerifierOptions {
  /** The policy of targets that carry none. @default 'strict' */
  policy?: HostKeyPolicy;
  /** Told once when a host's policy is `off` (once per verifier, whichever host it is), and each time `accept-new` adds a key. */
  warn?: (message: string) => void;
}

/** A known_hosts entry and the file it is in (messages name the file and line). */
type SourcedEntry = KnownHostEntry & { file: string };

/** A known_hosts file as last read. */
interface LoadedFile {
  entries: KnownHostsIndex;
  /** The same entries as parsed, for merging with other files. */
  all: readonly KnownHostEntry[];
  /** The file exists, is not empty and does not end with a newline: the next append starts with one. */
  needsNewline: boolean;
}

/**
 * Create a verifier. It re-reads a known_hosts file only when the file changed (a fleet run checks thousands
 * of hosts against the same file, and the operator may run ssh-keyscan meanwhile), and serialises its appends
 * per file, so concurrent first connections never interleave lines or add the same host twice.
 */
export function createHostKeyVerifier(options: HostKeyVerifierOptions = {}): HostKeyVerifier {
  const defaultPolicy = options.policy ?? 'strict';
  const warn = options.warn ?? (() => {});
  /** Per file: its identity when read (inode, size, mtime) and the parse, shared by concurrent readers. */
  const cache = new Map<string, { stamp: string; loaded: Promise<LoadedFile> }>();
  const appendQueues = new Map<string, Promise<unknown>>();
  /** The files a host is checked against, merged, while none of them changed (every host shares them). */
  const merged = new Map<string, { stamps: string; index: Promise<KnownHostsIndex> }>();
  let warnedOff = false;

  const load = async (file: string): Promise<LoadedFile> => {
    const stamp = await fileStamp(file);
    const cached = cache.get(file);
    if (cached && cached.stamp === stamp) return cached.loaded;
    const loaded = readKnownHostsFile(file);
    cache.set(file, { stamp, loaded });
    // A failed read is not kept: the next host gets a fresh attempt and its own message.
    loaded.catch(() => {
      if (cache.get(file)?.loaded === loaded) cache.delete(file);
    });
    return loaded;
  };

  /**
   * Every file of the target as one index, each entry tagged with its file. A missing or unreadable file of
   * `alsoRead` holds nothing (OpenSSH reads the system-wide file when it is there); the main file must be readable.
   */
  const loadAll = async (target: Pick<HostKeyTarget, 'file' | 'alsoRead'>): Promise<KnownHostsIndex> => {
    const files = [target.file, ...(target.alsoRead ?? []).filter((f) => f !== target.file)];
    if (files.length === 1) return (await load(target.file)).entries;
    const key = files.join('\0');
    const stamps = (await Promise.all(files.map(fileStamp))).join('\0');
    const cached = merged.get(key);
    if (cached && cached.stamps === stamps) return cached.index;
    const index = (async () => {
      const [main, ...others] = await Promise.all([load(target.file), ...files.slice(1).map((f) => load(f).catch(() => null))]);
      const entries: SourcedEntry[] = [];
      [main, ...others].forEach((loaded, i) => {
        for (const entry of loaded?.all ?? []) entries.push({ ...entry, file: files[i]! });
      });
      return indexKnownHosts(entries);
    })();
    merged.set(key, { stamps, index });
    index.catch(() => {
      if (merged.get(key)?.index === index) merged.delete(key);
    });
    return index;
  };

  /** Run `task` after every earlier append to the same file has finished. */
  const serialised = <T>(file: string, task: () => Promise<T>): Promise<T> => {
    const previous = appendQueues.get(file) ?? Promise.resolve();
    const next = previous.then(task, task);
    appendQueues.set(
      file,
      next.catch(() => {}),
    );
    return next;
  };

  async function verify(target: HostKeyTarget, keyBlob: Buffer): Promise<HostKeyDecision> {
    const policy = target.policy ?? defaultPolicy;
    if (policy === 'off') {
      if (!warnedOff) {
        warnedOff = true;
        // Once per run: the run's flag sets every host's policy, or none does, so the first `off` tells where all came from.
        const origin =
          target.policyFrom === 'ssh_config'
            ? `for ${target.label} and any other host whose ssh_config says StrictHostKeyChecking no`
            : '(--host-key-policy off)';
        warn(`host key checking is off ${origin}: host keys are not verified, so connections can be intercepted`);
      }
      return { accepted: true };
    }
    const keyType = keyTypeFromBlob(keyBlob);
    const name = knownHostsName(target.address, target.port);
    if (!keyType) return { accepted: false, message: `${target.label} (${name}) offered a host key that cannot be parsed` };
    const offered = `${keyType} ${keyFingerprint(keyBlob)}`;

    let known: KnownHostsIndex;
    try {
      known = await loadAll(target);
    } catch (error) {
      return { accepted: false, message: `cannot read known_hosts file ${target.file}: ${messageOf(error)}` };
    }
    const verdict = checkHostKey(known, target.address, target.port, keyType, keyBlob);
    const where = (entry: KnownHostEntry | null | undefined) => `${(entry as SourcedEntry | null | undefined)?.file ?? target.file}:${entry?.line}`;
    switch (verdict.status) {
      case 'match':
        return { accepted: true };
      case 'revoked':
        return {
          accepted: false,
          message: `the host key of ${target.label} (${name}, ${offered}) is marked @revoked in ${where(verdict.entry)}; refusing to connect`,
        };
      case 'mismatch':
        // Never advise accept-new here: it would not help (the host is known), and trusting the new key is
        // exactly what an attacker wants. Say what is known and where, as OpenSSH's "Offending key in file:line".
        return {
          accepted: false,
          message:
            `HOST KEY CHANGED for ${target.label} (${name}): it offered ${offered}, which is none of the keys known for it ` +
            `(${describeKnownKeys(verdict.known, where)}). This can be an attack: check the new key with ` +
            `the host's administrator. Only if the host was really re-installed or re-keyed, remove the stale lines with: ` +
            `${staleFiles(verdict.known, target.file).map((file) => `ssh-keygen -R ${shellWord(name)} -f ${shellWord(file)}`).join('; ')}`,
        };
      case 'cert-authority': {
        // Under accept-new too: pinning the plain key would make the host trusted without its certificate.
        const plain = verdict.known.length > 0 ? ` (the plain lines for it hold other keys: ${describeKnownKeys(verdict.known, where)})` : '';
        return {
          accepted: false,
          message:
            `${target.label} (${name}) offered ${offered}, which no plain known_hosts line holds${plain}; ` +
            `this host is trusted through a host certificate authority (@cert-authority at ${where(verdict.entry)}), ` +
            'which the ssh2 transport cannot check; audit it with `transport: openssh` (docs/inventory.md)',
        };
      }
      case 'unknown': {
        if (policy === 'accept-new') return acceptNew(target, keyType, keyBlob, offered);
        // -H: the line the operator adds is hashed like the ones accept-new would write for this host.
        const options = `${target.hashNames ? '-H ' : ''}${target.port === 22 ? '' : `-p ${target.port} `}`;
        return {
          accepted: false,
          message:
            `the host key of ${target.label} (${name}, ${offered}) is not in ${target.file}. Check the fingerprint, then add it with: ` +
            `ssh-keyscan ${options}${shellWord(target.address)} >> ${shellWord(target.file)} (or run with --host-key-policy accept-new)`,
        };
      }
    }
  }

  function acceptNew(target: HostKeyTarget, keyType: string, keyBlob: Buffer, offered: string): Promise<HostKeyDecision> {
    return serialised(target.file, async (): Promise<HostKeyDecision> => {
      const loaded = await load(target.file);
      // Another connection may have added this host while we waited for the queue.
      const verdict = checkHostKey(await loadAll(target), target.address, target.port, keyType, keyBlob);
      if (verdict.status === 'match') return { accepted: true };
      if (verdict.status !== 'unknown') return verify(target, keyBlob);

      const line = formatKnownHostsLine(target.address, target.port, keyType, keyBlob.toString('base64'), { hashName: target.hashNames === true });
      try {
        await mkdir(dirname(target.file), { recursive: true, mode: 0o700 });
        // `mode` only applies when the file is created: an existing file keeps the owner's choice.
        await appendFile(target.file, `${loaded.needsNewline ? '\n' : ''}${line}\n`, { mode: 0o600 });
      } catch (error) {
        return { accepted: false, message: `cannot add the host key of ${target.label} to ${target.file}: ${messageOf(error)}` };
      }
      cache.delete(target.file); // the next check re-reads the file with this line in it
      const hashed = target.hashNames ? ', name hashed' : '';
      warn(`added the host key of ${target.label} (${knownHostsName(target.address, target.port)}, ${offered}) to ${target.file}${hashed}`);
      return { accepted: true };
    });
  }

  async function knownKeyTypes(target: Pick<HostKeyTarget, 'file' | 'alsoRead' | 'address' | 'port'>): Promise<string[]> {
    let known: KnownHostsIndex;
    try {
      known = await loadAll(target);
    } catch {
      return [];
    }
    return [...new Set(knownHostEntries(known, target.address, target.port).map((entry) => entry.keyType))];
  }

  return { verify, knownKeyTypes };
}

/** At most this many known keys are listed in a message; a host rarely has more than three. */
const LISTED_KEYS = 5;

/** `ssh-ed25519 SHA256:… at FILE:3, ssh-rsa SHA256:… at FILE:4`, bounded, for a changed-key message. */
function describeKnownKeys(entries: readonly KnownHostEntry[], where: (entry: KnownHostEntry) => string): string {
  const listed = entries.slice(0, LISTED_KEYS).map((entry) => `${entry.keyType} ${keyFingerprint(entry.key)} at ${where(entry)}`);
  const more = entries.length > LISTED_KEYS ? ` and ${entries.length - LISTED_KEYS} more` : '';
  return `${listed.join(', ')}${more}`;
}

/** The files holding a changed host's stale keys, in the order first met (the main file when none says). */
function staleFiles(entries: readonly KnownHostEntry[], main: string): string[] {
  const files = [...new Set(entries.map((entry) => (entry as SourcedEntry).file ?? main))];
  return files.length > 0 ? files : [main];
}

async function readKnownHostsFile(file: string): Promise<LoadedFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    // No file yet is the normal state before the first accept-new: every host is simply unknown.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: indexKnownHosts([]), all: [], needsNewline: false };
    throw error;
  }
  const all = parseKnownHosts(text);
  return { entries: indexKnownHosts(all), all, needsNewline: text.length > 0 && !text.endsWith('\n') };
}

/** What identifies one version of a file cheaply: inode, size and mtime; `absent` when there is none. */
async function fileStamp(file: string): Promise<string> {
  try {
    const info = await stat(file, { bigint: true });
    return `${info.ino}:${info.size}:${info.mtimeNs}`;
  } catch {
    return 'absent'; // unreadable or missing: readKnownHostsFile says which
  }
}

/** Quote a word for a copy-pasteable shell command, only when it needs it (keeps the common case readable). */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./\-~]+$/.test(word) && !word.startsWith('~') ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
