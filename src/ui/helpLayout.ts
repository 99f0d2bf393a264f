/**
 * The help screen (`?`): every key from the key table, filter examples and the colour legend of the
 * modes. Pure.
 */
import { MODES } from '../model.js';
import { KEY_HELP } from './keymap.js';
import { blankLine, segmentsLine, textLine, type FrameLine } from './lines.js';
import { LEGEND_MARK, modeColor, type Segment } from './styles.js';
import { fitEnd } from './textWidth.js';

const FILTER_EXAMPLES: readonly { filter: string; what: string }[] = [
  { filter: 'mode:bridged', what: 'hosts with a bridged VM NIC or network' },
  { filter: 'status:failed', what: 'failed hosts; also ok, partial, queued, in-flight, or an error kind: timeout, auth…' },
  { filter: 'group:prod !mode:nat', what: 'hosts in group prod without NAT' },
  { filter: 'hv-0*', what: 'names or groups matching a glob; a plain word matches anywhere in them' },
];

/** Lay out the help screen for a terminal `columns` wide and `rows` high (cut to fit). */
export function layoutHelp(columns: number, rows: number, colors = true): FrameLine[] {
  const width = Math.max(20, Math.floor(columns));
  const keyWidth = Math.max(...KEY_HELP.map((k) => k.keys.length)) + 2;
  const lines: FrameLine[] = [segmentsLine('help:title', [{ text: 'kvm-netaudit', bold: true }, { text: ' › keys' }], width)];
  for (const { keys, what } of KEY_HELP) {
    lines.push(segmentsLine(`help:key:${keys}`, [{ text: `  ${fitEnd(keys, keyWidth)}`, bold: true }, { text: what }], width));
  }
  lines.push(blankLine('help:gap1'), textLine('help:filters', 'FILTER EXAMPLES', width, { bold: true }));
  const filterWidth = Math.max(...FILTER_EXAMPLES.map((f) => f.filter.length)) + 2;
  for (const { filter, what } of FILTER_EXAMPLES) {
    lines.push(segmentsLine(`help:filter:${filter}`, [{ text: `  ${fitEnd(filter, filterWidth)}`, color: 'cyan' }, { text: what }], width));
  }
  lines.push(blankLine('help:gap2'), textLine('help:legend', 'MODE COLOURS', width, { bold: true }));
  // Pack the legend into as many lines as the width needs.
  let legend: Segment[] = [{ text: ' ' }];
  let used = 1;
  for (const mode of MODES) {
    const text = colors ? ` ${LEGEND_MARK} ${mode}` : ` ${mode}`;
    if (used + text.length > width && legend.length > 1) {
      lines.push(segmentsLine(`help:legend:${lines.length}`, legend, width));
      legend = [{ text: ' ' }];
      used = 1;
    }
    legend.push({ text, color: modeColor(mode) });
    used += text.length;
  }
  lines.push(segmentsLine(`help:legend:${lines.length}`, legend, width));
  lines.push(blankLine('help:gap3'), textLine('help:close', 'any key closes this help', width, { dim: true }));
  return lines.slice(0, Math.max(1, Math.floor(rows) - 1));
}
