/**
 * Configuration drift inside a host: what a running guest or network runs with, against the persistent
 * definition it gets at its next boot or start (`dumpxml --inactive`, `net-dumpxml --inactive`). An operator
 * who edited the definition (`virsh edit`, `attach-interface --config`) or hot-plugged a NIC (`--live`) sees
 * here what changes when the guest reboots: told as `config-drift` warnings.
 */
import type { DomainFacts, InterfaceFacts, NetworkDefinition, NetworkFacts, Warning } from '../model.js';
import { joinWithAnd, nonEmpty } from './evidence.js';

/**
 * Where a NIC connects, as the domain XML says it: the parts whose change moves the guest elsewhere. A NIC on a
 * libvirt network is named by the network alone: a running guest's live XML gives it the type it actually got
 * (`bridge` or `direct` for a network that hands out a bridge or a macvtap device), its definition says `network`.
 */
function whereTo(nic: InterfaceFacts): string {
  const { source } = nic;
  const portgroup = nonEmpty(source.portgroup) ? ` portgroup ${source.portgroup}` : '';
  if (nonEmpty(source.network) !== null) return `network ${source.network}${portgroup}`;
  const named = nonEmpty(source.bridge)
    ? `bridge ${source.bridge}`
    : nonEmpty(source.dev)
      ? `dev ${source.dev}${nonEmpty(source.mode) ? ` (${source.mode})` : ''}`
      : nonEmpty(source.path, source.pciAddress, source.address);
  return `type ${nic.type}${named === null ? '' : `, ${named}`}${portgroup}`;
}

/**
 * Drift warnings of one live persistent VM: a NIC whose connection differs, one that is only live (hot-plugged,
 * gone at next boot), one only in the definition (added, there at next boot). NICs are matched by MAC, which
 * libvirt keeps across both; `subjectOf` names a NIC as the rest of the report does.
 */
export function domainDriftWarnings(vm: DomainFacts, subjectOf: (nic: InterfaceFacts, position: number) => string): Warning[] {
  // `?? null`: facts assembled by hand (tests, the conformance corpus) may lack the key, and mean not read.
  const persistent = vm.persistentInterfaces ?? null;
  if (persistent === null) return [];
  const nextBoot = new Map<string, InterfaceFacts>();
  for (const nic of persistent) if (nic.mac !== null) nextBoot.set(nic.mac.toLowerCase(), nic);
  const warnings: Warning[] = [];
  const live = new Set<string>();
  vm.interfaces.forEach((nic, position) => {
    if (nic.mac === null) return;
    const mac = nic.mac.toLowerCase();
    live.add(mac);
    const next = nextBoot.get(mac);
    const subject = subjectOf(nic, position);
    if (next === undefined) {
      warnings.push({ kind: 'config-drift', subject, message: `changes at next boot: this NIC is not in the persistent definition (hot-plugged?), so it is gone when ${vm.name} restarts` });
    } else if (whereTo(next) !== whereTo(nic)) {
      warnings.push({ kind: 'config-drift', subject, message: `changes at next boot: ${whereTo(nic)} now, ${whereTo(next)} in the persistent definition` });
    }
  });
  for (const next of persistent) {
    if (next.mac === null || live.has(next.mac.toLowerCase())) continue;
    warnings.push({
      kind: 'config-drift',
      subject: `vm ${vm.name} ${next.mac}`,
      message: `changes at next boot: the persistent definition adds this NIC (${whereTo(next)}), which ${vm.name} does not have now`,
    });
  }
  return warnings;
}

/** The parts of a network definition that decide where its guests' traffic goes, each as a short text. */
function definitionParts(definition: NetworkDefinition): Map<string, string> {
  const forward = definition.forward;
  const pool = forward ? [...forward.pfs, ...forward.interfaces, ...forward.pciAddresses] : [];
  const parts = new Map<string, string>([
    ['forward', forward === null ? 'none (isolated)' : (forward.mode ?? 'nat')],
    ['forward dev', forward?.dev ?? 'any'],
    ['bridge', definition.bridge ?? 'none'],
    ['device pool', pool.length === 0 ? 'empty' : pool.join(', ')],
    ['addresses', definition.addresses.map((a) => (a.prefix === null ? a.address : `${a.address}/${a.prefix}`)).join(', ') || 'none'],
    ['VLAN tags', definition.vlanTags.join(', ') || 'none'],
    ['virtualport', definition.virtualportType ?? 'none'],
    ['portgroups', definition.portgroups.map((p) => p.name).join(', ') || 'none'],
  ]);
  return parts;
}

/** A drift warning for an active network whose persistent definition differs from the one it runs with. */
export function networkDriftWarnings(network: NetworkFacts): Warning[] {
  const persistent = network.persistentDefinition ?? null;
  if (persistent === null || typeof network.unread === 'string') return [];
  const running = definitionParts(network);
  const next = definitionParts(persistent);
  const changes: string[] = [];
  for (const [part, now] of running) {
    const later = next.get(part)!;
    if (later !== now) changes.push(`${part} ${now} → ${later}`);
  }
  if (changes.length === 0) return [];
  return [
    {
      kind: 'config-drift',
      subject: `network ${network.name}`,
      message: `changes at its next start: the persistent definition differs from the running one (${joinWithAnd(changes)})`,
    },
  ];
}
