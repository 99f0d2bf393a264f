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
  bridges(): HostBridge[];
  /** The bridge a link is a port of, if any. */
  bridgeOf(port: string): HostBridge | undefined;
  /** Links enslaved to `master` (a bond's or team's slaves). */
  slavesOf(master: string): LinkFacts[];
  /** Networks by their XML name (exact match; names are never looked up by UUID or id). */
  networkByName(name: string): NetworkFacts | undefined;
  /**
   * The libvirt network that manages `bridge`: one in nat, route, open or no forward mode whose `<bridge name>`
   * it is (DESIGN §4). A `forward mode='bridge'` network only points at a bridge someone else made.
   */
  managedNetworkOnBridge(bridge: string): NetworkFacts | undefined;
  networks(): NetworkFacts[];
}

/** Build the lookups for one host. */
export function buildTopology(facts: Pick<HostFacts, 'links' | 'bridges' | 'networks'>): Topology {
  const linksByName = new Map(facts.links.map((link) => [link.name, link] as const));
  const linksByIndex = new Map(facts.links.map((link) => [link.index, link] as const));
  const bridges = mergeBridges(facts.bridges, facts.links, linksByName);
  const bridgeByPort = new Map<string, HostBridge>();
  for (const bridge of bridges.values()) {
    for (const port of bridge.ports) if (!bridgeByPort.has(port)) bridgeByPort.set(port, bridge);
  }
  const networksByName = new Map<string, NetworkFacts>();
  for (const network of facts.networks) if (!networksByName.has(network.name)) networksByName.set(network.name, network);

  return {
    linkByName: (name) => linksByName.get(name),
    linkByIndex: (index) => linksByIndex.get(index),
    bridge: (name) => bridges.get(name),
    bridges: () => [...bridges.values()],
    bridgeOf: (port) => bridgeByPort.get(port),
    slavesOf: (master) => facts.links.filter((link) => link.master === master),
    networkByName: (name) => networksByName.get(name),
    managedNetworkOnBridge: (bridge) => facts.networks.find((network) => network.bridge === bridge && managesItsBridge(network)),
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
 * plus links whose master is the bridge, with ip deciding the kind.
 */
function mergeBridges(
  bridgeFacts: BridgeFacts[],
  links: LinkFacts[],
  linksByName: Map<string, LinkFacts>,
): Map<string, HostBridge> {
  const bridges = new Map<string, HostBridge>();
  for (const facts of bridgeFacts) {
    const link = linksByName.get(facts.name) ?? null;
    const kind = link?.kind === 'openvswitch' ? 'ovs' : facts.kind;
    const existing = bridges.get(facts.name);
    if (existing) existing.ports = unique([...existing.ports, ...facts.ports]);
    else bridges.set(facts.name, { name: facts.name, kind, ports: unique(facts.ports), link });
  }
  for (const link of links) {
    if (link.kind === null || !BRIDGE_KINDS.has(link.kind) || bridges.has(link.name)) continue;
    // `ovs-system` is the OVS datapath, not a bridge anyone attaches to; every OVS port names it as master.
    if (link.name === 'ovs-system') continue;
    bridges.set(link.name, { name: link.name, kind: link.kind === 'openvswitch' ? 'ovs' : 'linux', ports: [], link });
  }
  for (const link of links) {
    const bridge = link.master === null ? undefined : bridges.get(link.master);
    if (bridge && !bridge.ports.includes(link.name)) bridge.ports.push(link.name);
  }
  return bridges;
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}
