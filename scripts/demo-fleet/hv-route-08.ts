/**
 * hv-route-08 — a hosting hypervisor that routes public subnets to its guests instead of bridging them:
 * `routed-web` (`forward mode='route'` out through eno1, libvirt firewall rules) and `open-lab`
 * (`forward mode='open'`, no libvirt firewall rules at all). The upstream router needs a route back.
 * Both networks are dual-stack (IPv6 routed too, with DHCPv6 on routed-web).
 * Shows: routed, open.
 */
import { domain, guestTap, nic, node, uuid, type DemoHostSpec, type LibvirtState } from './lib.js';

const host = 'hv-route-08';
const state: LibvirtState = {
  autostartNetworks: ['routed-web', 'open-lab'],
  autostartDomains: ['www01', 'www02', 'mx01'],
};

/** A guest with one NIC on a libvirt network. */
function networkVm(name: string, network: string, mac: string, tap: string | null) {
  return domain({
    host, name, state: tap ? 'running' : 'shut off',
    devices: `
      <interface type='network'>
        <mac address='${mac}'/>
        <source network='${network}'/>${tap ? `\n        <target dev='${tap}'/>` : ''}
        <model type='virtio'/>
      </interface>`,
  });
}

export const spec: DemoHostSpec = {
  name: host,
  description: 'routed and open libvirt networks',
  groups: ['dmz'],
  uplinkInterfaces: ['eno*'],
  shows: ['open', 'routed'],
  links: [
    nic('eno1', { addresses: ['198.19.8.18/24'] }),
    { kind: 'bridge', name: 'virbr1', mac: '52:54:00:08:ff:01', stp: true, addresses: ['198.51.100.1/25', '2001:db8:8:1::1/64'] },
    { kind: 'bridge', name: 'virbr2', mac: '52:54:00:08:ff:02', stp: true, addresses: ['203.0.113.1/26', '2001:db8:8:2::1/64'] },
    guestTap('tap801i0', 'virbr1', '52:54:00:08:01:01'),
    guestTap('tap802i0', 'virbr1', '52:54:00:08:02:01'),
    guestTap('tap803i0', 'virbr2', '52:54:00:08:03:01'),
  ],
  routes: [{ to: 'default', via: '198.19.8.1', dev: 'eno1' }],
  libvirtState: state,
  nodeXml: node({
    comment: `${host}: routed and open libvirt networks`,
    state,
    networks: `
  <network>
    <name>routed-web</name>
    <uuid>${uuid(`${host}/net/routed-web`)}</uuid>
    <forward mode='route' dev='eno1'/>
    <bridge name='virbr1' stp='on' delay='0'/>
    <mac address='52:54:00:08:ff:01'/>
    <ip address='198.51.100.1' prefix='25'>
      <dhcp>
        <range start='198.51.100.64' end='198.51.100.126'/>
      </dhcp>
    </ip>
    <ip family='ipv6' address='2001:db8:8:1::1' prefix='64'>
      <dhcp>
        <range start='2001:db8:8:1::100' end='2001:db8:8:1::1ff'/>
      </dhcp>
    </ip>
  </network>
  <network>
    <name>open-lab</name>
    <uuid>${uuid(`${host}/net/open-lab`)}</uuid>
    <forward mode='open'/>
    <bridge name='virbr2' stp='on' delay='0'/>
    <mac address='52:54:00:08:ff:02'/>
    <ip address='203.0.113.1' prefix='26'/>
    <ip family='ipv6' address='2001:db8:8:2::1' prefix='64'/>
  </network>`,
    domains: [
      networkVm('www01', 'routed-web', '52:54:00:08:01:01', 'tap801i0'),
      networkVm('www02', 'routed-web', '52:54:00:08:02:01', 'tap802i0'),
      networkVm('mx01', 'open-lab', '52:54:00:08:03:01', 'tap803i0'),
      networkVm('ns01', 'routed-web', '52:54:00:08:04:01', null),
    ],
  }),
};
