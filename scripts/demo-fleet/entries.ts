/**
 * The whole embedded demo fleet as fixtures/demo/fleet.json lists it: the test-driver hosts of this folder,
 * then the hosts captured from a real libvirtd (scripts/libvirtd-demo-hosts.ts), each with what it is built to show.
 */
import type { Mode } from '../../src/model.js';
import { LIBVIRTD_DEMO_HOSTS } from '../libvirtd-demo-hosts.js';
import { demoFleet } from './index.js';

/** One fleet.json entry, with the modes and warning kinds the host is built to show. */
export interface DemoFleetHost {
  name: string;
  groups: string[];
  uplinkInterfaces: string[];
  capture: string;
  shows: Mode[];
  warns: string[];
}

export function demoFleetHosts(): DemoFleetHost[] {
  return [
    ...demoFleet.map((s) => ({ name: s.name, groups: s.groups, uplinkInterfaces: s.uplinkInterfaces, capture: `captures/${s.name}.json`, shows: s.shows, warns: s.warns ?? [] })),
    ...LIBVIRTD_DEMO_HOSTS.map((h) => ({ name: h.name, groups: h.groups, uplinkInterfaces: h.uplinkInterfaces, capture: h.capture, shows: h.shows, warns: h.warns })),
  ];
}

/** fleet.json's content. */
export function demoFleetEntries(): Pick<DemoFleetHost, 'name' | 'groups' | 'uplinkInterfaces' | 'capture'>[] {
  return demoFleetHosts().map(({ name, groups, uplinkInterfaces, capture }) => ({ name, groups, uplinkInterfaces, capture }));
}
