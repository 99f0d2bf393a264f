/**
 * report.json (DESIGN §6, schemaVersion 1). Every object is rebuilt key by key, so the file holds
 * exactly the documented keys in the documented order, whatever else a HostReport carries in memory.
 * Keys added since the DESIGN sketch (which allows new keys): `summary.partial`, `summary.unread`, `summary.waived`;
 * per network `forwardDev`, `nat`, `portgroups`, `vlanTags`, `virtualport`, `pool`, `unread`; per VM `persistent`,
 * `unread`; per interface `linkState`, `portgroup`, `vlanTags`, `virtualport`, `device`; per host
 * `defaultRouteDevs`; per finding, when a policy set them, `status`, `evidence`, `justification`, `waiver`.
 */
import type { Finding, FleetReport, HostReport, InterfaceAudit, NetworkAudit, VmAudit } from '../model.js';

/** Serialise the report: documented keys only, 2-space indent, trailing newline. */
export function renderJson(report: FleetReport): string {
  return `${JSON.stringify(toJsonReport(report), null, 2)}\n`;
}

/** The report as the plain object written to report.json. */
export function toJsonReport(report: FleetReport): unknown {
  const { run, summary } = report;
  return {
    schemaVersion: 1,
    tool: { name: report.tool.name, version: report.tool.version },
    run: {
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      inventory: run.inventory,
      concurrency: run.concurrency,
      complete: run.complete,
    },
    summary: {
      hosts: summary.hosts,
      ok: summary.ok,
      // Not in the DESIGN §6 sketch, which allows new keys: a partial host is neither ok nor failed.
      partial: summary.partial,
      failed: summary.failed,
      modes: { ...summary.modes },
      // VMs and networks whose definitions could not be read: an unread VM has no NICs to count in `modes`.
      unread: { vms: summary.unread.vms, networks: summary.unread.networks },
      findings: { ...summary.findings },
      waived: summary.waived,
    },
    hosts: report.hosts.map(hostJson),
  };
}

function hostJson(host: HostReport): unknown {
  return {
    name: host.name,
    address: host.address,
    groups: [...host.groups],
    status: host.status,
    error: host.error ? { kind: host.error.kind, message: host.error.message } : null,
    durationMs: host.durationMs,
    networks: host.networks.map(networkJson),
    bridges: host.bridges.map((bridge) => ({
      name: bridge.name,
      kind: bridge.kind,
      ports: [...bridge.ports],
      uplinks: [...bridge.uplinks],
      addresses: [...bridge.addresses],
    })),
    vms: host.vms.map(vmJson),
    modes: [...host.modes],
    verdict: host.verdict,
    warnings: host.warnings.map((warning) => ({ kind: warning.kind, subject: warning.subject, message: warning.message })),
    defaultRouteDevs: [...host.defaultRouteDevs],
    findings: host.findings.map(findingJson),
  };
}

/** Policy extras (status, evidence, waiver) are written only when the policy set them. */
function findingJson(finding: Finding): unknown {
  const waiver = finding.waiver;
  return {
    rule: finding.rule,
    severity: finding.severity,
    subject: finding.subject,
    message: finding.message,
    ...(finding.status !== undefined ? { status: finding.status } : {}),
    ...(finding.evidence !== undefined ? { evidence: [...finding.evidence] } : {}),
    ...(finding.justification !== undefined ? { justification: finding.justification } : {}),
    ...(waiver !== undefined
      ? {
          waiver: {
            rule: waiver.rule,
            subject: waiver.subject,
            justification: waiver.justification,
            expires: waiver.expires,
            owner: waiver.owner,
            origin: waiver.origin,
            expired: waiver.expired,
          },
        }
      : {}),
  };
}

function networkJson(network: NetworkAudit): unknown {
  return {
    name: network.name,
    uuid: network.uuid,
    active: network.active,
    autostart: network.autostart,
    persistent: network.persistent,
    bridge: network.bridge,
    forward: network.forward,
    mode: network.mode,
    addresses: [...network.addresses],
    dhcp: network.dhcp.map((range) => ({ start: range.start, end: range.end })),
    forwardDev: network.forwardDev,
    nat: network.nat
      ? {
          addresses: network.nat.addresses ? { start: network.nat.addresses.start, end: network.nat.addresses.end } : null,
          ports: network.nat.ports ? { start: network.nat.ports.start, end: network.nat.ports.end } : null,
          ipv6: network.nat.ipv6,
        }
      : null,
    portgroups: network.portgroups.map((group) => ({
      name: group.name,
      default: group.default,
      vlanTags: [...group.vlanTags],
      virtualport: group.virtualport,
    })),
    vlanTags: [...network.vlanTags],
    virtualport: network.virtualport,
    pool: [...network.pool],
    evidence: [...network.evidence],
    unread: network.unread ?? null,
  };
}

/** `unread` is null for a VM that was read, or says why its definition could not be (it has no interfaces then). */
function vmJson(vm: VmAudit): unknown {
  return {
    name: vm.name,
    uuid: vm.uuid,
    state: vm.state,
    persistent: vm.persistent,
    interfaces: vm.interfaces.map(interfaceJson),
    unread: vm.unread ?? null,
  };
}

function interfaceJson(nic: InterfaceAudit): unknown {
  return {
    mac: nic.mac,
    type: nic.type,
    source: nic.source,
    target: nic.target,
    model: nic.model,
    mode: nic.mode,
    via: nic.via,
    linkState: nic.linkState,
    portgroup: nic.portgroup,
    vlanTags: [...nic.vlanTags],
    virtualport: nic.virtualport,
    device: nic.device,
    evidence: [...nic.evidence],
  };
}
