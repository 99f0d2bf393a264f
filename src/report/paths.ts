/**
 * "How the VMs connect": a host's VM NICs grouped by the path they take out of the guest — the same mode,
 * the same `via` and the same evidence after the step that names the NIC — so a host with 300 VMs on one
 * bridge reads as one line, with one evidence chain, instead of 300. Pure.
 */
import { MODES, type HostReport, type InterfaceAudit, type Mode } from '../model.js';

/** One NIC on a path, by VM name and MAC (target or position when it has no MAC). */
export interface PathMember {
  vm: string;
  nic: string;
}

/** NICs that reach the outside the same way. */
export interface NicPath {
  mode: Mode;
  via: string | null;
  /** The host bridge the path lands on, when the report knows it (`via` a bridge, or a network's bridge). */
  bridge: string | null;
  /** That bridge's uplinks, as the bridges table lists them. */
  uplinks: string[];
  /** The evidence chain shared by every member, without the first step (which names one NIC). */
  evidence: string[];
  members: PathMember[];
}

/**
 * Group a host's VM NICs by path. Modes with the most NICs come first (as in the verdict; ties in the mode
 * vocabulary's order), within a mode the largest path first, then the order the report lists the NICs.
 */
export function groupNicsByPath(host: Pick<HostReport, 'vms' | 'networks' | 'bridges'>): NicPath[] {
  const paths = new Map<string, NicPath>();
  for (const vm of host.vms) {
    vm.interfaces.forEach((nic, position) => {
      const evidence = nic.evidence.slice(1);
      // NUL cannot occur in XML, so it separates the key's parts unambiguously.
      const key = [nic.mode, nic.via ?? '', ...evidence].join('\u0000');
      let path = paths.get(key);
      if (!path) {
        const bridge = bridgeOf(nic, host);
        const uplinks = bridge === null ? [] : (host.bridges.find((b) => b.name === bridge)?.uplinks ?? []);
        path = { mode: nic.mode, via: nic.via, bridge, uplinks: [...uplinks], evidence, members: [] };
        paths.set(key, path);
      }
      path.members.push({ vm: vm.name, nic: nic.mac ?? nic.target ?? `nic${position}` });
    });
  }
  const perMode = new Map<Mode, number>();
  for (const path of paths.values()) perMode.set(path.mode, (perMode.get(path.mode) ?? 0) + path.members.length);
  const modeSize = (mode: Mode) => perMode.get(mode) ?? 0;
  return [...paths.values()].sort(
    (a, b) =>
      modeSize(b.mode) - modeSize(a.mode) || MODES.indexOf(a.mode) - MODES.indexOf(b.mode) || b.members.length - a.members.length,
  );
}

/** The bridge behind `bridge NAME` or `network NAME`; null for anything else or when unknown. */
function bridgeOf(nic: InterfaceAudit, host: Pick<HostReport, 'networks' | 'bridges'>): string | null {
  if (nic.via === null) return null;
  if (nic.via.startsWith('bridge ')) return nic.via.slice('bridge '.length);
  if (nic.via.startsWith('network ')) {
    const name = nic.via.slice('network '.length);
    return host.networks.find((network) => network.name === name)?.bridge ?? null;
  }
  return null;
}
