/**
 * hv-dmz-12 — a DMZ hypervisor built to policy: the service guests reach the outside only through a
 * routed libvirt network, their back ends talk over br-dmz-int, a host-only Linux bridge (no uplink),
 * and the load balancers get macvtaps from `dmz-direct`, a `forward mode='bridge'` network with an
 * interface pool and no bridge (libvirt then hands out macvtaps in bridge mode on eno2/eno3).
 * Shows: host-only, routed, macvtap (through a bridge-mode pool network).
 */
import { domain, guestTap, nic, node, uuid, type DemoHostSpec, type LibvirtState } from './lib.js';

const host = 'hv-dmz-12';
const state: LibvirtState = {
  autostartNetworks: ['dmz-routed', 'dmz-direct'],
  autostartDomains: ['lb01', 'lb02', 'app-dmz01', 'app-dmz02'],
};

export const spec: DemoHostSpec = {
  name: host,
  description: 'host-only back-end bridge, routed front network, bridge-mode macvtap pool',
  groups: ['dmz'],
  uplinkInterfaces: ['eno*'],
  shows: ['host-only', 'macvtap', 'routed'],
  links: [
    nic('eno1', { addresses: ['198.19.12.22/24'] }),
    nic('eno2'),
    nic('eno3'),
    { kind: 'bridge', name: 'br-dmz-int', addresses: ['198.18.112.1/24'] },
    { kind: 'bridge', name: 'virbr1', mac: '52:54:00:0c:ff:01', stp: true, addresses: ['192.0.2.1/25'] },
    { kind: 'macvtap', name: 'mvtap1201', lower: 'eno2', mode: 'bridge', mac: '52:54:00:0c:01:01' },
    { kind: 'macvtap', name: 'mvtap1202', lower: 'eno3', mode: 'bridge', mac: '52:54:00:0c:02:01' },
    guestTap('tap1203i0', 'virbr1', '52:54:00:0c:03:01'),
    guestTap('tap1203i1', 'br-dmz-int', '52:54:00:0c:03:02'),
    guestTap('tap1204i0', 'virbr1', '52:54:00:0c:04:01'),
    guestTap('tap1204i1', 'br-dmz-int', '52:54:00:0c:04:02'),
    guestTap('tap1205i0', 'br-dmz-int', '52:54:00:0c:05:01'),
  ],
  routes: [{ to: 'default', via: '198.19.12.1', dev: 'eno1' }],
  libvirtState: state,
  nodeXml: node({
    comment: `${host}: host-only back-end bridge, routed front network, bridge-mode macvtap pool`,
    state,
    networks: `
  <network>
    <name>dmz-routed</name>
    <uuid>${uuid(`${host}/net/dmz-routed`)}</uuid>
    <forward mode='route' dev='eno1'/>
    <bridge name='virbr1' stp='on' delay='0'/>
    <mac address='52:54:00:0c:ff:01'/>
    <ip address='192.0.2.1' prefix='25'/>
  </network>
  <network>
    <name>dmz-direct</name>
    <uuid>${uuid(`${host}/net/dmz-direct`)}</uuid>
    <forward mode='bridge'>
      <interface dev='eno2'/>
      <interface dev='eno3'/>
    </forward>
  </network>`,
    domains: [
      domain({
        host, name: 'lb01', state: 'running',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:0c:01:01'/>
        <source network='dmz-direct'/>
        <target dev='mvtap1201'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'lb02', state: 'running',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:0c:02:01'/>
        <source network='dmz-direct'/>
        <target dev='mvtap1202'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'app-dmz01', state: 'running',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:0c:03:01'/>
        <source network='dmz-routed'/>
        <target dev='tap1203i0'/>
        <model type='virtio'/>
      </interface>
      <interface type='bridge'>
        <mac address='52:54:00:0c:03:02'/>
        <source bridge='br-dmz-int'/>
        <target dev='tap1203i1'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'app-dmz02', state: 'running',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:0c:04:01'/>
        <source network='dmz-routed'/>
        <target dev='tap1204i0'/>
        <model type='virtio'/>
      </interface>
      <interface type='bridge'>
        <mac address='52:54:00:0c:04:02'/>
        <source bridge='br-dmz-int'/>
        <target dev='tap1204i1'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'db-dmz01', state: 'running',
        devices: `
      <interface type='bridge'>
        <mac address='52:54:00:0c:05:01'/>
        <source bridge='br-dmz-int'/>
        <target dev='tap1205i0'/>
        <model type='virtio'/>
      </interface>`,
      }),
    ],
  }),
};
