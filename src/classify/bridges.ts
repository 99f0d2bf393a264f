/**
 * Host bridges: their summary for the report, and what a guest attached to one of them gets
 * (bridged, host-only, ovs, or missing when the bridge is not on the host).
 */
import type { BridgeAudit, Mode } from '../model.js';
import { formatAddress, joinWithAnd } from './evidence.js';
import type { HostBridge, Topology } from './topology.js';
import { describeUplinks, type UplinkResolver } from './uplinks.js';

/** What attaching to a host bridge amounts to, with the steps that show it. */
export interface BridgeResolution {
  mode: Extract<Mode, 'bridged' | 'host-only' | 'ovs' | 'missing'>;
  /** Evidence steps, starting with `bridge NAME`. */
  steps: string[];
  /** Names of the bridge's uplinks (empty unless bridged). */
  uplinks: string[];
}

/** Resolve a host bridge by name through the uplink rule. */
export function resolveHostBridge(name: string, topology: Topology, uplinks: UplinkResolver): BridgeResolution {
  const bridge = topology.bridge(name);
  if (!bridge) {
    const link = topology.linkByName(name);
    const found = link ? `${name} is not a bridge (${link.kind ?? 'plain link'})` : `bridge ${name} not found`;
    const known = topology.bridges().map((b) => b.name);
    const seen = known.length > 0 ? `host bridges: ${known.join(', ')}` : 'no host bridges';
    return { mode: 'missing', steps: [`${found} (${seen})`, '⇒ missing'], uplinks: [] };
  }
  if (bridge.kind === 'ovs') {
    return { mode: 'ovs', steps: [`bridge ${name} (Open vSwitch)`, '⇒ ovs'], uplinks: [] };
  }
  const found = uplinks.uplinksOf(name);
  if (found.length > 0) {
    return {
      mode: 'bridged',
      steps: [`bridge ${name}`, describeUplinks(found), '⇒ bridged'],
      uplinks: found.map((uplink) => uplink.name),
    };
  }
  return { mode: 'host-only', steps: [`bridge ${name}`, `no uplink (${describePorts(bridge, topology)})`, '⇒ host-only'], uplinks: [] };
}

/** Up to this many ports are named in an evidence step; a busy bridge's guest taps are counted instead. */
const MAX_NAMED_PORTS = 8;
const GUEST_PORT_KINDS = new Set(['tun', 'tap']);

/**
 * `ports vnet4`, or on a busy bridge `ports bond0 and 298 guest taps`: the ports that could have been an
 * uplink are the ones worth naming, and the evidence of a 300-VM bridge must stay one readable step.
 */
function describePorts(bridge: HostBridge, topology: Topology): string {
  const { ports } = bridge;
  if (ports.length === 0) return 'no ports';
  if (ports.length <= MAX_NAMED_PORTS) return `ports ${ports.join(', ')}`;
  const isGuest = (port: string) => GUEST_PORT_KINDS.has(topology.linkByName(port)?.kind ?? '');
  const others = ports.filter((port) => !isGuest(port));
  const guests = ports.length - others.length;
  const named = others.slice(0, MAX_NAMED_PORTS);
  const counted = [
    ...(guests > 0 ? [`${guests} guest ${guests === 1 ? 'tap' : 'taps'}`] : []),
    ...(others.length > named.length ? [`${others.length - named.length} more`] : []),
  ];
  return `ports ${joinWithAnd([...named, ...counted])}`;
}

/** The report's view of every host bridge. */
export function auditBridges(topology: Topology, uplinks: UplinkResolver): BridgeAudit[] {
  return topology.bridges().map((bridge) => auditBridge(bridge, uplinks));
}

function auditBridge(bridge: HostBridge, uplinks: UplinkResolver): BridgeAudit {
  return {
    name: bridge.name,
    kind: bridge.kind,
    ports: [...bridge.ports],
    uplinks: uplinks.uplinksOf(bridge.name).map((uplink) => uplink.name),
    addresses: (bridge.link?.addresses ?? []).map((a) => formatAddress(a.address, a.prefix)),
  };
}
