/**
 * hv-ovs-07 — a production hypervisor whose guests sit on Open vSwitch: an `ovs-net` network onto the
 * OVS bridge ovsbr0 (with VLAN portgroups), and a guest attached to ovsbr0 directly with
 * `<virtualport type='openvswitch'>`. OVS keeps its bridges and uplinks out of `ip`'s and brctl's view,
 * so the lab has no Linux link for them: the evidence is libvirt's virtualport alone. The default NAT
 * network is still autostarted here, which production policy forbids.
 * Shows: ovs, nat.
 */
import { defaultNatNetwork, domain, guestTap, nic, node, uuid, type DemoHostSpec, type LibvirtState } from './lib.js';

const host = 'hv-ovs-07';
const state: LibvirtState = {
  autostartNetworks: ['default', 'ovs-net'],
  autostartDomains: ['api01', 'api02'],
};

export const spec: DemoHostSpec = {
  name: host,
  description: 'Open vSwitch network with portgroups, direct OVS port, autostarted default network',
  groups: ['prod'],
  uplinkInterfaces: ['eno*'],
  shows: ['nat', 'ovs'],
  links: [
    nic('eno1', { addresses: ['198.19.7.17/24'] }),
    nic('eno2', { mtu: 9000 }),
    nic('eno3', { mtu: 9000 }),
    { kind: 'bridge', name: 'virbr0', mac: '52:54:00:07:ff:00', stp: true, addresses: ['198.18.122.1/24'] },
    guestTap('tap704i0', 'virbr0', '52:54:00:07:04:01'),
  ],
  routes: [{ to: 'default', via: '198.19.7.1', dev: 'eno1' }],
  libvirtState: state,
  nodeXml: node({
    comment: `${host}: Open vSwitch network with portgroups, direct OVS port, autostarted default network`,
    state,
    networks: defaultNatNetwork(host, '52:54:00:07:ff:00') + `
  <network>
    <name>ovs-net</name>
    <uuid>${uuid(`${host}/net/ovs-net`)}</uuid>
    <forward mode='bridge'/>
    <bridge name='ovsbr0'/>
    <virtualport type='openvswitch'/>
    <portgroup name='vlan-100' default='yes'>
      <vlan>
        <tag id='100'/>
      </vlan>
    </portgroup>
    <portgroup name='vlan-200'>
      <vlan>
        <tag id='200'/>
      </vlan>
    </portgroup>
    <portgroup name='trunk'>
      <vlan trunk='yes'>
        <tag id='100'/>
        <tag id='200'/>
      </vlan>
    </portgroup>
  </network>`,
    domains: [
      domain({
        host, name: 'api01', state: 'running',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:07:01:01'/>
        <source network='ovs-net' portgroup='vlan-100'/>
        <virtualport type='openvswitch'>
          <parameters interfaceid='${uuid(`${host}/port/api01`)}'/>
        </virtualport>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'api02', state: 'running',
        devices: `
      <interface type='bridge'>
        <mac address='52:54:00:07:02:01'/>
        <source bridge='ovsbr0'/>
        <virtualport type='openvswitch'>
          <parameters interfaceid='${uuid(`${host}/port/api02`)}'/>
        </virtualport>
        <vlan>
          <tag id='100'/>
        </vlan>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'router01', state: 'running',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:07:03:01'/>
        <source network='ovs-net' portgroup='trunk'/>
        <virtualport type='openvswitch'>
          <parameters interfaceid='${uuid(`${host}/port/router01`)}'/>
        </virtualport>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'util01', state: 'running',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:07:04:01'/>
        <source network='default'/>
        <target dev='tap704i0'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'worker01', state: 'shut off',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:07:05:01'/>
        <source network='ovs-net' portgroup='vlan-200'/>
        <virtualport type='openvswitch'>
          <parameters interfaceid='${uuid(`${host}/port/worker01`)}'/>
        </virtualport>
        <model type='virtio'/>
      </interface>`,
      }),
    ],
  }),
};
