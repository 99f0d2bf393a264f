/**
 * hv-sriov-04 — an NFV hypervisor with SR-IOV NICs. Virtual functions are handed to guests as PCI devices,
 * directly (`type='hostdev'`) or from a `forward mode='hostdev'` pool; one network gives guests a VF of
 * enp65s0f1 through a macvtap in passthrough mode; one guest uses a vDPA device. gpu-batch also has a
 * plain `<hostdev>` (a GPU), which is not a network interface at all.
 * Shows: hostdev (interface and network pool), macvtap (passthrough), vdpa.
 *
 * Stand-ins: the PFs enp65s0f0/enp65s0f1 and the VF netdev enp65s0f1v0 are veths named like them.
 */
import { domain, nic, node, uuid, type DemoHostSpec, type LibvirtState } from './lib.js';

const host = 'hv-sriov-04';
const state: LibvirtState = {
  autostartNetworks: ['sriov-pool', 'sriov-pf'],
  autostartDomains: ['nfv-fw01', 'nfv-fw02', 'nfv-lb01', 'nfv-dp01'],
};

export const spec: DemoHostSpec = {
  name: host,
  description: 'SR-IOV: hostdev interfaces and VF pool, macvtap passthrough, vDPA',
  groups: ['prod', 'nfv'],
  uplinkInterfaces: ['eno*', 'enp65s0f*'],
  shows: ['hostdev', 'macvtap', 'vdpa'],
  links: [
    nic('eno1', { addresses: ['198.19.4.14/24'] }),
    nic('enp65s0f0', { mtu: 9000 }),
    nic('enp65s0f1', { mtu: 9000 }),
    nic('enp65s0f1v0', { mtu: 9000 }),
    // What libvirt makes for a passthrough-mode guest: a macvtap in passthru mode on the VF netdev.
    { kind: 'macvtap', name: 'mvtap40', lower: 'enp65s0f1v0', mode: 'passthru', mac: '52:54:00:04:03:01' },
  ],
  routes: [{ to: 'default', via: '198.19.4.1', dev: 'eno1' }],
  libvirtState: state,
  nodeXml: node({
    comment: `${host}: SR-IOV hostdev interfaces and VF pool, macvtap passthrough, vDPA`,
    state,
    cpus: 96,
    memoryGiB: 768,
    networks: `
  <network>
    <name>sriov-pool</name>
    <uuid>${uuid(`${host}/net/sriov-pool`)}</uuid>
    <forward mode='hostdev' managed='yes'>
      <driver name='vfio'/>
      <address type='pci' domain='0x0000' bus='0x41' slot='0x10' function='0x0'/>
      <address type='pci' domain='0x0000' bus='0x41' slot='0x10' function='0x2'/>
      <address type='pci' domain='0x0000' bus='0x41' slot='0x10' function='0x4'/>
      <address type='pci' domain='0x0000' bus='0x41' slot='0x10' function='0x6'/>
    </forward>
  </network>
  <network>
    <name>sriov-pf</name>
    <uuid>${uuid(`${host}/net/sriov-pf`)}</uuid>
    <forward mode='passthrough'>
      <pf dev='enp65s0f1'/>
    </forward>
  </network>`,
    domains: [
      domain({
        host, name: 'nfv-fw01', state: 'running', vcpus: 8, memoryMiB: 16384,
        devices: `
      <interface type='hostdev' managed='yes'>
        <mac address='52:54:00:04:01:01'/>
        <driver name='vfio'/>
        <source>
          <address type='pci' domain='0x0000' bus='0x41' slot='0x10' function='0x1'/>
        </source>
        <vlan>
          <tag id='210'/>
        </vlan>
      </interface>`,
      }),
      domain({
        host, name: 'nfv-fw02', state: 'running', vcpus: 8, memoryMiB: 16384,
        devices: `
      <interface type='network'>
        <mac address='52:54:00:04:02:01'/>
        <source network='sriov-pool'/>
      </interface>`,
      }),
      domain({
        host, name: 'nfv-lb01', state: 'running', vcpus: 4, memoryMiB: 8192,
        devices: `
      <interface type='network'>
        <mac address='52:54:00:04:03:01'/>
        <source network='sriov-pf'/>
        <target dev='mvtap40'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'nfv-dp01', state: 'running', vcpus: 16, memoryMiB: 32768,
        devices: `
      <interface type='vdpa'>
        <mac address='52:54:00:04:04:01'/>
        <source dev='/dev/vhost-vdpa-0'/>
      </interface>`,
      }),
      domain({
        host, name: 'gpu-batch', state: 'shut off', vcpus: 32, memoryMiB: 131072,
        devices: `
      <interface type='network'>
        <mac address='52:54:00:04:05:01'/>
        <source network='sriov-pool'/>
      </interface>
      <hostdev mode='subsystem' type='pci' managed='yes'>
        <source>
          <address domain='0x0000' bus='0x81' slot='0x00' function='0x0'/>
        </source>
      </hostdev>`,
      }),
    ],
  }),
};
