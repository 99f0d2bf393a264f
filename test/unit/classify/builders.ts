/**
 * Hand-built facts for classifier tests: every builder returns complete, valid facts with neutral
 * defaults, so a test only spells out what it is about.
 */
import type {
  BridgeFacts,
  DomainFacts,
  ForwardFacts,
  HostFacts,
  InterfaceFacts,
  InterfaceSource,
  LinkFacts,
  NetworkFacts,
} from '../../../src/model.js';

let nextIndex = 100;

/** A kernel link; plain Ethernet NIC unless told otherwise. */
export function link(name: string, overrides: Partial<LinkFacts> = {}): LinkFacts {
  return {
    name,
    index: nextIndex++,
    kind: null,
    slaveKind: null,
    master: null,
    linkType: 'ether',
    mac: null,
    operstate: 'UP',
    up: true,
    parentBus: null,
    parentDev: null,
    lower: null,
    peerIndex: null,
    linkNetnsid: null,
    macvlanMode: null,
    vlanId: null,
    addresses: [],
    ...overrides,
  };
}

/** A physical NIC enslaved to `master`. */
export function nic(name: string, master: string | null = null, overrides: Partial<LinkFacts> = {}): LinkFacts {
  return link(name, { master, slaveKind: master ? 'bridge' : null, parentBus: 'pci', parentDev: `0000:00:0${nextIndex % 10}.0`, ...overrides });
}

/** A link of a virtual kind (tun, veth, bond, vlan…) enslaved to `master`. */
export function virtual(name: string, kind: string, master: string | null = null, overrides: Partial<LinkFacts> = {}): LinkFacts {
  return link(name, { kind, master, slaveKind: master ? 'bridge' : null, ...overrides });
}

/** A veth pair in this namespace: each end names the other as its peer. */
export function vethPair(a: string, aMaster: string | null, b: string, bMaster: string | null): [LinkFacts, LinkFacts] {
  const left = virtual(a, 'veth', aMaster);
  const right = virtual(b, 'veth', bMaster, { peerIndex: left.index, lower: a });
  left.peerIndex = right.index;
  left.lower = b;
  return [left, right];
}

/** A Linux bridge: its link and brctl's view of it, with the given ports. */
export function linuxBridge(name: string, ports: string[], addresses: LinkFacts['addresses'] = []): { link: LinkFacts; bridge: BridgeFacts } {
  return { link: virtual(name, 'bridge', null, { addresses }), bridge: { name, kind: 'linux', ports } };
}

export function forward(overrides: Partial<ForwardFacts> = {}): ForwardFacts {
  return {
    mode: null,
    dev: null,
    interfaces: [],
    pfs: [],
    pciAddresses: [],
    natPorts: null,
    natAddresses: null,
    natIpv6: false,
    ...overrides,
  };
}

/** A libvirt network, active and persistent; `forward: null` makes it isolated. */
export function network(name: string, overrides: Partial<NetworkFacts> = {}): NetworkFacts {
  return {
    name,
    uuid: `00000000-0000-4000-8000-${String(nextIndex++).padStart(12, '0')}`,
    active: true,
    autostart: true,
    persistent: true,
    bridge: null,
    forward: null,
    virtualportType: null,
    addresses: [],
    portgroups: [],
    vlanTags: [],
    connections: null,
    persistentDefinition: null,
    unread: null,
    ...overrides,
  };
}

export function source(overrides: Partial<InterfaceSource> = {}): InterfaceSource {
  return {
    network: null,
    bridge: null,
    dev: null,
    mode: null,
    portgroup: null,
    path: null,
    address: null,
    port: null,
    pciAddress: null,
    ...overrides,
  };
}

/** A VM interface of `type`, with source attributes. */
export function iface(type: string, src: Partial<InterfaceSource> = {}, overrides: Partial<InterfaceFacts> = {}): InterfaceFacts {
  return {
    type,
    mac: `52:54:00:00:00:${String(nextIndex++ % 100).padStart(2, '0')}`,
    model: 'virtio',
    target: null,
    source: source(src),
    virtualportType: null,
    linkState: null,
    vlanTags: [],
    backendType: null,
    ...overrides,
  };
}

export function domain(name: string, interfaces: InterfaceFacts[], overrides: Partial<DomainFacts> = {}): DomainFacts {
  return {
    name,
    uuid: `11111111-0000-4000-8000-${String(nextIndex++).padStart(12, '0')}`,
    id: 1,
    state: 'running',
    persistent: true,
    autostart: false,
    interfaces,
    persistentInterfaces: null,
    unread: null,
    ...overrides,
  };
}

/** A host's facts; bridges given as `linuxBridge` results are split into their link and brctl parts. */
export function host(parts: {
  networks?: NetworkFacts[];
  links?: LinkFacts[];
  bridges?: { link: LinkFacts; bridge: BridgeFacts }[];
  domains?: DomainFacts[];
  warnings?: HostFacts['warnings'];
  libvirtError?: string | null;
  /** @default ['eno0']: a host with a way out, unless a test says otherwise. */
  defaultRouteDevs?: string[];
}): HostFacts {
  const bridges = parts.bridges ?? [];
  return {
    networks: parts.networks ?? [],
    links: [...bridges.map((b) => b.link), ...(parts.links ?? [])],
    bridges: bridges.map((b) => b.bridge),
    domains: parts.domains ?? [],
    defaultRouteDevs: parts.defaultRouteDevs ?? ['eno0'],
    warnings: parts.warnings ?? [],
    libvirtError: parts.libvirtError ?? null,
  };
}
