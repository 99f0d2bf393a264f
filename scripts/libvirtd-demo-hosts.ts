/**
 * The demo hosts captured from a REAL libvirtd (scripts/capture-libvirtd.ts), as fixtures/demo/fleet.json
 * entries plus what each is built to show. Unlike scripts/demo-fleet/, they have no node file: their
 * libvirtd is the real daemon of test/lab/libvirtd.ts running the standard lab host KVM_LAB, captured once
 * as built (`kvm-lab-01`) and once after every breaker of test/lab/libvirtdBreakers.ts (`kvm-lab-broken`).
 */
import type { Mode } from '../src/model.js';
import { expectedNics, KVM_LAB } from '../test/lab/libvirtdSpec.js';

/** One real-libvirtd demo host. */
export interface LibvirtdDemoHost {
  name: string;
  groups: string[];
  uplinkInterfaces: string[];
  /** Relative to fixtures/demo/, as fleet.json has it. */
  capture: string;
  description: string;
  /** Apply the breakers before capturing. */
  broken: boolean;
  /** The modes of its VM interfaces, by design. */
  shows: Mode[];
  /** Warning kinds it raises by design (each breaker's among them). */
  warns: string[];
}

const modes = [...new Set(expectedNics(KVM_LAB).map((n) => n.mode))].sort();

export const LIBVIRTD_DEMO_HOSTS: LibvirtdDemoHost[] = [
  {
    name: 'kvm-lab-01',
    groups: ['lab'],
    uplinkInterfaces: KVM_LAB.uplinkInterfaces,
    capture: 'captures/kvm-lab-01.json',
    description: 'a real libvirtd 9 (qemu driver): NAT, isolated, routed, open, bridge and macvtap networks, paused and running guests',
    broken: false,
    shows: modes,
    // vm-off uses the inactive network old-lan; vm-macvtap's only NIC is a macvtap.
    warns: ['macvtap-host-isolated', 'network-inactive'],
  },
  {
    name: 'kvm-lab-broken',
    groups: ['lab'],
    uplinkInterfaces: KVM_LAB.uplinkInterfaces,
    capture: 'captures/kvm-lab-broken.json',
    description:
      'the same real libvirtd after a network restart under running guests, a tap detached, set down and deleted, ' +
      'live/persistent drift of a guest and of a network, a NAT forward device down and a macvtap-only guest',
    broken: true,
    shows: modes,
    warns: ['network-inactive', 'tap-detached', 'tap-down', 'tap-missing', 'config-drift', 'no-way-out', 'macvtap-host-isolated'],
  },
];
