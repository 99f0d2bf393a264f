/**
 * sys-big: a busy hypervisor. 40 libvirt networks (8 each of nat, route, open, isolated and
 * forward-bridge; two isolated ones stopped) and 300 guests (60 % running, 15 % paused, 25 % shut off;
 * every seventh running or paused guest transient), with one or two NICs each: on a libvirt network, on
 * a host bridge (br0 over eno1, br1 over eno2, br-int without uplink) or directly on a network's own
 * bridge. Running and paused guests have their taps on the right bridge.
 *
 * The layout comes from small tables and one deterministic rule per NIC, and each NIC's expected mode
 * and `via` is written from the same table entry that places it, next to the spec: the network kind
 * says the mode (docs/report.md, Modes), not the classifier.
 */
import type { Mode } from '../../../src/model.js';
import type { LabHostSpec, LabLinkSpec, LibvirtState } from '../../lab/host.js';
import type { ExpectedNetwork, ExpectedNic, SystemHost } from '../fleet.js';
import {
  bridgeInterface,
  domainXml,
  guestTap,
  networkInterface,
  networkXml,
  nicStandIn,
  nodeXml,
  stableUuid,
  type GuestState,
} from './nodeFile.js';

const HOST = 'sys-big';
export const BIG_NETWORK_COUNT = 40;
export const BIG_VM_COUNT = 300;

/** Forward modes in rotation, and the mode each gives (docs/report.md, Modes). */
const KINDS = [
  { forward: 'nat', reportForward: 'nat', mode: 'nat' },
  { forward: 'route', reportForward: 'route', mode: 'routed' },
  { forward: 'open', reportForward: 'open', mode: 'open' },
  { forward: null, reportForward: 'none', mode: 'isolated' },
  { forward: 'bridge', reportForward: 'bridge', mode: 'bridged' },
] as const satisfies readonly { forward: string | null; reportForward: string; mode: Mode }[];

/** Host bridges: br0 and br1 have an uplink, br-int has none. */
const HOST_BRIDGES = [
  { name: 'br0', uplink: 'eno1', mode: 'bridged' },
  { name: 'br1', uplink: 'eno2', mode: 'bridged' },
  { name: 'br-int', uplink: null, mode: 'host-only' },
] as const satisfies readonly { name: string; uplink: string | null; mode: Mode }[];

/** Stopped networks: libvirt removes their bridges, and no running guest can use them. */
const INACTIVE = new Set([3, 38]);

interface BigNetwork {
  index: number;
  name: string;
  kind: (typeof KINDS)[number];
  /** Its `<bridge name>`: its own virbrN, or a host bridge for forward-bridge networks. */
  bridge: string;
  /** Owns its bridge (nat/route/open/isolated): a type='bridge' NIC on that bridge takes its mode. */
  managed: boolean;
  active: boolean;
  autostart: boolean;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

const NETWORKS: BigNetwork[] = Array.from({ length: BIG_NETWORK_COUNT }, (_, index) => {
  const kind = KINDS[index % KINDS.length]!;
  const managed = kind.forward !== 'bridge';
  return {
    index,
    name: `${kind.mode}-${pad(index, 2)}`,
    kind,
    bridge: managed ? `virbr${index}` : HOST_BRIDGES[index % 2]!.name,
    managed,
    active: !INACTIVE.has(index),
    // Operators autostart the NAT networks they rely on.
    autostart: kind.forward === 'nat',
  };
});

function guestState(vm: number): GuestState {
  const slot = vm % 20;
  return slot < 12 ? 'running' : slot < 15 ? 'paused' : 'shut off';
}

/** Where one NIC is plugged, with the answer an operator would reach by hand. */
interface Placement {
  xml: (mac: string, target: string | null) => string;
  /** The bridge its tap is a port of, when the guest runs. */
  tapBridge: string;
  mode: Mode;
  via: string;
  /** The network it depends on, if any (must be active for a running guest). */
  network: BigNetwork | null;
}

function throughNetwork(network: BigNetwork): Placement {
  return {
    xml: (mac, target) => networkInterface(mac, network.name, target),
    tapBridge: network.bridge,
    mode: network.kind.mode,
    via: `network ${network.name}`,
    network,
  };
}

/** A usable network starting at `index`: skips stopped ones for guests that run. */
function networkFrom(index: number, running: boolean, managedOnly = false): BigNetwork {
  for (let step = 0; step < BIG_NETWORK_COUNT; step++) {
    const network = NETWORKS[(index + step) % BIG_NETWORK_COUNT]!;
    if ((network.active || !running) && (network.managed || !managedOnly)) return network;
  }
  throw new Error('no usable network');
}

/** The rule placing NIC `nic` of guest `vm`: 60 % on a network, 20 % on a host bridge, 20 % on a network's bridge. */
function placeNic(vm: number, nic: number, running: boolean): Placement {
  const rule = (vm * 31 + nic * 17) % 10;
  if (rule < 6) return throughNetwork(networkFrom(vm + nic * 11, running));
  if (rule < 8) {
    const bridge = HOST_BRIDGES[(vm + nic) % HOST_BRIDGES.length]!;
    return {
      xml: (mac, target) => bridgeInterface(mac, bridge.name, target),
      tapBridge: bridge.name,
      mode: bridge.mode,
      via: `bridge ${bridge.name}`,
      network: null,
    };
  }
  // type='bridge' on a libvirt network's own bridge: the network's mode, through the network.
  const network = networkFrom(vm * 3 + nic, running, true);
  return { ...throughNetwork(network), xml: (mac, target) => bridgeInterface(mac, network.bridge, target) };
}

const hex = (n: number) => n.toString(16).padStart(2, '0');
const macOf = (vm: number, nic: number) => `52:54:00:9${nic}:${hex(vm >> 8)}:${hex(vm & 0xff)}`;
const tapOf = (vm: number, nic: number) => `t${pad(vm, 3)}i${nic}`;

interface BigGuest {
  name: string;
  state: GuestState;
  transient: boolean;
  nics: { mac: string; tap: string | null; placement: Placement }[];
}

const GUESTS: BigGuest[] = Array.from({ length: BIG_VM_COUNT }, (_, vm) => {
  const state = guestState(vm);
  // QEMU, and so its taps, exist in every state but shut off.
  const running = state !== 'shut off';
  const nicCount = vm % 3 === 0 ? 2 : 1;
  return {
    name: `vm-${pad(vm, 3)}`,
    state,
    transient: running && vm % 7 === 0,
    nics: Array.from({ length: nicCount }, (_, nic) => ({
      mac: macOf(vm, nic),
      tap: running ? tapOf(vm, nic) : null,
      placement: placeNic(vm, nic, running),
    })),
  };
});

const links: LabLinkSpec[] = [
  ...HOST_BRIDGES.flatMap((b): LabLinkSpec[] => [
    { kind: 'bridge', name: b.name },
    ...(b.uplink ? [nicStandIn(b.uplink, b.name)] : []),
  ]),
  ...NETWORKS.filter((n) => n.managed && n.active).map(
    (n): LabLinkSpec => ({ kind: 'bridge', name: n.bridge, stp: true, addresses: [`198.19.${100 + n.index}.1/24`] }),
  ),
  ...GUESTS.flatMap((g) => g.nics.flatMap((nic) => (nic.tap ? [guestTap(nic.tap, nic.placement.tapBridge, nic.mac)] : []))),
];

const state: LibvirtState = {
  autostartNetworks: NETWORKS.filter((n) => n.autostart).map((n) => n.name),
  inactiveNetworks: NETWORKS.filter((n) => !n.active).map((n) => n.name),
};

const spec: LabHostSpec = {
  name: HOST,
  description: `${BIG_NETWORK_COUNT} networks of every forward mode, ${BIG_VM_COUNT} guests in mixed states`,
  groups: ['big'],
  uplinkInterfaces: ['eno*'],
  links,
  libvirtState: state,
  nodeXml: nodeXml(
    NETWORKS.map((n) =>
      networkXml({
        name: n.name,
        uuid: stableUuid(`${HOST}/net/${n.name}`),
        forward: n.kind.forward,
        bridge: n.bridge,
        ...(n.managed ? { ip: `198.19.${100 + n.index}.1/24` } : {}),
      }),
    ),
    GUESTS.map((g) =>
      domainXml({
        name: g.name,
        uuid: stableUuid(`${HOST}/dom/${g.name}`),
        state: g.state,
        transient: g.transient,
        interfaces: g.nics.map((nic) => nic.placement.xml(nic.mac, nic.tap)),
      }),
    ),
  ),
};

const networks: ExpectedNetwork[] = NETWORKS.map((n) => ({
  name: n.name,
  mode: n.kind.mode,
  forward: n.kind.reportForward,
  active: n.active,
  autostart: n.autostart,
}));

const nics: ExpectedNic[] = GUESTS.flatMap((g) =>
  g.nics.map((nic) => ({ vm: g.name, mac: nic.mac, mode: nic.placement.mode, via: nic.placement.via })),
);

/** sys-big and what auditing it must find; its virsh processes are logged (at most a handful). */
export const bigHost: SystemHost & { logVirshCalls: true } = {
  hostNumber: 41,
  logVirshCalls: true,
  spec,
  networks,
  bridges: HOST_BRIDGES.map((b) => ({ name: b.name, uplinks: b.uplink ? [b.uplink] : [] })),
  vmStates: Object.fromEntries(GUESTS.map((g) => [g.name, g.state])),
  nics,
};
