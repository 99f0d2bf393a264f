/**
 * Which host rows fit on screen. Drawing only these keeps a frame's cost bounded by the terminal
 * height, not the fleet size (STYLE "Redraws are cheap"). Pure.
 *
 * Rows compete for space by interest: hosts in flight, then failures, then partial hosts, then the
 * most recently finished ok hosts, then hosts stopped before they were audited, then the queue.
 * The chosen rows are shown in inventory order so that a row does not jump while it stays visible.
 */
import type { HostRow } from './fleetState.js';

/** Why a row did not make it on screen, for the "… N more" line. */
export type HiddenCategory = 'in flight' | 'failed' | 'partial' | 'ok' | 'not audited' | 'queued';

/** The rows to draw, and what the rest were. */
export interface RowSelection {
  visible: HostRow[];
  hiddenCount: number;
  /** Hidden rows per category, in category order; empty categories left out. */
  hidden: { category: HiddenCategory; count: number }[];
}

const CATEGORY_ORDER: readonly HiddenCategory[] = ['in flight', 'failed', 'partial', 'ok', 'not audited', 'queued'];

function categoryOf(row: HostRow): HiddenCategory {
  switch (row.phase) {
    case 'queued':
      return 'queued';
    case 'connecting':
    case 'probing':
      return 'in flight';
    case 'done':
      if (row.status === 'failed') return row.error?.kind === 'cancelled' ? 'not audited' : 'failed';
      return row.status === 'partial' ? 'partial' : 'ok';
  }
}

/**
 * Choose at most `maxRows` rows (when some are left out, the caller spends one more line on the
 * "… N more" note, so pass the budget without that line).
 */
export function selectVisibleRows(rows: readonly HostRow[], maxRows: number): RowSelection {
  const budget = Math.max(0, Math.floor(maxRows));
  if (rows.length <= budget) return { visible: [...rows], hiddenCount: 0, hidden: [] };

  const buckets = new Map<HiddenCategory, number[]>(CATEGORY_ORDER.map((c) => [c, []]));
  rows.forEach((row, position) => buckets.get(categoryOf(row))?.push(position));

  const chosen: number[] = [];
  const hidden: RowSelection['hidden'] = [];
  for (const category of CATEGORY_ORDER) {
    const positions = buckets.get(category) ?? [];
    const room = budget - chosen.length;
    if (positions.length > room && category !== 'queued' && category !== 'in flight') {
      // Only part of a finished category fits: keep the most recently finished ones.
      positions.sort((a, b) => (rows[b]?.finishedAt ?? 0) - (rows[a]?.finishedAt ?? 0) || a - b);
    }
    const taken = positions.slice(0, Math.max(0, room));
    chosen.push(...taken);
    if (positions.length > taken.length) hidden.push({ category, count: positions.length - taken.length });
  }
  chosen.sort((a, b) => a - b);
  const visible = chosen.map((position) => rows[position]).filter((row): row is HostRow => row !== undefined);
  return { visible, hiddenCount: rows.length - visible.length, hidden };
}
