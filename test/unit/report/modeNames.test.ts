import { describe, expect, it } from 'vitest';
import { interfaceModeName, networkModeName } from '../../../src/report/modeNames.js';
import { attached, unattached } from '../helpers/attached.js';
import { network, nic } from './sample.js';

describe('networkModeName: the forward mode in virt-manager words', () => {
  it.each([
    ['nat', 'NAT'],
    ['route', 'Routed network'],
    ['none', 'Isolated network'],
    ['open', 'Open network'],
    ['bridge', 'Bridge network'],
    ['vepa', 'Vepa network'],
    ['private', 'Private network'],
    ['passthrough', 'Passthrough network'],
    ['hostdev', 'Hostdev network'],
  ])('forward %s is %j', (forward, name) => {
    expect(networkModeName(network({ forward, virtualport: null }))).toBe(name);
  });

  it('marks an Open vSwitch network as virt-manager does, and names nothing for a network it could not read', () => {
    expect(networkModeName(network({ forward: 'bridge', virtualport: 'openvswitch' }))).toBe('Bridge network (OpenVSwitch)');
    expect(networkModeName(network({ forward: 'unknown', unread: 'net-dumpxml unreadable' }))).toBeNull();
  });
});

describe('interfaceModeName: a NIC as virt-manager, Cockpit or libvirt name it', () => {
  const prodBr = network({ name: 'prod-br', forward: 'bridge', bridge: 'br0' });

  it('names a NIC on a network with the network and its forward mode', () => {
    expect(interfaceModeName(nic(), network())).toBe("Virtual network 'default': NAT");
    expect(interfaceModeName(nic({ source: 'prod-br', ...attached('network', 'prod-br', { bridge: 'br0' }) }), prodBr)).toBe(
      "Virtual network 'prod-br': Bridge network",
    );
  });

  it('names the network alone when the report does not define it, or could not read it', () => {
    const gone = nic({ mode: 'missing', source: 'gone', ...attached('network', 'gone') });
    expect(interfaceModeName(gone, undefined)).toBe("Virtual network 'gone'");
    expect(interfaceModeName(nic(), network({ forward: 'unknown', unread: 'cut off' }))).toBe("Virtual network 'default'");
  });

  it.each([
    [{ type: 'bridge', source: 'br0', ...attached('bridge', 'br0') }, "Bridge device 'br0'"],
    // virt-manager shows a NIC on a network's bridge as a bridge device, whatever the network
    [{ type: 'bridge', source: 'virbr0', ...attached('network', 'default', { bridge: 'virbr0' }) }, "Bridge device 'virbr0'"],
    [{ type: 'direct', source: 'eno1', ...attached('dev', 'eno1') }, "Macvtap device 'eno1'"],
    [{ type: 'user', source: 'eth42', ...attached('passt', null) }, 'Usermode networking'],
    [{ type: 'hostdev', source: '0000:03:07.1', ...attached('pci', '0000:03:07.1') }, "PCI host device '0000:03:07.1'"],
    [{ type: 'hostdev', source: null, ...unattached() }, 'PCI host device'],
    [{ type: 'ethernet', source: null, ...attached('tap', 'mytap0') }, "Generic ethernet connection 'mytap0'"],
    [{ type: 'vdpa', source: '/dev/vhost-vdpa-0', ...attached('dev', '/dev/vhost-vdpa-0') }, "vDPA device '/dev/vhost-vdpa-0'"],
    [{ type: 'vhostuser', source: '/tmp/v.sock', ...attached('socket', '/tmp/v.sock') }, "vhost-user interface '/tmp/v.sock'"],
    [{ type: 'mcast', source: '239.0.0.1:5558', ...attached('mcast', '239.0.0.1:5558') }, "Multicast tunnel '239.0.0.1:5558'"],
    [{ type: 'udp', source: null, ...attached('udp', null) }, 'UDP unicast tunnel'],
    [{ type: 'server', source: '192.0.2.1:5558', ...attached('server', '192.0.2.1:5558') }, "TCP tunnel server '192.0.2.1:5558'"],
    [{ type: 'client', source: '192.0.2.1:5558', ...attached('client', '192.0.2.1:5558') }, "TCP tunnel client '192.0.2.1:5558'"],
    [{ type: 'null', source: null, ...unattached() }, 'Null network interface'],
    [{ type: 'vds', source: null, ...unattached() }, 'VMWare Distributed Switch'],
    [{ type: 'infiniband', source: null, ...unattached() }, "Interface type 'infiniband'"],
    [{ type: 'network', source: null, ...unattached() }, 'Virtual network'],
  ] as const)('%j is %j', (overrides, name) => {
    expect(interfaceModeName(nic(overrides), undefined)).toBe(name);
  });

  it('keeps host text as it came (the renderers escape it)', () => {
    const evil = "x'</b>|\n";
    expect(interfaceModeName(nic({ type: 'bridge', source: evil, ...attached('bridge', evil) }), undefined)).toBe(`Bridge device '${evil}'`);
  });
});
