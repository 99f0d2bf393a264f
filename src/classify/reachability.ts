/**
 * What operators keep asking about, answered before they ask:
 * - a guest whose only NICs are macvtap in bridge, VEPA or private mode cannot reach its own host (the kernel
 *   hands its frames to the wire, never back up to the lower device's own addresses): `macvtap-host-isolated`;
 * - a NAT, routed or open network on a host without a default route, or whose forward device is down, gives its
 *   guests no way out: `no-way-out`.
 */
import type { Mode, NetworkAudit, Warning } from '../model.js';
import { linkDownReason } from './linkHealth.js';
import type { Topology } from './topology.js';

/** Macvtap modes in which the guest and its host cannot talk through the lower device. */
const HOST_ISOLATING_MACVTAP_MODES = new Set(['bridge', 'vepa', 'private']);

/** One NIC of a VM, as the macvtap check needs it. */
export interface MacvtapNic {
  mode: Mode;
  /** The macvtap mode (`bridge`, `vepa`, `private`, `passthrough`); null for NICs that are not macvtap. */
  macvtapMode: string | null;
  /** The host device it sits on, when known. */
  device: string | null;
}

/** `macvtap-host-isolated` for a VM whose every NIC is a host-isolating macvtap; nothing otherwise. */
export function macvtapIsolationWarnings(vm: string, nics: readonly MacvtapNic[]): Warning[] {
  if (nics.length === 0) return [];
  if (!nics.every((nic) => nic.mode === 'macvtap' && nic.macvtapMode !== null && HOST_ISOLATING_MACVTAP_MODES.has(nic.macvtapMode))) return [];
  const on = [...new Set(nics.map((nic) => `${nic.device ?? '?'} (${nic.macvtapMode})`))].join(', ');
  return [
    {
      kind: 'macvtap-host-isolated',
      subject: `vm ${vm}`,
      message:
        `its only NICs are macvtap on ${on}: it cannot reach this host's own addresses through them, only the rest of ` +
        'the LAN (give it a NIC on a bridge or an isolated network if it must talk to its host)',
    },
  ];
}

const ROUTING_MODES = new Set<Mode>(['nat', 'routed', 'open']);

/** What the way-out check reads of the host. */
export interface WayOutContext {
  topology: Topology;
  /** Devices of the host's default routes; null when the routes could not be read. */
  defaultRouteDevs: readonly string[] | null;
}

/** `no-way-out` for an active NAT/routed/open network whose traffic cannot leave the host. */
export function wayOutWarnings(network: NetworkAudit, context: WayOutContext): Warning[] {
  if (!ROUTING_MODES.has(network.mode) || network.active === false) return [];
  const subject = `network ${network.name}`;
  const label = network.mode === 'nat' ? 'NAT' : network.mode;
  if (network.forwardDev !== null) {
    const dev = context.topology.linkByName(network.forwardDev);
    const down = dev === undefined ? 'is not on the host' : linkDownReason(dev);
    if (down !== null) {
      return [{ kind: 'no-way-out', subject, message: `its forward device ${network.forwardDev} ${down}: ${label} traffic of its guests has no way out` }];
    }
  }
  if (context.defaultRouteDevs !== null && context.defaultRouteDevs.length === 0) {
    return [{ kind: 'no-way-out', subject, message: `the host has no default route: ${label} traffic of its guests reaches only the networks the host has routes to` }];
  }
  return [];
}
