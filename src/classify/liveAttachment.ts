/**
 * Does the kernel agree with libvirt? For each NIC of a running (or paused) guest, the classification says
 * which bridge its tap is on, or which device its macvtap sits on; the host's links say where the tap really is.
 * The most common breakage on real hypervisors is a network restarted under running guests (`net-destroy` +
 * `net-start`): libvirt recreates the bridge without the guests' taps, and every guest on it is cut off while
 * its definition still reads as healthy. Told as warnings on the NIC: `tap-missing`, `tap-down`, `tap-detached`.
 */
import type { DomainFacts, InterfaceFacts, LinkFacts, Mode, Warning } from '../model.js';
import type { CUT_OFF_WARNING_KINDS } from '../report/schema.js';
import { linkDownReason } from './linkHealth.js';
import type { Topology } from './topology.js';

/** Domain states in which qemu runs and holds the NIC's tap (virsh's words). */
const LIVE_STATES = new Set(['running', 'paused', 'idle', 'in shutdown', 'pmsuspended']);

/** Modes whose NIC is a tap on a host bridge. */
const BRIDGE_MODES = new Set<Mode>(['nat', 'routed', 'open', 'isolated', 'bridged', 'host-only', 'ovs']);

/** What the kernel calls the master of every port of an Open vSwitch bridge. */
const OVS_MASTER = 'ovs-system';

/** One classified NIC of a VM, as this check needs it. */
export interface LiveNic {
  vm: DomainFacts;
  nic: InterfaceFacts;
  /** The warning subject: `vm web01 52:54:00:…`. */
  subject: string;
  mode: Mode;
  /** The libvirt network it is on, if any. */
  network: string | null;
  /** The bridge its tap must be a port of (bridge modes). */
  bridge: string | null;
  /** The devices its macvtap may sit on (macvtap mode): its `<source dev>`, or its network's pool. */
  devices: readonly string[];
}

/** What the check reads of the host. */
export interface LiveContext {
  topology: Topology;
  /** False when the host's links are unknown (ip failed): then nothing can be said. */
  linksKnown: boolean;
}

/**
 * The warnings of every live NIC whose tap is missing, down, or not where its classification says.
 * NICs of guests that do not run, NICs without a tap (hostdev, user…), and unmanaged `ethernet` taps are not checked.
 */
export function liveAttachmentWarnings(nics: readonly LiveNic[], context: LiveContext): Warning[] {
  if (!context.linksKnown) return [];
  const libvirtView = connectionCounts(nics, context.topology);
  const warnings: Warning[] = [];
  for (const live of nics) {
    const warning = checkNic(live, context.topology, libvirtView);
    if (warning) warnings.push(warning);
  }
  return warnings;
}

function isCheckable(live: LiveNic): boolean {
  return LIVE_STATES.has(live.vm.state) && live.nic.target !== null && (BRIDGE_MODES.has(live.mode) ? live.bridge !== null : live.mode === 'macvtap');
}

function checkNic(live: LiveNic, topology: Topology, libvirtView: LibvirtView): Warning | null {
  if (!isCheckable(live)) return null;
  const target = live.nic.target!;
  const tap = topology.linkByName(target);
  const warn = (kind: (typeof CUT_OFF_WARNING_KINDS)[number], message: string): Warning => ({ kind, subject: live.subject, message });
  if (!tap) {
    return warn('tap-missing', `its host device ${target} does not exist, though the VM is ${live.vm.state}: the guest has no network${libvirtView.note(live)}`);
  }
  // A guest link set down on purpose (<link state='down'>) is already told as link-down; libvirt sets a paused
  // guest's macvtap down itself (and up again on resume).
  const downOnPurpose = live.nic.linkState === 'down' || (live.mode === 'macvtap' && live.vm.state === 'paused');
  const down = downOnPurpose ? null : linkDownReason(tap);
  if (down !== null) return warn('tap-down', `its host device ${target} ${down}: the guest is cut off`);
  const misplaced = live.mode === 'macvtap' ? macvtapMisplaced(tap, live.devices) : portMisplaced(tap, live, topology);
  if (misplaced !== null) return warn('tap-detached', `${misplaced}: the guest is cut off${libvirtView.note(live)}`);
  return null;
}

/** Why a tap is not a port of the bridge its classification names; null when it is. */
function portMisplaced(tap: LinkFacts, live: LiveNic, topology: Topology): string | null {
  const bridge = live.bridge!;
  const master = tap.master ?? topology.bridgeOf(tap.name)?.name ?? null;
  if (master === bridge) return null;
  // Every OVS port's master is the datapath, not the bridge: ip cannot tell which OVS bridge it is on.
  const ovsBridge = live.mode === 'ovs' || topology.bridge(bridge)?.kind === 'ovs';
  if (ovsBridge && master === OVS_MASTER) return null;
  const where = master === null ? 'it is a port of no bridge' : `it is a port of ${master}`;
  return `its host device ${tap.name} is not a port of ${bridge} (${where})`;
}

/** Why a macvtap does not sit on one of the devices its definition allows; null when it does. */
function macvtapMisplaced(tap: LinkFacts, devices: readonly string[]): string | null {
  if (tap.kind !== 'macvtap' && tap.kind !== 'macvlan') return `its host device ${tap.name} is not a macvtap (${tap.kind ?? 'a plain link'})`;
  if (devices.length === 0 || (tap.lower !== null && devices.includes(tap.lower))) return null;
  const expected = devices.length === 1 ? devices[0] : `one of ${devices.join(', ')}`;
  return `its macvtap ${tap.name} sits on ${tap.lower ?? 'no device'}, not on ${expected}`;
}

/** libvirt's own count of a network's plugged NICs, beside how many live NICs use it. */
interface LibvirtView {
  note(live: LiveNic): string;
}

/**
 * libvirt's view, where it has one: `<network connections>` of the running network against the live NICs on
 * it. Lower means libvirt lost track of them too (the network was restarted under running guests).
 */
function connectionCounts(nics: readonly LiveNic[], topology: Topology): LibvirtView {
  const live = new Map<string, number>();
  for (const nic of nics) {
    if (nic.network !== null && LIVE_STATES.has(nic.vm.state)) live.set(nic.network, (live.get(nic.network) ?? 0) + 1);
  }
  return {
    note(nic) {
      if (nic.network === null) return '';
      // `?? null`: facts assembled by hand may lack the key.
      const counted = topology.networkByName(nic.network)?.connections ?? null;
      const using = live.get(nic.network) ?? 0;
      if (counted === null || counted >= using) return '';
      return ` (libvirt too counts ${counted} connection${counted === 1 ? '' : 's'} on network ${nic.network} for ${using} NIC${using === 1 ? '' : 's'} of running guests: was it restarted under them?)`;
    },
  };
}
