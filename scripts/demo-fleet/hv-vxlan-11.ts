/**
 * hv-vxlan-11 — an overlay hypervisor: guest bridges whose only uplink is a VXLAN tunnel port (vxlan100,
 * vxlan200, tunnelled over eno1), one of them behind a `forward mode='bridge'` network; plus an isolated
 * libvirt network for management-only guests. The tunnels have no remote and never send anything.
 * Shows: bridged (through a tunnel port), isolated.
 */
import { domain, guestTap, nic, node, uuid, type DemoHostSpec, type LibvirtState } from './lib.js';

const host = 'hv-vxlan-11';
const state: LibvirtState = {
  autostartNetworks: ['overlay-100', 'mgmt-only'],
  autostartDomains: ['tenant-a1', 'tenant-a2', 'tenant-b1'],
};

export const spec: DemoHostSpec = {
  name: host,
  description: 'bridges uplinked by VXLAN tunnel ports, isolated network',
  groups: ['lab'],
  uplinkInterfaces: ['eno*'],
  shows: ['bridged', 'isolated'],
  links: [
    nic('eno1', { addresses: ['198.19.11.21/24'], mtu: 9000 }),
    { kind: 'bridge', name: 'br-vx100' },
    { kind: 'vxlan', name: 'vxlan100', vni: 100, local: '198.19.11.21', master: 'br-vx100' },
    { kind: 'bridge', name: 'br-vx200' },
    { kind: 'vxlan', name: 'vxlan200', vni: 200, local: '198.19.11.21', master: 'br-vx200' },
    { kind: 'bridge', name: 'virbr3', mac: '52:54:00:0b:ff:03', stp: true, addresses: ['198.18.103.1/24'] },
    guestTap('tap1101i0', 'br-vx100', '52:54:00:0b:01:01'),
    guestTap('tap1102i0', 'br-vx100', '52:54:00:0b:02:01'),
    guestTap('tap1103i0', 'br-vx200', '52:54:00:0b:03:01'),
    guestTap('tap1104i0', 'virbr3', '52:54:00:0b:04:01'),
  ],
  routes: [{ to: 'default', via: '198.19.11.1', dev: 'eno1' }],
  libvirtState: state,
  nodeXml: node({
    comment: `${host}: bridges uplinked by VXLAN tunnel ports, isolated network`,
    state,
    networks: `
  <network>
    <name>overlay-100</name>
    <uuid>${uuid(`${host}/net/overlay-100`)}</uuid>
    <forward mode='bridge'/>
    <bridge name='br-vx100'/>
  </network>
  <network>
    <name>mgmt-only</name>
    <uuid>${uuid(`${host}/net/mgmt-only`)}</uuid>
    <bridge name='virbr3' stp='on' delay='0'/>
    <mac address='52:54:00:0b:ff:03'/>
    <ip address='198.18.103.1' prefix='24'>
      <dhcp>
        <range start='198.18.103.10' end='198.18.103.250'/>
      </dhcp>
    </ip>
  </network>`,
    domains: [
      domain({
        host, name: 'tenant-a1', state: 'running',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:0b:01:01'/>
        <source network='overlay-100'/>
        <target dev='tap1101i0'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'tenant-a2', state: 'running',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:0b:02:01'/>
        <source network='overlay-100'/>
        <target dev='tap1102i0'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'tenant-b1', state: 'running',
        devices: `
      <interface type='bridge'>
        <mac address='52:54:00:0b:03:01'/>
        <source bridge='br-vx200'/>
        <target dev='tap1103i0'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'jump01', state: 'running',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:0b:04:01'/>
        <source network='mgmt-only'/>
        <target dev='tap1104i0'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'tenant-b2', state: 'shut off',
        devices: `
      <interface type='bridge'>
        <mac address='52:54:00:0b:05:01'/>
        <source bridge='br-vx200'/>
        <model type='virtio'/>
      </interface>`,
      }),
    ],
  }),
};
