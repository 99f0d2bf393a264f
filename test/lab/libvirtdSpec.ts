/**
 * The declarative description of a lab hypervisor run by a REAL libvirtd (test/lab/libvirtd.ts): the links
 * of its network namespace, the libvirt networks libvirtd defines and starts there, and the guests it runs.
 * Pure data and pure functions: the network and domain XML are generated here, and so are the answers an
 * audit must give (the mode of every network and every VM NIC), so a test reads both from one place.
 *
 * Guests are disk-less and tiny (32 MiB, one vCPU, no boot device, NIC option ROMs off): started
 * `--paused` they cost no CPU and still have their taps; a `running` guest sits in the BIOS after a
 * few seconds of boot. libvirt sets a paused guest's macvtaps DOWN (qemuInterfaceStopDevices) and raises
 * them only when its CPUs run, so a guest whose macvtaps must be up has to be `running`.
 */
import { createHash } from 'node:crypto';
import type { Mode } from '../../src/model.js';
import type { LabLinkSpec, LabRouteSpec, VethLinkSpec } from './spec.js';

/** What a libvirt network is, by its `<forward>`: the report's mode follows from it (see {@link MODE_OF_NETWORK}). */
export type NetworkKind = 'nat' | 'isolated' | 'routed' | 'open' | 'bridge' | 'macvtap';

/** An IPv4 address libvirt puts on the network's bridge, optionally with a DHCP range (dnsmasq serves it). */
export interface Ipv4Spec {
  /** Lab address (198.18.0.0/15 or a TEST-NET), e.g. `198.18.122.1`. */
  address: string;
  prefix: number;
  dhcp?: { start: string; end: string };
}

/** One libvirt network. */
export interface LvNetworkSpec {
  name: string;
  kind: NetworkKind;
  /**
   * nat, isolated, routed, open: the bridge libvirt creates (`virbrN`).
   * bridge: the existing host bridge it forwards onto (a link of the host).
   */
  bridge?: string;
  /** nat, routed, open: `<forward dev>`, the host link traffic leaves by. */
  forwardDev?: string;
  /** macvtap: the host devices of `<forward mode='bridge'><interface dev/>…`. */
  devices?: string[];
  /** nat, isolated, routed, open. */
  ipv4?: Ipv4Spec;
  /** Started (`net-start`) after it is defined. @default true */
  active?: boolean;
  /** Marked `net-autostart`. @default false */
  autostart?: boolean;
}

/** One `<interface>` of a guest. */
export type LvNicSpec =
  /** `type='network'` on a libvirt network of the host. */
  | { kind: 'network'; mac: string; network: string }
  /** `type='bridge'` on a host bridge. */
  | { kind: 'bridge'; mac: string; bridge: string }
  /** `type='direct'`: a macvtap on a host device. @default mode bridge */
  | { kind: 'direct'; mac: string; dev: string; mode?: 'bridge' | 'vepa' | 'private' | 'passthrough' };

/** What becomes of a guest once it is defined. */
export type GuestState = 'paused' | 'running' | 'shut off';

/** One guest. */
export interface LvGuestSpec {
  name: string;
  /**
   * paused: `virsh start --paused` (taps exist, no CPU burnt, macvtaps DOWN); running: `virsh start`;
   * shut off: only defined.
   */
  state: GuestState;
  /** Created with `virsh create` (exists only while it runs); `state` must not be `shut off`. @default false */
  transient?: boolean;
  /** Marked `autostart` (persistent guests only). @default false */
  autostart?: boolean;
  nics: LvNicSpec[];
}

/** One lab hypervisor run by a real libvirtd. */
export interface LibvirtdHostSpec {
  /** Host name, e.g. `kvm-lab`; the namespace is `<prefix><name>`. */
  name: string;
  description?: string;
  /** Inventory groups. */
  groups: string[];
  /** Inventory `uplinkInterfaces` globs: the veth stand-ins for NICs (this kernel has no dummy links). */
  uplinkInterfaces: string[];
  /** Links created in the namespace before libvirtd starts (test/lab/plan.ts builds them). */
  links: LabLinkSpec[];
  routes?: LabRouteSpec[];
  /** Defined in this order (and started, unless inactive). */
  networks: LvNetworkSpec[];
  /** Defined and started in this order, so libvirt's tap names (vnet0, vnet1, …, macvtap0, …) repeat. */
  guests: LvGuestSpec[];
}

/** The report's mode of a network of each kind. */
export const MODE_OF_NETWORK: Readonly<Record<NetworkKind, Mode>> = {
  nat: 'nat',
  isolated: 'isolated',
  routed: 'routed',
  open: 'open',
  bridge: 'bridged',
  macvtap: 'macvtap',
};

/** libvirt's `<forward mode>` of each kind, as the report's `forward` shows it (`none`: no `<forward>`). */
export const FORWARD_OF_NETWORK: Readonly<Record<NetworkKind, string>> = {
  nat: 'nat',
  isolated: 'none',
  routed: 'route',
  open: 'open',
  bridge: 'bridge',
  macvtap: 'bridge',
};

/** A UUID derived from a seed, so regenerated captures name the same objects. */
export function labUuid(seed: string): string {
  const hex = createHash('sha256').update(`kvm-netaudit libvirtd lab/${seed}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A MAC in libvirt's own range (52:54:00), derived from a seed: for the bridges libvirt creates. */
export function libvirtMac(seed: string): string {
  const bytes = createHash('sha256').update(`kvm-netaudit libvirtd lab mac/${seed}`).digest();
  return ['52', '54', '00', ...[...bytes.subarray(0, 3)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** Escape text for an XML attribute or element (names in the spec are plain, but stay safe). */
function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');
}

/** The `<network>` XML libvirtd is given (`net-define`) for one network of the spec. */
export function networkXml(host: LibvirtdHostSpec, network: LvNetworkSpec): string {
  const lines = [`<network>`, `  <name>${xmlText(network.name)}</name>`, `  <uuid>${labUuid(`${host.name}/net/${network.name}`)}</uuid>`];
  const forwardDev = network.forwardDev ? ` dev='${xmlText(network.forwardDev)}'` : '';
  switch (network.kind) {
    case 'nat':
      lines.push(`  <forward mode='nat'${forwardDev}/>`);
      break;
    case 'routed':
      lines.push(`  <forward mode='route'${forwardDev}/>`);
      break;
    case 'open':
      lines.push(`  <forward mode='open'${forwardDev}/>`);
      break;
    case 'bridge':
      lines.push(`  <forward mode='bridge'/>`);
      break;
    case 'macvtap':
      lines.push(`  <forward mode='bridge'>`, ...(network.devices ?? []).map((dev) => `    <interface dev='${xmlText(dev)}'/>`), `  </forward>`);
      break;
    case 'isolated':
      break;
  }
  if (network.bridge !== undefined) {
    // libvirt's own bridges get STP and a MAC of libvirt's range, as virt-install and the stock default do.
    lines.push(network.kind === 'bridge' ? `  <bridge name='${xmlText(network.bridge)}'/>` : `  <bridge name='${xmlText(network.bridge)}' stp='on' delay='0'/>`);
    if (network.kind !== 'bridge') lines.push(`  <mac address='${libvirtMac(`${host.name}/${network.bridge}`)}'/>`);
  }
  if (network.ipv4) {
    const { address, prefix, dhcp } = network.ipv4;
    if (dhcp) {
      lines.push(`  <ip address='${address}' prefix='${prefix}'>`, `    <dhcp>`, `      <range start='${dhcp.start}' end='${dhcp.end}'/>`, `    </dhcp>`, `  </ip>`);
    } else {
      lines.push(`  <ip address='${address}' prefix='${prefix}'/>`);
    }
  }
  lines.push(`</network>`, '');
  return lines.join('\n');
}

/** The `<interface>` element of one NIC. ROMs are off: no iPXE, so a running guest idles in the BIOS. */
export function interfaceXml(nic: LvNicSpec): string {
  const [open, source] =
    nic.kind === 'network'
      ? [`<interface type='network'>`, `<source network='${xmlText(nic.network)}'/>`]
      : nic.kind === 'bridge'
        ? [`<interface type='bridge'>`, `<source bridge='${xmlText(nic.bridge)}'/>`]
        : [`<interface type='direct'>`, `<source dev='${xmlText(nic.dev)}' mode='${nic.mode ?? 'bridge'}'/>`];
  return [
    `    ${open}`,
    `      <mac address='${nic.mac}'/>`,
    `      ${source}`,
    `      <model type='virtio'/>`,
    `      <rom enabled='no'/>`,
    `    </interface>`,
  ].join('\n');
}

/**
 * The `<domain>` XML of one guest: no disk, 32 MiB, one vCPU, boots from a disk it does not have (so a
 * running guest halts in the BIOS), its NICs, and nothing else libvirt would not add by itself.
 * @param domainType `kvm` where /dev/kvm is usable, else `qemu` (TCG).
 */
export function domainXml(host: LibvirtdHostSpec, guest: LvGuestSpec, domainType: 'kvm' | 'qemu'): string {
  return [
    `<domain type='${domainType}'>`,
    `  <name>${xmlText(guest.name)}</name>`,
    `  <uuid>${labUuid(`${host.name}/dom/${guest.name}`)}</uuid>`,
    `  <description>kvm-netaudit lab guest: no disk, no OS</description>`,
    `  <memory unit='MiB'>32</memory>`,
    `  <vcpu>1</vcpu>`,
    `  <os>`,
    `    <type arch='x86_64'>hvm</type>`,
    `    <boot dev='hd'/>`,
    `  </os>`,
    `  <on_reboot>destroy</on_reboot>`,
    `  <devices>`,
    ...guest.nics.map(interfaceXml),
    `    <memballoon model='none'/>`,
    `  </devices>`,
    `</domain>`,
    '',
  ].join('\n');
}

/** A network as the report must show it (compare with the report's `networks[]` by name). */
export interface ExpectedLvNetwork {
  name: string;
  mode: Mode;
  forward: string;
  active: boolean;
  autostart: boolean;
}

/** A VM NIC as the report must show it, found by MAC. */
export interface ExpectedLvNic {
  vm: string;
  mac: string;
  mode: Mode;
  via: string | null;
}

/** Every network of the spec with the answers an audit must give. */
export function expectedNetworks(spec: LibvirtdHostSpec): ExpectedLvNetwork[] {
  return spec.networks.map((n) => ({
    name: n.name,
    mode: MODE_OF_NETWORK[n.kind],
    forward: FORWARD_OF_NETWORK[n.kind],
    active: n.active ?? true,
    autostart: n.autostart ?? false,
  }));
}

/** True when the host bridge has a port that is a veth (the lab's stand-in for a NIC): an uplink. */
function bridgeHasUplink(spec: LibvirtdHostSpec, bridge: string): boolean {
  return spec.links.some(
    (l) => l.kind === 'veth' && (l.master === bridge || l.peerMaster === bridge) && !(l.master === bridge && l.peerMaster === bridge),
  );
}

/** The mode and `via` the report must give one NIC of `spec`. */
export function expectedNic(spec: LibvirtdHostSpec, guest: string, nic: LvNicSpec): ExpectedLvNic {
  switch (nic.kind) {
    case 'network': {
      const network = spec.networks.find((n) => n.name === nic.network);
      if (!network) throw new Error(`${spec.name}: guest ${guest} uses network ${nic.network}, which the spec does not define`);
      return { vm: guest, mac: nic.mac, mode: MODE_OF_NETWORK[network.kind], via: `network ${nic.network}` };
    }
    case 'bridge':
      return { vm: guest, mac: nic.mac, mode: bridgeHasUplink(spec, nic.bridge) ? 'bridged' : 'host-only', via: `bridge ${nic.bridge}` };
    case 'direct':
      return { vm: guest, mac: nic.mac, mode: 'macvtap', via: `dev ${nic.dev}` };
  }
}

/** Every VM NIC of the spec with the mode and `via` an audit must give. */
export function expectedNics(spec: LibvirtdHostSpec): ExpectedLvNic[] {
  return spec.guests.flatMap((g) => g.nics.map((nic) => expectedNic(spec, g.name, nic)));
}

/** Every guest's state as virsh (and the report) prints it. */
export function expectedVmStates(spec: LibvirtdHostSpec): Record<string, string> {
  return Object.fromEntries(spec.guests.map((g) => [g.name, g.state]));
}

/** Check what the generators and libvirt cannot check early: references, names, states. Throws. */
export function checkLibvirtdSpec(spec: LibvirtdHostSpec): void {
  const where = `libvirtd lab host ${spec.name}`;
  const links = new Set(spec.links.flatMap((l) => (l.kind === 'veth' ? [l.name, l.peer] : [l.name])));
  const bridges = new Set(spec.links.filter((l) => l.kind === 'bridge').map((l) => l.name));
  const networks = new Set<string>();
  const plain = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;
  for (const n of spec.networks) {
    if (!plain.test(n.name) || networks.has(n.name)) throw new Error(`${where}: network name ${JSON.stringify(n.name)} is not plain or not unique`);
    networks.add(n.name);
    if (n.kind === 'bridge' && (!n.bridge || !bridges.has(n.bridge))) throw new Error(`${where}: network ${n.name} must forward onto a bridge link of the host`);
    if (n.kind !== 'bridge' && n.kind !== 'macvtap' && (!n.bridge || links.has(n.bridge))) {
      throw new Error(`${where}: network ${n.name} needs a bridge name of its own (libvirt creates it)`);
    }
    if (n.kind === 'macvtap' && !(n.devices ?? []).every((d) => links.has(d))) throw new Error(`${where}: network ${n.name} uses a device the host lacks`);
    if (n.forwardDev !== undefined && !links.has(n.forwardDev)) throw new Error(`${where}: network ${n.name} forwards to ${n.forwardDev}, not a link of the host`);
  }
  const names = new Set<string>();
  const macs = new Set<string>();
  for (const g of spec.guests) {
    if (!plain.test(g.name) || names.has(g.name)) throw new Error(`${where}: guest name ${JSON.stringify(g.name)} is not plain or not unique`);
    names.add(g.name);
    if (g.transient && g.state === 'shut off') throw new Error(`${where}: transient guest ${g.name} cannot be shut off (it would not exist)`);
    for (const nic of g.nics) {
      if (!/^52:54:00(:[0-9a-f]{2}){3}$/.test(nic.mac) || macs.has(nic.mac)) throw new Error(`${where}: ${g.name} MAC ${nic.mac} is not a unique 52:54:00:xx:xx:xx`);
      macs.add(nic.mac);
      if (nic.kind === 'network' && !networks.has(nic.network)) throw new Error(`${where}: ${g.name} uses undefined network ${nic.network}`);
      if (nic.kind === 'bridge' && !bridges.has(nic.bridge)) throw new Error(`${where}: ${g.name} uses bridge ${nic.bridge}, not a bridge of the host`);
      if (nic.kind === 'direct' && !links.has(nic.dev)) throw new Error(`${where}: ${g.name} sits on ${nic.dev}, not a link of the host`);
    }
  }
}

/** A NIC stand-in: a veth named like the NIC, its peer (the "switch side") left unattached but up, for a carrier. */
function nic(name: string, extra: Partial<VethLinkSpec> = {}): VethLinkSpec {
  return { kind: 'veth', name, peer: `${name}-sw`, ...extra };
}

/**
 * The standard real-libvirtd lab host: a network of every kind libvirt supports here, and guests on each
 * of them (by network, on the admin bridge directly, and on a macvtap), in every state.
 *
 * | network     | kind     | on                         | guests                    |
 * |-------------|----------|----------------------------|---------------------------|
 * | default     | nat      | virbr0, 198.18.122.0/24    | vm-nat, vm-transient, vm-off |
 * | isolated    | isolated | virbr1, 198.18.123.0/24    | vm-multi                  |
 * | routed      | routed   | virbr2 → eno4              | vm-multi                  |
 * | open        | open     | virbr3                     | vm-multi                  |
 * | nat-wan     | nat      | virbr4 → wan0 (default route) | vm-multi               |
 * | host-bridge | bridge   | bradmin (uplink eno1)      | vm-bridge                 |
 * | macvtap-net | macvtap  | eno2                       | vm-macvtap                |
 * | old-lan     | isolated | virbr9, never started      | vm-off (shut off)         |
 *
 * Besides: vm-bridge and vm-transient have a `type='bridge'` NIC on bradmin, vm-macvtap a
 * `type='direct'` NIC on eno3.
 */
export const KVM_LAB: LibvirtdHostSpec = {
  name: 'kvm-lab',
  description: 'a real libvirtd (qemu driver) with networks of every kind and paused disk-less guests',
  groups: ['lab'],
  uplinkInterfaces: ['eno*', 'wan*'],
  links: [
    { kind: 'bridge', name: 'bradmin' },
    nic('eno1', { master: 'bradmin' }),
    nic('eno2'),
    nic('eno3'),
    nic('eno4', { addresses: ['198.19.4.2/24'] }),
    nic('wan0', { addresses: ['198.19.3.2/24'] }),
  ],
  routes: [{ to: 'default', via: '198.19.3.1', dev: 'wan0' }],
  networks: [
    {
      name: 'default',
      kind: 'nat',
      bridge: 'virbr0',
      ipv4: { address: '198.18.122.1', prefix: 24, dhcp: { start: '198.18.122.2', end: '198.18.122.254' } },
      autostart: true,
    },
    {
      name: 'isolated',
      kind: 'isolated',
      bridge: 'virbr1',
      ipv4: { address: '198.18.123.1', prefix: 24, dhcp: { start: '198.18.123.2', end: '198.18.123.254' } },
    },
    { name: 'routed', kind: 'routed', bridge: 'virbr2', forwardDev: 'eno4', ipv4: { address: '198.18.124.1', prefix: 24 } },
    { name: 'open', kind: 'open', bridge: 'virbr3', ipv4: { address: '198.18.125.1', prefix: 24 } },
    { name: 'nat-wan', kind: 'nat', bridge: 'virbr4', forwardDev: 'wan0', ipv4: { address: '198.18.127.1', prefix: 24 } },
    { name: 'host-bridge', kind: 'bridge', bridge: 'bradmin', autostart: true },
    { name: 'macvtap-net', kind: 'macvtap', devices: ['eno2'] },
    { name: 'old-lan', kind: 'isolated', bridge: 'virbr9', ipv4: { address: '198.18.126.1', prefix: 24 }, active: false },
  ],
  guests: [
    { name: 'vm-nat', state: 'paused', autostart: true, nics: [{ kind: 'network', mac: '52:54:00:6c:00:01', network: 'default' }] },
    {
      name: 'vm-multi',
      state: 'paused',
      nics: [
        { kind: 'network', mac: '52:54:00:6c:01:01', network: 'isolated' },
        { kind: 'network', mac: '52:54:00:6c:01:02', network: 'routed' },
        { kind: 'network', mac: '52:54:00:6c:01:03', network: 'open' },
        { kind: 'network', mac: '52:54:00:6c:01:04', network: 'nat-wan' },
      ],
    },
    {
      name: 'vm-bridge',
      state: 'paused',
      nics: [
        { kind: 'bridge', mac: '52:54:00:6c:02:01', bridge: 'bradmin' },
        { kind: 'network', mac: '52:54:00:6c:02:02', network: 'host-bridge' },
      ],
    },
    {
      // Running, not paused: libvirt raises a guest's macvtaps only while its CPUs run.
      name: 'vm-macvtap',
      state: 'running',
      nics: [
        { kind: 'network', mac: '52:54:00:6c:03:01', network: 'macvtap-net' },
        { kind: 'direct', mac: '52:54:00:6c:03:02', dev: 'eno3', mode: 'bridge' },
      ],
    },
    {
      name: 'vm-transient',
      state: 'paused',
      transient: true,
      nics: [
        { kind: 'network', mac: '52:54:00:6c:04:01', network: 'default' },
        { kind: 'bridge', mac: '52:54:00:6c:04:02', bridge: 'bradmin' },
      ],
    },
    {
      name: 'vm-off',
      state: 'shut off',
      nics: [
        { kind: 'network', mac: '52:54:00:6c:05:01', network: 'old-lan' },
        { kind: 'network', mac: '52:54:00:6c:05:02', network: 'default' },
      ],
    },
  ],
};
