/**
 * The one-sentence answer to "which networking mode does each VM NIC use?", e.g.
 * `12 VM NICs use NAT through virbr0 (network default); 3 are bridged to the LAN through br0 (uplink bond0).`
 */
import { MODES, type Mode } from '../model.js';
import type { Attachment } from './attachment.js';
import { joinWithAnd } from './evidence.js';

/** What the verdict needs of each classified NIC or network. */
export interface VerdictInput {
  mode: Mode;
  attachment: Attachment;
}

/** At most this many places are named per mode; the rest are counted. */
const MAX_TARGETS = 3;

/** How many listed VMs and networks could not be read (their definitions unreadable or never received). */
export interface UnreadCounts {
  vms: number;
  networks: number;
}

const NONE_UNREAD: UnreadCounts = { vms: 0, networks: 0 };

/**
 * Build the verdict from the host's classified NICs and networks. VMs and networks that could not be read are
 * told in a sentence of their own: a verdict must never read as complete when some of the host is unknown.
 * @example
 * buildVerdict(nics, networks, null, { vms: 2, networks: 0 })
 * // '3 VM NICs use NAT through virbr0 (network default). 2 VMs could not be read: their networking is unknown.'
 */
export function buildVerdict(
  nics: readonly VerdictInput[],
  networks: readonly VerdictInput[],
  libvirtError: string | null,
  unread: UnreadCounts = NONE_UNREAD,
  cutOff: readonly string[] = [],
): string {
  if (libvirtError !== null && nics.length === 0 && networks.length === 0 && unread.vms === 0) {
    return `No verdict: libvirt could not be read (${libvirtError}).`;
  }
  return `${describeNics(nics, networks, unread.vms > 0)}${describeCutOff(cutOff)}${describeUnread(unread)}`;
}

/**
 * ` But 2 of them are cut off on the host (their tap is missing, down or off its bridge): web01 52:54:… and db01 52:54:….`
 * The classification says where a NIC should be; this says it is not there, so the sentence above cannot read as healthy.
 */
function describeCutOff(nics: readonly string[]): string {
  if (nics.length === 0) return '';
  const named = nics.length <= MAX_TARGETS ? joinWithAnd(nics) : joinWithAnd([...nics.slice(0, MAX_TARGETS), `${nics.length - MAX_TARGETS} more`]);
  const count = nics.length === 1 ? '1 of them is' : `${nics.length} of them are`;
  return ` But ${count} cut off on the host (tap missing, down or off its bridge): ${named}.`;
}

function describeNics(nics: readonly VerdictInput[], networks: readonly VerdictInput[], someVmsUnread: boolean): string {
  if (nics.length === 0) return `No ${someVmsUnread ? 'readable ' : ''}VM network interfaces; ${describeNetworks(networks)}.`;
  const clauses = groupByMode(nics).map((group, index) => {
    const one = group.items.length === 1;
    const count = index === 0 ? `${group.items.length} VM NIC${one ? '' : 's'}` : `${group.items.length}`;
    return `${count} ${predicate(group.mode, one, group.items.map((item) => item.attachment))}`;
  });
  return `${clauses.join('; ')}.`;
}

/** ` 2 VMs and 1 network could not be read: their networking is unknown.`, or nothing. */
function describeUnread({ vms, networks }: UnreadCounts): string {
  const parts = [
    ...(vms > 0 ? [`${vms} VM${vms === 1 ? '' : 's'}`] : []),
    ...(networks > 0 ? [`${networks} network${networks === 1 ? '' : 's'}`] : []),
  ];
  if (parts.length === 0) return '';
  const their = vms + networks === 1 ? 'its' : 'their';
  return ` ${joinWithAnd(parts)} could not be read: ${their} networking is unknown.`;
}

/** `2 networks defined (nat, isolated)`. */
function describeNetworks(networks: readonly VerdictInput[]): string {
  if (networks.length === 0) return 'no networks defined';
  const modes = groupByMode(networks).map((group) => group.mode);
  return `${networks.length} network${networks.length === 1 ? '' : 's'} defined (${modes.join(', ')})`;
}

interface ModeGroup {
  mode: Mode;
  items: VerdictInput[];
}

/** Largest group first; ties in the vocabulary's order, so the sentence is stable. */
function groupByMode(items: readonly VerdictInput[]): ModeGroup[] {
  const groups = new Map<Mode, VerdictInput[]>();
  for (const item of items) {
    const members = groups.get(item.mode);
    if (members) members.push(item);
    else groups.set(item.mode, [item]);
  }
  return [...groups.entries()]
    .map(([mode, members]) => ({ mode, items: members }))
    .sort((a, b) => b.items.length - a.items.length || MODES.indexOf(a.mode) - MODES.indexOf(b.mode));
}

/** The rest of a clause after its count, agreeing with it in number. */
function predicate(mode: Mode, one: boolean, attachments: readonly Attachment[]): string {
  const v = (singular: string, plural: string) => (one ? singular : plural);
  const places = (describe: (a: Attachment) => string | null) => listTargets(attachments.map(describe));
  const suffix = (text: string, lead: string) => (text === '' ? '' : lead === '' ? ` ${text}` : ` ${lead} ${text}`);
  switch (mode) {
    case 'nat':
      return `${v('uses', 'use')} NAT${suffix(places(throughNetwork), 'through')}`;
    case 'routed':
      return `${v('is', 'are')} routed${suffix(places(throughNetwork), 'through')}`;
    case 'open':
      return `${v('is', 'are')} routed without libvirt firewall rules${suffix(places(throughNetwork), 'through')}`;
    case 'isolated':
      return `${v('is', 'are')} isolated (guests and host only)${suffix(places(throughNetwork), 'on')}`;
    case 'bridged':
      return `${v('is', 'are')} bridged to the LAN${suffix(places(throughUplinks), 'through')}`;
    case 'host-only': {
      const bridges = uniqueTargets(attachments.map((a) => a.bridge));
      const noun = bridges.length === 1 ? 'bridge' : 'bridges';
      return `${v('is', 'are')} on host-only ${noun}${suffix(places((a) => a.bridge), '')} (no uplink)`;
    }
    case 'ovs':
      return `${v('is', 'are')} on Open vSwitch${suffix(places(onOvs), 'through')}`;
    case 'macvtap':
      return `${v('is', 'are')} attached directly (macvtap)${suffix(places(withNetwork), 'to')}`;
    case 'hostdev':
      return `${v('uses an assigned PCI device', 'use assigned PCI devices')} (hostdev)${suffix(places((a) => nameOf(a.network, 'network')), 'from')}`;
    case 'vdpa':
      return v('uses a vDPA device', 'use vDPA devices');
    case 'user':
      return `${v('uses', 'use')} user-mode networking (${places((a) => a.detail) || 'slirp'})`;
    case 'vhostuser':
      return v('uses a vhost-user socket', 'use vhost-user sockets');
    case 'ethernet':
      return `${v('uses an unmanaged tap device', 'use unmanaged tap devices')} (ethernet)`;
    case 'socket':
      return v('uses a QEMU socket tunnel', 'use QEMU socket tunnels');
    case 'none':
      return `${v('has', 'have')} no host connection (type null)`;
    case 'vds':
      return v('is on a VMware vDS switch', 'are on VMware vDS switches');
    case 'missing':
      return `${v('refers', 'refer')} to missing ${places((a) => a.detail) || 'objects'}`;
    case 'unknown':
      return `could not be classified`;
  }
}

/** `virbr0 (network default)`. */
function throughNetwork(a: Attachment): string | null {
  if (a.bridge && a.network) return `${a.bridge} (network ${a.network})`;
  return nameOf(a.network, 'network') ?? a.bridge;
}

/** `br0 (uplink bond0)`. */
function throughUplinks(a: Attachment): string | null {
  if (!a.bridge) return null;
  if (a.uplinks.length === 0) return a.bridge;
  return `${a.bridge} (${a.uplinks.length === 1 ? 'uplink' : 'uplinks'} ${a.uplinks.join(', ')})`;
}

function onOvs(a: Attachment): string | null {
  if (a.bridge && a.network) return `${a.bridge} (network ${a.network})`;
  return nameOf(a.network, 'network') ?? a.bridge;
}

function withNetwork(a: Attachment): string | null {
  const dev = a.detail?.replace(/^dev /, '') ?? null;
  if (dev && a.network) return `${dev} (network ${a.network})`;
  return dev ?? nameOf(a.network, 'network');
}

function nameOf(value: string | null, label: string): string | null {
  return value === null ? null : `${label} ${value}`;
}

/** Unique places, most used first, at most MAX_TARGETS named: `virbr0 (network default) and 2 more`. */
function listTargets(targets: readonly (string | null)[]): string {
  const ordered = uniqueTargets(targets);
  if (ordered.length <= MAX_TARGETS) return joinWithAnd(ordered);
  const rest = ordered.length - MAX_TARGETS;
  return joinWithAnd([...ordered.slice(0, MAX_TARGETS), `${rest} more`]);
}

/** Distinct places, most used first (ties keep first appearance). */
function uniqueTargets(targets: readonly (string | null)[]): string[] {
  const counts = new Map<string, number>();
  for (const target of targets) if (target !== null) counts.set(target, (counts.get(target) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([target]) => target);
}
