/**
 * hv-dev-06 — a developer's hypervisor with every "odd" interface type: user-mode networking (SLIRP),
 * vhost-user sockets (a DPDK switch), QEMU socket tunnels (mcast, udp, server, client), an unmanaged tap
 * (`type='ethernet'`, tap-dev0 on no bridge), a NIC with no backend at all (`type='null'`), and a guest
 * imported from ESX that still has its `type='vds'` interface. Plus the usual default NAT network.
 * Shows: user, vhostuser, socket, ethernet, none, vds, nat.
 */
import { domain, guestTap, nic, node, uuid, type DemoHostSpec, type LibvirtState } from './lib.js';

const host = 'hv-dev-06';
const state: LibvirtState = { autostartNetworks: ['default'] };

export const spec: DemoHostSpec = {
  name: host,
  description: 'user, vhost-user, socket tunnels, unmanaged tap, null and vds interfaces',
  groups: ['dev'],
  uplinkInterfaces: ['eno*'],
  shows: ['ethernet', 'nat', 'none', 'socket', 'user', 'vds', 'vhostuser'],
  links: [
    nic('eno1', { addresses: ['198.19.6.16/24'] }),
    { kind: 'bridge', name: 'virbr0', mac: '52:54:00:06:ff:00', stp: true, addresses: ['198.18.122.1/24'] },
    guestTap('tap609i0', 'virbr0', '52:54:00:06:09:01'),
    // Made by the developer's own script (`type='ethernet'` with managed='no'); on no bridge.
    guestTap('tap-dev0', null, '52:54:00:06:05:01'),
  ],
  routes: [{ to: 'default', via: '198.19.6.1', dev: 'eno1' }],
  libvirtState: state,
  nodeXml: node({
    comment: `${host}: user, vhost-user, socket tunnels, unmanaged tap, null and vds interfaces`,
    state,
    cpus: 16,
    memoryGiB: 64,
    networks: `
  <network>
    <name>default</name>
    <uuid>${uuid(`${host}/net/default`)}</uuid>
    <forward mode='nat'>
      <nat>
        <port start='1024' end='65535'/>
      </nat>
    </forward>
    <bridge name='virbr0' stp='on' delay='0'/>
    <mac address='52:54:00:06:ff:00'/>
    <ip address='198.18.122.1' netmask='255.255.255.0'>
      <dhcp>
        <range start='198.18.122.2' end='198.18.122.254'/>
      </dhcp>
    </ip>
  </network>`,
    domains: [
      domain({
        host, name: 'devbox01', state: 'running',
        devices: `
      <interface type='user'>
        <mac address='52:54:00:06:01:01'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'dpdk-app01', state: 'running', vcpus: 8, memoryMiB: 8192,
        devices: `
      <interface type='vhostuser'>
        <mac address='52:54:00:06:02:01'/>
        <source type='unix' path='/run/openvswitch/vhu-dpdk-app01' mode='client'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'cluster-a', state: 'running',
        devices: `
      <interface type='mcast'>
        <mac address='52:54:00:06:03:01'/>
        <source address='239.255.42.1' port='5558'/>
      </interface>
      <interface type='udp'>
        <mac address='52:54:00:06:03:02'/>
        <source address='127.0.0.1' port='11112'>
          <local address='127.0.0.1' port='11111'/>
        </source>
      </interface>`,
      }),
      domain({
        host, name: 'tunnel-srv', state: 'running',
        devices: `
      <interface type='server'>
        <mac address='52:54:00:06:04:01'/>
        <source address='127.0.0.1' port='5559'/>
      </interface>`,
      }),
      domain({
        host, name: 'tunnel-cli', state: 'paused',
        devices: `
      <interface type='client'>
        <mac address='52:54:00:06:04:02'/>
        <source address='127.0.0.1' port='5559'/>
      </interface>`,
      }),
      domain({
        host, name: 'eth-raw', state: 'running',
        devices: `
      <interface type='ethernet'>
        <mac address='52:54:00:06:05:01'/>
        <target dev='tap-dev0' managed='no'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'airgap01', state: 'shut off',
        devices: `
      <interface type='null'>
        <mac address='52:54:00:06:06:01'/>
      </interface>`,
      }),
      domain({
        host, name: 'esx-import01', state: 'shut off', vcpus: 4, memoryMiB: 8192,
        devices: `
      <interface type='vds'>
        <mac address='52:54:00:06:07:01'/>
        <source switchid='9a2d4e46-7d1e-4d39-9a5f-3b1c2f8e6a10' portid='42' portgroupid='dvportgroup-1001' connectionid='1718'/>
        <model type='vmxnet3'/>
      </interface>`,
      }),
      domain({
        host, name: 'devbox02', state: 'paused',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:06:09:01'/>
        <source network='default'/>
        <target dev='tap609i0'/>
        <model type='virtio'/>
      </interface>`,
      }),
    ],
  }),
};
