import { describe, expect, it } from 'vitest';
import { subjectsOf } from '../../../src/policy/subjects.js';
import { attached } from '../helpers/attached.js';
import { bridge, host, network, nic, vm } from './fixtures.js';

describe('VM interface subjects', () => {
  it("take the network, bridge, uplinks and devices from each NIC's attachment, and its id as subject", () => {
    // Given NICs on a network, on a bridge, on a missing network, macvtap and hostdev ones
    const hv = host('hv1', {
      networks: [network({ name: 'prod', bridge: 'br0', mode: 'bridged', forward: 'bridge' })],
      bridges: [bridge()],
      vms: [
        vm('web', [
          nic({ mac: 'm1', mode: 'bridged', ...attached('network', 'prod', { bridge: 'br0', uplinks: ['bond0'] }) }),
          nic({ mac: 'm2', type: 'bridge', mode: 'bridged', ...attached('bridge', 'br0', { uplinks: ['bond0'] }) }),
          nic({ mac: 'm3', mode: 'missing', ...attached('network', 'gone') }),
          nic({ mac: 'm4', type: 'direct', mode: 'macvtap', ...attached('dev', 'eno2', { device: 'eno3' }) }),
          nic({ mac: 'm5', type: 'hostdev', mode: 'hostdev', ...attached('pci', '0000:41:10.1', { device: '0000:41:10.1' }) }),
          nic({ mac: null, target: null, id: 'nic5', mode: 'user', ...attached('slirp', null) }),
        ]),
      ],
    });
    // When seen as policy subjects
    const views = subjectsOf(hv, null)['vm-interface'];
    // Then
    expect(views.map((v) => [v.subject, v.values.via, v.values.network, v.values.bridge, v.values.uplinks, v.values.device])).toEqual([
      ['vm web m1', 'network prod', 'prod', 'br0', ['bond0'], []],
      ['vm web m2', 'bridge br0', null, 'br0', ['bond0'], []],
      ['vm web m3', 'network gone', 'gone', null, [], []],
      // the device the classifier found wins over the one the NIC names
      ['vm web m4', 'dev eno2', null, null, [], ['eno3']],
      ['vm web m5', 'pci 0000:41:10.1', null, null, [], ['0000:41:10.1']],
      ['vm web nic5', 'slirp', null, null, [], []],
    ]);
    // And the network counts its users by the attachment
    expect(subjectsOf(hv, null).network[0]?.values.inUse).toBe(true);
  });
});
