/**
 * The hypervisor every fleet-bench host is: 3 libvirt networks (NAT on virbr0, isolated on virbr1, a
 * forward-bridge network on br0 over the NIC stand-in eno1) and N guests, three in four running with their
 * tap on the right bridge, one NIC each. Built from the system tier's node-file blocks
 * (test/system/hypervisors/nodeFile.ts) so the bench meets the same test-driver XML the tests do.
 */
import type { LabHostSpec, LabLinkSpec } from '../../test/lab/host.js';
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
} from '../../test/system/hypervisors/nodeFile.js';

/** How many libvirt networks each bench host has. */
export const BENCH_NETWORK_COUNT = 3;

/** The networks, with the bridge each guest NIC on it is plugged into. */
const NETWORKS = [
  { name: 'default', forward: 'nat', bridge: 'virbr0', ip: '198.19.250.1/24', own: true },
  { name: 'isolated', forward: null, bridge: 'virbr1', ip: '198.19.251.1/24', own: true },
  { name: 'lan', forward: 'bridge', bridge: 'br0', ip: undefined, own: false },
] as const;

const hex = (n: number) => n.toString(16).padStart(2, '0');

/**
 * The lab spec of one bench host named `name` with `guests` guests (at most 65,536: MACs and tap names
 * are derived from the guest number).
 */
export function benchHostSpec(name: string, guests: number): LabHostSpec {
  if (!Number.isInteger(guests) || guests < 1 || guests > 65_536) throw new Error(`guests must be 1..65536, not ${guests}`);
  const links: LabLinkSpec[] = [
    { kind: 'bridge', name: 'br0' },
    nicStandIn('eno1', 'br0'),
    ...NETWORKS.filter((n) => n.own).map((n): LabLinkSpec => ({ kind: 'bridge', name: n.bridge, stp: true, addresses: [n.ip!] })),
  ];
  const domains: string[] = [];
  for (let vm = 0; vm < guests; vm++) {
    const state: GuestState = vm % 4 === 3 ? 'shut off' : 'running';
    const network = NETWORKS[vm % NETWORKS.length]!;
    const mac = `52:54:00:b${vm % 10}:${hex(vm >> 8)}:${hex(vm & 0xff)}`;
    // Not `vnet*`: the test driver renames such targets (see LabHostSpec.nodeXml).
    const tap = state === 'running' ? `tap${vm}` : null;
    if (tap) links.push(guestTap(tap, network.bridge, mac));
    // Half the NAT network's guests are plugged onto virbr0 as type='bridge' (virt-install --bridge virbr0).
    const nic = network.own && vm % 6 === 3 ? bridgeInterface(mac, network.bridge, tap) : networkInterface(mac, network.name, tap);
    const guest = `vm-${String(vm).padStart(4, '0')}`;
    domains.push(domainXml({ name: guest, uuid: stableUuid(`bench/${name}/dom/${guest}`), state, interfaces: [nic] }));
  }
  return {
    name,
    description: `fleet bench host: ${BENCH_NETWORK_COUNT} networks, ${guests} guests`,
    groups: ['bench'],
    uplinkInterfaces: ['eno*'],
    links,
    nodeXml: nodeXml(
      NETWORKS.map((n) =>
        networkXml({
          name: n.name,
          uuid: stableUuid(`bench/${name}/net/${n.name}`),
          forward: n.forward,
          bridge: n.bridge,
          ...(n.ip ? { ip: n.ip } : {}),
        }),
      ),
      domains,
    ),
  };
}
