/**
 * The checks that look past each object's own definition, once every network and NIC is classified: live state
 * against configuration (liveAttachment.ts), running against persistent definitions (drift.ts), and what a mode
 * cannot do on this host (reachability.ts). Gathers what each needs from the facts and the classification.
 */
import type { DomainFacts, HostFacts, InterfaceFacts, NetworkAudit, Warning } from '../model.js';
import type { Attachment } from './attachment.js';
import { domainDriftWarnings, networkDriftWarnings } from './drift.js';
import { interfaceSubject, nonEmpty } from './evidence.js';
import { liveAttachmentWarnings, type LiveNic } from './liveAttachment.js';
import { macvtapIsolationWarnings, wayOutWarnings, type MacvtapNic } from './reachability.js';
import type { Topology } from './topology.js';

/** One VM's NICs as classified, beside its facts. */
export interface ClassifiedVm {
  domain: DomainFacts;
  nics: readonly { mode: NetworkAudit['mode']; attachment: Attachment }[];
}

/** Section subjects whose failure leaves the host's default routes unknown. */
const ROUTE_SECTIONS = new Set(['section ip-route', 'section ip-route-oneline']);

/** Every warning of these checks for one host, networks first, then VMs in the report's order. */
export function hostCheckWarnings(facts: HostFacts, vms: readonly ClassifiedVm[], networks: readonly NetworkAudit[], topology: Topology): Warning[] {
  const auditsByName = new Map<string, NetworkAudit>();
  for (const network of networks) if (!auditsByName.has(network.name)) auditsByName.set(network.name, network);

  const routesUnknown = facts.warnings.some((w) => ROUTE_SECTIONS.has(w.subject) || w.kind === 'output-truncated');
  const wayOut = { topology, defaultRouteDevs: routesUnknown ? null : facts.defaultRouteDevs };
  const warnings: Warning[] = [];
  for (const network of networks) warnings.push(...wayOutWarnings(network, wayOut));
  for (const network of facts.networks) warnings.push(...networkDriftWarnings(network));

  const liveNics: LiveNic[] = [];
  for (const vm of vms) {
    const macvtapNics: MacvtapNic[] = [];
    vm.domain.interfaces.forEach((nic, position) => {
      const classified = vm.nics[position]!;
      const network = nonEmpty(nic.source.network) === null ? undefined : auditsByName.get(nic.source.network!);
      const devices = macvtapDevices(nic, network);
      liveNics.push({
        vm: vm.domain,
        nic,
        subject: interfaceSubject(vm.domain.name, nic, position),
        mode: classified.mode,
        network: classified.attachment.network,
        bridge: classified.attachment.bridge,
        devices,
      });
      macvtapNics.push({ mode: classified.mode, macvtapMode: macvtapMode(nic, network), device: devices.length === 1 ? devices[0]! : null });
    });
    warnings.push(...domainDriftWarnings(vm.domain, (nic, position) => interfaceSubject(vm.domain.name, nic, position)));
    warnings.push(...macvtapIsolationWarnings(vm.domain.name, macvtapNics));
  }
  warnings.push(...liveAttachmentWarnings(liveNics, { topology, linksKnown: facts.links.length > 0 }));
  return warnings;
}

/** The devices a macvtap NIC may sit on: its own `<source dev>`, or the pool of the network it is on. */
function macvtapDevices(nic: InterfaceFacts, network: NetworkAudit | undefined): string[] {
  const dev = nonEmpty(nic.source.dev);
  if (nic.type === 'direct') return dev === null ? [] : [dev];
  return network?.mode === 'macvtap' ? [...network.pool] : [];
}

/** The macvtap mode of a NIC: a direct NIC's `<source mode>` (libvirt's default is vepa), or its network's forward mode. */
function macvtapMode(nic: InterfaceFacts, network: NetworkAudit | undefined): string | null {
  if (nic.type === 'direct') return nonEmpty(nic.source.mode) ?? 'vepa';
  if (network?.mode === 'macvtap') return network.forward;
  return null;
}
