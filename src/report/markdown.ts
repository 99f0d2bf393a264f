/**
 * report.md (docs/report.md): readable on GitHub. A title and run line, a fleet summary, one row per host,
 * then one section per host: facts and verdict, how the VMs connect (NICs grouped by path, with the
 * evidence for each path), the networks, bridges and VM interfaces tables, network evidence, warnings and
 * findings. Long lists are collapsed so that a 300-VM host stays readable; the NIC table stays complete. Pure. Every string that came from a host (or the operator) goes through
 * `escapeMarkdownInline`; only the renderer's own words and numbers are written raw.
 */
import type { FleetReport, FleetReportView, HostReport, HostStatus, Mode, NetworkAudit, Severity, VmAudit, Warning } from '../model.js';
import { headlinesOf, type HostHeadline } from './headline.js';
import { SEVERITIES_WORST_FIRST } from './schema.js';
import { chain, collapse, esc, listOrNone, NONE, orNone, plural, table } from './markdown-blocks.js';
import type { PolicyEvaluation } from '../policy/index.js';
import type { ReportDiff } from './diff.js';
import { renderDiffMarkdown } from './diffRender.js';
import { renderComplianceMarkdown } from './compliance.js';
import { renderFleetMermaid, renderHostMermaid } from './mermaid.js';
import { networkModeName } from './modeNames.js';
import { groupNicsByPath, type NicPath } from './paths.js';

/** Cells longer than this in the fleet table are cut; the host's section has the full text. */
const MAX_TABLE_ERROR_LENGTH = 160;
/** A 300-VM host must stay readable: lists in prose and table cells name this many, then count the rest. */
const MAX_NAMED_NICS = 8;
const MAX_PATHS = 20;
const MAX_BRIDGE_PORTS = 12;
const MAX_WARNINGS_PER_KIND = 20;

/** What report.md shows besides the report itself. */
export interface MarkdownOptions {
  /** The policy's outcome: a compliance section (rules × hosts, failures with evidence, waivers). */
  compliance?: { evaluation: PolicyEvaluation; sources: readonly string[] } | null;
  /** Changes since a previous report (`--baseline`): a drift section. */
  drift?: ReportDiff | null;
  /** Mermaid pictures: the fleet by mode mix, and each host's topology. @default true */
  diagrams?: boolean;
}

/** Render the whole report as GitHub-flavoured Markdown, ending with a newline. */
export function renderMarkdown(report: FleetReportView, options: MarkdownOptions = {}): string {
  return [...markdownChunks(report, options)].join('');
}

/**
 * report.md in pieces: the fleet-wide blocks, then one host's section at a time, so a 5,000-host report is never
 * one string and its hosts are read one by one (from the spill file). Blocks are separated by a blank line.
 */
export function* markdownChunks(report: FleetReportView, options: MarkdownOptions = {}): Generator<string> {
  const diagrams = options.diagrams ?? true;
  const hostCount = report.hosts.length;
  const head = [
    '# kvm-netaudit report',
    ...runBlocks(report),
    '## Summary',
    ...summaryBlocks(report),
    ...(diagrams && hostCount > 0 ? ['Hosts by mode mix:', mermaidBlock(renderFleetMermaid(report))] : []),
    ...(options.compliance ? renderComplianceMarkdown(options.compliance.evaluation, hostNames(report), options.compliance.sources) : []),
    ...(options.drift ? [renderDiffMarkdown(options.drift, { headingLevel: 2 }).trimEnd()] : []),
    '## Hosts',
    hostCount > 0 ? hostsTable(headlinesOf(report.hosts)) : '_No hosts were audited._',
  ];
  yield head.join('\n\n');
  for (const host of report.hosts) {
    for (const block of hostSection(host, diagrams)) yield `\n\n${block}`;
  }
  yield '\n';
}

function hostNames(report: FleetReportView): string[] {
  return Array.from(headlinesOf(report.hosts), (host) => host.name);
}

function mermaidBlock(diagram: string): string {
  return `\`\`\`mermaid\n${diagram.trimEnd()}\n\`\`\``;
}

function runBlocks(report: Pick<FleetReport, 'run' | 'tool'>): string[] {
  const { run, tool } = report;
  const line = [
    `Run ${esc(run.startedAt)} → ${esc(run.finishedAt)} (${formatDuration(Date.parse(run.finishedAt) - Date.parse(run.startedAt))})`,
    `inventory ${esc(run.inventory)}`,
    `concurrency ${run.concurrency}`,
    `${esc(tool.name)} ${esc(tool.version)}`,
  ].join(' · ');
  if (run.complete) return [line];
  // A GitHub alert: loud on GitHub, still a plain quote elsewhere.
  const warning = [
    '> [!WARNING]',
    '> **INCOMPLETE RUN: the audit stopped before every selected host was audited.** Hosts not audited',
    '> are missing or marked failed below; do not read this report as covering the whole fleet.',
  ].join('\n');
  return [line, warning];
}

function summaryBlocks(report: Pick<FleetReport, 'summary'>): string[] {
  const { summary } = report;
  const blocks = [
    table(
      ['Hosts', 'OK', 'Partial', 'Failed'],
      [[String(summary.hosts), String(summary.ok), String(summary.partial), String(summary.failed)]],
      ['right', 'right', 'right', 'right'],
    ),
  ];
  if (summary.failed > 0) {
    blocks.push(`**${summary.failed} ${summary.failed === 1 ? 'host' : 'hosts'} could not be audited.**`);
  }
  const unread = unreadCounts(summary.unread);
  if (unread !== null) {
    // Their NICs are in no count below: said loudly, so the mode table is not read as the whole fleet.
    blocks.push(`**${unread} could not be read:** their networking is unknown and is not counted below (see each host's section).`);
  }
  const modes = Object.entries(summary.modes) as [Mode, number][];
  blocks.push(
    modes.length > 0
      ? `NIC modes across the fleet (VM interfaces per mode):\n\n${table(['Mode', 'VM NICs'], modes.map(([mode, count]) => [esc(mode), String(count)]), ['left', 'right'])}`
      : 'No VM interfaces were found.',
  );
  const findings = SEVERITIES_WORST_FIRST.filter((severity) => summary.findings[severity]).map((severity): [Severity, number] => [
    severity,
    summary.findings[severity] ?? 0,
  ]);
  if (findings.length > 0) {
    blocks.push(`Findings:\n\n${table(['Severity', 'Findings'], findings.map(([severity, count]) => [severity, String(count)]), ['left', 'right'])}`);
  }
  return blocks;
}

function hostsTable(hosts: Iterable<HostHeadline>): string {
  return table(
    ['Host', 'Status', 'Error', 'VM NICs', 'Modes', 'Verdict'],
    Array.from(hosts, (host) => [
      esc(host.name),
      statusLabel(host.status),
      host.error ? esc(truncate(`${host.error.kind}: ${host.error.message}`, MAX_TABLE_ERROR_LENGTH)) : NONE,
      String(host.nics),
      listOrNone(host.modes),
      host.verdict ? esc(host.verdict) : NONE,
    ]),
    ['left', 'left', 'left', 'right', 'left', 'left'],
  );
}

function hostSection(host: HostReport, diagrams: boolean): string[] {
  const facts = [
    `- **Status:** ${statusLabel(host.status)}`,
    `- **Address:** ${esc(host.address)}`,
    `- **Groups:** ${listOrNone(host.groups)}`,
    `- **Duration:** ${formatDuration(host.durationMs)}`,
    `- **Verdict:** ${host.verdict ? esc(host.verdict, { newlines: 'br' }) : NONE}`,
  ];
  if (host.error) facts.push(`- **Error:** ${esc(host.error.kind)}: ${esc(host.error.message, { newlines: 'br' })}`);

  const blocks = [`## Host ${esc(host.name)}`, facts.join('\n')];
  if (host.status !== 'failed' || host.networks.length + host.bridges.length + host.vms.length > 0) {
    if (host.vms.length > 0) blocks.push('### How the VMs connect', connectionList(host));
    if (diagrams && host.vms.length + host.networks.length > 0) blocks.push('### Topology', mermaidBlock(renderHostMermaid(host)));
    blocks.push('### Networks', networksTable(host), '### Bridges', bridgesTable(host), '### VM interfaces', interfacesTable(host));
    const evidence = evidenceList(host);
    if (evidence) blocks.push('### Evidence', evidence);
  }
  if (host.warnings.length > 0) blocks.push('### Warnings', warningList(host.warnings));
  blocks.push('### Findings', findingsTable(host));
  return blocks;
}

/**
 * One line per path out of the guests, largest first, with the NICs on it (collapsed past a few) and the
 * evidence chain they share: the operator's question answered before the detail tables.
 */
function connectionList(host: HostReport): string {
  const paths = groupNicsByPath(host);
  const lines = paths.slice(0, MAX_PATHS).flatMap((path) => [`- ${describePath(path)}`, `  - evidence: ${chain(path.evidence)}`]);
  const rest = paths.slice(MAX_PATHS);
  if (rest.length > 0) {
    const nics = rest.reduce((sum, path) => sum + path.members.length, 0);
    lines.push(`- … and ${rest.length} more ${plural(rest.length, 'path')} with ${nics} ${plural(nics, 'NIC')}: see VM interfaces below`);
  }
  const unread = host.vms.filter(isUnread);
  if (unread.length > 0) {
    const named = unread.map((vm) => `${esc(vm.name)} (${vmState(vm)}; not read: ${esc(vm.unread)})`);
    lines.push(`- **${unread.length} ${plural(unread.length, 'VM', 'VMs')} could not be read** (networking unknown): ${collapse(named, MAX_NAMED_NICS)}`);
  }
  const bare = host.vms.filter((vm) => vm.interfaces.length === 0 && !isUnread(vm));
  if (bare.length > 0) {
    lines.push(`- ${bare.length} ${plural(bare.length, 'VM has', 'VMs have')} no network interface: ${collapse(bare.map((vm) => esc(vm.name)), MAX_NAMED_NICS)}`);
  }
  return lines.join('\n');
}

/**
 * `**bridged** (Virtual network 'prod-br': Bridge network) via network prod-br (bridge br0; uplink bond0) — 3 NICs:
 * web01 (52:54:…), …`.
 */
function describePath(path: NicPath): string {
  const context: string[] = [];
  // A path through the bridge itself names it already.
  const throughBridge = path.through?.kind === 'bridge' && path.through.name === path.bridge;
  if (path.bridge !== null && !throughBridge) context.push(`bridge ${esc(path.bridge)}`);
  if (path.uplinks.length > 0) context.push(`${plural(path.uplinks.length, 'uplink')} ${listOrNone(path.uplinks)}`);
  const via = path.via === null ? '' : ` via ${esc(path.via)}`;
  const where = context.length > 0 ? ` (${context.join('; ')})` : '';
  const count = path.members.length;
  const members = collapse(path.members.map((m) => `${esc(m.vm)} (${esc(m.nic)})`), MAX_NAMED_NICS);
  return `**${esc(path.mode)}** (${esc(path.name)})${via}${where} — ${count} ${plural(count, 'NIC')}: ${members}`;
}

/** Warnings grouped by kind, each kind collapsed past a screenful: report.json keeps them all. */
function warningList(warnings: readonly Warning[]): string {
  const byKind = new Map<string, Warning[]>();
  for (const warning of warnings) {
    const list = byKind.get(warning.kind);
    if (list) list.push(warning);
    else byKind.set(warning.kind, [warning]);
  }
  return [...byKind]
    .flatMap(([kind, list]) => {
      const shown = list
        .slice(0, MAX_WARNINGS_PER_KIND)
        .map((warning) => `- **${esc(warning.kind)}** ${esc(warning.subject)}: ${esc(warning.message, { newlines: 'br' })}`);
      const rest = list.length - MAX_WARNINGS_PER_KIND;
      return rest > 0 ? [...shown, `- … and ${rest} more **${esc(kind)}** ${plural(rest, 'warning')} (all are in report.json)`] : shown;
    })
    .join('\n');
}

function networksTable(host: HostReport): string {
  if (host.networks.length === 0) return '_No libvirt networks._';
  const unread = host.networks.filter(isUnread);
  const networks = table(
    ['Name', 'Mode', 'Known as', 'Forward', 'Bridge', 'Addresses', 'DHCP', 'NAT', 'Portgroups', 'VLAN', 'Pool', 'Active', 'Autostart', 'Persistent'],
    host.networks.map((network) => [
      esc(network.name),
      esc(network.mode),
      orNone(networkModeName(network)),
      forwardCell(network),
      orNone(network.bridge),
      listOrNone(network.addresses),
      listOrNone(network.dhcp.map((range) => `${range.start}–${range.end}`)),
      natCell(network),
      portgroupsCell(network),
      tagsOrNone(network.vlanTags),
      listOrNone(network.pool),
      yesNo(network.active),
      yesNo(network.autostart),
      yesNo(network.persistent),
    ]),
  );
  if (unread.length === 0) return networks;
  // The table is complete; the note makes sure an `unknown` row is not skimmed over as a classification.
  return `${networks}\n\n**${unread.length} ${plural(unread.length, 'network')} could not be read** (mode unknown): the Forward column says why.`;
}

/** `nat, dev eth1`, `bridge, virtualport openvswitch`; `unknown (not read: …)` for an unread network. */
function forwardCell(network: NetworkAudit): string {
  if (isUnread(network)) return `${esc(network.forward)} (**not read:** ${esc(network.unread)})`;
  const parts = [esc(network.forward)];
  if (network.forwardDev !== null) parts.push(`dev ${esc(network.forwardDev)}`);
  if (network.virtualport !== null) parts.push(`virtualport ${esc(network.virtualport)}`);
  return parts.join(', ');
}

/** `addresses 203.0.113.10–203.0.113.20, ports 1024–65535, IPv6 too`; `defaults` for a bare `<forward mode='nat'/>`. */
function natCell(network: NetworkAudit): string {
  const { nat } = network;
  if (nat === null) return NONE;
  const parts: string[] = [];
  if (nat.addresses) {
    const { start, end } = nat.addresses;
    parts.push(start === end ? `address ${esc(start)}` : `addresses ${esc(start)}–${esc(end)}`);
  }
  if (nat.ports) parts.push(`ports ${nat.ports.start}–${nat.ports.end}`);
  parts.push(nat.ipv6 ? 'IPv6 too' : 'IPv4 only');
  return parts.join(', ');
}

/** `web (default, VLAN 42), db (VLAN 43, 802.1Qbg)`. */
function portgroupsCell(network: NetworkAudit): string {
  if (network.portgroups.length === 0) return NONE;
  return network.portgroups
    .map((group) => {
      const details = [
        ...(group.default ? ['default'] : []),
        ...(group.vlanTags.length > 0 ? [`VLAN ${group.vlanTags.join(', ')}`] : []),
        ...(group.virtualport !== null ? [esc(group.virtualport)] : []),
      ];
      const name = group.name === '' ? '(unnamed)' : esc(group.name);
      return details.length > 0 ? `${name} (${details.join(', ')})` : name;
    })
    .join(', ');
}

function bridgesTable(host: HostReport): string {
  if (host.bridges.length === 0) return '_No bridges._';
  return table(
    ['Name', 'Kind', 'Ports', 'Uplinks', 'Addresses'],
    host.bridges.map((bridge) => [
      esc(bridge.name),
      esc(bridge.kind),
      bridge.ports.length > 0 ? collapse(bridge.ports.map((port) => esc(port)), MAX_BRIDGE_PORTS) : NONE,
      listOrNone(bridge.uplinks),
      listOrNone(bridge.addresses),
    ]),
  );
}

const INTERFACE_COLUMNS = ['VM', 'State', 'MAC', 'Type', 'Source', 'Model', 'Target', 'Link', 'Portgroup', 'VLAN', 'Virtualport', 'Mode', 'Via'];

/** Every NIC, one row each: the complete record (the summary above collapses, this does not). */
function interfacesTable(host: HostReport): string {
  if (host.vms.length === 0) return '_No VMs._';
  return table(INTERFACE_COLUMNS, host.vms.flatMap(interfaceRows));
}

/** A VM's rows: one per NIC; one saying `no interfaces`; or, for an unread VM, one saying why it was not read. */
function interfaceRows(vm: VmAudit): string[][] {
  const emptyCells = INTERFACE_COLUMNS.slice(2, -2).map(() => NONE);
  // Its NICs could not be seen: never shown as `no interfaces`.
  if (isUnread(vm)) return [[esc(vm.name), vmState(vm), ...emptyCells, '**unknown**', `**not read:** ${esc(vm.unread)}`]];
  if (vm.interfaces.length === 0) return [[esc(vm.name), vmState(vm), ...emptyCells, '_no interfaces_', NONE]];
  return vm.interfaces.map((nic) => [
    esc(vm.name),
    vmState(vm),
    orNone(nic.mac),
    esc(nic.type),
    orNone(nic.source),
    orNone(nic.model),
    orNone(nic.target),
    // A link set down is worth seeing at a glance among hundreds of `up`s.
    nic.linkState === 'up' ? 'up' : `**${esc(nic.linkState)}**`,
    orNone(nic.portgroup),
    tagsOrNone(nic.vlanTags),
    orNone(nic.virtualport),
    esc(nic.mode),
    orNone(nic.via),
  ]);
}

/** `running`, `running, transient`. */
function vmState(vm: VmAudit): string {
  return vm.persistent === false ? `${esc(vm.state)}, transient` : esc(vm.state);
}

/** One chain per network; the NICs' chains are told once per path in "How the VMs connect". */
function evidenceList(host: HostReport): string | null {
  const items = host.networks
    .filter((network) => network.evidence.length > 0)
    .map((network) => `- network **${esc(network.name)}** (${esc(network.mode)}): ${chain(network.evidence)}`);
  return items.length > 0 ? items.join('\n') : null;
}

function findingsTable(host: HostReport): string {
  if (host.findings.length === 0) return '_None._';
  return table(
    ['Severity', 'Rule', 'Subject', 'Message', 'Status'],
    host.findings.map((finding) => [
      esc(finding.severity),
      esc(finding.rule),
      esc(finding.subject),
      esc(finding.message, { newlines: 'br' }),
      finding.status === 'waived' ? `waived: ${esc(finding.justification ?? '')}` : 'fail',
    ]),
  );
}

// ───────────────────────────── helpers ─────────────────────────────

/** A VM or network whose definition could not be read (a report assembled by hand may lack the key: read). */
function isUnread<T extends { unread?: string | null }>(object: T): object is T & { unread: string } {
  return typeof object.unread === 'string';
}

/** `2 VMs and 1 network`, or null when everything was read. */
function unreadCounts(unread: FleetReport['summary']['unread'] | undefined): string | null {
  const parts = [
    ...(unread && unread.vms > 0 ? [`${unread.vms} ${plural(unread.vms, 'VM')}`] : []),
    ...(unread && unread.networks > 0 ? [`${unread.networks} ${plural(unread.networks, 'network')}`] : []),
  ];
  return parts.length === 0 ? null : parts.join(' and ');
}








function tagsOrNone(tags: readonly number[]): string {
  return tags.length > 0 ? tags.join(', ') : NONE;
}


function yesNo(value: boolean | null): string {
  return value === null ? NONE : value ? 'yes' : 'no';
}

function statusLabel(status: HostStatus): string {
  return { ok: '✅ ok', partial: '⚠️ partial', failed: '❌ failed' }[status];
}

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

/** `850 ms`, `1.2 s`, `2 min 5 s`. */
function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return NONE;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
