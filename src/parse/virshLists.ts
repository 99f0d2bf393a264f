/**
 * The listing virsh's output (probe/libvirtLists.ts): each set of UUIDs after its marker on stdout, and each set's
 * errors after the same marker on stderr. A set that printed an error is not a set: its absence from the result
 * makes every fact it would have given unknown, never "not a member".
 */
import { LIBVIRT_SET_NAMES, type LibvirtSetName } from '../probe/libvirtLists.js';
import { ParseError } from './errors.js';
import { errorCause } from './tools.js';

/** The sets that were listed without error, and why the others were not. */
export interface LibvirtLists {
  sets: Map<LibvirtSetName, Set<string>>;
  /** Set → the first error line virsh printed for it (the cause, without `error: `). */
  failed: Map<LibvirtSetName, string>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KNOWN_SETS = new Set<string>(LIBVIRT_SET_NAMES);

/** A virsh too old for `echo --err` says so once per set; that line says nothing about the set. */
const ECHO_ERR_UNSUPPORTED = /echo.*--err|--err.*echo/;

/**
 * Parse the listing: `stdout` of section libvirt-lists, `errors` the text of section libvirt-lists-stderr.
 * @throws ParseError on a set member that is not a UUID (not virsh's output).
 */
export function parseLibvirtLists(stdout: string, errors: string, nonce: string): LibvirtLists {
  const sets = new Map<LibvirtSetName, Set<string>>();
  for (const [name, text] of partsByMarker(stdout, nonce)) sets.set(name, uuidsOf(text));
  const failed = new Map<LibvirtSetName, string>();
  const errorParts = partsByMarker(errors, nonce);
  for (const [name, text] of errorParts) {
    const cause = firstError(text);
    if (cause !== null) failed.set(name, cause);
  }
  // Without stderr markers (virsh older than `echo --err`), an error cannot be pinned on one set: it costs them all.
  if (errorParts.size === 0 && firstError(errors) !== null) {
    const cause = errorCause(errors.split('\n').filter((line) => !ECHO_ERR_UNSUPPORTED.test(line)).join('\n')) ?? 'virsh failed';
    if (cause !== null) for (const name of LIBVIRT_SET_NAMES) failed.set(name, cause);
  }
  for (const name of failed.keys()) sets.delete(name);
  return { sets, failed };
}

/** Marker → the text up to the next marker (or the end). Text before the first marker is the daemon's version. */
function partsByMarker(text: string, nonce: string): Map<LibvirtSetName, string> {
  const parts = new Map<LibvirtSetName, string>();
  const marker = new RegExp(`@@KNA-${nonce}:set:([a-z-]+) ?`, 'g');
  let last: { name: string; from: number } | null = null;
  const put = (until: number) => {
    if (last && KNOWN_SETS.has(last.name)) parts.set(last.name as LibvirtSetName, text.slice(last.from, until));
  };
  for (const m of text.matchAll(marker)) {
    put(m.index);
    last = { name: m[1]!, from: m.index + m[0].length };
  }
  put(text.length);
  return parts;
}

/** One UUID a line, lowercased and deduplicated, in the order listed. */
function uuidsOf(text: string): Set<string> {
  const uuids = new Set<string>();
  for (const line of text.split('\n')) {
    const word = line.trim();
    if (word === '') continue;
    if (!UUID.test(word)) throw new ParseError(`not a UUID: ${JSON.stringify(word.slice(0, 60))}`);
    uuids.add(word.toLowerCase());
  }
  return uuids;
}

/**
 * The `error:` lines of a set, without their prefix, joined (virsh says what failed, then why: `failed to list
 * networks: Failed to connect socket …`); lines about `echo --err` itself are passed over. Null when there are none.
 */
function firstError(text: string): string | null {
  const causes: string[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('error:')) continue;
    const cause = trimmed.slice('error:'.length).trim();
    if (cause !== '' && !ECHO_ERR_UNSUPPORTED.test(cause)) causes.push(cause);
  }
  return causes.length === 0 ? null : causes.slice(0, 2).join(': ');
}
