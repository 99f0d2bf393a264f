/**
 * The fallbacks for an iproute2 too old for `-j`: `ip -o -d link show`, `ip -o addr show`,
 * `ip -o route show default`. One record a line, continuation parts joined by `\`. Less is known than
 * from JSON, but names, kind, master, lower/peer and addresses are enough for the classifier.
 */
import type { LinkFacts } from '../model.js';
import { ParseError } from './errors.js';
import { familyOf, resolvePeerIndexes, type LinkAddresses } from './iproute.js';

/**
 * `linkNetnsid` for a peer in another namespace that iproute2 named (`link-netns NAME`) without printing
 * its numeric id: still "another namespace", which is what the classifier needs to know.
 */
export const OTHER_NAMESPACE = -1;

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2})+$/i;
/**
 * The longest `NAME` or `LOWER` in a `NAME@LOWER` label that is looked at. The kernel's names are at most 15
 * bytes (IFNAMSIZ − 1), so 64 is generous; the bound keeps the `@` splitting linear on a hostile label made of
 * thousands of `@`s, which would otherwise cost (number of `@`s) × (label length).
 */
const MAX_NAME_LENGTH = 64;
/** Continuation parts that are not a link kind. */
const NOT_A_KIND = new Set(['altname', 'vf', 'addrgenmode', 'prop']);

/**
 * Parse `ip -o -d link show`.
 * @throws ParseError on a line that is not `IDX: NAME: <FLAGS> …`.
 */
export function parseIpLinkOneline(text: string): LinkFacts[] {
  const rows = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const head = /^(\d+): ([^:]+): <([^>]*)>(.*)$/.exec(line);
      if (!head) throw new ParseError(`not an ip -o link line: ${JSON.stringify(line.slice(0, 80))}`);
      return { index: Number(head[1]), label: head[2]!, flags: head[3]!.split(','), rest: head[4]! };
    });
  // Every label and each of its prefixes before an `@`: the candidates a `@LOWER` suffix may name.
  const names = new Set<string>();
  for (const row of rows) for (const prefix of namePrefixes(row.label)) names.add(prefix);
  return resolvePeerIndexes(rows.map((row) => linkOfRow(row, names)));
}

/** The label and its prefixes ending before an `@`, those no longer than a name can be. */
function namePrefixes(label: string): string[] {
  const prefixes = label.length <= MAX_NAME_LENGTH ? [label] : [];
  for (let at = label.indexOf('@'); at >= 0 && at <= MAX_NAME_LENGTH; at = label.indexOf('@', at + 1)) prefixes.push(label.slice(0, at));
  return prefixes;
}

interface OnelineRow {
  index: number;
  label: string;
  flags: string[];
  rest: string;
}

/** One `ip -o -d link` line: header words, then `\`-separated parts (link/…, the kind, `<kind>_slave`, …). */
function linkOfRow({ index, label, flags, rest }: OnelineRow, names: Set<string>): LinkFacts {
  const { name, lower } = splitLabel(label, names);
  const parts = rest.split('\\').map((p) => p.trim());
  const header = words(parts[0] ?? '');
  const linkPart = parts.find((p) => p.startsWith('link/')) ?? '';
  const linkWords = words(linkPart);
  const extra = parts.slice(1).filter((p) => !p.startsWith('link/'));
  const kindPart = extra.find((p) => {
    const first = words(p)[0] ?? '';
    return first !== '' && !first.endsWith('_slave') && !NOT_A_KIND.has(first);
  });
  const kindWords = words(kindPart ?? '');
  const kind = kindWords[0] ?? null;
  const slavePart = extra.find((p) => (words(p)[0] ?? '').endsWith('_slave'));
  const all = words(rest);
  const netnsid = after(linkWords, 'link-netnsid');
  const netnsName = after(linkWords, 'link-netns');
  const linkNetnsid = netnsid !== null && /^\d+$/.test(netnsid) ? Number(netnsid) : netnsName !== null ? OTHER_NAMESPACE : null;
  const lowerIndex = lower !== null ? /^if(\d+)$/.exec(lower) : null;
  const address = linkWords[1] ?? null;
  return {
    name,
    index,
    kind,
    slaveKind: slavePart ? (words(slavePart)[0] ?? '').replace(/_slave$/, '') : null,
    master: after(header, 'master'),
    linkType: linkWords[0]?.slice('link/'.length) ?? null,
    mac: address !== null && MAC.test(address) ? address : null,
    operstate: after(header, 'state'),
    up: flags.includes('UP'),
    parentBus: after(all, 'parentbus'),
    parentDev: after(all, 'parentdev'),
    lower: lowerIndex ? null : lower,
    peerIndex: lowerIndex ? Number(lowerIndex[1]) : null,
    linkNetnsid,
    macvlanMode: kind !== null && /^(macvlan|macvtap|ipvlan|ipvtap)$/.test(kind) ? after(kindWords, 'mode') : null,
    vlanId: kind === 'vlan' ? numberAfter(kindWords, 'id') : null,
    addresses: [],
  };
}

/**
 * `NAME@LOWER`. A name may itself hold `@`, so a split is only taken when what follows is `ifN`, `NONE`
 * or the name of another link in the same output.
 */
function splitLabel(label: string, names: Set<string>): { name: string; lower: string | null } {
  const nearest = label.length - MAX_NAME_LENGTH - 1;
  for (let at = label.lastIndexOf('@'); at > 0 && at >= nearest; at = label.lastIndexOf('@', at - 1)) {
    const lower = label.slice(at + 1);
    if (/^if\d+$/.test(lower) || lower === 'NONE') return { name: label.slice(0, at), lower: lower === 'NONE' ? null : lower };
    if (names.has(lower)) return { name: label.slice(0, at), lower };
  }
  return { name: label, lower: null };
}

/**
 * Parse `ip -o addr show`.
 * @throws ParseError on a line that is not `IDX: NAME inet|inet6 ADDR…`.
 */
export function parseIpAddrOneline(text: string): LinkAddresses[] {
  const byIndex = new Map<number, LinkAddresses>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^(\d+):\s+(\S+)\s+(\S+)\s+(\S+)(.*)$/.exec(line);
    if (!m) throw new ParseError(`not an ip -o addr line: ${JSON.stringify(line.slice(0, 80))}`);
    const family = familyOf(m[3]!);
    if (!family) continue; // link-layer or other families
    const index = Number(m[1]);
    const entry = byIndex.get(index) ?? { index, name: m[2]!, addresses: [] };
    byIndex.set(index, entry);
    // Point-to-point addresses print `inet A peer B/N`: the prefix is the peer's.
    const [address, ownPrefix] = m[4]!.split('/');
    const prefix = ownPrefix ?? /\bpeer \S+\/(\d+)/.exec(m[5]!)?.[1] ?? (family === 'ipv4' ? '32' : '128');
    if (!/^\d+$/.test(prefix)) throw new ParseError(`bad prefix in ${JSON.stringify(line.slice(0, 80))}`);
    entry.addresses.push({ family, address: address!, prefix: Number(prefix) });
  }
  return [...byIndex.values()];
}

/** Parse `ip -o route show default`: devices of default routes (all `dev` words, for multipath). */
export function parseIpRouteOneline(text: string): string[] {
  const devs = new Set<string>(); // first-seen order, linear however many routes
  for (const line of text.split('\n')) {
    if (!/^default\b/.test(line.trim())) continue;
    for (const m of line.matchAll(/\bdev (\S+)/g)) devs.add(m[1]!);
  }
  return [...devs];
}

function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== '');
}

function after(list: string[], key: string): string | null {
  const i = list.indexOf(key);
  return i >= 0 ? (list[i + 1] ?? null) : null;
}

function numberAfter(list: string[], key: string): number | null {
  const value = after(list, key);
  return value !== null && /^\d+$/.test(value) ? Number(value) : null;
}
