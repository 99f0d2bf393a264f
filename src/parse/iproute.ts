/**
 * `ip -j -d link show`, `ip -j addr show` and `ip -j route show default` → typed links and default-route
 * devices. Field meanings follow iproute2's JSON output (ifname, ifindex, linkinfo.info_kind, …).
 */
import type { LinkFacts } from '../model.js';
import { ParseError } from './errors.js';
import { intField, parseIprouteJson, recordField, stringField } from './iprouteJson.js';
import { isRecord } from '../util/records.js';

/** One address of a link, as LinkFacts carries it. */
export type LinkAddress = LinkFacts['addresses'][number];

/** The addresses of one link, from `ip addr`. */
export interface LinkAddresses {
  index: number;
  name: string;
  addresses: LinkAddress[];
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2})+$/i;

/**
 * Parse `ip -j -d link show`. Addresses are empty here: see `parseIpAddr` and `mergeLinks`.
 * A same-namespace veth's peer is printed by name only (`"link": "patch0"`): its index is looked up so that
 * `peerIndex` is set either way.
 * @throws ParseError when the output is not a JSON array of links with ifname and ifindex.
 */
export function parseIpLink(jsonText: string): LinkFacts[] {
  const links = parseIprouteJson(jsonText).map((record, i): LinkFacts => {
    const name = stringField(record, 'ifname');
    const index = intField(record, 'ifindex');
    if (name === null || index === null) throw new ParseError(`link ${i} has no ifname/ifindex`);
    const linkinfo = recordField(record, 'linkinfo');
    const kind = stringField(linkinfo, 'info_kind');
    const data = recordField(linkinfo, 'info_data');
    const flags = Array.isArray(record.flags) ? record.flags : [];
    const address = stringField(record, 'address');
    return {
      name,
      index,
      kind,
      slaveKind: stringField(linkinfo, 'info_slave_kind'),
      master: stringField(record, 'master'),
      linkType: stringField(record, 'link_type'),
      mac: address !== null && MAC.test(address) ? address : null,
      operstate: stringField(record, 'operstate'),
      up: flags.includes('UP'),
      parentBus: stringField(record, 'parentbus'),
      parentDev: stringField(record, 'parentdev'),
      lower: stringField(record, 'link'),
      peerIndex: intField(record, 'link_index'),
      linkNetnsid: intField(record, 'link_netnsid'),
      macvlanMode: kind !== null && /^(macvlan|macvtap|ipvlan|ipvtap)$/.test(kind) ? stringField(data, 'mode') : null,
      vlanId: kind === 'vlan' ? intField(data, 'id') : null,
      addresses: [],
    };
  });
  return resolvePeerIndexes(links);
}

/** Fill `peerIndex` from the lower device's name when iproute2 printed the name instead of the index. */
export function resolvePeerIndexes(links: LinkFacts[]): LinkFacts[] {
  const indexByName = new Map(links.map((l) => [l.name, l.index]));
  return links.map((link) =>
    link.peerIndex === null && link.lower !== null && link.linkNetnsid === null && indexByName.has(link.lower)
      ? { ...link, peerIndex: indexByName.get(link.lower) ?? null }
      : link,
  );
}

/**
 * Parse `ip -j addr show`: IPv4/IPv6 addresses per link (other families are ignored).
 * @throws ParseError when the output is not a JSON array of links.
 */
export function parseIpAddr(jsonText: string): LinkAddresses[] {
  return parseIprouteJson(jsonText).map((record, i) => {
    const name = stringField(record, 'ifname');
    const index = intField(record, 'ifindex');
    if (name === null || index === null) throw new ParseError(`link ${i} has no ifname/ifindex`);
    const infos = (Array.isArray(record.addr_info) ? record.addr_info : []).filter(isRecord);
    const addresses = infos.flatMap((info): LinkAddress[] => {
      const family = familyOf(stringField(info, 'family'));
      const address = stringField(info, 'local');
      const prefix = intField(info, 'prefixlen');
      return family && address !== null && prefix !== null ? [{ family, address, prefix }] : [];
    });
    return { index, name, addresses };
  });
}

/**
 * Attach addresses to links, matched by ifindex (by name when the index is unknown to `links`). Each entry of
 * `addresses` goes to one link only, the first that matches: a host printing many links under one index must
 * not get its address list copied onto every one of them (links × addresses).
 */
export function mergeLinks(links: LinkFacts[], addresses: LinkAddresses[]): LinkFacts[] {
  const byIndex = new Map(addresses.map((a) => [a.index, a]));
  const byName = new Map(addresses.map((a) => [a.name, a]));
  const taken = new Set<LinkAddresses>();
  return links.map((link) => {
    const match = byIndex.get(link.index) ?? byName.get(link.name);
    if (!match || taken.has(match)) return link;
    taken.add(match);
    return { ...link, addresses: [...link.addresses, ...match.addresses] };
  });
}

/**
 * Parse `ip -j route show default`: the devices that carry a default route, in order, without duplicates
 * (multipath routes list theirs under `nexthops`).
 * @throws ParseError when the output is not a JSON array.
 */
export function parseIpRoute(jsonText: string): string[] {
  // A Set keeps the first-seen order and stays linear however many routes the host prints.
  const devs = new Set<string>();
  const add = (dev: string | null) => {
    if (dev !== null) devs.add(dev);
  };
  for (const route of parseIprouteJson(jsonText)) {
    const dst = stringField(route, 'dst');
    if (dst !== null && dst !== 'default' && dst !== '0.0.0.0/0' && dst !== '::/0') continue;
    add(stringField(route, 'dev'));
    const nexthops = (Array.isArray(route.nexthops) ? route.nexthops : []).filter(isRecord);
    for (const hop of nexthops) add(stringField(hop, 'dev'));
  }
  return [...devs];
}

export function familyOf(family: string | null): 'ipv4' | 'ipv6' | null {
  return family === 'inet' ? 'ipv4' : family === 'inet6' ? 'ipv6' : null;
}
