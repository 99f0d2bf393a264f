/**
 * Small helpers for the demo fleet's host specs: reproducible UUIDs, the node-file boilerplate libvirt's
 * test driver needs, and the link stand-ins every host uses. The interesting part of each host, its
 * networks and guest interfaces, stays written out as XML in the host's own file.
 */
import { createHash } from 'node:crypto';
import type { Mode } from '../../src/model.js';
import type { LabHostSpec, TapLinkSpec, VethLinkSpec } from '../../test/lab/spec.js';
import { stateCommands, type LibvirtState } from '../../test/lab/virshState.js';

export type { LabHostSpec } from '../../test/lab/spec.js';
export type { LibvirtState } from '../../test/lab/virshState.js';

/** A demo host: a lab host plus what it is built to show (checked by test/unit/demo-fixtures.test.ts). */
export interface DemoHostSpec extends LabHostSpec {
  /** The modes of its VM interfaces, by design: exactly the host's `modes` once classified. */
  shows: Mode[];
  /** Warning kinds it is built to raise (among others it may raise). */
  warns?: string[];
}

/**
 * A UUID derived from `seed` (shaped like a random v4 UUID), so that regenerated captures are identical;
 * the test driver would invent a random one for an object without `<uuid>`.
 * @example uuid('hv-nat-01/net/default')
 */
export function uuid(seed: string): string {
  const hex = createHash('sha256').update(`kvm-netaudit demo/${seed}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The `default` NAT network exactly as a stock libvirt install defines it (virbr0, 198.18.122.0/24 here, with
 * DHCP), as node-file XML. `bridgeMac` is virbr0's MAC.
 */
export function defaultNatNetwork(host: string, bridgeMac: string): string {
  return `
  <network>
    <name>default</name>
    <uuid>${uuid(`${host}/net/default`)}</uuid>
    <forward mode='nat'/>
    <bridge name='virbr0' stp='on' delay='0'/>
    <mac address='${bridgeMac}'/>
    <ip address='198.18.122.1' netmask='255.255.255.0'>
      <dhcp>
        <range start='198.18.122.2' end='198.18.122.254'/>
      </dhcp>
    </ip>
  </network>`;
}

/** The MAC libvirt gives a guest's tap: the guest MAC with its first byte set to 0xfe. */
export function tapMacFor(guestMac: string): string {
  return `fe${guestMac.slice(2)}`;
}

/** How `<test:runstate>` numbers the states (virDomainState). */
const RUNSTATE = {
  running: 1,
  blocked: 2,
  paused: 3,
  shutdown: 4,
  'shut off': 5,
  crashed: 6,
  pmsuspended: 7,
} as const;

export type DomainState = keyof typeof RUNSTATE;

/** What {@link domain} needs besides the interfaces. */
export interface DomainOptions {
  /** `host/name` seeds the UUID. */
  host: string;
  name: string;
  state: DomainState;
  /** A transient domain (exists only while running). */
  transient?: boolean;
  vcpus?: number;
  memoryMiB?: number;
  /** `<interface>` (and other device) XML, written out by the host spec. */
  devices: string;
}

/** One `<domain type='test'>` of a node file. */
export function domain(options: DomainOptions): string {
  const memoryKiB = (options.memoryMiB ?? 2048) * 1024;
  return `
  <domain type='test'>
    <name>${options.name}</name>
    <uuid>${uuid(`${options.host}/dom/${options.name}`)}</uuid>
    <memory unit='KiB'>${memoryKiB}</memory>
    <vcpu>${options.vcpus ?? 2}</vcpu>
    <os><type arch='x86_64'>hvm</type></os>
    <devices>${options.devices}
    </devices>
    <test:runstate>${RUNSTATE[options.state]}</test:runstate>${options.transient ? '\n    <test:transient/>' : ''}
  </domain>`;
}

/** Options of {@link node}. */
export interface NodeOptions {
  /** Shown as a comment at the top of the node file. */
  comment: string;
  /** The host's libvirt state, named in the comment: a reader of the node file alone would miss it. */
  state?: LibvirtState;
  cpus?: number;
  memoryGiB?: number;
  /** `<network>` elements. */
  networks: string;
  /** From {@link domain}. */
  domains: string[];
}

/** A whole test-driver node file (libvirt's test:///FILE format). */
export function node(options: NodeOptions): string {
  const commands = stateCommands(options.state);
  const stateNote = commands
    ? `\n     Lab state, applied by virsh before every probe command (test/lab/virshState.ts):\n     ${commands}`
    : '';
  return `<!-- ${`${options.comment}${stateNote}`.replace(/--/g, '- -')} -->
<node xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
  <cpu>
    <mhz>2600</mhz>
    <model>x86_64</model>
    <nodes>1</nodes>
    <sockets>2</sockets>
    <cores>${(options.cpus ?? 32) / 2}</cores>
    <threads>1</threads>
  </cpu>
  <memory>${(options.memoryGiB ?? 256) * 1024 * 1024}</memory>
${options.networks}${options.domains.join('')}
</node>
`;
}

/**
 * A NIC stand-in: a veth named like the real device, its peer (`<name>-sw`, the "switch side") left
 * unattached and up, so the NIC has a carrier. Pass `cableUnplugged` for a NIC without carrier.
 */
export function nic(name: string, extra: Partial<Omit<VethLinkSpec, 'kind' | 'name' | 'peer'>> & { cableUnplugged?: boolean } = {}): VethLinkSpec {
  const { cableUnplugged, ...rest } = extra;
  return { kind: 'veth', name, peer: `${name}-sw`, ...(cableUnplugged ? { peerUp: false } : {}), ...rest };
}

/** A running guest's tap on `bridge` (or on no bridge), with the MAC libvirt would give it. */
export function guestTap(name: string, bridge: string | null, guestMac: string, extra: Partial<TapLinkSpec> = {}): TapLinkSpec {
  return { kind: 'tap', name, ...(bridge ? { master: bridge } : {}), mac: tapMacFor(guestMac), ...extra };
}
