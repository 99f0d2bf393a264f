/**
 * A VM interface's mode (docs/report.md, Modes): through the libvirt network it names, the host bridge it sits on,
 * or its own type.
 */
import type { DomainFacts, InterfaceAudit, InterfaceFacts, Mode, Warning } from '../model.js';
import { interfaceId, viaOf } from '../report/nic.js';
import type { InterfaceAttachment, Through, ThroughKind } from '../report/schema.js';
import { NO_ATTACHMENT, type Attachment, type Classification } from './attachment.js';
import { resolveHostBridge } from './bridges.js';
import { interfaceLabel, interfaceSubject, nonEmpty } from './evidence.js';
import type { ClassifiedNetwork } from './networks.js';
import type { Topology } from './topology.js';
import type { UplinkResolver } from './uplinks.js';

/** What classifying a NIC needs to know about its host. */
export interface InterfaceContext {
  topology: Topology;
  uplinks: UplinkResolver;
  /** Already classified networks, by their XML name. */
  networks: ReadonlyMap<string, ClassifiedNetwork>;
}

/** A NIC's audit, plus what the verdict needs. */
export interface ClassifiedInterface extends Classification {
  audit: InterfaceAudit;
}

/**
 * A NIC on a network the host lacks names the networks it has, this many at most: the evidence of each such
 * NIC would otherwise hold every network name (NICs × networks of text on a host with thousands of both).
 */
const MAX_KNOWN_NETWORKS_NAMED = 10;

/** QEMU's socket netdev types: guests tunnelled to each other over TCP/UDP. */
const SOCKET_TYPES = new Set<string>(['mcast', 'udp', 'server', 'client'] satisfies ThroughKind[]);

/** Types that map onto a mode by themselves. */
const MODE_BY_TYPE: Readonly<Record<string, Mode>> = {
  hostdev: 'hostdev',
  vdpa: 'vdpa',
  user: 'user',
  vhostuser: 'vhostuser',
  ethernet: 'ethernet',
  null: 'none',
  vds: 'vds',
};

/** Classify one `<interface>` of `vm`; `position` is its index among the VM's interfaces. */
export function classifyInterface(vm: DomainFacts, nic: InterfaceFacts, position: number, context: InterfaceContext): ClassifiedInterface {
  const subject = interfaceSubject(vm.name, nic, position);
  const outcome = modeOfInterface(nic, subject, context);
  const evidence = [interfaceLabel(vm.name, nic, position), ...outcome.steps];
  const warnings = [...outcome.warnings];
  if (nic.linkState === 'down') {
    warnings.push({ kind: 'link-down', subject, message: 'the guest link is set down (<link state="down">)' });
  }
  const settings = settingsInEffect(nic, subject, context);
  warnings.push(...settings.warnings);
  const attachment = reportedAttachment(nic, outcome, context);
  return {
    mode: outcome.mode,
    evidence,
    attachment: outcome.attachment,
    warnings,
    audit: {
      id: interfaceId(nic.mac, nic.target, position),
      mac: nic.mac,
      type: nic.type,
      source: sourceAsWritten(nic),
      target: nic.target,
      model: nic.model,
      mode: outcome.mode,
      via: viaOf(outcome.through),
      attachment,
      linkState: nonEmpty(nic.linkState) ?? 'up',
      portgroup: settings.portgroup,
      vlanTags: settings.vlanTags,
      virtualport: settings.virtualport,
      // Kept as schemaVersion 1 first wrote it: the macvtap link only.
      device: outcome.mode === 'macvtap' ? attachment.device : null,
      evidence,
    },
  };
}

/**
 * The attachment as the report tells it: what the mode goes through, the network and bridge from the classification,
 * the bridge's uplinks as the host's bridge list has them, and the host device the mode uses.
 */
function reportedAttachment(nic: InterfaceFacts, outcome: InterfaceOutcome, context: InterfaceContext): InterfaceAttachment {
  const { through, attachment, mode } = outcome;
  // A missing network has no classified attachment; the NIC still names it.
  const network = attachment.network ?? (through?.kind === 'network' ? through.name : null);
  const bridge = attachment.bridge;
  return {
    through,
    network,
    bridge,
    uplinks: bridge === null ? [] : context.uplinks.uplinksOf(bridge).map((uplink) => uplink.name),
    device: hostDevice(nic, mode, context),
  };
}

/** The host device the mode uses: a macvtap's link, a vDPA device, a hostdev NIC's PCI address. */
function hostDevice(nic: InterfaceFacts, mode: Mode, context: InterfaceContext): string | null {
  if (mode === 'macvtap') return macvtapDevice(nic, context);
  if (mode === 'vdpa') return nonEmpty(nic.source.dev);
  if (mode === 'hostdev') return nonEmpty(nic.source.pciAddress);
  return null;
}

/** The host link a macvtap NIC sits on: what the kernel shows for its tap if it can, else what the XML says. */
function macvtapDevice(nic: InterfaceFacts, context: InterfaceContext): string | null {
  const tap = nic.target ? context.topology.linkByName(nic.target) : undefined;
  if (tap && (tap.kind === 'macvtap' || tap.kind === 'macvlan') && tap.lower) return tap.lower;
  return nonEmpty(nic.source.dev);
}

interface SettingsInEffect {
  portgroup: string | null;
  vlanTags: number[];
  virtualport: string | null;
  warnings: Warning[];
}

/**
 * Portgroup, VLAN tags and virtualport as libvirt applies them to a NIC on a network: a NIC naming no portgroup
 * gets the network's default one; its own `<vlan>` and `<virtualport>` win over the portgroup's, which win over
 * the network's. A NIC not on a (known) network has only its own settings.
 */
function settingsInEffect(nic: InterfaceFacts, subject: string, context: InterfaceContext): SettingsInEffect {
  const named = nonEmpty(nic.source.portgroup);
  const networkName = nonEmpty(nic.source.network);
  const classified = networkName === null ? undefined : context.networks.get(networkName);
  const own = { vlanTags: [...nic.vlanTags], virtualport: nonEmpty(nic.virtualportType) };
  if (!classified) return { portgroup: named, ...own, warnings: [] };
  const network = classified.audit;
  const group = named === null ? classified.portgroups.default : classified.portgroups.byName.get(named);
  const warnings: Warning[] =
    named !== null && !group
      ? [{ kind: 'portgroup-missing', subject, message: `portgroup ${named} is not defined on network ${network.name}` }]
      : [];
  const vlanTags = [own.vlanTags, group?.vlanTags ?? [], network.vlanTags].find((tags) => tags.length > 0) ?? [];
  return {
    portgroup: group?.name ?? named,
    vlanTags: [...vlanTags],
    virtualport: own.virtualport ?? group?.virtualport ?? network.virtualport,
    warnings,
  };
}

interface InterfaceOutcome {
  mode: Mode;
  /** What the mode goes through; `via` is written from it. */
  through: Through | null;
  steps: string[];
  attachment: Attachment;
  warnings: Warning[];
}

function modeOfInterface(nic: InterfaceFacts, subject: string, context: InterfaceContext): InterfaceOutcome {
  const network = nonEmpty(nic.source.network);
  if (network !== null) return throughNetwork(network, subject, context);

  const type = nic.type;
  if (type === 'network') return unclassifiable('no source network');
  if (type === 'bridge') return onBridge(nic, subject, context);
  if (type === 'direct') return direct(nic, subject, context);
  if (SOCKET_TYPES.has(type)) {
    const endpoint = [nonEmpty(nic.source.address), nonEmpty(nic.source.port)].filter(Boolean).join(':');
    // SOCKET_TYPES holds through kinds only.
    const through = { kind: type as ThroughKind, name: endpoint === '' ? null : endpoint };
    return simple('socket', through, [`socket ${viaOf(through)}`]);
  }
  const mode = Object.hasOwn(MODE_BY_TYPE, type) ? MODE_BY_TYPE[type] : undefined;
  if (mode === undefined) return unclassifiable(`unknown interface type ${type}`);
  return byType(mode, nic);
}

/** A NIC on a libvirt network takes the network's mode; the network is matched by exact XML name. */
function throughNetwork(name: string, subject: string, context: InterfaceContext): InterfaceOutcome {
  const through = named('network', name);
  const network = context.networks.get(name);
  if (!network) {
    const seen = context.networks.size > 0 ? `networks: ${knownNetworks(context.networks)}` : 'no networks defined';
    return {
      mode: 'missing',
      through,
      steps: [`network ${name} not found (${seen})`, '⇒ missing'],
      attachment: { ...NO_ATTACHMENT, detail: viaOf(through) },
      warnings: [{ kind: 'network-missing', subject, message: `network ${name} is not defined on the host` }],
    };
  }
  const warnings: Warning[] =
    network.audit.active === false
      ? [{ kind: 'network-inactive', subject, message: `network ${name} is defined but not active` }]
      : [];
  return { mode: network.mode, through, steps: network.evidence, attachment: network.attachment, warnings };
}

/** `default, lab, prod`, or `n1, …, n10 and 990 more`: the first names only, read off the map's iterator. */
function knownNetworks(networks: ReadonlyMap<string, unknown>): string {
  const listed: string[] = [];
  for (const name of networks.keys()) {
    if (listed.length === MAX_KNOWN_NETWORKS_NAMED) break;
    listed.push(name);
  }
  const rest = networks.size - listed.length;
  return rest > 0 ? `${listed.join(', ')} and ${rest} more` : listed.join(', ');
}

/** `type='bridge'`: a libvirt network's bridge, an OVS bridge, or a plain host bridge. */
function onBridge(nic: InterfaceFacts, subject: string, context: InterfaceContext): InterfaceOutcome {
  const bridge = nonEmpty(nic.source.bridge);
  if (bridge === null) return unclassifiable('no source bridge');
  const owner = context.topology.managedNetworkOnBridge(bridge);
  const managed = owner ? context.networks.get(owner.name) : undefined;
  if (managed) {
    const outcome = throughNetwork(managed.audit.name, subject, context);
    return { ...outcome, steps: [`bridge ${bridge} belongs to network ${managed.audit.name}`, ...outcome.steps] };
  }
  const through = named('bridge', bridge);
  if (nic.virtualportType === 'openvswitch') {
    // OVS bridges with a userspace datapath never show up in `ip link`: the virtualport is the evidence.
    const seen = context.topology.bridge(bridge) ? `bridge ${bridge}` : `bridge ${bridge} (not visible to ip)`;
    return simple('ovs', through, ['virtualport openvswitch', seen], { bridge });
  }
  const virtualport = nic.virtualportType ? [`virtualport ${nic.virtualportType}`] : [];
  const resolved = resolveHostBridge(bridge, context.topology, context.uplinks);
  const warnings: Warning[] =
    resolved.mode === 'missing' ? [{ kind: 'bridge-missing', subject, message: `bridge ${bridge} is not on the host` }] : [];
  return {
    mode: resolved.mode,
    through,
    steps: [...virtualport, ...resolved.steps],
    attachment: { ...NO_ATTACHMENT, bridge, uplinks: resolved.uplinks, detail: resolved.mode === 'missing' ? viaOf(through) : null },
    warnings,
  };
}

/** `type='direct'`: macvtap on a host device, which must exist. */
function direct(nic: InterfaceFacts, subject: string, context: InterfaceContext): InterfaceOutcome {
  const dev = nonEmpty(nic.source.dev);
  if (dev === null) return unclassifiable('no source dev');
  const through = named('dev', dev);
  // libvirt's default macvtap mode is vepa.
  const subMode = nonEmpty(nic.source.mode) ?? 'vepa';
  const step = `direct dev ${dev} (${subMode})`;
  if (!context.topology.linkByName(dev)) {
    return {
      mode: 'missing',
      through,
      steps: [step, `dev ${dev} not found`, '⇒ missing'],
      attachment: { ...NO_ATTACHMENT, detail: viaOf(through) },
      warnings: [{ kind: 'device-missing', subject, message: `device ${dev} is not on the host` }],
    };
  }
  return simple('macvtap', through, [step], { detail: viaOf(through) });
}

function byType(mode: Mode, nic: InterfaceFacts): InterfaceOutcome {
  const dev = nonEmpty(nic.source.dev);
  switch (mode) {
    case 'hostdev': {
      const through = named('pci', nonEmpty(nic.source.pciAddress));
      return simple(mode, through, [viaOf(through) ?? 'hostdev'], { detail: viaOf(through) });
    }
    case 'vdpa': {
      const through = named('dev', dev);
      return simple(mode, through, [through ? `vdpa ${viaOf(through)}` : 'vdpa'], { detail: viaOf(through) });
    }
    case 'user': {
      const backend = nic.backendType === 'passt' ? 'passt' : 'slirp';
      const steps = [`user (${backend})`, ...(dev === null ? [] : [`dev ${dev}`])];
      return simple(mode, { kind: backend, name: null }, steps, { detail: backend });
    }
    case 'vhostuser': {
      const through = named('socket', nonEmpty(nic.source.path));
      return simple(mode, through, [through ? `vhostuser ${viaOf(through)}` : 'vhostuser'], { detail: viaOf(through) });
    }
    case 'ethernet': {
      const through = named('tap', nonEmpty(nic.target));
      return simple(mode, through, [through ? `ethernet ${viaOf(through)}` : 'ethernet (unattached tap)'], { detail: viaOf(through) });
    }
    default:
      return simple(mode, null, [`type ${nic.type}`]);
  }
}

/** `{kind, name}`, or null when there is no name to go through. */
function named(kind: ThroughKind, name: string): Through;
function named(kind: ThroughKind, name: string | null): Through | null;
function named(kind: ThroughKind, name: string | null): Through | null {
  return name === null ? null : { kind, name };
}

function simple(mode: Mode, through: Through | null, steps: string[], attachment: Partial<Attachment> = {}): InterfaceOutcome {
  return { mode, through, steps: [...steps, `⇒ ${mode}`], attachment: { ...NO_ATTACHMENT, ...attachment }, warnings: [] };
}

function unclassifiable(why: string): InterfaceOutcome {
  return simple('unknown', null, [why]);
}

/** The source as the domain XML wrote it, for the report. */
function sourceAsWritten(nic: InterfaceFacts): string | null {
  const { source } = nic;
  const endpoint = nonEmpty(source.address) && nonEmpty(source.port) ? `${source.address}:${source.port}` : null;
  return nonEmpty(source.network, source.bridge, source.dev, source.path, source.pciAddress, endpoint, source.address);
}
