/**
 * An index over a host's links and bridges, so the classifier can ask "which bridge is this port on?"
 * or "who is this veth's peer?" without scanning lists each time.
 */
import type { BridgeFacts, HostFacts, LinkFacts, NetworkFacts } from '../model.js';

/** Kinds of links that make a bridge (`openvswitch` is how `ip -d link` shows an OVS bridge). */
const BRIDGE_KINDS = new Set(['bridge', 'openvswitch']);

/** A host bridge as the classifier sees it: brctl's view merged with ip's. */
export interface HostBridge {
  name: string;
  kind: 'linux' | 'ovs';
  ports: string[];
  /** The bridge's own link, when ip reported one (holds its addresses). */
  link: LinkFacts | null;
}

/** Read-only lookups over one host's facts. */
export interface Topology {
  linkByName(name: string): LinkFacts | undefined;
  linkByIndex(index: number): LinkFacts | undefined;
  bridge(name: string): HostBridge | undefined;
  /** Every bridge, brctl's first; the same array on every call (do not mutate it). */
  bridges(): readonly HostBridge[];
  /** The bridge a link is a port of, if any. */
  bridgeOf(port: string): HostBridge | undefined;
  /** Links enslaved to `master` (a bond's or team's slaves), in ip's order. */
  slavesOf(master: string): readonly LinkFacts[];
  /** Networks by their XML name (exact match; names are never looked up by UUID or id). */
  networkByName(name: string): NetworkFacts | undefined;
  /**
   * The libvirt network that manages `bridge`: one in nat, route, open or no forward mode whose `<bridge name>`
   * it is (docs/report.md, Modes). A `forward mode='bridge'` network only points at a bridge someone else made.
   */
  managedNetworkOnBridge(bridge: string): NetworkFacts | undefined;
  networks(): NetworkFacts[];
}

/**
 * Build the lookups for one host. Every lookup is a map built here once: a host may report tens of
 * thousands of links and thousands of guests, and the classifier asks per port and per NIC.
 */
export function buildTopology(facts: Pick<HostFacts, 'links' | 'bridges' | 'networks'>): Topology {
  const linksByName = new Map(facts.links.map((link) => [link.name, link] as const));
  const linksByIndex = new Map(facts.links.map((link) => [link.index, link] as const));
  const bridges = mergeBridges(facts.bridges, facts.links, linksByName);
  const bridgeList: readonly HostBridge[] = [...bridges.values()];
  const bridgeByPort = new Map<string, HostBridge>();
  for (const bridge of bridgeList) {
    for (const port of bridge.ports) if (!bridgeByPort.has(port)) bridgeByPort.set(port, bridge);
  }
  const slavesByMaster = new Map<string, LinkFacts[]>();
  for (const link of facts.links) if (link.master !== null) appendTo(slavesByMaster, link.master, link);
  const networksByName = new Map<string, NetworkFacts>();
  const managedByBridge = new Map<string, NetworkFacts>();
  for (const network of facts.networks) {
    if (!networksByName.has(network.name)) networksByName.set(network.name, network);
    // The first such network in libvirt's order wins, as a search through the list would find it.
    if (network.bridge !== null && !managedByBridge.has(network.bridge) && managesItsBridge(network)) {
      managedByBridge.set(network.bridge, network);
    }
  }

  return {
    linkByName: (name) => linksByName.get(name),
    linkByIndex: (index) => linksByIndex.get(index),
    bridge: (name) => bridges.get(name),
    bridges: () => bridgeList,
    bridgeOf: (port) => bridgeByPort.get(port),
    slavesOf: (master) => slavesByMaster.get(master) ?? [],
    networkByName: (name) => networksByName.get(name),
    managedNetworkOnBridge: (bridge) => managedByBridge.get(bridge),
    networks: () => facts.networks,
  };
}

const MANAGED_FORWARD_MODES = new Set(['nat', 'route', 'open']);

/** libvirt creates and owns the bridge of a network with no forward, or forward nat/route/open (mode absent = nat). */
function managesItsBridge(network: NetworkFacts): boolean {
  if (network.forward === null) return true;
  const mode = network.forward.mode?.trim() || 'nat';
  return MANAGED_FORWARD_MODES.has(mode);
}

/**
 * brctl lists Linux bridges only and ip lists every bridge link, so take the union: brctl's ports,
 * plus links whose master is the bridge, with ip deciding the kind. Ports are collected in sets (a bridge
 * can have thousands) and listed in the order first seen.
 */
function mergeBridges(
  bridgeFacts: readonly BridgeFacts[],
  links: readonly LinkFacts[],
  linksByName: ReadonlyMap<string, LinkFacts>,
): Map<string, HostBridge> {
  const found = new Map<string, { bridge: Omit<HostBridge, 'ports'>; ports: Set<string> }>();
  for (const facts of bridgeFacts) {
    const existing = found.get(facts.name);
    if (existing) {
      for (const port of facts.ports) existing.ports.add(port);
      continue;
    }
    const link = linksByName.get(facts.name) ?? null;
    const kind = link?.kind === 'openvswitch' ? 'ovs' : facts.kind;
    found.set(facts.name, { bridge: { name: facts.name, kind, link }, ports: new Set(facts.ports) });
  }
  for (const link of links) {
    if (link.kind === null || !BRIDGE_KINDS.has(link.kind) || found.has(link.name)) continue;
    // `ovs-system` is the OVS datapath, not a bridge anyone attaches to; every OVS port names it as master.
    if (link.name === 'ovs-system') continue;
    found.set(link.name, { bridge: { name: link.name, kind: link.kind === 'openvswitch' ? 'ovs' : 'linux', link }, ports: new Set() });
  }
  for (const link of links) {
    if (link.master !== null) found.get(link.master)?.ports.add(link.name);
  }
  const bridges = new Map<string, HostBridge>();
  for (const [name, { bridge, ports }] of found) bridges.set(name, { name, kind: bridge.kind, ports: [...ports], link: bridge.link });
  return bridges;
}

function appendTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
