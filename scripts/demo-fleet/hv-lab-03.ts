/**
 * hv-lab-03 — a lab hypervisor with patched bridges. br-ext holds the uplink eno1; br-lab has no NIC of
 * its own but is patched to br-ext with a veth pair (patch-lab ↔ patch-ext), so its guests still reach
 * the LAN. br-iso is a host-only bridge (guests and the host only). br-a and br-b are patched to each
 * other and to nothing else: the uplink search must not walk in circles. Plus a libvirt isolated network.
 * Shows: bridged (through a patch cable), host-only, isolated.
 */
import { domain, guestTap, nic, node, uuid, type DemoHostSpec, type LibvirtState } from './lib.js';

const host = 'hv-lab-03';
const state: LibvirtState = { autostartNetworks: ['lab-internal', 'lab-ext'] };

/** A running guest with one NIC on a Linux bridge. */
function bridgedVm(name: string, mac: string, bridge: string, tap: string) {
  return domain({
    host, name, state: 'running',
    devices: `
      <interface type='bridge'>
        <mac address='${mac}'/>
        <source bridge='${bridge}'/>
        <target dev='${tap}'/>
        <model type='virtio'/>
      </interface>`,
  });
}

export const spec: DemoHostSpec = {
  name: host,
  description: 'patched bridges, host-only bridge, isolated network',
  groups: ['lab'],
  uplinkInterfaces: ['eno*'],
  shows: ['bridged', 'host-only', 'isolated'],
  links: [
    { kind: 'bridge', name: 'br-ext', addresses: ['198.19.3.13/24'] },
    nic('eno1', { master: 'br-ext' }),
    { kind: 'bridge', name: 'br-lab' },
    { kind: 'veth', name: 'patch-lab', peer: 'patch-ext', master: 'br-lab', peerMaster: 'br-ext' },
    { kind: 'bridge', name: 'br-iso', addresses: ['198.18.53.1/24'] },
    { kind: 'bridge', name: 'br-a' },
    { kind: 'bridge', name: 'br-b' },
    { kind: 'veth', name: 'patch-a', peer: 'patch-b', master: 'br-a', peerMaster: 'br-b' },
    { kind: 'bridge', name: 'virbr5', mac: '52:54:00:03:ff:05', stp: true, addresses: ['198.18.105.1/24'] },
    guestTap('tap301i0', 'br-lab', '52:54:00:03:01:01'),
    guestTap('tap302i0', 'br-lab', '52:54:00:03:02:01'),
    guestTap('tap303i0', 'br-lab', '52:54:00:03:03:01'),
    guestTap('tap304i0', 'br-lab', '52:54:00:03:04:01'),
    guestTap('tap305i0', 'br-iso', '52:54:00:03:05:01'),
    guestTap('tap307i0', 'virbr5', '52:54:00:03:07:01'),
    guestTap('tap308i0', 'br-b', '52:54:00:03:08:01'),
  ],
  routes: [{ to: 'default', via: '198.19.3.1', dev: 'br-ext' }],
  libvirtState: state,
  nodeXml: node({
    comment: `${host}: patched bridges, host-only bridge, isolated network`,
    state,
    networks: `
  <network>
    <name>lab-internal</name>
    <uuid>${uuid(`${host}/net/lab-internal`)}</uuid>
    <bridge name='virbr5' stp='on' delay='0'/>
    <mac address='52:54:00:03:ff:05'/>
    <domain name='lab.internal'/>
    <ip address='198.18.105.1' prefix='24'>
      <dhcp>
        <range start='198.18.105.100' end='198.18.105.199'/>
        <host mac='52:54:00:03:07:01' name='testvm' ip='198.18.105.7'/>
      </dhcp>
    </ip>
  </network>
  <network>
    <name>lab-ext</name>
    <uuid>${uuid(`${host}/net/lab-ext`)}</uuid>
    <forward mode='bridge'/>
    <bridge name='br-lab'/>
  </network>`,
    domains: [
      bridgedVm('k8s-node1', '52:54:00:03:01:01', 'br-lab', 'tap301i0'),
      bridgedVm('k8s-node2', '52:54:00:03:02:01', 'br-lab', 'tap302i0'),
      bridgedVm('k8s-node3', '52:54:00:03:03:01', 'br-lab', 'tap303i0'),
      domain({
        host, name: 'ci-runner', state: 'running', vcpus: 8, memoryMiB: 16384,
        devices: `
      <interface type='network'>
        <mac address='52:54:00:03:04:01'/>
        <source network='lab-ext'/>
        <target dev='tap304i0'/>
        <model type='virtio'/>
      </interface>`,
      }),
      bridgedVm('sandbox1', '52:54:00:03:05:01', 'br-iso', 'tap305i0'),
      domain({
        host, name: 'sandbox2', state: 'shut off',
        devices: `
      <interface type='bridge'>
        <mac address='52:54:00:03:06:01'/>
        <source bridge='br-iso'/>
        <model type='virtio'/>
      </interface>`,
      }),
      domain({
        host, name: 'testvm', state: 'running',
        devices: `
      <interface type='network'>
        <mac address='52:54:00:03:07:01'/>
        <source network='lab-internal'/>
        <target dev='tap307i0'/>
        <model type='virtio'/>
      </interface>`,
      }),
      bridgedVm('mirror', '52:54:00:03:08:01', 'br-b', 'tap308i0'),
    ],
  }),
};
