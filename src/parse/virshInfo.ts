/**
 * virsh's key/value tables (`net-info`, `dominfo`) and lists (`net-list --uuid`, `list --uuid`).
 * The probe runs virsh with LC_ALL=C, so the labels are the English ones.
 */
import { ParseError } from './errors.js';

/** `virsh net-info` of one network. */
export interface NetInfo {
  name: string | null;
  uuid: string | null;
  active: boolean | null;
  persistent: boolean | null;
  autostart: boolean | null;
  /** Absent for networks without a bridge (macvtap, hostdev pools). */
  bridge: string | null;
}

/** `virsh dominfo` of one domain. */
export interface DomInfo {
  /** null for `-` (not running). */
  id: number | null;
  name: string | null;
  uuid: string | null;
  /** As virsh prints it: running, paused, shut off, … */
  state: string | null;
  persistent: boolean | null;
  autostart: boolean | null;
}

/**
 * Parse `virsh net-info`.
 * @example parseNetInfo('Name:           default\nUUID: …\nActive:         yes\n…').active === true
 * @throws ParseError when neither a Name nor a UUID line is present.
 */
export function parseNetInfo(text: string): NetInfo {
  const fields = parseKeyValueTable(text);
  return {
    name: fields.get('Name') ?? null,
    uuid: fields.get('UUID')?.trim() || null,
    active: yesNo(fields.get('Active')),
    persistent: yesNo(fields.get('Persistent')),
    autostart: yesNo(fields.get('Autostart')),
    bridge: fields.get('Bridge')?.trim() || null,
  };
}

/**
 * Parse `virsh dominfo`.
 * @throws ParseError when neither a Name nor a UUID line is present.
 */
export function parseDomInfo(text: string): DomInfo {
  const fields = parseKeyValueTable(text);
  const id = fields.get('Id')?.trim();
  return {
    id: id !== undefined && /^\d+$/.test(id) ? Number(id) : null,
    name: fields.get('Name') ?? null,
    uuid: fields.get('UUID')?.trim() || null,
    state: fields.get('State')?.trim() || null,
    persistent: yesNo(fields.get('Persistent')),
    autostart: yesNo(fields.get('Autostart')),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Parse `virsh net-list --all --uuid` / `virsh list --all --uuid`: one UUID a line, lowercased, without
 * duplicates, in the order first listed. Empty output is an empty list (no networks or no domains).
 * Linear in the output: a host may list any number of UUIDs (the cap is applied when objects are assembled).
 * @throws ParseError on a line that is not a UUID.
 */
export function parseUuidList(text: string): string[] {
  const uuids = new Set<string>();
  for (const line of text.split('\n')) {
    const word = line.trim();
    if (word === '') continue;
    if (!UUID.test(word)) throw new ParseError(`not a UUID: ${JSON.stringify(word.slice(0, 60))}`);
    uuids.add(word.toLowerCase());
  }
  // A Set iterates in insertion order: the first-listed order is kept.
  return [...uuids];
}

/**
 * virsh prints `%-15s %s`: the value starts in column 16. Reading it from there keeps names with leading
 * spaces intact; a longer label falls back to "after the colon and its padding".
 */
function parseKeyValueTable(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon);
    if (!/^[A-Za-z][A-Za-z ()]*$/.test(key) || fields.has(key)) continue;
    const padded = line.length > 16 && colon < 15 && /^ +$/.test(line.slice(colon + 1, 16));
    fields.set(key, padded ? line.slice(16) : line.slice(colon + 1).trimStart());
  }
  if (!fields.has('Name') && !fields.has('UUID')) throw new ParseError('no Name or UUID line: not virsh info output');
  return fields;
}

/** yes/no (net-info) and enable/disable (dominfo's Autostart); anything else is unknown. */
function yesNo(value: string | undefined): boolean | null {
  switch (value?.trim()) {
    case 'yes':
    case 'enable':
      return true;
    case 'no':
    case 'disable':
      return false;
    default:
      return null;
  }
}
