/**
 * The declarative description of one lab hypervisor: the links of its network namespace and the libvirt
 * test-driver node file that plays its libvirtd. Pure data; test/lab/plan.ts turns it into commands.
 *
 * This kernel has veth, bridge, tun/tap, macvlan/macvtap and vxlan, but no bond, vlan, dummy or netem:
 * stand those in with veths named as the real device (`bond0`, `eno1`, `bond0.100`) and list them in
 * `uplinkInterfaces`, as an operator would for a device the tool cannot recognise.
 */
import type { LibvirtState } from './virshState.js';

/** What every link kind accepts. */
interface LinkCommon {
  /** Link name inside the namespace (at most 15 bytes). */
  name: string;
  /** MAC address; derived from the host and link names when absent, so captures are reproducible. */
  mac?: string;
  /** Administratively up. @default true */
  up?: boolean;
  /** `ADDRESS/PREFIX` in 198.18.0.0/15, a TEST-NET, 2001:db8::/32 or loopback. */
  addresses?: string[];
  /** @default the kernel's (1500) */
  mtu?: number;
}

/** A Linux bridge. */
export interface BridgeLinkSpec extends LinkCommon {
  kind: 'bridge';
  /** Turn on STP (`stp_state 1`), as libvirt does for its own bridges. @default false */
  stp?: boolean;
}

/**
 * A veth pair, both ends in the namespace: a NIC stand-in (`eno1` with its peer unattached, the "switch
 * side"), or a patch cable between two bridges (`master` and `peerMaster`).
 */
export interface VethLinkSpec extends LinkCommon {
  kind: 'veth';
  peer: string;
  /** Bridge this end is a port of. */
  master?: string;
  peerMac?: string;
  /** Bridge the peer is a port of. */
  peerMaster?: string;
  /** The peer's admin state; a down peer means no carrier on this end. @default true */
  peerUp?: boolean;
}

/** A tap, e.g. a running guest's vNIC on a bridge. */
export interface TapLinkSpec extends LinkCommon {
  kind: 'tap';
  /** Bridge this tap is a port of. */
  master?: string;
  /**
   * Held open by a process, as QEMU holds a running guest's tap; without it the tap shows NO-CARRIER.
   * @default true
   */
  carrier?: boolean;
}

/** A macvtap (or macvlan) on a lower device, e.g. a guest's `type='direct'` interface. */
export interface MacvtapLinkSpec extends LinkCommon {
  kind: 'macvtap' | 'macvlan';
  /** The lower device; must be declared earlier and must not be a bridge port. */
  lower: string;
  mode: 'bridge' | 'vepa' | 'private' | 'passthru';
}

/** A VXLAN tunnel port (no remote: it never sends anything). */
export interface VxlanLinkSpec extends LinkCommon {
  kind: 'vxlan';
  vni: number;
  /** Bridge this port is a port of. */
  master?: string;
  /** Local tunnel address (must be a lab address). */
  local?: string;
  /** @default 4789 */
  dstport?: number;
}

export type LabLinkSpec = BridgeLinkSpec | VethLinkSpec | TapLinkSpec | MacvtapLinkSpec | VxlanLinkSpec;

/** A route in the namespace; addresses must be lab addresses. */
export interface LabRouteSpec {
  /** `default` or `ADDRESS/PREFIX`. */
  to: string;
  via?: string;
  dev: string;
}

/** One lab hypervisor. */
export interface LabHostSpec {
  /** Host name, e.g. `hv-prod-02`; the namespace is `<prefix><name>`. */
  name: string;
  /** What this host demonstrates (for readers of the fleet and the node file). */
  description?: string;
  /** Inventory groups, e.g. `['prod']`. */
  groups: string[];
  /** Inventory `uplinkInterfaces` globs: the stand-ins the kernel cannot make real (bonds, VLANs, NICs). */
  uplinkInterfaces: string[];
  /** Links, created in this order (so ifindexes are reproducible). */
  links: LabLinkSpec[];
  routes?: LabRouteSpec[];
  /**
   * The libvirt test-driver node file: `<node><cpu>…</cpu><network>…</network><domain type='test'>…</domain></node>`.
   * Give every network and domain a `<uuid>` and every interface a `<mac>`: the test driver invents
   * random ones otherwise. Domain state comes from `<test:runstate>` (1 running, 3 paused, 4 shutdown,
   * 5 shut off, 6 crashed, 7 pmsuspended) and `<test:transient/>`, in the
   * `http://libvirt.org/schemas/domain/test/1.0` namespace. The driver renames `vnet*`/`macvtap*`
   * targets to `testnetN`, so give running guests' taps other names (e.g. `tap101i0`).
   */
  nodeXml: string;
  /** Network/domain state the node file cannot express (see virshState.ts). */
  libvirtState?: LibvirtState;
}
