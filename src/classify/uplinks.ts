/**
 * The uplink rule (DESIGN §4): which ports connect a host bridge to the outside L2 segment.
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
}

/** Guest-facing or virtual-only devices: never an uplink, whatever the inventory's globs say. */
const NEVER_UPLINK_KINDS = new Set(['tun', 'tap', 'macvlan', 'macvtap', 'ipvlan', 'ipvtap', 'dummy']);
const AGGREGATE_KINDS = new Set(['bond', 'team']);
const TUNNEL_KINDS = new Set(['vxlan', 'geneve', 'gretap', 'ip6gretap']);

/** Build the resolver for one host; results per bridge are cached, as many VM NICs share few bridges. */
export function createUplinkResolver(topology: Topology, uplinkInterfaces: readonly string[]): UplinkResolver {
  const namedByInventory = compileGlobs(uplinkInterfaces);
  const cache = new Map<string, Uplink[]>();

  /** Uplinks of `bridge`, not following patch cables back into any bridge in `visiting`. */
  function bridgeUplinks(bridge: string, visiting: ReadonlySet<string>): Uplink[] {
    const ports = topology.bridge(bridge)?.ports ?? [];
    const inner = new Set([...visiting, bridge]);
    return ports.flatMap((port) => {
      const uplink = deviceUplink(port, inner);
      return uplink ? [uplink] : [];
    });
  }

  /** Is this device (a bridge port, a VLAN's lower device) an uplink, and why? */
  function deviceUplink(name: string, visiting: ReadonlySet<string>): Uplink | null {
    const link = topology.linkByName(name);
    if (link?.kind && NEVER_UPLINK_KINDS.has(link.kind)) return null;
    const detected = link ? detectedUplink(link, visiting) : null;
    if (detected) return detected;
    return namedByInventory(name) ? { name, description: `${name} (uplinkInterfaces)` } : null;
  }

  function detectedUplink(link: LinkFacts, visiting: ReadonlySet<string>): Uplink | null {
    const { name } = link;
    if (isPhysicalNic(link)) return { name, description: name };
    if (link.kind && AGGREGATE_KINDS.has(link.kind)) {
      const slaves = topology.slavesOf(name).filter(isPhysicalSlave).map((slave) => slave.name);
      return slaves.length > 0 ? { name, description: `${name} [${slaves.join(', ')}]` } : null;
    }
    if (link.kind === 'vlan' && link.lower !== null && link.lower !== name) {
      const lower = deviceUplinkOrBridge(link.lower, visiting);
      const tag = link.vlanId === null ? 'vlan' : `vlan ${link.vlanId}`;
      return lower ? { name, description: `${name} (${tag} on ${lower.description})` } : null;
    }
    if (link.kind && TUNNEL_KINDS.has(link.kind)) return { name, description: `${name} (${link.kind})` };
    if (link.kind === 'veth') return patchCableUplink(link, visiting);
    return null;
  }

  /** A VLAN may sit on a bridge (vlan-aware setups) as well as on a NIC or bond. */
  function deviceUplinkOrBridge(name: string, visiting: ReadonlySet<string>): Uplink | null {
    if (topology.bridge(name) === undefined) return deviceUplink(name, visiting);
    if (visiting.has(name)) return null;
    const uplinks = bridgeUplinks(name, visiting);
    return uplinks.length > 0 ? { name, description: `${name} → ${describeUplinks(uplinks)}` } : null;
  }

  /** A veth whose same-namespace peer sits on another bridge that has an uplink joins the two bridges. */
  function patchCableUplink(veth: LinkFacts, visiting: ReadonlySet<string>): Uplink | null {
    const peer = sameNamespacePeer(veth);
    if (!peer) return null;
    const peerBridge = topology.bridgeOf(peer.name);
    if (!peerBridge || visiting.has(peerBridge.name)) return null;
    const uplinks = bridgeUplinks(peerBridge.name, visiting);
    if (uplinks.length === 0) return null;
    return { name: veth.name, description: `${veth.name} (patch to ${peerBridge.name} → ${describeUplinks(uplinks)})` };
  }

  function sameNamespacePeer(veth: LinkFacts): LinkFacts | undefined {
    // A peer in another namespace (linkNetnsid set) is out of sight: its index means nothing here.
    if (veth.linkNetnsid !== null) return undefined;
    const byIndex = veth.peerIndex === null ? undefined : topology.linkByIndex(veth.peerIndex);
    const peer = byIndex ?? (veth.lower === null ? undefined : topology.linkByName(veth.lower));
    return peer && peer.name !== veth.name ? peer : undefined;
  }

  function isPhysicalSlave(slave: LinkFacts): boolean {
    if (slave.kind && NEVER_UPLINK_KINDS.has(slave.kind)) return false;
    return isPhysicalNic(slave) || namedByInventory(slave.name);
  }

  return {
    uplinksOf(bridge) {
      let uplinks = cache.get(bridge);
      if (!uplinks) {
        uplinks = bridgeUplinks(bridge, new Set());
        cache.set(bridge, uplinks);
      }
      return uplinks;
    },
  };
}

/** A physical NIC: an Ethernet link with no virtual kind, or one the kernel ties to a bus device. */
export function isPhysicalNic(link: LinkFacts): boolean {
  if (link.parentBus !== null || link.parentDev !== null) return true;
  return link.linkType === 'ether' && link.kind === null;
}

/** `uplink bond0 [eno1, eno2]`, `uplinks eno1, vx0 (vxlan)`. */
export function describeUplinks(uplinks: readonly Uplink[]): string {
  const label = uplinks.length === 1 ? 'uplink' : 'uplinks';
  return `${label} ${uplinks.map((uplink) => uplink.description).join(', ')}`;
}
