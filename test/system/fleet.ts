/**
 * The system tier's fleet: four lab hypervisors, each a network namespace with real links and a libvirt
 * test-driver node file, and beside each one the answer an operator would reach by hand with
 * `virsh net-dumpxml`, `virsh dumpxml` and `brctl show` (the manual method the tool replaces). The test audits the fleet over real
 * SSH and compares the report with these answers.
 *
 * This kernel has no bond, VLAN or dummy links: "physical" NICs are veths named like NICs (`eno1`, its
 * peer `eno1-sw` left unattached as the switch side) and listed in `uplinkInterfaces`.
 */
import { createHash } from 'node:crypto';
import type { Mode } from '../../src/model.js';
import type { LabHostSpec, LibvirtState } from '../lab/host.js';
import type { TapLinkSpec, VethLinkSpec } from '../lab/spec.js';

/** A network as the report must show it. */
export interface ExpectedNetwork {
  name: string;
  mode: Mode;
  /** The report's `forward` (libvirt's meaning: `none` without `<forward>`). */
  forward: string;
  active: boolean;
  autostart: boolean;
}

/** A VM interface as the report must show it, found by MAC. */
export interface ExpectedNic {
  vm: string;
  mac: string;
  mode: Mode;
  via: string | null;
}

/** One lab hypervisor of the system fleet and what auditing it must find. */
export interface SystemHost {
  spec: LabHostSpec;
  /** Last octet of its management address on the fabric (`198.18.0.<n>`). */
  hostNumber: number;
  networks: ExpectedNetwork[];
  /** Host bridges and the ports that must count as their uplinks. */
  bridges: { name: string; uplinks: string[] }[];
  vmStates: Record<string, string>;
  nics: ExpectedNic[];
}

/** A UUID derived from a seed, so the node files are the same on every run. */
function uuid(seed: string): string {
  const hex = createHash('sha256').update(`kvm-netaudit system/${seed}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** virDomainState numbers for `<test:runstate>`. */
const RUNSTATE = { running: 1, paused: 3, 'shut off': 5 } as const;

function domain(host: string, name: string, state: keyof typeof RUNSTATE, interfaces: string): string {
  return `
  <domain type='test'>
    <name>${name}</name>
    <uuid>${uuid(`${host}/dom/${name}`)}</uuid>
    <memory unit='KiB'>1048576</memory>
    <vcpu>1</vcpu>
    <os><type arch='x86_64'>hvm</type></os>
    <devices>${interfaces}
    </devices>
    <test:runstate>${RUNSTATE[state]}</test:runstate>
  </domain>`;
}

function network(host: string, name: string, body: string): string {
  return `
  <network>
    <name>${name}</name>
    <uuid>${uuid(`${host}/net/${name}`)}</uuid>${body}
  </network>`;
}

function node(networks: string[], domains: string[]): string {
  return `<node xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
  <cpu><mhz>2600</mhz><model>x86_64</model><nodes>1</nodes><sockets>1</sockets><cores>8</cores><threads>1</threads></cpu>
  <memory>33554432</memory>${networks.join('')}${domains.join('')}
</node>
`;
}

/** A NIC stand-in: a veth named like the NIC, its peer left unattached (the switch side). */
function nic(name: string, extra: Partial<VethLinkSpec> = {}): VethLinkSpec {
  return { kind: 'veth', name, peer: `${name}-sw`, ...extra };
}

/** A running guest's tap, with the MAC libvirt gives it (the guest's, first byte 0xfe). */
function tap(name: string, bridge: string | null, guestMac: string): TapLinkSpec {
  return { kind: 'tap', name, mac: `fe${guestMac.slice(2)}`, ...(bridge ? { master: bridge } : {}) };
}

function bridgeNic(mac: string, bridge: string, target: string | null): string {
  return `
      <interface type='bridge'>
        <mac address='${mac}'/>
        <source bridge='${bridge}'/>${target ? `\n        <target dev='${target}'/>` : ''}
        <model type='virtio'/>
      </interface>`;
}

function networkNic(mac: string, net: string, target: string | null): string {
  return `
      <interface type='network'>
        <mac address='${mac}'/>
        <source network='${net}'/>${target ? `\n        <target dev='${target}'/>` : ''}
        <model type='virtio'/>
      </interface>`;
}

// ───────────── sys-nat: a stock install, the default NAT network on virbr0 ─────────────

const natState: LibvirtState = { autostartNetworks: ['default'] };
const natHost: SystemHost = {
  hostNumber: 11,
  spec: {
    name: 'sys-nat',
    description: 'stock install: default NAT network on virbr0',
    groups: ['lab'],
    uplinkInterfaces: ['eno*'],
    links: [
      nic('eno1', { addresses: ['198.19.11.11/24'] }),
      { kind: 'bridge', name: 'virbr0', stp: true, addresses: ['198.18.122.1/24'] },
      tap('tap11a', 'virbr0', '52:54:00:11:00:01'),
      tap('tap11b', 'virbr0', '52:54:00:11:00:02'),
    ],
    routes: [{ to: 'default', via: '198.19.11.1', dev: 'eno1' }],
    libvirtState: natState,
    nodeXml: node(
      [
        network(
          'sys-nat',
          'default',
          `
    <forward mode='nat'/>
    <bridge name='virbr0' stp='on' delay='0'/>
    <ip address='198.18.122.1' netmask='255.255.255.0'>
      <dhcp><range start='198.18.122.2' end='198.18.122.254'/></dhcp>
    </ip>`,
        ),
      ],
      [
        domain('sys-nat', 'web01', 'running', networkNic('52:54:00:11:00:01', 'default', 'tap11a')),
        domain('sys-nat', 'db01', 'running', bridgeNic('52:54:00:11:00:02', 'virbr0', 'tap11b')),
        domain('sys-nat', 'tmpl01', 'shut off', networkNic('52:54:00:11:00:03', 'default', null)),
      ],
    ),
  },
  networks: [{ name: 'default', mode: 'nat', forward: 'nat', active: true, autostart: true }],
  bridges: [{ name: 'virbr0', uplinks: [] }],
  vmStates: { web01: 'running', db01: 'running', tmpl01: 'shut off' },
  nics: [
    { vm: 'web01', mac: '52:54:00:11:00:01', mode: 'nat', via: 'network default' },
    // type='bridge' onto a libvirt network's own bridge takes that network's mode.
    { vm: 'db01', mac: '52:54:00:11:00:02', mode: 'nat', via: 'network default' },
    { vm: 'tmpl01', mac: '52:54:00:11:00:03', mode: 'nat', via: 'network default' },
  ],
};

// ───────────── sys-bridged: guests on the LAN through br0, a patched bridge and a VXLAN bridge ─────────────

const bridgedHost: SystemHost = {
  hostNumber: 12,
  spec: {
    name: 'sys-bridged',
    description: 'br0 on eno1, br-dmz patched into br0 by a veth, br-ovl on a VXLAN port',
    groups: ['prod'],
    uplinkInterfaces: ['eno*'],
    links: [
      { kind: 'bridge', name: 'br0', addresses: ['198.19.12.12/24'] },
      nic('eno1', { master: 'br0' }),
      { kind: 'bridge', name: 'br-dmz' },
      { kind: 'veth', name: 'dmz-p0', master: 'br-dmz', peer: 'dmz-p1', peerMaster: 'br0' },
      { kind: 'bridge', name: 'br-ovl' },
      { kind: 'vxlan', name: 'vx100', vni: 100, master: 'br-ovl', local: '198.19.12.12' },
      tap('tap12a', 'br0', '52:54:00:12:00:01'),
      tap('tap12b', 'br0', '52:54:00:12:00:02'),
      tap('tap12c', 'br-dmz', '52:54:00:12:00:03'),
      tap('tap12d', 'br-ovl', '52:54:00:12:00:04'),
    ],
    nodeXml: node(
      [
        network(
          'sys-bridged',
          'lan',
          `
    <forward mode='bridge'/>
    <bridge name='br0'/>`,
        ),
      ],
      [
        domain('sys-bridged', 'app01', 'running', bridgeNic('52:54:00:12:00:01', 'br0', 'tap12a')),
        domain('sys-bridged', 'app02', 'running', networkNic('52:54:00:12:00:02', 'lan', 'tap12b')),
        domain('sys-bridged', 'dmz01', 'paused', bridgeNic('52:54:00:12:00:03', 'br-dmz', 'tap12c')),
        domain('sys-bridged', 'ovl01', 'running', bridgeNic('52:54:00:12:00:04', 'br-ovl', 'tap12d')),
      ],
    ),
  },
  networks: [{ name: 'lan', mode: 'bridged', forward: 'bridge', active: true, autostart: false }],
  bridges: [
    { name: 'br0', uplinks: ['eno1'] },
    { name: 'br-dmz', uplinks: ['dmz-p0'] },
    { name: 'br-ovl', uplinks: ['vx100'] },
  ],
  vmStates: { app01: 'running', app02: 'running', dmz01: 'paused', ovl01: 'running' },
  nics: [
    // docs/report.md: only a nat/route/open/isolated network owns its bridge; br0 is a host bridge even though
    // the forward-bridge network `lan` also points at it, so this NIC goes through the bridge itself.
    { vm: 'app01', mac: '52:54:00:12:00:01', mode: 'bridged', via: 'bridge br0' },
    { vm: 'app02', mac: '52:54:00:12:00:02', mode: 'bridged', via: 'network lan' },
    { vm: 'dmz01', mac: '52:54:00:12:00:03', mode: 'bridged', via: 'bridge br-dmz' },
    { vm: 'ovl01', mac: '52:54:00:12:00:04', mode: 'bridged', via: 'bridge br-ovl' },
  ],
};

// ───────────── sys-isolated: host-only bridge, isolated / routed / open networks, a stopped one ─────────────

const isolatedState: LibvirtState = { inactiveNetworks: ['staging'] };
const isolatedHost: SystemHost = {
  hostNumber: 13,
  spec: {
    name: 'sys-isolated',
    description: 'br-lab without uplink, isolated, routed and open networks, a stopped isolated network',
    groups: ['lab'],
    // eno1 is listed, but sits on no bridge: it must not make br-lab bridged.
    uplinkInterfaces: ['eno*'],
    links: [
      nic('eno1', { addresses: ['198.19.13.13/24'] }),
      { kind: 'bridge', name: 'br-lab', addresses: ['198.19.113.1/24'] },
      { kind: 'bridge', name: 'virbr1', stp: true, addresses: ['198.18.101.1/24'] },
      { kind: 'bridge', name: 'virbr2', stp: true, addresses: ['198.18.102.1/24'] },
      { kind: 'bridge', name: 'virbr3', stp: true, addresses: ['198.18.103.1/24'] },
      tap('tap13a', 'br-lab', '52:54:00:13:00:01'),
      tap('tap13b', 'virbr1', '52:54:00:13:00:02'),
      tap('tap13c', 'virbr2', '52:54:00:13:00:03'),
      tap('tap13d', 'virbr3', '52:54:00:13:00:04'),
    ],
    libvirtState: isolatedState,
    nodeXml: node(
      [
        network(
          'sys-isolated',
          'isolated',
          `
    <bridge name='virbr1' stp='on' delay='0'/>
    <ip address='198.18.101.1' netmask='255.255.255.0'/>`,
        ),
        network(
          'sys-isolated',
          'routed',
          `
    <forward mode='route' dev='eno1'/>
    <bridge name='virbr2' stp='on' delay='0'/>
    <ip address='198.18.102.1' prefix='24'/>`,
        ),
        network(
          'sys-isolated',
          'open',
          `
    <forward mode='open'/>
    <bridge name='virbr3' stp='on' delay='0'/>
    <ip address='198.18.103.1' prefix='24'/>`,
        ),
        network(
          'sys-isolated',
          'staging',
          `
    <bridge name='virbr9' stp='on' delay='0'/>
    <ip address='198.18.109.1' prefix='24'/>`,
        ),
      ],
      [
        domain('sys-isolated', 'lab01', 'running', bridgeNic('52:54:00:13:00:01', 'br-lab', 'tap13a')),
        domain('sys-isolated', 'lab02', 'running', networkNic('52:54:00:13:00:02', 'isolated', 'tap13b')),
        domain('sys-isolated', 'lab03', 'running', networkNic('52:54:00:13:00:03', 'routed', 'tap13c')),
        domain('sys-isolated', 'lab04', 'running', networkNic('52:54:00:13:00:04', 'open', 'tap13d')),
        domain('sys-isolated', 'lab05', 'shut off', networkNic('52:54:00:13:00:05', 'staging', null)),
      ],
    ),
  },
  networks: [
    { name: 'isolated', mode: 'isolated', forward: 'none', active: true, autostart: false },
    { name: 'routed', mode: 'routed', forward: 'route', active: true, autostart: false },
    { name: 'open', mode: 'open', forward: 'open', active: true, autostart: false },
    { name: 'staging', mode: 'isolated', forward: 'none', active: false, autostart: false },
  ],
  bridges: [
    { name: 'br-lab', uplinks: [] },
    { name: 'virbr1', uplinks: [] },
  ],
  vmStates: { lab01: 'running', lab02: 'running', lab03: 'running', lab04: 'running', lab05: 'shut off' },
  nics: [
    { vm: 'lab01', mac: '52:54:00:13:00:01', mode: 'host-only', via: 'bridge br-lab' },
    { vm: 'lab02', mac: '52:54:00:13:00:02', mode: 'isolated', via: 'network isolated' },
    { vm: 'lab03', mac: '52:54:00:13:00:03', mode: 'routed', via: 'network routed' },
    { vm: 'lab04', mac: '52:54:00:13:00:04', mode: 'open', via: 'network open' },
    { vm: 'lab05', mac: '52:54:00:13:00:05', mode: 'isolated', via: 'network staging' },
  ],
};

// ───────────── sys-edge: macvtap, hostdev, user, ethernet, and references to what is gone ─────────────

const edgeHost: SystemHost = {
  hostNumber: 14,
  spec: {
    name: 'sys-edge',
    description: 'macvtap on eno1, SR-IOV hostdev network on eno2, user and ethernet NICs, dangling references',
    groups: ['edge'],
    uplinkInterfaces: ['eno*'],
    links: [
      nic('eno1', { addresses: ['198.19.14.14/24'] }),
      nic('eno2'),
      { kind: 'macvtap', name: 'mvt14a', lower: 'eno1', mode: 'bridge', mac: '52:54:00:14:00:01' },
      tap('tap14e', null, '52:54:00:14:00:05'),
    ],
    nodeXml: node(
      [
        network(
          'sys-edge',
          'sriov',
          `
    <forward mode='hostdev' managed='yes'>
      <pf dev='eno2'/>
    </forward>`,
        ),
        network(
          'sys-edge',
          'passthru',
          `
    <forward mode='passthrough'>
      <interface dev='eno2'/>
    </forward>`,
        ),
      ],
      [
        domain(
          'sys-edge',
          'edge01',
          'running',
          `
      <interface type='direct'>
        <mac address='52:54:00:14:00:01'/>
        <source dev='eno1' mode='bridge'/>
        <target dev='mvt14a'/>
        <model type='virtio'/>
      </interface>`,
        ),
        domain(
          'sys-edge',
          'edge02',
          'running',
          `
      <interface type='hostdev' managed='yes'>
        <mac address='52:54:00:14:00:02'/>
        <source>
          <address type='pci' domain='0x0000' bus='0x03' slot='0x10' function='0x1'/>
        </source>
      </interface>`,
        ),
        domain(
          'sys-edge',
          'edge03',
          'running',
          `
      <interface type='user'>
        <mac address='52:54:00:14:00:03'/>
        <model type='virtio'/>
      </interface>`,
        ),
        domain('sys-edge', 'edge04', 'shut off', networkNic('52:54:00:14:00:04', 'sriov', null)),
        domain(
          'sys-edge',
          'edge05',
          'running',
          `
      <interface type='ethernet'>
        <mac address='52:54:00:14:00:05'/>
        <target dev='tap14e' managed='no'/>
        <model type='virtio'/>
      </interface>`,
        ),
        domain('sys-edge', 'edge06', 'shut off', networkNic('52:54:00:14:00:06', 'passthru', null)),
        domain('sys-edge', 'edge07', 'shut off', networkNic('52:54:00:14:00:07', 'retired', null)),
        domain(
          'sys-edge',
          'edge08',
          'shut off',
          `
      <interface type='direct'>
        <mac address='52:54:00:14:00:08'/>
        <source dev='eno9' mode='vepa'/>
      </interface>`,
        ),
      ],
    ),
  },
  networks: [
    { name: 'sriov', mode: 'hostdev', forward: 'hostdev', active: true, autostart: false },
    { name: 'passthru', mode: 'macvtap', forward: 'passthrough', active: true, autostart: false },
  ],
  bridges: [],
  vmStates: {
    edge01: 'running',
    edge02: 'running',
    edge03: 'running',
    edge04: 'shut off',
    edge05: 'running',
    edge06: 'shut off',
    edge07: 'shut off',
    edge08: 'shut off',
  },
  nics: [
    { vm: 'edge01', mac: '52:54:00:14:00:01', mode: 'macvtap', via: 'dev eno1' },
    { vm: 'edge02', mac: '52:54:00:14:00:02', mode: 'hostdev', via: 'pci 0000:03:10.1' },
    { vm: 'edge03', mac: '52:54:00:14:00:03', mode: 'user', via: 'slirp' },
    { vm: 'edge04', mac: '52:54:00:14:00:04', mode: 'hostdev', via: 'network sriov' },
    { vm: 'edge05', mac: '52:54:00:14:00:05', mode: 'ethernet', via: 'tap tap14e' },
    { vm: 'edge06', mac: '52:54:00:14:00:06', mode: 'macvtap', via: 'network passthru' },
    { vm: 'edge07', mac: '52:54:00:14:00:07', mode: 'missing', via: 'network retired' },
    { vm: 'edge08', mac: '52:54:00:14:00:08', mode: 'missing', via: 'dev eno9' },
  ],
};

/** The fleet, in inventory order. */
export const SYSTEM_FLEET: readonly SystemHost[] = [natHost, bridgedHost, isolatedHost, edgeHost];
