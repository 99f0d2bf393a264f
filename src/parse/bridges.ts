/**
 * Host bridges and their ports, from three views: `brctl show` (Linux bridges only), `bridge -j link`
 * (ports of Linux bridges; bridges without ports do not appear) and the links' own `master`/`kind` from
 * `ip -d link`, which is the only one to see Open vSwitch bridges and is authoritative for the kind.
 */
import type { BridgeFacts, LinkFacts } from '../model.js';
import { ParseError } from './errors.js';
import { parseIprouteJson, stringField } from './iprouteJson.js';

const BRIDGE_ID = /^[0-9a-f]{4}\.[0-9a-f]{12}$/i;

/**
 * Parse `brctl show`: a header line, then one line per bridge (`NAME\tID\tSTP\tFIRST_PORT`) and one
 * continuation line (starting with tabs) per further port. No bridges at all prints nothing.
 * @throws ParseError on a line that fits neither shape.
 */
export function parseBrctlShow(text: string): BridgeFacts[] {
  const bridges: BridgeFacts[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || /^bridge name\t/.test(line)) continue;
    if (line.startsWith('\t')) {
      const current = bridges.at(-1);
      if (!current) throw new ParseError('brctl: a port line before any bridge');
      current.ports.push(line.trim());
      continue;
    }
    const [name, id, stp, port] = line.split(/\t+/);
    if (!name || !id || !BRIDGE_ID.test(id) || (stp !== 'yes' && stp !== 'no')) {
      throw new ParseError(`brctl: not a bridge line: ${JSON.stringify(line.slice(0, 80))}`);
    }
    bridges.push({ name, kind: 'linux', ports: port && port.trim() !== '' ? [port.trim()] : [] });
  }
  return bridges;
}

/**
 * Parse `bridge -j link show`: the ports of Linux bridges, grouped by their `master`.
 * (Its `link` field is not used: for a veth whose peer is in another namespace iproute2 resolves the
 * peer's index against the wrong namespace and prints an unrelated name.)
 * @throws ParseError when the output is not a JSON array of ports.
 */
export function parseBridgeLinkJson(jsonText: string): BridgeFacts[] {
  const bridges = new Map<string, BridgeFacts>();
  for (const [i, port] of parseIprouteJson(jsonText).entries()) {
    const name = stringField(port, 'ifname');
    if (name === null) throw new ParseError(`bridge link ${i} has no ifname`);
    const master = stringField(port, 'master');
    if (master === null) continue;
    const bridge = bridges.get(master) ?? { name: master, kind: 'linux' as const, ports: [] };
    bridge.ports.push(name);
    bridges.set(master, bridge);
  }
  return [...bridges.values()];
}

/** The OVS datapath device: every OVS port is enslaved to it, but it is not a bridge anyone attaches to. */
const OVS_DATAPATH = 'ovs-system';

/**
 * Bridges as the links see them: every link of kind `bridge` (Linux) or `openvswitch` (an OVS bridge's
 * internal port; the `ovs-system` datapath excluded), with the links whose `master` is that bridge.
 * OVS ports usually name `ovs-system` as master; they are given to the OVS bridge when there is exactly
 * one, since ip cannot tell which of several OVS bridges a port belongs to.
 */
export function bridgesFromLinks(links: LinkFacts[]): BridgeFacts[] {
  const bridges: BridgeFacts[] = links
    .filter((l) => l.kind === 'bridge' || (l.kind === 'openvswitch' && l.name !== OVS_DATAPATH))
    .map((l) => ({ name: l.name, kind: l.kind === 'bridge' ? 'linux' : 'ovs', ports: [] }));
  const byName = new Map(bridges.map((b) => [b.name, b]));
  const ovsBridges = bridges.filter((b) => b.kind === 'ovs');
  for (const link of links) {
    if (link.master === null) continue;
    const direct = byName.get(link.master);
    if (direct) {
      direct.ports.push(link.name);
    } else if (link.master === OVS_DATAPATH && link.kind !== 'openvswitch' && ovsBridges.length === 1) {
      ovsBridges[0]!.ports.push(link.name);
    }
  }
  return bridges;
}

/**
 * Merge the brctl (or `bridge link`) view with the links' view: one entry per bridge name, the kind from
 * the links when they know the bridge, ports united (the tool's order first).
 */
export function mergeBridges(toolView: BridgeFacts[], linkView: BridgeFacts[]): BridgeFacts[] {
  // Ports are kept in a Set per bridge (insertion order = the order first seen): a bridge with tens of
  // thousands of ports, in both views, stays linear.
  const merged = new Map<string, { name: string; kind: BridgeFacts['kind']; ports: Set<string> }>();
  for (const bridge of [...toolView, ...linkView]) {
    const seen = merged.get(bridge.name);
    if (!seen) {
      merged.set(bridge.name, { name: bridge.name, kind: bridge.kind, ports: new Set(bridge.ports) });
      continue;
    }
    for (const port of bridge.ports) seen.ports.add(port);
  }
  for (const bridge of linkView) merged.get(bridge.name)!.kind = bridge.kind;
  return [...merged.values()].map((bridge) => ({ name: bridge.name, kind: bridge.kind, ports: [...bridge.ports] }));
}
