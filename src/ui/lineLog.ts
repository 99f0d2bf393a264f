/**
 * The plain renderer for pipes, CI and `--no-tui`: one line per finished host, a line when the run
 * is asked to stop, and a summary at the end. No colours, no cursor movement, remote text sanitised.
 *
 * @example
 * auditing 3 hosts, concurrency 8
 * ok       hv-nat-01   412ms  nets 1 (nat)  nics 3 (nat 3)
 * partial  hv-br-02    1.2s   nets 2 (isolated, nat)  nics 2 (bridged 2)  parse: section ip-link unparsable
 * failed   hv-dead-13  30.0s  timeout: no answer within 30 s
 * summary  3 hosts in 31.0s: ok 1, partial 1, failed 1 (timeout 1)
 * nics     5 VM NICs: nat 3, bridged 2
 */
import type { FleetReport, RunEvent } from '../model.js';
import { initialFleetState, reduceFleet, type FleetState, type HostRow } from './fleetState.js';
import {
  formatCount,
  formatDuration,
  formatHostProblem,
  formatNetworks,
  formatNicTotals,
  formatNics,
  formatOutcomes,
  plural,
} from './format.js';
import { sanitizeForTerminal } from './sanitize.js';
import { displayWidth } from './textWidth.js';
import { SEVERITIES_WORST_FIRST } from '../report/schema.js';

/** Width of the first column (status word, and the labels of the summary lines). */
const LABEL_WIDTH = 9;
/** Host names are padded to the longest name, within these bounds, so columns line up. */
const MIN_NAME_WIDTH = 8;
const MAX_NAME_WIDTH = 32;

function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

function label(word: string): string {
  return padEnd(word, LABEL_WIDTH - 1) + ' ';
}

/**
 * One finished host as one line (names are padded, never cut: the log is for grepping).
 * @example formatHostLine(row, 10) // → 'ok       hv-nat-01   412ms  nets 1 (nat)  nics 3 (nat 3)'
 */
export function formatHostLine(row: HostRow, nameWidth: number): string {
  const status = row.status ?? row.phase;
  const name = padEnd(sanitizeForTerminal(row.name), nameWidth);
  const duration = padEnd(row.durationMs === null ? '-' : formatDuration(row.durationMs), 6);
  const problem = formatHostProblem(row);
  const details = status === 'failed' ? [problem] : [formatNetworks(row), formatNics(row), problem];
  return `${label(status)}${name}  ${duration} ${details.filter(Boolean).join('  ')}`.trimEnd();
}


function formatFindingTotals(findings: FleetReport['summary']['findings']): string | null {
  const parts = SEVERITIES_WORST_FIRST.filter((s) => (findings[s] ?? 0) > 0).map((s) => `${s} ${formatCount(findings[s] ?? 0)}`);
  if (parts.length === 0) return null;
  const total = SEVERITIES_WORST_FIRST.reduce((sum, s) => sum + (findings[s] ?? 0), 0);
  return `${plural(total, 'finding')}: ${parts.join(', ')}`;
}

function runDurationMs(state: FleetState, report: Pick<FleetReport, 'run'>): number | null {
  const fromReport = Date.parse(report.run.finishedAt) - Date.parse(report.run.startedAt);
  if (Number.isFinite(fromReport)) return fromReport;
  return state.startedAt !== null && state.finishedAt !== null ? state.finishedAt - state.startedAt : null;
}

/** The closing lines: outcomes, VM NICs per mode, findings, and whether the run was cut short. */
export function formatSummaryLines(state: FleetState, report: Pick<FleetReport, 'run' | 'summary'>): string[] {
  const duration = runDurationMs(state, report);
  const hosts = plural(state.totals.hosts, 'host') + (duration === null ? '' : ` in ${formatDuration(duration)}`);
  const lines = [`${label('summary')}${hosts}: ${formatOutcomes(state.totals)}`, `${label('nics')}${formatNicTotals(state.totals)}`];
  const findings = formatFindingTotals(report.summary.findings);
  if (findings) lines.push(`${label('findings')}${findings}`);
  if (!report.run.complete) {
    const reason = state.stopReason ? ` (${sanitizeForTerminal(state.stopReason)})` : '';
    lines.push(`${label('stopped')}the run ended before every host was audited${reason}; the report is incomplete`);
  }
  return lines;
}

function nameWidthOf(state: FleetState): number {
  let widest = MIN_NAME_WIDTH;
  for (const row of state.rows) widest = Math.max(widest, displayWidth(sanitizeForTerminal(row.name)));
  return Math.min(widest, MAX_NAME_WIDTH);
}

/**
 * A subscriber that turns run events into plain lines.
 * @param write receives one line at a time, without a trailing newline.
 */
export function createLineLog(write: (line: string) => void): (event: RunEvent) => void {
  let state = initialFleetState({ keepReports: false });
  let nameWidth = MIN_NAME_WIDTH;
  return (event) => {
    state = reduceFleet(state, event);
    switch (event.type) {
      case 'run-started':
        nameWidth = nameWidthOf(state);
        write(`auditing ${plural(state.totals.hosts, 'host')}, concurrency ${formatCount(event.concurrency)}`);
        return;
      case 'host-done': {
        const position = state.index.get(event.host);
        const row = position === undefined ? undefined : state.rows[position];
        if (row) write(formatHostLine(row, nameWidth));
        return;
      }
      case 'run-stopping':
        write(`${label('stopping')}${sanitizeForTerminal(event.reason)}; waiting for hosts in flight`);
        return;
      case 'run-finished':
        for (const line of formatSummaryLines(state, event.report)) write(line);
        return;
      case 'host-connecting':
      case 'host-probing':
        return;
    }
  };
}
