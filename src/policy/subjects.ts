/**
 * A host's report seen as policy subjects: the host itself, its networks, bridges and VM interfaces,
 * each with the attribute values of attributes.ts, the subject text findings carry and its evidence.
 */
import type { HostFacts, HostReport, InterfaceAudit, NetworkAudit } from '../model.js';
import type { SubjectKind } from './types.js';
import { CUT_OFF_WARNING_KINDS } from '../report/schema.js';

/** A value of an attribute: null = none (text) or unknown (yes/no). */
export type AttributeValue = string | string[] | boolean | null;

/** One thing a rule can check. */
export interface SubjectView {
  kind: SubjectKind;
  /** As findings and waivers name it: `host hv01`, `network default`, `bridge br0`, `vm web01 52:54:00:…`. */
  subject: string;
  values: Readonly<Record<string, AttributeValue>>;
  /** The chain of facts behind the values (the classifier's evidence where there is one). */
  evidence: string[];
}

/** All subjects of one host, by kind. */
export type HostSubjects = Readonly<Record<SubjectKind, readonly SubjectView[]>>;

/**
 * Host facts the report does not carry (yet): the default-route devices, and what a macvtap interface
 * sits on. Optional: without them `onDefaultRouteDevice` is unknown.
 */
export type HostFactsForPolicy = Pick<HostFacts, 'defaultRouteDevs' | 'networks' | 'links'>;

/** Build every subject of `host`. */
export function subjectsOf(host: HostReport, facts: HostFactsForPolicy | null): HostSubjects {
  const networksByName = new Map(host.networks.map((network) => [network.name, network]));
  const usersOfNetwork = new Map<string, string[]>();
  for (const vm of host.vms) {
    for (const nic of vm.interfaces) {
      const network = nic.attachment.network;
      if (network !== null) usersOfNetwork.set(network, [...(usersOfNetwork.get(network) ?? []), vm.name]);
    }
  }
  const defaultRouteDevs = defaultRouteDevsOf(host, facts);
  const warnedKinds = warningKindsBySubject(host);

  const hostView: SubjectView = {
    kind: 'host',
    subject: `host ${host.name}`,
    values: { name: host.name, groups: [...host.groups], status: host.status, error: host.error?.kind ?? null, modes: [...host.modes] },
    evidence: host.error ? [`status ${host.status}`, `${host.error.kind}: ${host.error.message}`] : [`status ${host.status}`, host.verdict].filter(Boolean),
  };

  const networks = host.networks.map((network): SubjectView => {
    const users = usersOfNetwork.get(network.name) ?? [];
    return {
      kind: 'network',
      subject: `network ${network.name}`,
      values: {
        name: network.name,
        mode: network.mode,
        forward: network.forward,
        bridge: network.bridge,
        active: network.active,
        autostart: network.autostart,
        persistent: network.persistent,
        dhcp: network.dhcp.length > 0,
        inUse: users.length > 0,
      },
      evidence: [
        ...network.evidence,
        `active ${yesNo(network.active)}, autostart ${yesNo(network.autostart)}`,
        users.length > 0 ? `used by ${listSome(unique(users))}` : 'used by no VM',
      ],
    };
  });

  const bridges = host.bridges.map(
    (bridge): SubjectView => ({
      kind: 'bridge',
      subject: `bridge ${bridge.name}`,
      values: { name: bridge.name, kind: bridge.kind, ports: [...bridge.ports], uplinks: [...bridge.uplinks], hasUplink: bridge.uplinks.length > 0 },
      evidence: [
        `bridge ${bridge.name} (${bridge.kind})`,
        bridge.ports.length > 0 ? `ports ${bridge.ports.join(', ')}` : 'no ports',
        bridge.uplinks.length > 0 ? `uplinks ${bridge.uplinks.join(', ')}` : 'no uplink',
      ],
    }),
  );

  const interfaces = host.vms.flatMap((vm) =>
    vm.interfaces.map((nic): SubjectView => {
      const { network, bridge, uplinks } = nic.attachment;
      const networkAudit = network === null ? undefined : networksByName.get(network);
      const devices = devicesOf(nic, networkAudit, facts);
      const subject = `vm ${vm.name} ${nic.id}`;
      const warned = warnedKinds.get(subject) ?? new Set<string>();
      return {
        kind: 'vm-interface',
        subject,
        values: {
          vm: vm.name,
          state: vm.state,
          mac: nic.mac,
          // Reports read back from JSON written before these fields existed lack them.
          linkState: nic.linkState ?? 'up',
          portgroup: nic.portgroup ?? null,
          vlans: (nic.vlanTags ?? []).map(String),
          type: nic.type,
          mode: nic.mode,
          via: nic.via,
          network,
          bridge,
          uplinks: [...uplinks],
          device: devices,
          onDefaultRouteDevice: onDefaultRouteDevice(nic, devices, defaultRouteDevs),
          cutOff: CUT_OFF_WARNING_KINDS.some((kind) => warned.has(kind)),
          drift: warned.has('config-drift'),
        },
        evidence: nic.evidence.length > 0 ? [...nic.evidence] : [`vm ${vm.name}`, `mode ${nic.mode}`],
      };
    }),
  );

  return { host: [hostView], network: networks, bridge: bridges, 'vm-interface': interfaces };
}

/** The warning kinds said of each subject (a NIC's `vm web01 52:54:00:…`). */
function warningKindsBySubject(host: HostReport): Map<string, Set<string>> {
  const kinds = new Map<string, Set<string>>();
  for (const warning of host.warnings) {
    const set = kinds.get(warning.subject);
    if (set) set.add(warning.kind);
    else kinds.set(warning.subject, new Set([warning.kind]));
  }
  return kinds;
}

/**
 * The host devices a macvtap or hostdev NIC may use: the device the classifier found (a macvtap's link, a hostdev
 * NIC's PCI address), else the running NIC's macvtap parent when the link facts show it, else the device it names,
 * else its network's pool (any of them may be picked).
 */
function devicesOf(nic: InterfaceAudit, network: NetworkAudit | undefined, facts: HostFactsForPolicy | null): string[] {
  if (nic.mode !== 'macvtap' && nic.mode !== 'hostdev') return [];
  if (nic.attachment.device !== null) return [nic.attachment.device];
  const tap = nic.target === null ? undefined : facts?.links.find((link) => link.name === nic.target && link.kind === 'macvtap');
  if (tap?.lower) return [tap.lower];
  const { through } = nic.attachment;
  if (through?.kind === 'dev' && through.name !== null) return [through.name];
  if (network) return poolOf(network, facts);
  return [];
}

/** A network's device pool: NetworkAudit.pool where the report has it, else from the network's facts. */
function poolOf(network: NetworkAudit, facts: HostFactsForPolicy | null): string[] {
  // Reports read back from JSON written before `pool` existed lack it.
  const reported = network.pool as string[] | undefined;
  if (reported && reported.length > 0) return [...reported];
  const forward = facts?.networks.find((n) => n.name === network.name)?.forward;
  if (!forward) return [];
  const pool = [...forward.pfs, ...forward.interfaces];
  if (pool.length === 0 && forward.dev) pool.push(forward.dev);
  return pool;
}

function defaultRouteDevsOf(host: HostReport, facts: HostFactsForPolicy | null): string[] | null {
  // Reports written before `defaultRouteDevs` existed lack it: then the facts, when the caller has them.
  const reported = host.defaultRouteDevs as string[] | undefined;
  if (Array.isArray(reported)) return reported;
  return facts ? facts.defaultRouteDevs : null;
}

function onDefaultRouteDevice(nic: InterfaceAudit, devices: string[], defaultRouteDevs: string[] | null): boolean | null {
  if (nic.mode !== 'macvtap') return false;
  if (defaultRouteDevs === null || devices.length === 0) return null;
  return devices.some((device) => defaultRouteDevs.includes(device));
}

function yesNo(value: boolean | null): string {
  return value === null ? 'unknown' : value ? 'yes' : 'no';
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

/** `a, b, c and 4 more`. */
export function listSome(items: readonly string[], max = 5): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
