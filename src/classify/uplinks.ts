/**
 * The uplink rule (docs/report.md, Modes): which ports connect a host bridge to the outside L2 segment.
 * A bridge with at least one uplink is `bridged`; without one it is `host-only`.
 */
import type { LinkFacts } from '../model.js';
import { compileGlobs } from '../util/glob.js';
import type { Topology } from './topology.js';

/** One uplink port and why it counts, e.g. `{name: 'bond0', description: 'bond0 [eno1, eno2]'}`. */
export interface Uplink {
  name: string;
  /** Short human-readable form for evidence chains. */
  description: string;
}

/** Answers "which ports of this bridge are uplinks?" for one host. */
export interface UplinkResolver {
  uplinksOf(bridge: string): Uplink[];
  /** Bridges whose search for uplinks a limit cut short (so far): their uplinks may be incomplete. */
  cutShort(): string[];
}

/** Guest-facing or virtual-only devices: never an uplink, whatever the inventory's globs say. */
const NEVER_UPLINK_KINDS = new Set(['tun', 'tap', 'macvlan', 'macvtap', 'ipvlan', 'ipvtap', 'dummy']);
const AGGREGATE_KINDS = new Set(['bond', 'team']);
const TUNNEL_KINDS = new Set(['vxlan', 'geneve', 'gretap', 'ip6gretap']);

/**
 * How many devices a chain may hold (the bridge asked about, its port, a VLAN's lower device, a patch
 * cable's far bridge, its port…) before the walk stops: a bridge patched to a bridge patched to a bridge
 * with a VLAN on a bond is 7. Real stacks are a few levels deep; a host may report any graph.
 */
const MAX_DEPTH = 10;

/**
 * Ports examined, per bridge asked about and per host, before the walk stops following chains (VLANs to
 * their lower device, patch cables to the far bridge); the ports a bridge holds itself are always examined.
 * Loops are cut by the path check, but the paths through a dense mesh of patch cables are exponentially many.
 */
const MAX_VISITS_PER_BRIDGE = 20_000;
const MAX_VISITS_PER_HOST = 1_000_000;

/** Nested descriptions (`p0 (patch to br1 → …)`) are cut at this many characters, so they cannot grow with the mesh. */
const MAX_NESTED_DESCRIPTION = 240;

/** Build the resolver for one host; results per bridge are cached, as many VM NICs share few bridges. */
export function createUplinkResolver(topology: Topology, uplinkInterfaces: readonly string[]): UplinkResolver {
  const namedByInventory = compileGlobs(uplinkInterfaces);
  const cache = new Map<string, Uplink[]>();
  const candidates = new Map<string, readonly string[]>();
  const aggregates = new Map<string, Uplink | null>();
  let hostVisitsLeft = MAX_VISITS_PER_HOST;
  let bridgeVisitsLeft = 0;
  /** Whether a limit stopped the search under way; the bridges where one did. */
  let searchCut = false;
  const cut: string[] = [];

  /*
   * The walk: `path` holds every device on the current chain, bridges and links alike (they share one
   * namespace). A device met again, by any route (a VLAN on a VLAN on the first, a bond enslaved to itself,
   * a bridge listed as its own port, patch cables or VLANs that lead back), closes a loop and is not an
   * uplink through it. Devices are added on the way in and removed on the way out.
   */

  /** Uplinks of `bridge` (already on `path`), in port order. */
  function bridgeUplinks(bridge: string, path: Set<string>): Uplink[] {
    const uplinks: Uplink[] = [];
    for (const port of candidatePorts(bridge)) {
      hostVisitsLeft--;
      bridgeVisitsLeft--;
      const uplink = deviceUplink(port, path);
      if (uplink) uplinks.push(uplink);
    }
    return uplinks;
  }

  /** The ports of `bridge` that could be uplinks: guest taps (most of a busy bridge) never are. */
  function candidatePorts(bridge: string): readonly string[] {
    let ports = candidates.get(bridge);
    if (!ports) {
      ports = (topology.bridge(bridge)?.ports ?? []).filter((port) => !isNeverUplink(topology.linkByName(port)));
      candidates.set(bridge, ports);
    }
    return ports;
  }

  /** Is this device (a bridge port, a VLAN's lower device) an uplink, and why? */
  function deviceUplink(name: string, path: Set<string>): Uplink | null {
    const link = topology.linkByName(name);
    if (isNeverUplink(link) || path.has(name)) return null;
    if (link) {
      path.add(name);
      const detected = detectedUplink(link, path);
      path.delete(name);
      if (detected) return detected;
    }
    return namedByInventory(name) ? { name, description: `${name} (uplinkInterfaces)` } : null;
  }

  function detectedUplink(link: LinkFacts, path: Set<string>): Uplink | null {
    const { name } = link;
    if (isPhysicalNic(link)) return { name, description: name };
    if (link.kind && AGGREGATE_KINDS.has(link.kind)) return aggregateUplink(name);
    if (link.kind === 'vlan' && link.lower !== null) {
      const lower = mayFollow(path) ? deviceUplinkOrBridge(link.lower, path) : null;
      const tag = link.vlanId === null ? 'vlan' : `vlan ${link.vlanId}`;
      return lower ? { name, description: `${name} (${tag} on ${clip(lower.description)})` } : null;
    }
    if (link.kind && TUNNEL_KINDS.has(link.kind)) return { name, description: `${name} (${link.kind})` };
    if (link.kind === 'veth') return patchCableUplink(link, path);
    return null;
  }

  /** A bond or team with a physical slave (never itself); worked out once, as a walk may meet it often. */
  function aggregateUplink(name: string): Uplink | null {
    let uplink = aggregates.get(name);
    if (uplink === undefined) {
      const slaves = topology
        .slavesOf(name)
        .filter((slave) => slave.name !== name && isPhysicalSlave(slave))
        .map((slave) => slave.name);
      uplink = slaves.length > 0 ? { name, description: `${name} [${slaves.join(', ')}]` } : null;
      aggregates.set(name, uplink);
    }
    return uplink;
  }

  /** A VLAN may sit on a bridge (vlan-aware setups) as well as on a NIC or bond. */
  function deviceUplinkOrBridge(name: string, path: Set<string>): Uplink | null {
    if (topology.bridge(name) === undefined) return deviceUplink(name, path);
    const uplinks = acrossTo(name, path);
    return uplinks.length > 0 ? { name, description: `${name} → ${clip(describeUplinks(uplinks))}` } : null;
  }

  /** A veth whose same-namespace peer sits on another bridge that has an uplink joins the two bridges. */
  function patchCableUplink(veth: LinkFacts, path: Set<string>): Uplink | null {
    const peer = sameNamespacePeer(veth);
    const peerBridge = peer ? topology.bridgeOf(peer.name) : undefined;
    if (!peerBridge || !mayFollow(path)) return null;
    const uplinks = acrossTo(peerBridge.name, path);
    if (uplinks.length === 0) return null;
    return { name: veth.name, description: `${veth.name} (patch to ${peerBridge.name} → ${clip(describeUplinks(uplinks))})` };
  }

  /** Uplinks of another bridge reached along the chain; none when that bridge is already on it. */
  function acrossTo(bridge: string, path: Set<string>): Uplink[] {
    if (path.has(bridge)) return [];
    path.add(bridge);
    const uplinks = bridgeUplinks(bridge, path);
    path.delete(bridge);
    return uplinks;
  }

  /** Whether the chain may go one device further (see MAX_DEPTH and MAX_VISITS_PER_BRIDGE); a refusal is noted. */
  function mayFollow(path: ReadonlySet<string>): boolean {
    const may = path.size < MAX_DEPTH && bridgeVisitsLeft > 0 && hostVisitsLeft > 0;
    if (!may) searchCut = true;
    return may;
  }

  function sameNamespacePeer(veth: LinkFacts): LinkFacts | undefined {
    // A peer in another namespace (linkNetnsid set) is out of sight: its index means nothing here.
    if (veth.linkNetnsid !== null) return undefined;
    const byIndex = veth.peerIndex === null ? undefined : topology.linkByIndex(veth.peerIndex);
    const peer = byIndex ?? (veth.lower === null ? undefined : topology.linkByName(veth.lower));
    return peer && peer.name !== veth.name ? peer : undefined;
  }

  function isPhysicalSlave(slave: LinkFacts): boolean {
    if (isNeverUplink(slave)) return false;
    return isPhysicalNic(slave) || namedByInventory(slave.name);
  }

  return {
    uplinksOf(bridge) {
      let uplinks = cache.get(bridge);
      if (!uplinks) {
        bridgeVisitsLeft = MAX_VISITS_PER_BRIDGE;
        searchCut = false;
        uplinks = bridgeUplinks(bridge, new Set([bridge]));
        cache.set(bridge, uplinks);
        if (searchCut) cut.push(bridge);
      }
      return uplinks;
    },
    cutShort: () => [...cut],
  };
}

function isNeverUplink(link: LinkFacts | undefined): boolean {
  return link?.kind != null && NEVER_UPLINK_KINDS.has(link.kind);
}

/** `text`, or its start and `…` when longer than MAX_NESTED_DESCRIPTION (never splitting a surrogate pair). */
function clip(text: string): string {
  if (text.length <= MAX_NESTED_DESCRIPTION) return text;
  let end = MAX_NESTED_DESCRIPTION - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** A physical NIC: an Ethernet link with no virtual kind, or one the kernel ties to a bus device. */
export function isPhysicalNic(link: LinkFacts): boolean {
  if (link.parentBus !== null || link.parentDev !== null) return true;
  return link.linkType === 'ether' && link.kind === null;
}

/** Up to this many uplinks are described in one step; the rest are counted. */
const MAX_DESCRIBED_UPLINKS = 8;

/**
 * `uplink bond0 [eno1, eno2]`, `uplinks eno1, vx0 (vxlan)`; past eight, `uplinks eno1, …, eno8 and 40 more`,
 * as this step is repeated in the evidence of every NIC on the bridge.
 */
export function describeUplinks(uplinks: readonly Uplink[]): string {
  const label = uplinks.length === 1 ? 'uplink' : 'uplinks';
  const described = uplinks.slice(0, MAX_DESCRIBED_UPLINKS).map((uplink) => uplink.description);
  if (uplinks.length <= MAX_DESCRIBED_UPLINKS) return `${label} ${described.join(', ')}`;
  return `${label} ${described.join(', ')} and ${uplinks.length - MAX_DESCRIBED_UPLINKS} more`;
}
