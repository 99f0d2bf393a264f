/**
 * hv-big-09 — a big production hypervisor: 24 guests in every state libvirt knows (running, paused,
 * shut off, crashed, pmsuspended; two of them transient), on br0 over bond0 and, for the database and
 * Kafka guests, a second NIC on a backup bridge over bond1. Its `default` network was undefined long ago.
 * Shows: bridged, at scale.
 *
 * Stand-ins: bond0/bond1 are veths named like the bonds (listed in uplinkInterfaces).
 */
import type { TapLinkSpec } from '../../test/lab/spec.js';
import { domain, guestTap, nic, node, uuid, type DomainState, type DemoHostSpec, type LibvirtState } from './lib.js';

const host = 'hv-big-09';

/** The guests: name, state, how the first NIC attaches, and whether a backup NIC is added. */
const GUESTS: { name: string; state: DomainState; via: 'network' | 'bridge'; backup?: boolean; transient?: boolean }[] = [
  ...Array.from({ length: 12 }, (_, i) => ({
    name: `k8s-worker${String(i + 1).padStart(2, '0')}`,
    state: (i >= 10 ? 'shut off' : 'running') as DomainState,
    via: 'network' as const,
    transient: i === 8 || i === 9,
  })),
  { name: 'pg01', state: 'running', via: 'bridge', backup: true },
  { name: 'pg02', state: 'running', via: 'bridge', backup: true },
  { name: 'pg03', state: 'paused', via: 'bridge', backup: true },
  { name: 'kafka01', state: 'running', via: 'bridge', backup: true },
  { name: 'kafka02', state: 'running', via: 'bridge', backup: true },
  { name: 'kafka03', state: 'paused', via: 'bridge', backup: true },
  { name: 'ceph-gw01', state: 'running', via: 'bridge' },
  { name: 'ceph-gw02', state: 'shut off', via: 'bridge' },
  { name: 'ldap01', state: 'running', via: 'bridge' },
  { name: 'ldap02', state: 'shut off', via: 'bridge' },
  { name: 'mon01', state: 'pmsuspended', via: 'bridge' },
  { name: 'log01', state: 'crashed', via: 'bridge' },
];

const hex = (n: number) => n.toString(16).padStart(2, '0');
const macOf = (index: number, nicIndex: number) => `52:54:00:09:${hex(index + 1)}:${hex(nicIndex + 1)}`;
const tapOf = (index: number, nicIndex: number) => `tap${901 + index}i${nicIndex}`;
/** QEMU (and so the tap) exists in every state but shut off. */
const hasTaps = (state: DomainState) => state !== 'shut off';

const state: LibvirtState = {
  autostartNetworks: ['host-bridge'],
  autostartDomains: GUESTS.filter((g) => !g.transient && g.state !== 'shut off').map((g) => g.name),
};

const taps: TapLinkSpec[] = GUESTS.flatMap((g, i) =>
  hasTaps(g.state)
    ? [guestTap(tapOf(i, 0), 'br0', macOf(i, 0)), ...(g.backup ? [guestTap(tapOf(i, 1), 'br-backup', macOf(i, 1), { mtu: 9000 })] : [])]
    : [],
);

function guestXml(g: (typeof GUESTS)[number], i: number): string {
  const target = (n: number) => (hasTaps(g.state) ? `\n        <target dev='${tapOf(i, n)}'/>` : '');
  const first =
    g.via === 'network'
      ? `
      <interface type='network'>
        <mac address='${macOf(i, 0)}'/>
        <source network='host-bridge'/>${target(0)}
        <model type='virtio'/>
      </interface>`
      : `
      <interface type='bridge'>
        <mac address='${macOf(i, 0)}'/>
        <source bridge='br0'/>${target(0)}
        <model type='virtio'/>
      </interface>`;
  const backup = g.backup
    ? `
      <interface type='bridge'>
        <mac address='${macOf(i, 1)}'/>
        <source bridge='br-backup'/>${target(1)}
        <model type='virtio'/>
        <mtu size='9000'/>
      </interface>`
    : '';
  return domain({ host, name: g.name, state: g.state, transient: g.transient, vcpus: 8, memoryMiB: 32768, devices: first + backup });
}

export const spec: DemoHostSpec = {
  name: host,
  description: '24 guests in every state, on a bond bridge and a backup bridge',
  groups: ['prod'],
  uplinkInterfaces: ['eno*', 'bond*'],
  shows: ['bridged'],
  links: [
    nic('eno1'),
    nic('eno2'),
    nic('eno3', { mtu: 9000 }),
    nic('eno4', { mtu: 9000 }),
    { kind: 'bridge', name: 'br0', addresses: ['198.19.9.19/24'] },
    nic('bond0', { master: 'br0' }),
    { kind: 'bridge', name: 'br-backup', mtu: 9000, addresses: ['198.18.209.19/24'] },
    nic('bond1', { master: 'br-backup', mtu: 9000 }),
    ...taps,
  ],
  routes: [{ to: 'default', via: '198.19.9.1', dev: 'br0' }],
  libvirtState: state,
  nodeXml: node({
    comment: `${host}: 24 guests in every state, on a bond bridge and a backup bridge`,
    state,
    cpus: 128,
    memoryGiB: 1024,
    networks: `
  <network>
    <name>host-bridge</name>
    <uuid>${uuid(`${host}/net/host-bridge`)}</uuid>
    <forward mode='bridge'/>
    <bridge name='br0'/>
  </network>`,
    domains: GUESTS.map(guestXml),
  }),
};
