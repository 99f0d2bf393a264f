/**
 * Words and numbers shared by the live table and the line log, so both say the same thing the
 * same way. Pure functions; remote text is sanitised here, at the last step before display.
 */
import { MODES, type ErrorKind, type Mode } from '../model.js';
import type { FleetTotals, HostRow, ModeCounts } from './fleetState.js';
import { sanitizeForTerminal } from './sanitize.js';

/**
 * A duration for a table cell: `412ms`, `3.4s`, `30.0s`, `2m05s`, `1h02m`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.floor(ms)}ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const totalSeconds = Math.floor(ms / 1000);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m${String(totalSeconds % 60).padStart(2, '0')}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h${String(totalMinutes % 60).padStart(2, '0')}m`;
}

/** Elapsed wall-clock time: `0:07`, `12:05`, `1:02:03`. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/**
 * A count with thousands separators: `4,870`. Whole numbers by hand: the first `toLocaleString` sets up ICU's
 * number formatting (~6 ms), a cost every one-host run paid for one line of its log.
 */
export function formatCount(n: number): string {
  return Number.isSafeInteger(n) ? String(n).replace(/\B(?=(\d{3})+$)/g, ',') : n.toLocaleString('en-US');
}

/** Plural-aware `3 hosts` / `1 host`. */
export function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
}

/** Entries of a count record, largest first, ties in `order`, zeros dropped. */
function sortedCounts<K extends string>(counts: Partial<Record<K, number>>, order: readonly K[]): [K, number][] {
  const entries = (Object.entries(counts) as [K, number | undefined][])
    .filter((entry): entry is [K, number] => (entry[1] ?? 0) > 0);
  const rank = (key: K) => {
    const at = order.indexOf(key);
    return at < 0 ? order.length : at;
  };
  return entries.sort((a, b) => b[1] - a[1] || rank(a[0]) - rank(b[0]));
}

/** `nat 3, bridged 2` (largest first); empty string when there is nothing to count. */
export function formatModeCounts(counts: ModeCounts): string {
  return sortedCounts(counts, MODES)
    .map(([mode, n]) => `${sanitizeForTerminal(mode)} ${formatCount(n)}`)
    .join(', ');
}

const ERROR_KIND_ORDER: readonly ErrorKind[] = [
  'unreachable',
  'timeout',
  'auth',
  'hostkey',
  'libvirt',
  'command',
  'parse',
  'cancelled',
  'internal',
];

/** `timeout 2, auth 1` (largest first). */
export function formatFailureKinds(counts: Partial<Record<ErrorKind, number>>): string {
  return sortedCounts(counts, ERROR_KIND_ORDER)
    .map(([kind, n]) => `${sanitizeForTerminal(kind)} ${formatCount(n)}`)
    .join(', ');
}

/** `nets 2 (isolated, nat)`, or `nets 0`. */
export function formatNetworks(row: Pick<HostRow, 'networkCount' | 'networkModes'>): string {
  const modes = row.networkModes.map((m: Mode) => sanitizeForTerminal(m)).join(', ');
  return modes ? `nets ${formatCount(row.networkCount)} (${modes})` : `nets ${formatCount(row.networkCount)}`;
}

/** `nics 3 (nat 3)`, or `nics 0`. */
export function formatNics(row: Pick<HostRow, 'nicCount' | 'nicModes'>): string {
  const modes = formatModeCounts(row.nicModes);
  return modes ? `nics ${formatCount(row.nicCount)} (${modes})` : `nics ${formatCount(row.nicCount)}`;
}

/**
 * What went wrong or needs a look on a finished host, sanitised: `timeout: no answer within 30 s`,
 * or for a partial host without an error `2 warnings`; findings are appended. Empty when all is well.
 */
export function formatHostProblem(row: HostRow): string {
  const parts: string[] = [];
  if (row.error) parts.push(`${sanitizeForTerminal(row.error.kind)}: ${sanitizeForTerminal(row.error.message)}`);
  else if (row.status === 'partial' && row.warningCount > 0) parts.push(plural(row.warningCount, 'warning'));
  if (row.findingCount > 0) parts.push(plural(row.findingCount, 'finding'));
  return parts.join('; ');
}

/** `ok 7, partial 1, failed 2 (timeout 1, auth 1)`. */
export function formatOutcomes(totals: FleetTotals): string {
  const kinds = formatFailureKinds(totals.failuresByKind);
  const failed = kinds ? `failed ${formatCount(totals.failed)} (${kinds})` : `failed ${formatCount(totals.failed)}`;
  return `ok ${formatCount(totals.ok)}, partial ${formatCount(totals.partial)}, ${failed}`;
}

/** `25 VM NICs: nat 12, bridged 10, isolated 3`. */
export function formatNicTotals(totals: FleetTotals): string {
  const modes = formatModeCounts(totals.nicModes);
  return modes ? `${plural(totals.nics, 'VM NIC')}: ${modes}` : plural(totals.nics, 'VM NIC');
}
