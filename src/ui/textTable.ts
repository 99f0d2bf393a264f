/**
 * Small aligned tables for the host detail view: column widths from the cells (each within a maximum),
 * the last column free to use what is left of the line. Pure.
 */
import { fitCell, fitSegments, restyle, segmentsWidth, type FrameLine } from './lines.js';
import type { Segment } from './styles.js';

/** A column: its title and the widest it may get. */
export interface TableColumn {
  title: string;
  max: number;
}

/** One row: a list of segments per cell; `key` must be unique within the table. */
export interface TableRow {
  key: string;
  cells: Segment[][];
  /** Draw it as the selection bar. */
  selected?: boolean;
}

const GAP = '  ';

/** Column widths that fit every row's cell (each column within its maximum, never under its title). */
export function measureColumns(columns: readonly TableColumn[], rows: readonly Pick<TableRow, 'cells'>[]): number[] {
  return columns.map((column, c) => {
    let w = column.title.length;
    for (const row of rows) w = Math.max(w, segmentsWidth(row.cells[c] ?? []));
    return Math.min(w, Math.max(column.max, column.title.length));
  });
}

/** One table line: cells padded to `widths` (the last one free), after `indent` spaces, fitted to `width`. */
export function tableRowLine(key: string, cells: readonly Segment[][], widths: readonly number[], width: number, options: { indent?: number; selected?: boolean; style?: Omit<Segment, 'text'> } = {}): FrameLine {
  const segments: Segment[] = [{ text: ' '.repeat(options.indent ?? 2) }];
  const last = cells.length - 1;
  cells.forEach((cell, c) => {
    if (c === last) segments.push(...cell);
    else segments.push(...fitCell(cell, widths[c] ?? 0), { text: GAP });
  });
  const fitted = restyle(fitSegments(segments, width), options.style ?? {});
  return { key, segments: options.selected ? restyle(fitCell(fitted, width), { inverse: true }) : fitted };
}

/** The title line of a table. */
export function tableTitleLine(key: string, columns: readonly TableColumn[], widths: readonly number[], width: number, indent = 2): FrameLine {
  return tableRowLine(key, columns.map((column) => [{ text: column.title }]), widths, width, { indent, style: { dim: true } });
}

/**
 * Lay out a table (title line first) at `indent` cells from the left, each line fitted to `width`.
 */
export function tableLines(keyPrefix: string, columns: readonly TableColumn[], rows: readonly TableRow[], width: number, indent = 2): FrameLine[] {
  const widths = measureColumns(columns, rows);
  return [
    tableTitleLine(`${keyPrefix}:title`, columns, widths, width, indent),
    ...rows.map((row) => tableRowLine(`${keyPrefix}:${row.key}`, row.cells, widths, width, { indent, selected: row.selected })),
  ];
}
