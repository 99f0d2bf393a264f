/**
 * "How the VMs connect": a host's VM NICs grouped by the path they take out of the guest — the same mode,
 * the same attachment (what it goes through, its network, bridge and uplinks), the same name in virt-manager's
 * terms and the same evidence after the step that names the NIC — so a host with 300 VMs on one bridge reads as
 * one line, with one evidence chain, instead of 300. Pure.
 */
import { MODES, type HostReport, type Mode } from '../model.js';
import { interfaceModeName } from './modeNames.js';
import { viaOf } from './nic.js';
import type { InterfaceAttachment, Through } from './schema.js';

/** One NIC on a path, by VM name and NIC id. */
export interface PathMember {
  vm: string;
  nic: string;
}

/** NICs that reach the outside the same way. */
export interface NicPath {
  mode: Mode;
  /** What the mode goes through, as data. */
  through: Through | null;
  /** The same, as report.json's `via` writes it. */
  via: string | null;
  /** The libvirt network it is on, when any. */
  network: string | null;
  /** The host bridge the path lands on, when the report knows it. */
  bridge: string | null;
  /** That bridge's uplinks. */
  uplinks: string[];
  /** What virt-manager (or Cockpit) calls it: `Virtual network 'default': NAT` (modeNames.ts). */
  name: string;
  /** The evidence chain shared by every member, without the first step (which names one NIC). */
  evidence: string[];
  members: PathMember[];
}

/**
 * Group a host's VM NICs by path. Modes with the most NICs come first (as in the verdict; ties in the mode
 * vocabulary's order), within a mode the largest path first, then the order the report lists the NICs.
 */
export function groupNicsByPath(host: Pick<HostReport, 'vms' | 'networks'>): NicPath[] {
  const networks = new Map<string, HostReport['networks'][number]>();
  for (const network of host.networks) if (!networks.has(network.name)) networks.set(network.name, network);
  const paths = new Map<string, NicPath>();
  for (const vm of host.vms) {
    for (const nic of vm.interfaces) {
      const { attachment } = nic;
      const network = attachment.network === null ? undefined : networks.get(attachment.network);
      const name = interfaceModeName(nic, network);
      const evidence = nic.evidence.slice(1);
      const key = pathKey(nic.mode, attachment, name, evidence);
      let path = paths.get(key);
      if (!path) {
        path = {
          mode: nic.mode,
          through: attachment.through,
          via: viaOf(attachment.through),
          network: attachment.network,
          bridge: attachment.bridge,
          uplinks: [...attachment.uplinks],
          name,
          evidence,
          members: [],
        };
        paths.set(key, path);
      }
      path.members.push({ vm: vm.name, nic: nic.id });
    }
  }
  const perMode = new Map<Mode, number>();
  for (const path of paths.values()) perMode.set(path.mode, (perMode.get(path.mode) ?? 0) + path.members.length);
  const modeSize = (mode: Mode) => perMode.get(mode) ?? 0;
  return [...paths.values()].sort(
    (a, b) =>
      modeSize(b.mode) - modeSize(a.mode) || MODES.indexOf(a.mode) - MODES.indexOf(b.mode) || b.members.length - a.members.length,
  );
}

/** Everything a path line shows, as one string: JSON keeps the parts apart whatever the names hold. */
function pathKey(mode: Mode, attachment: InterfaceAttachment, name: string, evidence: readonly string[]): string {
  const { through, network, bridge, uplinks } = attachment;
  return JSON.stringify([mode, through?.kind ?? null, through?.name ?? null, network, bridge, uplinks, name, evidence]);
}
