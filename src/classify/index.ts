/**
 * The classifier (docs/report.md, Modes): pure, from a host's parsed facts to a mode, an evidence chain and
 * warnings for every libvirt network and every VM interface, plus the host's one-sentence verdict.
 */
import type { HostAudit, HostFacts, Mode, NetworkAudit, VmAudit, Warning } from '../model.js';
import { auditBridges } from './bridges.js';
import { nonEmpty } from './evidence.js';
import { hostCheckWarnings, type ClassifiedVm } from './hostChecks.js';
import { CUT_OFF_WARNING_KINDS } from '../report/schema.js';
import { classifyInterface, type ClassifiedInterface } from './interfaces.js';
import { uplinkDownWarnings, type DirectAttachment, type NetworkDevice } from './linkHealth.js';
import { classifyNetwork, type ClassifiedNetwork } from './networks.js';
import { buildTopology } from './topology.js';
import { createUplinkResolver } from './uplinks.js';
import { buildVerdict } from './verdict.js';

/** How one host is classified. */
export interface ClassifyOptions {
  /** The inventory's globs (`*`, `?`) of interfaces to count as bridge uplinks. @default [] */
  uplinkInterfaces: string[];
}

/**
 * Classify everything on one host.
 * @example
 * classifyHost(facts, { uplinkInterfaces: ['eno*'] }).verdict
 * // '12 VM NICs use NAT through virbr0 (network default); 3 are bridged to the LAN through br0 (uplink bond0).'
 */
export function classifyHost(facts: HostFacts, options: ClassifyOptions): HostAudit {
  const topology = buildTopology(facts);
  const uplinks = createUplinkResolver(topology, options.uplinkInterfaces);

  const networks = new Map<string, ClassifiedNetwork>();
  const classifiedNetworks = facts.networks.map((network) => {
    const classified = classifyNetwork(network, topology, uplinks);
    if (!networks.has(network.name)) networks.set(network.name, classified);
    return classified;
  });

  const nics: ClassifiedInterface[] = [];
  const classifiedVms: ClassifiedVm[] = [];
  const directAttachments: DirectAttachment[] = [];
  const vms: VmAudit[] = facts.domains.map((domain) => {
    const classified = domain.interfaces.map((nic, position) => {
      const result = classifyInterface(domain, nic, position, { topology, uplinks, networks });
      const dev = nonEmpty(nic.source.dev);
      if (nic.type === 'direct' && result.mode === 'macvtap' && dev !== null) {
        directAttachments.push({ dev, nic: `${domain.name} ${result.audit.id}` });
      }
      return result;
    });
    // One push per NIC: spreading a hostile VM's 100,000 interfaces into push() overflows the call stack.
    for (const nic of classified) nics.push(nic);
    classifiedVms.push({ domain, nics: classified });
    return {
      name: domain.name,
      uuid: domain.uuid,
      state: domain.state,
      persistent: domain.persistent,
      interfaces: classified.map((c) => c.audit),
      // typeof: facts assembled by hand (tests, the conformance corpus) may lack the key, and mean read.
      unread: typeof domain.unread === 'string' ? domain.unread : null,
    };
  });
  const unread = {
    vms: vms.filter((vm) => vm.unread !== null).length,
    networks: classifiedNetworks.filter((network) => network.audit.unread !== null).length,
  };
  const modes = new Set<Mode>(nics.map((nic) => nic.mode));
  // A VM whose XML could not be read has NICs nobody could see: their mode is unknown, not absent.
  if (unread.vms > 0) modes.add('unknown');

  const linkWarnings = uplinkDownWarnings({
    topology,
    uplinks,
    networkDevices: classifiedNetworks.flatMap((network) => devicesOfNetwork(network.audit)),
    directAttachments,
  });
  const bridges = auditBridges(topology, uplinks);
  const networkAudits = classifiedNetworks.map((network) => network.audit);
  const checks = hostCheckWarnings(facts, classifiedVms, networkAudits, topology);
  return {
    networks: networkAudits,
    bridges,
    vms,
    modes: [...modes].sort(),
    verdict: buildVerdict(nics, classifiedNetworks, facts.libvirtError, unread, cutOffNics(checks)),
    warnings: [
      ...facts.warnings,
      ...classifiedNetworks.flatMap((n) => n.warnings),
      ...nics.flatMap((n) => n.warnings),
      ...linkWarnings,
      ...checks,
      // Last: every bridge has been asked about by now.
      ...uplinks.cutShort().map(uplinkSearchCut),
    ],
    defaultRouteDevs: [...facts.defaultRouteDevs],
  };
}

/** A bridge whose links form chains or meshes too big to follow to the end (a VLAN or patch-cable tangle). */
function uplinkSearchCut(bridge: string): Warning {
  return {
    kind: 'uplink-search-cut',
    subject: `bridge ${bridge}`,
    message: 'its ports chain through more VLANs, bonds and patched bridges than are followed; the uplinks found are reported, others may be missing',
  };
}

/**
 * The host devices a network's guests depend on: its pool (macvtap, hostdev). The device a NAT or routed network
 * leaves by is checked with the host's routes instead (reachability.ts, `no-way-out`).
 */
function devicesOfNetwork(network: NetworkAudit): NetworkDevice[] {
  if (network.mode === 'macvtap' || network.mode === 'hostdev') {
    return network.pool.map((dev) => ({ dev, role: `device in the pool of network ${network.name}` }));
  }
  return [];
}

/** The subjects of NICs whose guests the live checks found cut off, for the verdict. */
function cutOffNics(warnings: readonly Warning[]): string[] {
  return warnings.filter((w) => CUT_OFF.has(w.kind)).map((w) => w.subject.replace(/^vm /, ''));
}

const CUT_OFF = new Set<string>(CUT_OFF_WARNING_KINDS);

export { effectiveForward } from './networks.js';
export { isPhysicalNic } from './uplinks.js';
export { linkDownReason } from './linkHealth.js';
