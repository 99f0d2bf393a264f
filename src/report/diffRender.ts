/**
 * A ReportDiff for people (Markdown, `kvm-netaudit diff` on stdout and the drift section of report.md)
 * and for machines (`--json`). Pure. Every name from a host goes through the report's Markdown escaping.
 */
import { escapeMarkdownInline } from './markdown-escape.js';
import { countChanges, type FieldChange, type FindingRef, type ReportDiff } from './diff.js';

/** The diff's JSON format version (its own: it is not a report). */
export const DIFF_FORMAT_VERSION = 1;

/** `--json`: the diff as stable JSON, ending with a newline. */
export function renderDiffJson(diff: ReportDiff): string {
  return `${JSON.stringify({ kind: 'kvm-netaudit-diff', formatVersion: DIFF_FORMAT_VERSION, changes: countChanges(diff), ...diff }, null, 2)}\n`;
}

/** Options for the Markdown rendering. */
export interface DiffMarkdownOptions {
  /** Heading level of the title; sections are one deeper (2 when embedded in report.md). @default 1 */
  headingLevel?: number;
}

/** The diff as GitHub-flavoured Markdown, ending with a newline. */
export function renderDiffMarkdown(diff: ReportDiff, options: DiffMarkdownOptions = {}): string {
  const level = options.headingLevel ?? 1;
  const h = (depth: number, text: string) => `${'#'.repeat(Math.min(6, level + depth))} ${text}`;
  const blocks = [
    h(0, 'Drift since the previous audit'),
    `Old: ${runLine(diff.old)}  \nNew: ${runLine(diff.new)}`,
    summaryLine(diff),
  ];
  const { hosts, networks, interfaces, findings } = diff;

  if (hosts.added.length + hosts.removed.length + hosts.statusChanged.length + hosts.notCompared.length > 0) {
    blocks.push(h(1, 'Hosts'));
    const rows = [
      ...hosts.added.map((host) => [esc(host.host), 'added', `status ${host.status}${host.groups.length > 0 ? `, groups ${esc(host.groups.join(', '))}` : ''}`]),
      ...hosts.removed.map((host) => [esc(host.host), 'removed', `was ${host.status}`]),
      ...hosts.statusChanged.map((change) => [
        esc(change.host),
        change.to === 'failed' ? '**now failing**' : change.from === 'failed' ? 'audited again' : 'status changed',
        `${change.from} → ${change.to}${change.error ? `: ${esc(change.error)}` : ''}`,
      ]),
      ...hosts.notCompared.map((entry) => [esc(entry.host), 'not compared', esc(entry.reason)]),
    ];
    blocks.push(table(['Host', 'Change', 'Detail'], rows));
  }

  if (networks.added.length + networks.removed.length + networks.changed.length > 0) {
    blocks.push(h(1, 'Networks'));
    const rows = [
      ...networks.added.map((n) => [esc(n.host), esc(n.network), 'added', `${esc(n.mode)} (forward ${esc(n.forward)})`]),
      ...networks.removed.map((n) => [esc(n.host), esc(n.network), 'removed', `was ${esc(n.mode)} (forward ${esc(n.forward)})`]),
      ...networks.changed.map((n) => [esc(n.host), esc(n.network), 'changed', changesText(n.changes)]),
    ];
    blocks.push(table(['Host', 'Network', 'Change', 'Detail'], rows));
  }

  if (interfaces.added.length + interfaces.removed.length + interfaces.changed.length > 0) {
    blocks.push(h(1, 'VM interfaces'));
    const rows = [
      ...interfaces.added.map((i) => [esc(i.host), esc(i.vm), esc(i.nic), 'added', `${esc(i.mode)}${i.via ? ` via ${esc(i.via)}` : ''}`]),
      ...interfaces.removed.map((i) => [esc(i.host), esc(i.vm), esc(i.nic), 'removed', `was ${esc(i.mode)}${i.via ? ` via ${esc(i.via)}` : ''}`]),
      ...interfaces.changed.map((i) => [esc(i.host), esc(i.vm), esc(i.nic), 'changed', changesText(i.changes)]),
    ];
    blocks.push(table(['Host', 'VM', 'NIC', 'Change', 'Detail'], rows));
  }

  if (findings.new.length + findings.resolved.length + findings.nowWaived.length > 0) {
    blocks.push(h(1, 'Findings'));
    if (findings.new.length > 0) blocks.push(`New:\n\n${findingsTable(findings.new)}`);
    if (findings.resolved.length > 0) blocks.push(`Resolved:\n\n${findingsTable(findings.resolved)}`);
    if (findings.nowWaived.length > 0) blocks.push(`Waived since:\n\n${findingsTable(findings.nowWaived)}`);
  }
  return `${blocks.join('\n\n')}\n`;
}

function runLine(run: ReportDiff['old']): string {
  return `${esc(run.startedAt || 'unknown time')} · inventory ${esc(run.inventory || 'unknown')} · ${run.hosts} host${run.hosts === 1 ? '' : 's'}`;
}

function summaryLine(diff: ReportDiff): string {
  if (countChanges(diff) === 0) return '**No drift**: same hosts, networks, VM interfaces and findings.';
  const parts: [number, string, string][] = [
    [diff.hosts.added.length, 'host added', 'hosts added'],
    [diff.hosts.removed.length, 'host removed', 'hosts removed'],
    [diff.hosts.statusChanged.filter((c) => c.to === 'failed').length, 'host now failing', 'hosts now failing'],
    [diff.hosts.statusChanged.filter((c) => c.to !== 'failed').length, 'other host status change', 'other host status changes'],
    [diff.networks.added.length + diff.networks.removed.length + diff.networks.changed.length, 'network change', 'network changes'],
    [diff.interfaces.added.length + diff.interfaces.removed.length + diff.interfaces.changed.length, 'VM interface change', 'VM interface changes'],
    [diff.findings.new.length, 'new finding', 'new findings'],
    [diff.findings.resolved.length, 'resolved finding', 'resolved findings'],
    [diff.findings.nowWaived.length, 'finding waived', 'findings waived'],
  ];
  const said = parts.filter(([n]) => n > 0).map(([n, one, many]) => `${n} ${n === 1 ? one : many}`);
  return `**Drift**: ${said.join(', ')}.`;
}

function changesText(changes: readonly FieldChange[]): string {
  return changes.map((c) => `${esc(c.field)}: ${esc(c.from)} → ${esc(c.to)}`).join('; ');
}

function findingsTable(findings: readonly FindingRef[]): string {
  return table(
    ['Host', 'Severity', 'Rule', 'Subject', 'Message'],
    findings.map((f) => [esc(f.host), f.severity, esc(f.rule), esc(f.subject), esc(f.message)]),
  );
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

function esc(text: string): string {
  return escapeMarkdownInline(text);
}
