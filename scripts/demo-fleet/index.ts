/**
 * The embedded demo fleet, in the order fleet.json lists it. Together the hosts show every mode of
 * docs/report.md's modes (see each file's header for what it demonstrates); scripts/make-demo-captures.ts turns them
 * into fixtures/demo/.
 */
import type { DemoHostSpec } from './lib.js';
import { spec as natHost } from './hv-nat-01.js';
import { spec as prodHost } from './hv-prod-02.js';
import { spec as labHost } from './hv-lab-03.js';
import { spec as sriovHost } from './hv-sriov-04.js';
import { spec as edgeHost } from './hv-edge-05.js';
import { spec as devHost } from './hv-dev-06.js';
import { spec as ovsHost } from './hv-ovs-07.js';
import { spec as routeHost } from './hv-route-08.js';
import { spec as bigHost } from './hv-big-09.js';
import { spec as staleHost } from './hv-stale-10.js';
import { spec as vxlanHost } from './hv-vxlan-11.js';
import { spec as dmzHost } from './hv-dmz-12.js';

export const demoFleet: DemoHostSpec[] = [
  natHost,
  prodHost,
  labHost,
  sriovHost,
  edgeHost,
  devHost,
  ovsHost,
  routeHost,
  bigHost,
  staleHost,
  vxlanHost,
  dmzHost,
];
