/**
 * Host bridges: their summary for the report, and what a guest attached to one of them gets
 * (bridged, host-only, ovs, or missing when the bridge is not on the host).
 */
import type { BridgeAudit, Mode } from '../model.js';
import { formatAddress } from './evidence.js';
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
  const ports = bridge.ports.length > 0 ? `ports ${bridge.ports.join(', ')}` : 'no ports';
  return { mode: 'host-only', steps: [`bridge ${name}`, `no uplink (${ports})`, '⇒ host-only'], uplinks: [] };
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
