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
    return { mode: 'missing', steps: [`${found} (${describeHostBridges(topology)})`, '⇒ missing'], uplinks: [] };
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

/** Up to this many host bridges are named when a bridge is missing; the rest are counted. */
const MAX_NAMED_BRIDGES = 8;

/** `host bridges: br0, virbr0`, `host bridges: br0, …, br7 and 12 more`, or `no host bridges`. */
function describeHostBridges(topology: Topology): string {
  const all = topology.bridges();
  if (all.length === 0) return 'no host bridges';
  const named = all.slice(0, MAX_NAMED_BRIDGES).map((bridge) => bridge.name);
  const more = all.length - named.length;
  return `host bridges: ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** Up to this many ports are named in an evidence step; a busy bridge's guest taps are counted instead. */
const MAX_NAMED_PORTS = 8;
const GUEST_PORT_KINDS = new Set(['tun', 'tap']);

/**
 * `ports vnet4`, or on a busy bridge `ports bond0 and 298 guest taps`: the ports that could have been an
 * uplink are the ones worth naming, and the evidence of a 300-VM bridge must stay one readable step.
 */
function describePorts(bridge: HostBridge, topology: Topology): string {
  // Every NIC on a host-only bridge repeats this step: count a busy bridge's ports once.
  let described = describedPorts.get(bridge);
  if (described === undefined) {
    described = countPorts(bridge, topology);
    describedPorts.set(bridge, described);
  }
  return described;
}

/** describePorts per bridge; a HostBridge belongs to one topology, so it is the whole key. */
const describedPorts = new WeakMap<HostBridge, string>();

function countPorts(bridge: HostBridge, topology: Topology): string {
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
