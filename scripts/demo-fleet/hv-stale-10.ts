/**
 * hv-stale-10 — a hypervisor after years of changes, full of things to warn about: a guest on a network
 * that was undefined ('decommissioned'), a guest on a bridge that no longer exists (br-old), a guest with
 * an empty bridge name, a guest on a network that is defined but stopped (old-lan), a storage bridge whose
 * NIC lost its carrier (eno2), and a running guest whose NIC has been set link-down.
 * Shows: missing (network and bridge), unknown (empty source), isolated (inactive), bridged, nat.
 */
import { defaultNatNetwork, domain, guestTap, nic, node, uuid, type DemoHostSpec, type LibvirtState } from './lib.js';

const host = 'hv-stale-10';
const state: LibvirtState = { autostartNetworks: ['default'], inactiveNetworks: ['old-lan'] };

export const spec: DemoHostSpec = {
  name: host,
  description: 'undefined network, vanished bridge, empty source, stopped network, dead NIC',
  groups: ['lab', 'legacy'],
  uplinkInterfaces: ['eno*'],
  shows: ['bridged', 'isolated', 'missing', 'nat', 'unknown'],
  warns: ['bridge-missing', 'link-down', 'network-inactive', 'network-missing'],
  links: [
    { kind: 'bridge', name: 'br0', addresses: ['198.19.10.20/24'] },
    nic('eno1', { master: 'br0' }),
    { kind: 'bridge', name: 'br-stor', addresses: ['198.18.210.20/24'] },
    nic('eno2', { master: 'br-stor', cableUnplugged: true }),
    { kind: 'bridge', name: 'virbr0', mac: '52:54:00:0a:ff:00', stp: true, addresses: ['198.18.122.1/24'] },
    guestTap('tap1005i0', 'br0', '52:54:00:0a:05:01', { up: false }),
    guestTap('tap1006i0', 'virbr0', '52:54:00:0a:06:01'),
    guestTap('tap1007i0', 'br-stor', '52:54:00:0a:07:01'),
  ],
  routes: [{ to: 'default', via: '198.19.10.1', dev: 'br0' }],
  libvirtState: state,
  nodeXml: node({
    comment: `${host}: undefined network, vanished bridge, empty source, stopped network, dead NIC`,
    state,
    networks: defaultNatNetwork(host, '52:54:00:0a:ff:00') + `
  <network>
    <name>old-lan</name>
    <uuid>${uuid(`${host}/net/old-lan`)}</uuid>
    <bridge name='virbr7' stp='on' delay='0'/>
    <mac address='52:54:00:0a:ff:07'/>
    <ip address='198.18.107.1' prefix='24'/>
  </network>`,
    domains: [
      domain({
        host, name: 'orphan01', state: 'shut off',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:0a:01:01'/>
        <source network='decommissioned'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'orphan02', state: 'shut off',
        devices: `
      <interface type='bridge'>
        <mac address='52:54:00:0a:02:01'/>
        <source bridge='br-old'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'blank01', state: 'shut off',
        devices: `
      <interface type='bridge'>
        <mac address='52:54:00:0a:03:01'/>
        <source bridge=''/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'legacy01', state: 'shut off',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:0a:04:01'/>
        <source network='old-lan'/>
        <model type='rtl8139'/>
      </interface>`,
      }),
      domain({
        host, name: 'app03', state: 'running',
        devices: `
      <interface type='bridge'>
        <mac address='52:54:00:0a:05:01'/>
        <source bridge='br0'/>
        <target dev='tap1005i0'/>
        <model type='virtio'/>
        <link state='down'/>
      </interface>`,
      }),
      domain({
        host, name: 'app04', state: 'running',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:0a:06:01'/>
        <source network='default'/>
        <target dev='tap1006i0'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'nfs-client01', state: 'running',
        devices: `
      <interface type='bridge'>
        <mac address='52:54:00:0a:07:01'/>
        <source bridge='br-stor'/>
        <target dev='tap1007i0'/>
        <model type='virtio'/>
      </interface>`,
      }),
    ],
  }),
};
