/**
 * A VM interface's mode (docs/report.md, Modes): through the libvirt network it names, the host bridge it sits on,
 * or its own type.
 */
import type { DomainFacts, InterfaceAudit, InterfaceFacts, Mode, Warning } from '../model.js';
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
const SOCKET_TYPES = new Set(['mcast', 'udp', 'server', 'client']);

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
  return {
    mode: outcome.mode,
    evidence,
    attachment: outcome.attachment,
    warnings,
    audit: {
      mac: nic.mac,
      type: nic.type,
      source: sourceAsWritten(nic),
      target: nic.target,
      model: nic.model,
      mode: outcome.mode,
      via: outcome.via,
      linkState: nonEmpty(nic.linkState) ?? 'up',
      portgroup: settings.portgroup,
      vlanTags: settings.vlanTags,
      virtualport: settings.virtualport,
      device: macvtapDevice(nic, outcome.mode, context),
      evidence,
    },
  };
}

/** The host link a macvtap NIC sits on: what the kernel shows for its tap if it can, else what the XML says. */
function macvtapDevice(nic: InterfaceFacts, mode: Mode, context: InterfaceContext): string | null {
  if (mode !== 'macvtap') return null;
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
  via: string | null;
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
    const via = endpoint === '' ? type : `${type} ${endpoint}`;
    return simple('socket', via, [`socket ${via}`]);
  }
  const mode = Object.hasOwn(MODE_BY_TYPE, type) ? MODE_BY_TYPE[type] : undefined;
  if (mode === undefined) return unclassifiable(`unknown interface type ${type}`);
  return byType(mode, nic);
}

/** A NIC on a libvirt network takes the network's mode; the network is matched by exact XML name. */
function throughNetwork(name: string, subject: string, context: InterfaceContext): InterfaceOutcome {
  const via = `network ${name}`;
  const network = context.networks.get(name);
  if (!network) {
    const seen = context.networks.size > 0 ? `networks: ${knownNetworks(context.networks)}` : 'no networks defined';
    return {
      mode: 'missing',
      via,
      steps: [`network ${name} not found (${seen})`, '⇒ missing'],
      attachment: { ...NO_ATTACHMENT, detail: via },
      warnings: [{ kind: 'network-missing', subject, message: `network ${name} is not defined on the host` }],
    };
  }
  const warnings: Warning[] =
    network.audit.active === false
      ? [{ kind: 'network-inactive', subject, message: `network ${name} is defined but not active` }]
      : [];
  return { mode: network.mode, via, steps: network.evidence, attachment: network.attachment, warnings };
}

/** `default, lab, prod`, or `n1, …, n10 and 990 more`: the first names only, read off the map's iterator. */
function knownNetworks(networks: ReadonlyMap<string, unknown>): string {
  const named: string[] = [];
  for (const name of networks.keys()) {
    if (named.length === MAX_KNOWN_NETWORKS_NAMED) break;
    named.push(name);
  }
  const rest = networks.size - named.length;
  return rest > 0 ? `${named.join(', ')} and ${rest} more` : named.join(', ');
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
  const via = `bridge ${bridge}`;
  if (nic.virtualportType === 'openvswitch') {
    // OVS bridges with a userspace datapath never show up in `ip link`: the virtualport is the evidence.
    const seen = context.topology.bridge(bridge) ? `bridge ${bridge}` : `bridge ${bridge} (not visible to ip)`;
    return simple('ovs', via, ['virtualport openvswitch', seen], { bridge });
  }
  const virtualport = nic.virtualportType ? [`virtualport ${nic.virtualportType}`] : [];
  const resolved = resolveHostBridge(bridge, context.topology, context.uplinks);
  const warnings: Warning[] =
    resolved.mode === 'missing' ? [{ kind: 'bridge-missing', subject, message: `bridge ${bridge} is not on the host` }] : [];
  return {
    mode: resolved.mode,
    via,
    steps: [...virtualport, ...resolved.steps],
    attachment: { ...NO_ATTACHMENT, bridge, uplinks: resolved.uplinks, detail: resolved.mode === 'missing' ? via : null },
    warnings,
  };
}

/** `type='direct'`: macvtap on a host device, which must exist. */
function direct(nic: InterfaceFacts, subject: string, context: InterfaceContext): InterfaceOutcome {
  const dev = nonEmpty(nic.source.dev);
  if (dev === null) return unclassifiable('no source dev');
  const via = `dev ${dev}`;
  // libvirt's default macvtap mode is vepa.
  const subMode = nonEmpty(nic.source.mode) ?? 'vepa';
  const step = `direct dev ${dev} (${subMode})`;
  if (!context.topology.linkByName(dev)) {
    return {
      mode: 'missing',
      via,
      steps: [step, `dev ${dev} not found`, '⇒ missing'],
      attachment: { ...NO_ATTACHMENT, detail: via },
      warnings: [{ kind: 'device-missing', subject, message: `device ${dev} is not on the host` }],
    };
  }
  return simple('macvtap', via, [step], { detail: via });
}

function byType(mode: Mode, nic: InterfaceFacts): InterfaceOutcome {
  const dev = nonEmpty(nic.source.dev);
  switch (mode) {
    case 'hostdev': {
      const pci = nonEmpty(nic.source.pciAddress);
      const via = pci === null ? null : `pci ${pci}`;
      return simple(mode, via, [via ?? 'hostdev'], { detail: via });
    }
    case 'vdpa': {
      const via = dev === null ? null : `dev ${dev}`;
      return simple(mode, via, [via ? `vdpa ${via}` : 'vdpa'], { detail: via });
    }
    case 'user': {
      const backend = nic.backendType === 'passt' ? 'passt' : 'slirp';
      const steps = [`user (${backend})`, ...(dev === null ? [] : [`dev ${dev}`])];
      return simple(mode, backend, steps, { detail: backend });
    }
    case 'vhostuser': {
      const path = nonEmpty(nic.source.path);
      const via = path === null ? null : `socket ${path}`;
      return simple(mode, via, [via ? `vhostuser ${via}` : 'vhostuser'], { detail: via });
    }
    case 'ethernet': {
      const target = nonEmpty(nic.target);
      const via = target === null ? null : `tap ${target}`;
      return simple(mode, via, [via ? `ethernet ${via}` : 'ethernet (unattached tap)'], { detail: via });
    }
    default:
      return simple(mode, null, [`type ${nic.type}`]);
  }
}

function simple(mode: Mode, via: string | null, steps: string[], attachment: Partial<Attachment> = {}): InterfaceOutcome {
  return { mode, via, steps: [...steps, `⇒ ${mode}`], attachment: { ...NO_ATTACHMENT, ...attachment }, warnings: [] };
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
