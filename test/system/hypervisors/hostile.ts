/**
 * sys-hostile: a hypervisor whose operators named things the way real operators sometimes do, and the
 * way an attacker who can define a VM would. Networks, VMs, bridges and links carry spaces, quotes,
 * `$(…)`, backticks, `;`, `|`, tabs, `&<>`, Markdown and non-ASCII; a network is named like another
 * network's UUID, a VM like another VM's UUID, a VM `1` (like the id of the first running VM); a
 * bridge's name holds an escape sequence.
 *
 * What the audit must show is written beside the spec: per NIC its mode and `via`, exact to the byte.
 *
 * Limits that shaped it (found by trying them on virsh 9.0.0 and this kernel):
 * - libvirt refuses `/` in network and domain names, so the command substitutions build their marker
 *   paths with `printf '\057…'`: if any of them were ever run by a shell, `/tmp/pwned*` would appear.
 * - XML 1.0 cannot carry ESC (not even as `&#27;`): the escape-sequence name exists only as a kernel
 *   link, here a bridge with an uplink that another bridge is patched into.
 * - Link names are at most 15 bytes, without white space, `/` or `:` (test/lab/plan.ts).
 */
import type { LabHostSpec } from '../../lab/host.js';
import type { ExpectedNic, SystemHost } from '../fleet.js';
import {
  bridgeInterface,
  domainXml,
  guestTap,
  networkInterface,
  networkXml,
  nicStandIn,
  nodeXml,
  stableUuid,
} from './nodeFile.js';

const HOST = 'sys-hostile';
const uuidOf = (kind: 'net' | 'dom', name: string) => stableUuid(`${HOST}/${kind}/${name}`);

/** Files that would exist if any name below had been run by a shell (checked by the test). */
export const MARKER_PREFIX = '/tmp/pwned';

// ───────────── links ─────────────

/** A bridge named with an ANSI escape sequence (red text), with a real uplink. */
export const ESC_BRIDGE = 'br\x1b[31m';
/** Quotes and a command substitution; patched into ESC_BRIDGE by a veth pair. */
export const QUOTE_BRIDGE = `br'q"$(id)`;
const PATCH_NEAR = 'pa`id`'; // port of QUOTE_BRIDGE
const PATCH_FAR = 'pb;x|y'; // port of ESC_BRIDGE
/** Non-ASCII, no uplink. */
export const UNICODE_BRIDGE = 'réseau-ü';
/** CJK, uplink eno2; also the bridge of a `forward mode='bridge'` network. */
export const CJK_BRIDGE = '网络';
/** The libvirt-managed bridges of the NAT, isolated and routed networks. */
const NAT_BRIDGE = 'vb$(id)';
const ISOLATED_BRIDGE = `vb'iso"`;
const ROUTED_BRIDGE = 'vb;rt|x';

// ───────────── networks ─────────────

export const NAT_NETWORK = "nat $(touch $(printf '\\057tmp\\057pwned-net'))";
/** Named like NAT_NETWORK's UUID: a lookup "by name" through virsh would find NAT_NETWORK instead. */
export const UUID_NAMED_NETWORK = uuidOf('net', NAT_NETWORK);
export const TAB_NETWORK = `lan\t'q' "d" | ; réseau 网络`;
export const ROUTED_NETWORK = "routed `touch $(printf '\\057tmp\\057pwned-rt')`";

// ───────────── guests ─────────────

export const SUBST_VM = "$(touch $(printf '\\057tmp\\057pwned'))";
export const BACKTICK_VM = 'a`touch $(printf "\\057tmp\\057pwned-bt")`b';
export const SEMICOLON_VM = "x; touch $(printf '\\057tmp\\057pwned-semi') | cat";
export const TAB_VM = `tab\there "dq" 'sq' <img src=x onerror=alert(1)>&amp;`;
export const MARKDOWN_VM = '虚拟机-ü *md* [x](y) #1 @all';
/** Named like SUBST_VM's UUID. */
export const UUID_NAMED_VM = uuidOf('dom', SUBST_VM);
/** Named like a domain id: `virsh dominfo 1` means the first running domain, not this one. */
export const ID_NAMED_VM = '1';

const mac = (n: number) => `52:54:00:66:00:${n.toString(16).padStart(2, '0')}`;

const TAPS = {
  subst: 't$(id)',
  backtick: `t'1"`,
  semicolon: 't;3|x',
  semicolonRouted: 't4`x`',
  markdown: 'tü5',
} as const;

const networks = [
  networkXml({ name: NAT_NETWORK, uuid: uuidOf('net', NAT_NETWORK), forward: 'nat', bridge: NAT_BRIDGE, ip: '198.19.50.1/24' }),
  networkXml({ name: UUID_NAMED_NETWORK, uuid: uuidOf('net', UUID_NAMED_NETWORK), forward: null, bridge: ISOLATED_BRIDGE, ip: '198.19.51.1/24' }),
  networkXml({ name: TAB_NETWORK, uuid: uuidOf('net', TAB_NETWORK), forward: 'bridge', bridge: CJK_BRIDGE }),
  networkXml({ name: ROUTED_NETWORK, uuid: uuidOf('net', ROUTED_NETWORK), forward: 'route', bridge: ROUTED_BRIDGE, ip: '198.19.52.1/24' }),
];

const domains = [
  domainXml({ name: SUBST_VM, uuid: uuidOf('dom', SUBST_VM), state: 'running', interfaces: [networkInterface(mac(1), NAT_NETWORK, TAPS.subst)] }),
  domainXml({ name: BACKTICK_VM, uuid: uuidOf('dom', BACKTICK_VM), state: 'running', interfaces: [bridgeInterface(mac(2), QUOTE_BRIDGE, TAPS.backtick)] }),
  domainXml({
    name: SEMICOLON_VM,
    uuid: uuidOf('dom', SEMICOLON_VM),
    state: 'paused',
    interfaces: [networkInterface(mac(3), UUID_NAMED_NETWORK, TAPS.semicolon), networkInterface(mac(4), ROUTED_NETWORK, TAPS.semicolonRouted)],
  }),
  domainXml({ name: TAB_VM, uuid: uuidOf('dom', TAB_VM), state: 'shut off', interfaces: [networkInterface(mac(5), TAB_NETWORK, null)] }),
  domainXml({ name: MARKDOWN_VM, uuid: uuidOf('dom', MARKDOWN_VM), state: 'running', interfaces: [bridgeInterface(mac(6), UNICODE_BRIDGE, TAPS.markdown)] }),
  // On the NAT network's own bridge: it takes that network's mode.
  domainXml({ name: UUID_NAMED_VM, uuid: uuidOf('dom', UUID_NAMED_VM), state: 'shut off', interfaces: [bridgeInterface(mac(7), NAT_BRIDGE, null)] }),
  // The forward-bridge network does not own 网络: a type='bridge' NIC on it goes through the bridge itself.
  domainXml({ name: ID_NAMED_VM, uuid: uuidOf('dom', ID_NAMED_VM), state: 'shut off', interfaces: [bridgeInterface(mac(8), CJK_BRIDGE, null)] }),
];

const spec: LabHostSpec = {
  name: HOST,
  description: 'hostile names: shell metacharacters, quotes, tabs, Markdown, non-ASCII, UUID- and id-like names, an escape sequence',
  groups: ['hostile'],
  uplinkInterfaces: ['eno*'],
  links: [
    { kind: 'bridge', name: ESC_BRIDGE },
    nicStandIn('eno1', ESC_BRIDGE),
    { kind: 'bridge', name: QUOTE_BRIDGE },
    { kind: 'veth', name: PATCH_NEAR, master: QUOTE_BRIDGE, peer: PATCH_FAR, peerMaster: ESC_BRIDGE },
    { kind: 'bridge', name: UNICODE_BRIDGE },
    { kind: 'bridge', name: CJK_BRIDGE },
    nicStandIn('eno2', CJK_BRIDGE),
    { kind: 'bridge', name: NAT_BRIDGE, stp: true, addresses: ['198.19.50.1/24'] },
    { kind: 'bridge', name: ISOLATED_BRIDGE, stp: true, addresses: ['198.19.51.1/24'] },
    { kind: 'bridge', name: ROUTED_BRIDGE, stp: true, addresses: ['198.19.52.1/24'] },
    guestTap(TAPS.subst, NAT_BRIDGE, mac(1)),
    guestTap(TAPS.backtick, QUOTE_BRIDGE, mac(2)),
    guestTap(TAPS.semicolon, ISOLATED_BRIDGE, mac(3)),
    guestTap(TAPS.semicolonRouted, ROUTED_BRIDGE, mac(4)),
    guestTap(TAPS.markdown, UNICODE_BRIDGE, mac(6)),
  ],
  nodeXml: nodeXml(networks, domains),
};

const nics: ExpectedNic[] = [
  { vm: SUBST_VM, mac: mac(1), mode: 'nat', via: `network ${NAT_NETWORK}` },
  { vm: BACKTICK_VM, mac: mac(2), mode: 'bridged', via: `bridge ${QUOTE_BRIDGE}` },
  // The network named like NAT_NETWORK's UUID, matched by exact name: isolated, not nat.
  { vm: SEMICOLON_VM, mac: mac(3), mode: 'isolated', via: `network ${UUID_NAMED_NETWORK}` },
  { vm: SEMICOLON_VM, mac: mac(4), mode: 'routed', via: `network ${ROUTED_NETWORK}` },
  { vm: TAB_VM, mac: mac(5), mode: 'bridged', via: `network ${TAB_NETWORK}` },
  { vm: MARKDOWN_VM, mac: mac(6), mode: 'host-only', via: `bridge ${UNICODE_BRIDGE}` },
  { vm: UUID_NAMED_VM, mac: mac(7), mode: 'nat', via: `network ${NAT_NETWORK}` },
  { vm: ID_NAMED_VM, mac: mac(8), mode: 'bridged', via: `bridge ${CJK_BRIDGE}` },
];

/** sys-hostile and what auditing it must find. */
export const hostileHost: SystemHost = {
  hostNumber: 40,
  spec,
  networks: [
    { name: NAT_NETWORK, mode: 'nat', forward: 'nat', active: true, autostart: false },
    { name: UUID_NAMED_NETWORK, mode: 'isolated', forward: 'none', active: true, autostart: false },
    { name: TAB_NETWORK, mode: 'bridged', forward: 'bridge', active: true, autostart: false },
    { name: ROUTED_NETWORK, mode: 'routed', forward: 'route', active: true, autostart: false },
  ],
  bridges: [
    // The patch cable back to QUOTE_BRIDGE does not count: that bridge's only way out is this one.
    { name: ESC_BRIDGE, uplinks: ['eno1'] },
    { name: QUOTE_BRIDGE, uplinks: [PATCH_NEAR] },
    { name: UNICODE_BRIDGE, uplinks: [] },
    { name: CJK_BRIDGE, uplinks: ['eno2'] },
  ],
  vmStates: {
    [SUBST_VM]: 'running',
    [BACKTICK_VM]: 'running',
    [SEMICOLON_VM]: 'paused',
    [TAB_VM]: 'shut off',
    [MARKDOWN_VM]: 'running',
    [UUID_NAMED_VM]: 'shut off',
    [ID_NAMED_VM]: 'shut off',
  },
  nics,
};
