/**
 * OpenSSH known_hosts, as pure functions: parse the text, decide whether an offered host key is known,
 * and format the line that `accept-new` appends. No file I/O here (see hostKeyVerifier.ts).
 *
 * Line format (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"):
 *   [@revoked|@cert-authority] patterns keytype base64-key [comment]
 * where patterns is a comma-separated list of host patterns (`*`, `?` wildcards, `!` negation,
 * `[host]:port` for a port other than 22) or one hashed name `|1|base64(salt)|base64(hmac-sha1(salt, name))`.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** One host pattern of a plain (unhashed) entry. */
export interface HostPattern {
  /** The pattern without its `!`, lower-cased (OpenSSH matches host names case-insensitively). */
  pattern: string;
  negated: boolean;
}

/** A hashed host name (`|1|salt|hash`): can only be tested, never read back. */
export interface HashedHost {
  salt: Buffer;
  hash: Buffer;
}

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  /** 1-based line number, for messages that tell the operator which line to look at. */
  line: number;
  marker: 'revoked' | 'cert-authority' | null;
  /** Plain patterns; empty when the entry is hashed. */
  patterns: HostPattern[];
  hashed: HashedHost | null;
  keyType: string;
  /** The key as written (base64 of the SSH wire blob). */
  keyBase64: string;
  key: Buffer;
}

/** What known_hosts says about the key a host offered. */
export type HostKeyStatus = 'match' | 'mismatch' | 'unknown' | 'revoked' | 'cert-authority';

/** The answer of {@link checkHostKey}, with the line that decided it when there is one. */
export interface HostKeyVerdict {
  status: HostKeyStatus;
  /**
   * The entry that matched, conflicted or revoked the key (null for `unknown`). For `mismatch`: a known key
   * of the offered type when there is one, else the host's first known key. For `cert-authority`: the first
   * `@cert-authority` line that covers the host.
   */
  entry: KnownHostEntry | null;
  /**
   * For `match`, `mismatch` and `cert-authority`: every key known for the host (see {@link knownHostEntries}), in
   * file order (none at all is possible for `cert-authority`); else empty.
   */
  known: KnownHostEntry[];
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HASH_MAGIC = '|1|';

/**
 * Parse known_hosts text. Comments, blank lines and malformed lines are skipped, as OpenSSH does:
 * one bad line must not make the whole file unusable.
 */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const entry = parseKnownHostsLine(raw, index + 1);
    if (entry) entries.push(entry);
  });
  return entries;
}

/** Parse one line; null when it is a comment, blank or malformed. */
export function parseKnownHostsLine(raw: string, lineNumber: number): KnownHostEntry | null {
  const trimmed = raw.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return null;
  const fields = trimmed.split(/[ \t]+/);
  let marker: KnownHostEntry['marker'] = null;
  if (fields[0]?.startsWith('@')) {
    const word = fields.shift();
    if (word === '@revoked') marker = 'revoked';
    else if (word === '@cert-authority') marker = 'cert-authority';
    else return null; // an unknown marker: OpenSSH refuses the line, so must we
  }
  const [hostField, keyType, keyBase64] = fields;
  if (!hostField || !keyType || !keyBase64 || !BASE64.test(keyBase64)) return null;
  const key = Buffer.from(keyBase64, 'base64');
  if (key.length === 0) return null;

  if (hostField.startsWith(HASH_MAGIC)) {
    const hashed = parseHashedHost(hostField);
    if (!hashed) return null;
    return { line: lineNumber, marker, patterns: [], hashed, keyType, keyBase64, key };
  }
  const patterns = hostField
    .split(',')
    .filter((p) => p !== '')
    .map((p) => (p.startsWith('!') ? { pattern: p.slice(1).toLowerCase(), negated: true } : { pattern: p.toLowerCase(), negated: false }));
  if (patterns.length === 0) return null;
  return { line: lineNumber, marker, patterns, hashed: null, keyType, keyBase64, key };
}

function parseHashedHost(field: string): HashedHost | null {
  const parts = field.slice(HASH_MAGIC.length).split('|');
  if (parts.length !== 2) return null;
  const [saltText, hashText] = parts as [string, string];
  if (!BASE64.test(saltText) || !BASE64.test(hashText)) return null;
  const salt = Buffer.from(saltText, 'base64');
  const hash = Buffer.from(hashText, 'base64');
  // HMAC-SHA1: a 20-byte digest; OpenSSH also uses a 20-byte salt, but only the digest length is structural.
  if (hash.length !== 20 || salt.length === 0) return null;
  return { salt, hash };
}

/**
 * The name OpenSSH looks up for a host: `host` on port 22, `[host]:port` otherwise, lower-cased.
 * @example knownHostsName('Example.COM', 2222) // '[example.com]:2222'
 */
export function knownHostsName(host: string, port: number): string {
  const lower = host.toLowerCase();
  return port === 22 ? lower : `[${lower}]:${port}`;
}

/** Glob match with OpenSSH's two wildcards: `*` (any run of characters) and `?` (exactly one). */
export function matchWildcard(text: string, pattern: string): boolean {
  // Iterative matcher with one backtrack point: linear enough for host names, no regex escaping pitfalls.
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const pc = pattern[p];
    if (pc === '*') {
      starP = p++;
      starT = t;
    } else if (pc !== undefined && (pc === '?' || pc === text[t])) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Whether an entry's host field names `name` (already in {@link knownHostsName} form). */
export function entryMatchesName(entry: KnownHostEntry, name: string): boolean {
  if (entry.hashed) {
    const digest = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return timingSafeEqual(digest, entry.hashed.hash);
  }
  let matched = false;
  for (const { pattern, negated } of entry.patterns) {
    if (!matchWildcard(name, pattern)) continue;
    if (negated) return false; // a matching negation vetoes the whole line
    matched = true;
  }
  return matched;
}

/**
 * Decide what known_hosts says about `keyBlob` offered by `host:port`, as OpenSSH does (checked against
 * OpenSSH 9.2: a host known by an ed25519 key that offers only RSA is "REMOTE HOST IDENTIFICATION HAS
 * CHANGED", under StrictHostKeyChecking yes and accept-new alike).
 * - `revoked`: a matching `@revoked` line holds this very key (wins over everything).
 * - `match`: a matching plain line holds this key.
 * - `mismatch`: the host is known, by keys of any type, and this key is none of them. A key of another type
 *   counts: otherwise whoever holds only an RSA key could answer for a host pinned by its ed25519 key.
 * - `cert-authority`: no plain line holds this key, but a `@cert-authority` line covers the host. Its key is
 *   never taken for a host key; the verdict exists because such a host proves itself with a certificate, which
 *   ssh2 cannot check, and pinning its plain key on first use would bypass the CA. Wins over `mismatch` and
 *   `unknown` (a re-keyed host with a fresh certificate is normal under a CA), never over `revoked` or `match`.
 * - `unknown`: no plain line names the host (`@revoked` lines alone do not make it known).
 */
export function checkHostKey(
  known: readonly KnownHostEntry[] | KnownHostsIndex,
  host: string,
  port: number,
  keyType: string,
  keyBlob: Buffer,
): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const trusted: KnownHostEntry[] = [];
  let match: KnownHostEntry | null = null;
  let authority: KnownHostEntry | null = null;
  for (const entry of isIndex(known) ? candidates(known, name) : known) {
    // Revoked keys: OpenSSH also honours `@revoked` lines whose patterns match the host only.
    if (!entryMatchesName(entry, name)) continue;
    if (entry.marker === 'cert-authority') {
      authority ??= entry;
      continue;
    }
    const sameKey = entry.key.equals(keyBlob);
    if (entry.marker === 'revoked') {
      if (sameKey) return { status: 'revoked', entry, known: [] };
      continue;
    }
    trusted.push(entry);
    if (sameKey) match ??= entry;
  }
  if (match) return { status: 'match', entry: match, known: trusted };
  if (authority) return { status: 'cert-authority', entry: authority, known: trusted };
  const [first] = trusted;
  if (first) return { status: 'mismatch', entry: trusted.find((e) => e.keyType === keyType) ?? first, known: trusted };
  return { status: 'unknown', entry: null, known: [] };
}

/**
 * The keys known_hosts vouches for `host:port`: matching plain lines (hashed ones too), in file order;
 * `@revoked` and `@cert-authority` lines are not keys of the host.
 */
export function knownHostEntries(known: readonly KnownHostEntry[] | KnownHostsIndex, host: string, port: number): KnownHostEntry[] {
  const name = knownHostsName(host, port);
  const entries: KnownHostEntry[] = [];
  for (const entry of isIndex(known) ? candidates(known, name) : known) {
    if (entry.marker === null && entryMatchesName(entry, name)) entries.push(entry);
  }
  return entries;
}

/**
 * The key type a host key algorithm signs with: the RSA signature algorithms (RFC 8332) all use an
 * `ssh-rsa` key; every other algorithm is named after its key type.
 */
export function keyTypeOfHostKeyAlgorithm(algorithm: string): string {
  return algorithm === 'rsa-sha2-256' || algorithm === 'rsa-sha2-512' ? 'ssh-rsa' : algorithm;
}

/**
 * Order host key algorithms the way OpenSSH orders HostKeyAlgorithms for a host it already knows: the
 * algorithms whose key type is known for the host first, then the others, each group in the order of
 * `available`. The server then proves itself with a key we can check, instead of its own favourite type.
 * Known types that `available` lacks are not added (we could not negotiate them anyway).
 * @example preferKnownHostKeyAlgorithms(['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'], ['ssh-rsa'])
 *   // ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519']
 */
export function preferKnownHostKeyAlgorithms(available: readonly string[], knownKeyTypes: readonly string[]): string[] {
  const known = new Set(knownKeyTypes);
  const first = available.filter((algorithm) => known.has(keyTypeOfHostKeyAlgorithm(algorithm)));
  const rest = available.filter((algorithm) => !known.has(keyTypeOfHostKeyAlgorithm(algorithm)));
  return [...first, ...rest];
}

/**
 * known_hosts entries arranged for lookups: entries whose patterns are all literal host names, by name; the
 * rest (wildcards, hashed names) kept for a scan. A fleet's file has an entry per host, and scanning all of
 * them for every host made checking a run quadratic.
 */
export interface KnownHostsIndex {
  byName: Map<string, KnownHostEntry[]>;
  scanned: KnownHostEntry[];
}

export function indexKnownHosts(entries: readonly KnownHostEntry[]): KnownHostsIndex {
  const index: KnownHostsIndex = { byName: new Map(), scanned: [] };
  for (const entry of entries) {
    const literal = entry.hashed === null && entry.patterns.every((p) => !/[*?]/.test(p.pattern));
    const names = entry.patterns.filter((p) => !p.negated).map((p) => p.pattern);
    if (!literal || names.length === 0) {
      index.scanned.push(entry);
      continue;
    }
    for (const name of new Set(names)) {
      const list = index.byName.get(name);
      if (list) list.push(entry);
      else index.byName.set(name, [entry]);
    }
  }
  return index;
}

function isIndex(known: readonly KnownHostEntry[] | KnownHostsIndex): known is KnownHostsIndex {
  return !Array.isArray(known);
}

/** The entries that may match `name`, in file order (the first matching line decides, as before). */
function candidates(index: KnownHostsIndex, name: string): KnownHostEntry[] {
  const named = index.byName.get(name) ?? [];
  if (index.scanned.length === 0) return named;
  return [...named, ...index.scanned].sort((a, b) => a.line - b.line);
}

/** How {@link formatKnownHostsLine} writes the host's name. */
export interface KnownHostsLineOptions {
  /**
   * Write the name hashed, as OpenSSH does under HashKnownHosts yes, so the file does not list the fleet.
   * @default false (plain, so the operator can read and review the line)
   */
  hashName?: boolean;
}

/**
 * The line `accept-new` appends.
 * @example formatKnownHostsLine('10.0.0.5', 2222, 'ssh-ed25519', 'AAAAC3Nz…') // '[10.0.0.5]:2222 ssh-ed25519 AAAAC3Nz…'
 * @example formatKnownHostsLine('10.0.0.5', 2222, 'ssh-ed25519', 'AAAAC3Nz…', { hashName: true }) // '|1|Zm9v…=|YmFy…= ssh-ed25519 AAAAC3Nz…'
 */
export function formatKnownHostsLine(host: string, port: number, keyType: string, keyBlobBase64: string, options: KnownHostsLineOptions = {}): string {
  const name = knownHostsName(host, port);
  return `${options.hashName ? hashKnownHostsName(name) : name} ${keyType} ${keyBlobBase64}`;
}

/** OpenSSH's salt length for hashed names (hostfile.c: the HMAC-SHA1 digest length). */
const HASH_SALT_BYTES = 20;

/**
 * A host name hashed as OpenSSH hashes it: `|1|base64(salt)|base64(HMAC-SHA1(key = salt, data = name))`, with a
 * fresh 20-byte random salt unless one is given (tests pin it).
 * @param name already in {@link knownHostsName} form, e.g. `[10.0.0.5]:2222`
 */
export function hashKnownHostsName(name: string, salt: Buffer = randomBytes(HASH_SALT_BYTES)): string {
  const hash = createHmac('sha1', salt).update(name).digest();
  return `${HASH_MAGIC}${salt.toString('base64')}|${hash.toString('base64')}`;
}

/**
 * The key type written inside an SSH public key blob (its first length-prefixed string),
 * e.g. `ssh-ed25519`; null when the blob is too short to hold one.
 */
export function keyTypeFromBlob(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || blob.length < 4 + length) return null;
  const type = blob.subarray(4, 4 + length).toString('latin1');
  return /^[\x21-\x7e]+$/.test(type) ? type : null;
}

/**
 * The fingerprint OpenSSH prints (`ssh-keygen -lf`): `SHA256:` and unpadded base64 of the blob's digest.
 */
export function keyFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}
