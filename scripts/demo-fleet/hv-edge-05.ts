/**
 * hv-edge-05 — an edge host in the DMZ whose guests sit directly on the NICs with macvtap: `type='direct'`
 * in bridge and private mode, a `forward mode='vepa'` network with an interface pool (eno3, eno4), and a
 * `forward mode='private'` network. eno4's cable is unplugged (warning: link down). One legacy guest is
 * bridged to the physical DMZ segment through br-dmz on eno5, which DMZ policy forbids.
 * Shows: macvtap (bridge, vepa, private; direct and through networks), bridged.
 */
import { domain, guestTap, nic, node, uuid, type DemoHostSpec, type LibvirtState } from './lib.js';

const host = 'hv-edge-05';
const state: LibvirtState = {
  autostartNetworks: ['dmz-vepa', 'dmz-private'],
  autostartDomains: ['proxy01', 'proxy02', 'waf01', 'mail01'],
};

export const spec: DemoHostSpec = {
  name: host,
  description: 'macvtap in bridge, vepa and private mode; a NIC without carrier; one bridged DMZ guest',
  groups: ['dmz'],
  uplinkInterfaces: ['eno*'],
  shows: ['bridged', 'macvtap'],
  warns: ['uplink-down'], // eno4, in the dmz-vepa pool, is unplugged
  links: [
    nic('eno1', { addresses: ['198.19.5.15/24'] }),
    nic('eno2'),
    nic('eno3'),
    nic('eno4', { cableUnplugged: true }),
    { kind: 'bridge', name: 'br-dmz' },
    nic('eno5', { master: 'br-dmz' }),
    // Guests' macvtaps, with the guest's MAC as libvirt gives them.
    { kind: 'macvtap', name: 'mvtap50', lower: 'eno2', mode: 'bridge', mac: '52:54:00:05:01:01' },
    { kind: 'macvtap', name: 'mvtap51', lower: 'eno2', mode: 'bridge', mac: '52:54:00:05:02:01' },
    { kind: 'macvtap', name: 'mvtap52', lower: 'eno3', mode: 'vepa', mac: '52:54:00:05:03:01' },
    { kind: 'macvtap', name: 'mvtap53', lower: 'eno2', mode: 'private', mac: '52:54:00:05:04:01' },
    guestTap('tap506i0', 'br-dmz', '52:54:00:05:06:01'),
  ],
  routes: [{ to: 'default', via: '198.19.5.1', dev: 'eno1' }],
  libvirtState: state,
  nodeXml: node({
    comment: `${host}: macvtap in bridge, vepa and private mode; eno4 unplugged; one bridged DMZ guest`,
    state,
    networks: `
  <network>
    <name>dmz-vepa</name>
    <uuid>${uuid(`${host}/net/dmz-vepa`)}</uuid>
    <forward mode='vepa'>
      <interface dev='eno3'/>
      <interface dev='eno4'/>
    </forward>
  </network>
  <network>
    <name>dmz-private</name>
    <uuid>${uuid(`${host}/net/dmz-private`)}</uuid>
    <forward mode='private' dev='eno2'>
      <interface dev='eno2'/>
    </forward>
  </network>`,
    domains: [
      domain({
        host, name: 'proxy01', state: 'running',
        devices: `
      <interface type='direct'>
        <mac address='52:54:00:05:01:01'/>
        <source dev='eno2' mode='bridge'/>
        <target dev='mvtap50'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'proxy02', state: 'running',
        devices: `
      <interface type='direct'>
        <mac address='52:54:00:05:02:01'/>
        <source dev='eno2' mode='bridge'/>
        <target dev='mvtap51'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'waf01', state: 'running',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:05:03:01'/>
        <source network='dmz-vepa'/>
        <target dev='mvtap52'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'mail01', state: 'running',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:05:04:01'/>
        <source network='dmz-private'/>
        <target dev='mvtap53'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'bastion01', state: 'shut off',
        devices: `
      <interface type='direct'>
        <mac address='52:54:00:05:05:01'/>
        <source dev='eno3' mode='private'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'legacy-ftp', state: 'running', vcpus: 1, memoryMiB: 1024,
        devices: `
      <interface type='bridge'>
        <mac address='52:54:00:05:06:01'/>
        <source bridge='br-dmz'/>
        <target dev='tap506i0'/>
        <model type='e1000'/>
      </interface>`,
      }),
    ],
  }),
};
