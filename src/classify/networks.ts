/**
 * A libvirt network's mode (docs/report.md, Modes), from its `<forward>` element and, for networks onto a host
 * bridge, from that bridge's uplinks.
 */
import type { ForwardFacts, Mode, NetworkAudit, NetworkFacts, PortgroupAudit, Warning } from '../model.js';
import { NO_ATTACHMENT, type Attachment, type Classification } from './attachment.js';
import { resolveHostBridge } from './bridges.js';
import { formatAddress, nonEmpty } from './evidence.js';
import type { Topology } from './topology.js';
import type { UplinkResolver } from './uplinks.js';

/** A network's audit, plus what the verdict and the NICs on it need. */
export interface ClassifiedNetwork extends Classification {
  audit: NetworkAudit;
  /**
   * The portgroups by name (the first of a name wins, as a search through the list would find it) and the
   * default one: every NIC on the network looks its portgroup up here, so the cost stays linear however many
   * portgroups a host's XML declares.
   */
  portgroups: { byName: ReadonlyMap<string, PortgroupAudit>; default: PortgroupAudit | undefined };
}

/** The forward mode shown for a network whose definition could not be read. */
const UNREAD_FORWARD = 'unknown';

/** Forward modes that hand guests a host NIC through macvtap when the network has a device pool. */
const MACVTAP_FORWARD_MODES = new Set(['bridge', 'vepa', 'private', 'passthrough']);

/** The forward mode as libvirt means it: `none` without `<forward>`, `nat` when the mode is omitted. */
export function effectiveForward(network: Pick<NetworkFacts, 'forward'>): string {
  if (network.forward === null) return 'none';
  return nonEmpty(network.forward.mode) ?? 'nat';
}

/**
 * Classify one network against the host's bridges. A network whose definition could not be read is `unknown`,
 * never `isolated`: its missing `<forward>` says nothing about it.
 */
export function classifyNetwork(network: NetworkFacts, topology: Topology, uplinks: UplinkResolver): ClassifiedNetwork {
  // typeof: facts assembled by hand (tests, the conformance corpus) may lack the key, and mean read.
  const unread = typeof network.unread === 'string' ? network.unread : null;
  const forward = unread === null ? effectiveForward(network) : UNREAD_FORWARD;
  const described = unread === null ? describeForward(network) : `definition not read: ${unread}`;
  const head = `network ${network.name} (${described}${network.active === false ? ', inactive' : ''})`;
  const outcome = unread === null ? modeOfNetwork(network, forward, topology, uplinks) : unreadOutcome();
  const evidence = [head, ...outcome.steps];
  const portgroups = network.portgroups.map((group) => ({
    name: group.name,
    default: group.isDefault,
    vlanTags: [...group.vlanTags],
    virtualport: nonEmpty(group.virtualportType),
  }));
  return {
    mode: outcome.mode,
    evidence,
    attachment: { ...outcome.attachment, network: network.name },
    warnings: outcome.warnings,
    portgroups: indexPortgroups(portgroups),
    audit: {
      name: network.name,
      uuid: network.uuid,
      active: network.active,
      autostart: network.autostart,
      persistent: network.persistent,
      bridge: network.bridge,
      forward,
      mode: outcome.mode,
      addresses: network.addresses.map((a) => formatAddress(a.address, a.prefix)),
      dhcp: network.addresses.flatMap((a) => a.dhcpRanges.map((range) => ({ ...range }))),
      forwardDev: nonEmpty(network.forward?.dev),
      nat: forward === 'nat' ? natOf(network.forward) : null,
      portgroups,
      vlanTags: [...network.vlanTags],
      virtualport: nonEmpty(network.virtualportType),
      pool: POOL_FORWARD_MODES.has(forward) ? poolDevices(network.forward) : [],
      evidence,
      unread,
    },
  };
}

function indexPortgroups(portgroups: readonly PortgroupAudit[]): ClassifiedNetwork['portgroups'] {
  const byName = new Map<string, PortgroupAudit>();
  for (const group of portgroups) if (!byName.has(group.name)) byName.set(group.name, group);
  return { byName, default: portgroups.find((group) => group.default) };
}

/** Forward modes whose guests get a device out of the network's pool (macvtap or a PCI device). */
const POOL_FORWARD_MODES = new Set([...MACVTAP_FORWARD_MODES, 'hostdev']);

/** A `<forward/>` without `<nat>` still masquerades, over the default port range: shown as nulls. */
function natOf(forward: ForwardFacts | null): NetworkAudit['nat'] {
  return {
    addresses: forward?.natAddresses ? { ...forward.natAddresses } : null,
    ports: forward?.natPorts ? { ...forward.natPorts } : null,
    ipv6: forward?.natIpv6 ?? false,
  };
}

/** The pool as data: PF devices, interface devices, PCI addresses; `<forward dev>` alone when none is listed. */
function poolDevices(forward: ForwardFacts | null): string[] {
  if (!forward) return [];
  const devices = [...forward.pfs, ...forward.interfaces, ...forward.pciAddresses];
  if (devices.length > 0) return [...new Set(devices)];
  const dev = nonEmpty(forward.dev);
  return dev === null ? [] : [dev];
}

interface NetworkOutcome {
  mode: Mode;
  steps: string[];
  attachment: Attachment;
  warnings: Warning[];
}

/** An unread network: its name (or UUID) is all that is known; its mode is never guessed. */
function unreadOutcome(): NetworkOutcome {
  return { mode: 'unknown', steps: ['⇒ unknown'], attachment: { ...NO_ATTACHMENT }, warnings: [] };
}

function modeOfNetwork(network: NetworkFacts, forward: string, topology: Topology, uplinks: UplinkResolver): NetworkOutcome {
  const bridge = nonEmpty(network.bridge);
  const onBridge = bridge === null ? [] : [`bridge ${bridge}`];
  const routedOut = network.forward?.dev ? [`out dev ${network.forward.dev}`] : [];
  const done = (mode: Mode, steps: string[], attachment: Partial<Attachment> = {}): NetworkOutcome => ({
    mode,
    steps: [...steps, `⇒ ${mode}`],
    attachment: { ...NO_ATTACHMENT, bridge, ...attachment },
    warnings: [],
  });

  switch (forward) {
    case 'none':
      return done('isolated', onBridge);
    case 'nat':
      return done('nat', [...onBridge, ...routedOut]);
    case 'route':
      return done('routed', [...onBridge, ...routedOut]);
    case 'open':
      return done('open', [...onBridge, ...routedOut]);
    case 'hostdev':
      return done('hostdev', poolSteps(network.forward), { detail: poolSummary(network.forward) });
  }
  if (forward === 'bridge' && network.virtualportType === 'openvswitch') {
    return done('ovs', ['virtualport openvswitch', ...onBridge]);
  }
  if (forward === 'bridge' && bridge !== null) {
    const resolved = resolveHostBridge(bridge, topology, uplinks);
    const warnings: Warning[] =
      resolved.mode === 'missing'
        ? [{ kind: 'bridge-missing', subject: `network ${network.name}`, message: `bridge ${bridge} is not on the host` }]
        : [];
    return {
      mode: resolved.mode,
      steps: resolved.steps,
      attachment: { ...NO_ATTACHMENT, bridge, uplinks: resolved.uplinks, detail: resolved.mode === 'missing' ? `bridge ${bridge}` : null },
      warnings,
    };
  }
  if (MACVTAP_FORWARD_MODES.has(forward)) {
    const pool = poolSteps(network.forward);
    if (pool.length > 0) return done('macvtap', [`direct ${forward}`, ...pool], { detail: poolSummary(network.forward) });
    return done('unknown', [forward === 'bridge' ? 'no bridge and no device pool' : 'no device pool']);
  }
  return done('unknown', [`unknown forward mode ${forward}`]);
}

function describeForward(network: NetworkFacts): string {
  if (network.forward === null) return 'no forward';
  if (nonEmpty(network.forward.mode) === null) return 'forward without mode = nat';
  return `forward ${network.forward.mode}`;
}

/** `pool eth1, eth2`, `pf eth0`, `pool pci 0000:01:00.1` — the host devices a pool network hands out. */
function poolSteps(forward: ForwardFacts | null): string[] {
  if (!forward) return [];
  const steps: string[] = [];
  if (forward.pfs.length > 0) steps.push(`pf ${forward.pfs.join(', ')}`);
  if (forward.interfaces.length > 0) steps.push(`pool ${forward.interfaces.join(', ')}`);
  if (forward.pciAddresses.length > 0) steps.push(`pool pci ${forward.pciAddresses.join(', ')}`);
  if (steps.length === 0 && nonEmpty(forward.dev)) steps.push(`dev ${forward.dev}`);
  return steps;
}

function poolSummary(forward: ForwardFacts | null): string | null {
  if (!forward) return null;
  const devices = [...forward.pfs, ...forward.interfaces];
  if (devices.length > 0) return `dev ${devices.join(', ')}`;
  if (forward.pciAddresses.length > 0) return `pci ${forward.pciAddresses.join(', ')}`;
  return nonEmpty(forward.dev) === null ? null : `dev ${forward.dev}`;
}
