/**
 * The host detail view as plain data (see lines.ts): what was learned about one host, laid out for a
 * terminal — summary and verdict, the topology drawing, networks, bridges with ports and uplinks, every
 * VM with its interfaces (the selected one with its evidence chain), warnings and findings. Every string
 * from the host is sanitised here. Pure.
 *
 * @example (colours removed, 100 columns)
 *   address  127.0.0.1 · groups prod · ✓ ok · 533ms
 *   verdict  4 VM NICs are bridged to the LAN through br0 (uplink bond0) and br100 (uplink bond0.100); …
 *
 * TOPOLOGY  VM NIC ─▶ network ─▶ bridge ─▶ uplink
 *   db01 52:54:00:02:01:01 ─┬─▶ bridge br0 ─▶ uplink bond0 (uplinkInterfaces)  ⇒ bridged
 *   …
 * VMS  5 · VM NICS  5
 *   db01  running · persistent
 *   › bridged   bridge br0   52:54:00:02:01:01  virtio  tap201i0  up
 *       known as  Bridge device 'br0'
 *       evidence  db01/52:54:00:02:01:01 → bridge br0 → uplink bond0 (uplinkInterfaces) → ⇒ bridged
 */
import type { BridgeAudit, HostReport, InterfaceAudit, NetworkAudit, VmAudit } from '../model.js';
import { interfaceModeName, networkModeName } from '../report/modeNames.js';
import { CUT_OFF_WARNING_KINDS } from '../report/schema.js';
import type { HostRow } from './fleetState.js';
import { formatCount, formatDuration } from './format.js';
import { blankLine, segmentsLine, textLine, wrapText, type FrameLine } from './lines.js';
import { sanitizeForTerminal } from './sanitize.js';
import { modeColor, type Segment } from './styles.js';
import { statusSegment } from './tableLayout.js';
import { measureColumns, tableLines, tableRowLine, tableTitleLine, type TableColumn } from './textTable.js';
import { topologyLines } from './topologyLayout.js';

/** The detail body, and where each VM NIC's lines are (to keep the selected one on screen). */
export interface DetailBody {
  lines: FrameLine[];
  /** Per NIC (VMs in order, then interfaces in order): its first and last line in `lines`. */
  nicAnchors: { from: number; to: number }[];
}

/** Ports listed per bridge before the rest are counted. */
const MAX_PORTS_SHOWN = 8;
const LABEL_WIDTH = 9;

function safe(text: string | null | undefined, fallback = '-'): string {
  return text === null || text === undefined || text === '' ? fallback : sanitizeForTerminal(text);
}

function heading(key: string, title: string, detail: string, columns: number): FrameLine {
  return segmentsLine(key, [{ text: title, bold: true }, { text: detail ? `  ${detail}` : '', dim: true }], columns);
}

function labelled(key: string, label: string, value: Segment[], columns: number): FrameLine {
  return segmentsLine(key, [{ text: `  ${label.padEnd(LABEL_WIDTH)}`, dim: true }, ...value], columns);
}

/** Label + wrapped text, the continuation lines aligned under the text. */
function labelledWrapped(key: string, label: string, text: string, columns: number, style: Omit<Segment, 'text'> = {}): FrameLine[] {
  const indent = 2 + LABEL_WIDTH;
  return wrapText(text, columns - indent, 0).map((part, i) =>
    i === 0 ? labelled(`${key}:0`, label, [{ ...style, text: part }], columns) : segmentsLine(`${key}:${i}`, [{ text: ' '.repeat(indent) }, { ...style, text: part }], columns),
  );
}

function summaryLines(row: HostRow, report: HostReport | null, columns: number): FrameLine[] {
  const lines: FrameLine[] = [];
  const facts: Segment[] = [];
  if (report) facts.push({ text: `${safe(report.address)} · ` });
  if (row.groups.length) facts.push({ text: `groups ${row.groups.map((g) => safe(g)).join(', ')} · ` });
  facts.push(statusSegment(row, 0));
  if (row.durationMs !== null) facts.push({ text: ` · ${formatDuration(row.durationMs)}` });
  lines.push(labelled('summary:host', 'host', facts, columns));
  if (row.phase !== 'done') {
    const why =
      row.phase === 'queued'
        ? 'queued: nothing is known yet'
        : report
          ? 'being audited again: showing the previous result'
          : 'being audited: details appear when it is done';
    lines.push(labelled('summary:phase', 'now', [{ text: why, color: 'cyan' }], columns));
  }
  if (report?.error) {
    lines.push(...labelledWrapped('summary:error', 'error', `${report.error.kind}: ${report.error.message}`, columns, { color: report.status === 'failed' ? 'red' : 'yellow' }));
  }
  if (report?.verdict) lines.push(...labelledWrapped('summary:verdict', 'verdict', report.verdict, columns));
  return lines;
}

function stateOfNetwork(network: NetworkAudit): string {
  const parts: string[] = [];
  if (network.active !== null) parts.push(network.active ? 'active' : 'inactive');
  if (network.autostart !== null) parts.push(network.autostart ? 'autostart' : 'no autostart');
  if (network.persistent === false) parts.push('transient');
  return parts.join(', ') || '-';
}

function range(r: { start: string | number; end: string | number }): string {
  return r.start === r.end ? String(r.start) : `${r.start}–${r.end}`;
}

/** The facts of a network beyond the table's columns: NAT, forward device, portgroups, VLANs, virtualport, device pool. */
export function networkExtras(network: NetworkAudit): string[] {
  const parts: string[] = [];
  // typeof, not `!== null`: a report assembled by hand (tests, tools) may lack the key.
  if (typeof network.unread === 'string') parts.push(`not read: ${safe(network.unread)}`);
  if (network.nat) {
    const nat = network.nat;
    const addresses = nat.addresses ? range(nat.addresses) : 'the outgoing address';
    const ports = nat.ports ? range(nat.ports) : '1024–65535';
    parts.push(`nat to ${addresses}, ports ${ports}${nat.ipv6 ? ', IPv6 too' : ''}`);
  }
  if (network.forwardDev) parts.push(`forward dev ${network.forwardDev}`);
  if (network.portgroups.length) {
    const groups = network.portgroups.map((pg) => {
      const flags: string[] = [];
      if (pg.default) flags.push('default');
      if (pg.vlanTags.length) flags.push(`vlan ${pg.vlanTags.join(',')}`);
      if (pg.virtualport) flags.push(pg.virtualport);
      return flags.length ? `${pg.name} (${flags.join(', ')})` : pg.name;
    });
    parts.push(`portgroups ${groups.join(', ')}`);
  }
  if (network.vlanTags.length) parts.push(`vlan ${network.vlanTags.join(',')}`);
  if (network.virtualport) parts.push(`virtualport ${network.virtualport}`);
  if (network.pool.length) parts.push(`pool ${listCapped(network.pool, MAX_PORTS_SHOWN)}`);
  return parts;
}

const NETWORK_COLUMNS: TableColumn[] = [
  { title: 'NAME', max: 24 },
  { title: 'MODE', max: 10 },
  { title: 'FORWARD', max: 11 },
  { title: 'BRIDGE', max: 16 },
  { title: 'STATE', max: 30 },
  { title: 'ADDRESSES', max: 40 },
  { title: 'DHCP', max: 60 },
  // Last: what FORWARD says, in virt-manager's words; the first to go on a narrow terminal.
  { title: 'KNOWN AS', max: 28 },
];

function networkLines(report: HostReport, columns: number): FrameLine[] {
  const lines = [heading('networks', 'NETWORKS', formatCount(report.networks.length), columns)];
  if (report.networks.length === 0) return [...lines, textLine('networks:none', '  (none)', columns, { dim: true })];
  const rows = report.networks.map((network, i) => ({
    key: String(i),
    cells: [
      [{ text: safe(network.name) }],
      [{ text: network.mode, color: modeColor(network.mode) }],
      [{ text: safe(network.forward) }],
      [{ text: safe(network.bridge) }],
      [{ text: stateOfNetwork(network) }],
      [{ text: network.addresses.map((a) => safe(a)).join(', ') || '-' }],
      [{ text: network.dhcp.map((r) => `${safe(r.start)}–${safe(r.end)}`).join(', ') || '-' }],
      [{ text: safe(networkModeName(network)) }],
    ],
  }));
  const widths = measureColumns(NETWORK_COLUMNS, rows);
  lines.push(tableTitleLine('networks:title', NETWORK_COLUMNS, widths, columns));
  report.networks.forEach((network, i) => {
    lines.push(tableRowLine(`networks:${i}`, rows[i]!.cells, widths, columns));
    networkExtras(network).forEach((extra, j) => {
      lines.push(...wrapText(extra, columns - 6, 2).map((part, k) => textLine(`networks:${i}:x${j}:${k}`, `      ${part}`, columns, { dim: true })));
    });
  });
  return lines;
}

function listCapped(items: readonly string[], max: number): string {
  if (items.length === 0) return '-';
  const shown = items.slice(0, max).map((item) => safe(item));
  return items.length > max ? `${shown.join(', ')} … +${formatCount(items.length - max)}` : shown.join(', ');
}

const BRIDGE_COLUMNS: TableColumn[] = [
  { title: 'NAME', max: 16 },
  { title: 'KIND', max: 5 },
  { title: 'UPLINKS', max: 30 },
  { title: 'ADDRESSES', max: 40 },
  { title: 'PORTS', max: 200 },
];

function bridgeLines(bridges: readonly BridgeAudit[], columns: number): FrameLine[] {
  const lines = [heading('bridges', 'BRIDGES', formatCount(bridges.length), columns)];
  if (bridges.length === 0) return [...lines, textLine('bridges:none', '  (none)', columns, { dim: true })];
  const rows = bridges.map((bridge, i) => ({
    key: String(i),
    cells: [
      [{ text: safe(bridge.name) }],
      [{ text: bridge.kind }],
      bridge.uplinks.length ? [{ text: listCapped(bridge.uplinks, MAX_PORTS_SHOWN), color: 'green' as const }] : [{ text: 'no uplink', color: 'yellow' as const }],
      [{ text: bridge.addresses.map((a) => safe(a)).join(', ') || '-' }],
      [{ text: `${formatCount(bridge.ports.length)}${bridge.ports.length ? `: ${listCapped(bridge.ports, MAX_PORTS_SHOWN)}` : ''}` }],
    ],
  }));
  return [...lines, ...tableLines('bridges', BRIDGE_COLUMNS, rows, columns)];
}

const NIC_COLUMNS: TableColumn[] = [
  { title: 'MODE', max: 10 },
  { title: 'VIA', max: 28 },
  { title: 'MAC', max: 17 },
  { title: 'MODEL', max: 12 },
  { title: 'TARGET', max: 16 },
  { title: 'LINK', max: 5 },
  { title: 'MORE', max: 60 },
];

/** Portgroup, VLAN tags and virtualport in effect on a NIC. */
export function interfaceExtras(nic: InterfaceAudit): string {
  const parts: string[] = [];
  if (nic.portgroup) parts.push(`portgroup ${nic.portgroup}`);
  if (nic.vlanTags.length) parts.push(`vlan ${nic.vlanTags.join(',')}`);
  if (nic.virtualport) parts.push(`virtualport ${nic.virtualport}`);
  return sanitizeForTerminal(parts.join(' · '));
}

function nicCells(nic: InterfaceAudit): Segment[][] {
  const link = nic.linkState;
  return [
    [{ text: nic.mode, color: modeColor(nic.mode) }],
    [{ text: safe(nic.via ?? (nic.source ? `${nic.type} ${nic.source}` : nic.type)) }],
    [{ text: safe(nic.mac) }],
    [{ text: safe(nic.model) }],
    [{ text: safe(nic.target) }],
    [{ text: safe(link, ''), color: link === 'down' ? 'red' : undefined }],
    [{ text: interfaceExtras(nic), dim: true }],
  ];
}

function vmStateText(vm: VmAudit): string {
  const parts = [safe(vm.state)];
  if (vm.persistent === true) parts.push('persistent');
  if (vm.persistent === false) parts.push('transient');
  return parts.join(' · ');
}

function vmLines(report: HostReport, selectedNic: number, columns: number, into: FrameLine[], anchors: DetailBody['nicAnchors']): void {
  const nicCount = report.vms.reduce((n, vm) => n + vm.interfaces.length, 0);
  into.push(heading('vms', 'VMS', `${formatCount(report.vms.length)} · VM NICs ${formatCount(nicCount)} · ↑↓ selects a NIC and shows its name in virt-manager and its evidence`, columns));
  if (report.vms.length === 0) {
    into.push(textLine('vms:none', '  (none)', columns, { dim: true }));
    return;
  }
  const cells = report.vms.flatMap((vm) => vm.interfaces.map((nic) => ({ cells: nicCells(nic) })));
  const widths = measureColumns(NIC_COLUMNS, cells);
  into.push(tableTitleLine('vms:title', NIC_COLUMNS, widths, columns, 4));
  const networks = new Map<string, NetworkAudit>();
  for (const network of report.networks) if (!networks.has(network.name)) networks.set(network.name, network);
  const nicWarnings = warningsBySubject(report);
  let n = 0;
  report.vms.forEach((vm, v) => {
    into.push(segmentsLine(`vm:${v}`, [{ text: `  ${safe(vm.name)}`, bold: true }, { text: `  ${vmStateText(vm)}`, dim: true }], columns));
    if (typeof vm.unread === 'string') {
      // Its interfaces could not be seen: never shown as "no network interfaces".
      into.push(textLine(`vm:${v}:unread`, `    not read: ${safe(vm.unread)} (network interfaces unknown)`, columns, { color: 'yellow' }));
    } else if (vm.interfaces.length === 0) {
      into.push(textLine(`vm:${v}:none`, '    (no network interfaces)', columns, { dim: true }));
    }
    vm.interfaces.forEach((nic, i) => {
      const selected = n === selectedNic;
      const from = into.length;
      const row = tableRowLine(`vm:${v}:${i}`, cells[n]!.cells, widths, columns, { indent: 4, selected });
      // The marker keeps the selection visible without colours (NO_COLOR).
      if (selected) row.segments[0] = { ...row.segments[0]!, text: '  › ' };
      into.push(row);
      // What is wrong with this NIC is said under it, not only in the host's list: a cut-off guest must stand out.
      (nicWarnings.get(`vm ${vm.name} ${nic.id}`) ?? []).forEach((warning, k) => {
        const text = `      ! ${warning.kind}: ${safe(warning.message)}`;
        into.push(textLine(`vm:${v}:${i}:warning:${k}`, text, columns, { color: CUT_OFF.has(warning.kind) ? 'red' : 'yellow' }));
      });
      if (selected) {
        const known = interfaceModeName(nic, nic.attachment.network === null ? undefined : networks.get(nic.attachment.network));
        wrapText(known, columns - 16, 0).forEach((part, k) => {
          const lead = k === 0 ? '      known as  ' : ' '.repeat(16);
          into.push(segmentsLine(`vm:${v}:${i}:known:${k}`, [{ text: lead, dim: true }, { text: part }], columns));
        });
        const chain = evidenceText(nic);
        wrapText(chain, columns - 16, 0).forEach((part, k) => {
          const lead = k === 0 ? '      evidence  ' : ' '.repeat(16);
          into.push(segmentsLine(`vm:${v}:${i}:evidence:${k}`, [{ text: lead, dim: true }, { text: part, color: modeColor(nic.mode) }], columns));
        });
      }
      anchors.push({ from, to: into.length - 1 });
      n++;
    });
  });
}

/** Warnings that name one subject (a NIC: `vm web01 52:54:00:…`), by that subject. */
function warningsBySubject(report: HostReport): Map<string, HostReport['warnings']> {
  const bySubject = new Map<string, HostReport['warnings']>();
  for (const warning of report.warnings) {
    const list = bySubject.get(warning.subject);
    if (list) list.push(warning);
    else bySubject.set(warning.subject, [warning]);
  }
  return bySubject;
}

const CUT_OFF = new Set<string>(CUT_OFF_WARNING_KINDS);

/** `web01/52:54:00:… → network default (forward nat) → bridge virbr0 ⇒ nat`. */
export function evidenceText(nic: InterfaceAudit): string {
  if (nic.evidence.length === 0) return '(no evidence recorded)';
  const steps = nic.evidence.filter((step) => !step.startsWith('⇒'));
  const verdict = nic.evidence.filter((step) => step.startsWith('⇒'));
  return [steps.join(' → '), ...verdict].join(' ');
}

function warningLines(report: HostReport, columns: number): FrameLine[] {
  const lines = [heading('warnings', 'WARNINGS', formatCount(report.warnings.length), columns)];
  if (report.warnings.length === 0) return [...lines, textLine('warnings:none', '  (none)', columns, { dim: true })];
  report.warnings.forEach((warning, i) => {
    const text = `${warning.kind}  ${warning.subject}: ${warning.message}`;
    wrapText(text, columns - 4, 2).forEach((part, k) => lines.push(textLine(`warning:${i}:${k}`, `  ${part}`, columns, { color: 'yellow' })));
  });
  return lines;
}

function findingLines(report: HostReport, columns: number): FrameLine[] {
  const lines = [heading('findings', 'FINDINGS', formatCount(report.findings.length), columns)];
  if (report.findings.length === 0) return [...lines, textLine('findings:none', '  (none)', columns, { dim: true })];
  report.findings.forEach((finding, i) => {
    const text = `${finding.severity}  ${finding.rule}  ${finding.subject}: ${finding.message}`;
    wrapText(text, columns - 4, 2).forEach((part, k) => lines.push(textLine(`finding:${i}:${k}`, `  ${part}`, columns, { color: 'red' })));
  });
  return lines;
}

/** How many VM NICs a report has (the range of the detail view's selection). */
export function nicCountOf(report: HostReport | null): number {
  return report ? report.vms.reduce((n, vm) => n + vm.interfaces.length, 0) : 0;
}

/**
 * Lay out the body of the host detail view for `row` at `columns` cells; the NIC at `selectedNic`
 * (counted across VMs) is drawn selected, with its evidence chain under it.
 */
export function hostDetailBody(row: HostRow, options: { columns: number; selectedNic: number }): DetailBody {
  const columns = Math.max(20, Math.floor(options.columns));
  const report = row.report;
  const lines: FrameLine[] = summaryLines(row, report, columns);
  const nicAnchors: DetailBody['nicAnchors'] = [];
  if (!report || (report.status === 'failed' && report.vms.length === 0 && report.networks.length === 0)) {
    return { lines, nicAnchors };
  }
  lines.push(blankLine('gap:topology'), heading('topology', 'TOPOLOGY', 'VM NIC ─▶ network ─▶ bridge ─▶ uplink', columns));
  const topology = topologyLines(report, columns);
  lines.push(...(topology.length ? topology : [textLine('topology:none', '  (no VM NICs)', columns, { dim: true })]));
  lines.push(blankLine('gap:networks'), ...networkLines(report, columns));
  lines.push(blankLine('gap:bridges'), ...bridgeLines(report.bridges, columns));
  lines.push(blankLine('gap:vms'));
  vmLines(report, options.selectedNic, columns, lines, nicAnchors);
  lines.push(blankLine('gap:warnings'), ...warningLines(report, columns));
  lines.push(blankLine('gap:findings'), ...findingLines(report, columns));
  return { lines, nicAnchors };
}
