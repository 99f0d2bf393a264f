/**
 * hv-prod-02 — a production hypervisor: host bridge br0 on bond0 (eno1 + eno2), and a VLAN bridge br100
 * on bond0.100. Guests attach directly (`type='bridge'`) or through `forward mode='bridge'` networks.
 * The unused `default` NAT network has been stopped and its autostart turned off, but an old template VM
 * still points at it (warning: inactive network). Dual-stack management address on br0.
 * Shows: bridged (bond uplink, VLAN uplink), nat (on an inactive network).
 *
 * Stand-ins: this kernel has no bonding or 802.1Q, so bond0 and bond0.100 are veths named like the real
 * devices (listed in uplinkInterfaces), and eno1/eno2 are veths that are not enslaved to anything.
 */
import { defaultNatNetwork, domain, guestTap, nic, node, uuid, type DemoHostSpec, type LibvirtState } from './lib.js';

const host = 'hv-prod-02';
const state: LibvirtState = {
  autostartNetworks: ['host-bridge', 'vlan100'],
  autostartDomains: ['db01', 'db02', 'app01'],
  inactiveNetworks: ['default'],
};

export const spec: DemoHostSpec = {
  name: host,
  description: 'bridge on a bond, VLAN bridge, stopped default network',
  groups: ['prod'],
  uplinkInterfaces: ['eno*', 'bond*'],
  shows: ['bridged', 'nat'],
  warns: ['network-inactive'],
  links: [
    nic('eno1'),
    nic('eno2'),
    { kind: 'bridge', name: 'br0', addresses: ['198.19.2.12/24', '2001:db8:2::12/64'] },
    nic('bond0', { master: 'br0' }),
    { kind: 'bridge', name: 'br100' },
    nic('bond0.100', { master: 'br100' }),
    guestTap('tap201i0', 'br0', '52:54:00:02:01:01'),
    guestTap('tap202i0', 'br0', '52:54:00:02:02:01'),
    guestTap('tap203i0', 'br100', '52:54:00:02:03:01'),
    guestTap('tap204i0', 'br100', '52:54:00:02:04:01'),
  ],
  routes: [{ to: 'default', via: '198.19.2.1', dev: 'br0' }],
  libvirtState: state,
  nodeXml: node({
    comment: `${host}: bridge on a bond, VLAN bridge, stopped default network (its virbr0 is gone)`,
    state,
    cpus: 64,
    memoryGiB: 512,
    networks: defaultNatNetwork(host, '52:54:00:02:ff:00') + `
  <network>
    <name>host-bridge</name>
    <uuid>${uuid(`${host}/net/host-bridge`)}</uuid>
    <forward mode='bridge'/>
    <bridge name='br0'/>
  </network>
  <network>
    <name>vlan100</name>
    <uuid>${uuid(`${host}/net/vlan100`)}</uuid>
    <forward mode='bridge'/>
    <bridge name='br100'/>
  </network>`,
    domains: [
      domain({
        host, name: 'db01', state: 'running', vcpus: 16, memoryMiB: 65536,
        devices: `
      <interface type='bridge'>
        <mac address='52:54:00:02:01:01'/>
        <source bridge='br0'/>
        <target dev='tap201i0'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'db02', state: 'running', vcpus: 16, memoryMiB: 65536,
        devices: `
      <interface type='network'>
        <mac address='52:54:00:02:02:01'/>
        <source network='host-bridge'/>
        <target dev='tap202i0'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'app01', state: 'running', vcpus: 4, memoryMiB: 8192,
        devices: `
      <interface type='network'>
        <mac address='52:54:00:02:03:01'/>
        <source network='vlan100'/>
        <target dev='tap203i0'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'app02', state: 'paused', vcpus: 4, memoryMiB: 8192,
        devices: `
      <interface type='bridge'>
        <mac address='52:54:00:02:04:01'/>
        <source bridge='br100'/>
        <target dev='tap204i0'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'tmpl-debian12', state: 'shut off',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:02:05:01'/>
        <source network='default'/>
        <model type='virtio'/>
      </interface>`,
      }),
    ],
  }),
};
