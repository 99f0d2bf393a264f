/**
 * hv-nat-01 — a stock hypervisor: libvirt's `default` network (NAT through virbr0) and nothing else.
 * The host's own address sits on eno1. Shows: nat.
 */
import { defaultNatNetwork, domain, guestTap, nic, node, uuid, type DemoHostSpec, type LibvirtState } from './lib.js';

const host = 'hv-nat-01';
const state: LibvirtState = { autostartNetworks: ['default'], autostartDomains: ['web01', 'web02'] };

export const spec: DemoHostSpec = {
  name: host,
  description: 'stock host: only the default NAT network',
  groups: ['dev'],
  uplinkInterfaces: ['eno*'],
  shows: ['nat'],
  links: [
    nic('eno1', { addresses: ['198.19.1.11/24'] }),
    // libvirt's own bridge for the default network, STP on as libvirt makes it.
    { kind: 'bridge', name: 'virbr0', mac: '52:54:00:01:ff:00', stp: true, addresses: ['198.18.122.1/24'] },
    guestTap('tap101i0', 'virbr0', '52:54:00:01:01:01'),
    guestTap('tap102i0', 'virbr0', '52:54:00:01:02:01'),
  ],
  routes: [{ to: 'default', via: '198.19.1.1', dev: 'eno1' }],
  libvirtState: state,
  nodeXml: node({
    comment: `${host}: stock host, only the default NAT network`,
    state,
    networks: defaultNatNetwork(host, '52:54:00:01:ff:00'),
    domains: [
      domain({
        host, name: 'web01', state: 'running',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:01:01:01'/>
        <source network='default'/>
        <target dev='tap101i0'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'web02', state: 'running',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:01:02:01'/>
        <source network='default'/>
        <target dev='tap102i0'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'build01', state: 'shut off', vcpus: 8, memoryMiB: 16384,
        devices: `
      <interface type='network'>
        <mac address='52:54:00:01:03:01'/>
        <source network='default'/>
        <model type='e1000e'/>
      </interface>`,
      }),
    ],
  }),
};
