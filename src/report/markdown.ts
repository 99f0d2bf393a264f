/**
 * report.md (DESIGN §6): readable on GitHub. A title and run line, a fleet summary, one row per host,
 * then one section per host. Pure. Every string that came from a host (or the operator) goes through
 * `escapeMarkdownInline`; only the renderer's own words and numbers are written raw.
 */
import type { FleetReport, HostReport, HostStatus, Mode, Severity } from '../model.js';
import { SEVERITIES } from './build.js';
import { escapeMarkdownInline, type EscapeOptions } from './markdown-escape.js';

/** Cells longer than this in the fleet table are cut; the host's section has the full text. */
const MAX_TABLE_ERROR_LENGTH = 160;
const NONE = '—';

/** Render the whole report as GitHub-flavoured Markdown, ending with a newline. */
export function renderMarkdown(report: FleetReport): string {
  const blocks = [
    '# kvm-netaudit report',
    ...runBlocks(report),
    '## Summary',
    ...summaryBlocks(report),
    '## Hosts',
    report.hosts.length > 0 ? hostsTable(report.hosts) : '_No hosts were audited._',
    ...report.hosts.flatMap(hostSection),
  ];
  return `${blocks.join('\n\n')}\n`;
}

function runBlocks(report: FleetReport): string[] {
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

function summaryBlocks(report: FleetReport): string[] {
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
  const modes = Object.entries(summary.modes) as [Mode, number][];
  blocks.push(
    modes.length > 0
      ? `NIC modes across the fleet (VM interfaces per mode):\n\n${table(['Mode', 'VM NICs'], modes.map(([mode, count]) => [esc(mode), String(count)]), ['left', 'right'])}`
      : 'No VM interfaces were found.',
  );
  const findings = SEVERITIES.filter((severity) => summary.findings[severity]).map((severity): [Severity, number] => [
    severity,
    summary.findings[severity] ?? 0,
  ]);
  if (findings.length > 0) {
    blocks.push(`Findings:\n\n${table(['Severity', 'Findings'], findings.map(([severity, count]) => [severity, String(count)]), ['left', 'right'])}`);
  }
  return blocks;
}

function hostsTable(hosts: readonly HostReport[]): string {
  return table(
    ['Host', 'Status', 'Error', 'VM NICs', 'Modes', 'Verdict'],
    hosts.map((host) => [
      esc(host.name),
      statusLabel(host.status),
      host.error ? esc(truncate(`${host.error.kind}: ${host.error.message}`, MAX_TABLE_ERROR_LENGTH)) : NONE,
      String(countNics(host)),
      listOrNone(host.modes),
      host.verdict ? esc(host.verdict) : NONE,
    ]),
    ['left', 'left', 'left', 'right', 'left', 'left'],
  );
}

function hostSection(host: HostReport): string[] {
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
    blocks.push('### Networks', networksTable(host), '### Bridges', bridgesTable(host), '### VM interfaces', interfacesTable(host));
    const evidence = evidenceList(host);
    if (evidence) blocks.push('### Evidence', evidence);
  }
  if (host.warnings.length > 0) {
    blocks.push(
      '### Warnings',
      host.warnings
        .map((warning) => `- **${esc(warning.kind)}** ${esc(warning.subject)}: ${esc(warning.message, { newlines: 'br' })}`)
        .join('\n'),
    );
  }
  blocks.push('### Findings', findingsTable(host));
  return blocks;
}

function networksTable(host: HostReport): string {
  if (host.networks.length === 0) return '_No libvirt networks._';
  return table(
    ['Name', 'Mode', 'Forward', 'Bridge', 'Addresses', 'DHCP', 'Active', 'Autostart'],
    host.networks.map((network) => [
      esc(network.name),
      esc(network.mode),
      esc(network.forward),
      orNone(network.bridge),
      listOrNone(network.addresses),
      listOrNone(network.dhcp.map((range) => `${range.start}–${range.end}`)),
      yesNo(network.active),
      yesNo(network.autostart),
    ]),
  );
}

function bridgesTable(host: HostReport): string {
  if (host.bridges.length === 0) return '_No bridges._';
  return table(
    ['Name', 'Kind', 'Ports', 'Uplinks'],
    host.bridges.map((bridge) => [esc(bridge.name), esc(bridge.kind), listOrNone(bridge.ports), listOrNone(bridge.uplinks)]),
  );
}

function interfacesTable(host: HostReport): string {
  if (host.vms.length === 0) return '_No VMs._';
  const rows = host.vms.flatMap((vm) =>
    vm.interfaces.length === 0
      ? [[esc(vm.name), esc(vm.state), NONE, NONE, NONE, '_no interfaces_', NONE]]
      : vm.interfaces.map((nic) => [
          esc(vm.name),
          esc(vm.state),
          orNone(nic.mac),
          esc(nic.type),
          orNone(nic.source),
          esc(nic.mode),
          orNone(nic.via),
        ]),
  );
  return table(['VM', 'State', 'MAC', 'Type', 'Source', 'Mode', 'Via'], rows);
}

function evidenceList(host: HostReport): string | null {
  const items = [
    ...host.networks
      .filter((network) => network.evidence.length > 0)
      .map((network) => `- network **${esc(network.name)}** (${esc(network.mode)}): ${chain(network.evidence)}`),
    ...host.vms.flatMap((vm) =>
      vm.interfaces
        .filter((nic) => nic.evidence.length > 0)
        .map((nic) => `- VM **${esc(vm.name)}** ${orNone(nic.mac)} (${esc(nic.mode)}): ${chain(nic.evidence)}`),
    ),
  ];
  return items.length > 0 ? items.join('\n') : null;
}

function findingsTable(host: HostReport): string {
  if (host.findings.length === 0) return '_None._';
  return table(
    ['Severity', 'Rule', 'Subject', 'Message'],
    host.findings.map((finding) => [esc(finding.severity), esc(finding.rule), esc(finding.subject), esc(finding.message, { newlines: 'br' })]),
  );
}

// ───────────────────────────── helpers ─────────────────────────────

type Align = 'left' | 'right';

/** A GFM table from cells that are already escaped. */
function table(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const line = (cells: readonly string[]): string => `| ${cells.map((cell) => (cell === '' ? NONE : cell)).join(' | ')} |`;
  const rule = `|${headers.map((_, index) => (align[index] === 'right' ? '---:' : '---')).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

function esc(text: string, options?: EscapeOptions): string {
  return escapeMarkdownInline(text, options);
}

function orNone(text: string | null): string {
  return text === null || text === '' ? NONE : esc(text);
}

function listOrNone(items: readonly string[]): string {
  return items.length > 0 ? items.map((item) => esc(item)).join(', ') : NONE;
}

function chain(steps: readonly string[]): string {
  return steps.map((step) => esc(step)).join(' → ');
}

function yesNo(value: boolean | null): string {
  return value === null ? NONE : value ? 'yes' : 'no';
}

function statusLabel(status: HostStatus): string {
  return { ok: '✅ ok', partial: '⚠️ partial', failed: '❌ failed' }[status];
}

function countNics(host: HostReport): number {
  return host.vms.reduce((sum, vm) => sum + vm.interfaces.length, 0);
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
