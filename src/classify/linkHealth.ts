/**
 * Host links that carry guest traffic out of the host but are down: a bridge's uplink, a macvtap (direct)
 * device, a network's device pool or outgoing device. Told as `uplink-down` warnings, one per link with every
 * role it plays; the modes stay as they are (a bridge with a dead uplink is still wired to the LAN).
 */
import type { LinkFacts, Warning } from '../model.js';
import { joinWithAnd } from './evidence.js';
import type { Topology } from './topology.js';
import type { UplinkResolver } from './uplinks.js';

/** A device a libvirt network sends its guests' traffic through. */
export interface NetworkDevice {
  /** Link name on the host. */
  dev: string;
  /** e.g. `device in the pool of network sriov`, `outgoing device of network default`. */
  role: string;
}

/** A VM NIC attached directly (macvtap) to a host device. */
export interface DirectAttachment {
  dev: string;
  /** `web01 52:54:00:00:02:01`. */
  nic: string;
}

/** What to check on one host. */
export interface LinkHealthInput {
  topology: Topology;
  uplinks: UplinkResolver;
  networkDevices: readonly NetworkDevice[];
  directAttachments: readonly DirectAttachment[];
}

/** At most this many NICs are named per device; the rest are counted. */
const MAX_NAMED_NICS = 3;
const AGGREGATE_KINDS = new Set(['bond', 'team']);

/**
 * Why a link passes no traffic, as the rest of a sentence about it, or null when it is up. `UNKNOWN` (drivers
 * that do not report carrier) counts as up: it is what many working virtual and some physical NICs show.
 * @example linkDownReason({ up: true, operstate: 'DOWN' }) // 'has no carrier (operstate DOWN)'
 */
export function linkDownReason(link: Pick<LinkFacts, 'up' | 'operstate'>): string | null {
  if (!link.up) return 'is set down (administratively, no UP flag)';
  switch (link.operstate?.toUpperCase()) {
    case 'DOWN':
      return 'has no carrier (operstate DOWN)';
    case 'LOWERLAYERDOWN':
      return 'is down (operstate LOWERLAYERDOWN: its lower device or peer is down)';
    case 'NOTPRESENT':
      return 'is not present (operstate NOTPRESENT)';
    case 'DORMANT':
      return 'is dormant (operstate DORMANT)';
    default:
      return null;
  }
}

/** One `uplink-down` warning per down link, in the order the links were first met. */
export function uplinkDownWarnings(input: LinkHealthInput): Warning[] {
  const { topology } = input;
  const roles = new Map<string, Set<string>>();

  /** Record `role` on the link if it is down, or on the down slaves of a bond that is still up. */
  const check = (name: string, role: string): void => {
    const link = topology.linkByName(name);
    if (!link) return;
    if (linkDownReason(link) !== null) {
      addRole(roles, name, role);
      return;
    }
    if (link.kind === null || !AGGREGATE_KINDS.has(link.kind)) return;
    for (const slave of topology.slavesOf(name)) {
      if (linkDownReason(slave) !== null) addRole(roles, slave.name, `slave of ${name}, the ${role} (${name} is still up)`);
    }
  };

  for (const bridge of topology.bridges()) {
    if (bridge.kind !== 'linux') continue;
    for (const uplink of input.uplinks.uplinksOf(bridge.name)) check(uplink.name, `uplink of bridge ${bridge.name}`);
  }
  for (const device of input.networkDevices) check(device.dev, device.role);
  for (const [dev, nics] of groupByDevice(input.directAttachments)) check(dev, `direct (macvtap) device of ${nameSome(nics)}`);

  return [...roles].map(([name, linkRoles]) => {
    const reason = linkDownReason(topology.linkByName(name)!) ?? 'is down';
    return { kind: 'uplink-down', subject: `link ${name}`, message: `${name} ${reason}; it is the ${[...linkRoles].join('; the ')}` };
  });
}

/** Roles per link, each once, in the order met (a set: one device may serve thousands of networks). */
function addRole(roles: Map<string, Set<string>>, name: string, role: string): void {
  const set = roles.get(name);
  if (!set) roles.set(name, new Set([role]));
  else set.add(role);
}

function groupByDevice(attachments: readonly DirectAttachment[]): Map<string, string[]> {
  const byDevice = new Map<string, string[]>();
  for (const { dev, nic } of attachments) {
    const nics = byDevice.get(dev);
    if (nics) nics.push(nic);
    else byDevice.set(dev, [nic]);
  }
  return byDevice;
}

/** `a, b and c`, or `a, b, c and 5 more VM NICs`. */
function nameSome(nics: readonly string[]): string {
  if (nics.length <= MAX_NAMED_NICS) return joinWithAnd(nics);
  return joinWithAnd([...nics.slice(0, MAX_NAMED_NICS), `${nics.length - MAX_NAMED_NICS} more VM NICs`]);
}
