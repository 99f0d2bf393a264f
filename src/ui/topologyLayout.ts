/**
 * A small text drawing of how a host's VM NICs reach the world (VM NIC → network → bridge → uplink),
 * one branch per distinct path, drawn from the classifier's evidence chains so the picture and the
 * report can never disagree. Long branches are collapsed ("… 27 more"), so a 300-VM host stays short.
 * Pure.
 *
 * @example
 *   db01 52:54:00:02:01:01   ─┬─▶ bridge br0 ─▶ uplink bond0 (uplinkInterfaces)  ⇒ bridged
 *   app02 52:54:00:02:04:01  ─┘
 *   tmpl 52:54:00:02:05:01   ───▶ network default (forward nat, inactive) ─▶ bridge virbr0  ⇒ nat
 */
import type { HostReport, InterfaceAudit, Mode } from '../model.js';
import { fitSegments, type FrameLine } from './lines.js';
import { sanitizeForTerminal } from './sanitize.js';
import { modeColor, type Segment } from './styles.js';
import { displayWidth, fitEnd, truncateToWidth } from './textWidth.js';

/** NICs listed per branch before the rest are counted. */
const MAX_NICS_PER_BRANCH = 4;
const MAX_LABEL_WIDTH = 28;
const ARROW = ' ─▶ ';

/** One distinct path from VM NICs to the outside, with the NICs that take it. */
export interface TopologyBranch {
  mode: Mode;
  /** The path's steps after the NIC, without the final `⇒ mode`, e.g. ['bridge br0', 'uplink bond0']. */
  steps: string[];
  /** `vm id` of each NIC on the path. */
  nics: string[];
}

/** `vm id`: the NIC named as evidence, warnings and findings name it. */
function nicLabel(vm: string, nic: InterfaceAudit): string {
  return `${vm} ${nic.id}`;
}

/** The steps of a NIC's path: its evidence chain without the NIC itself and the verdict step. */
function stepsOf(nic: InterfaceAudit): string[] {
  const steps = nic.evidence.slice(1).filter((step) => !step.startsWith('⇒'));
  if (steps.length > 0) return steps;
  return [nic.via ?? (nic.source ? `${nic.type} ${nic.source}` : nic.type)];
}

/** Group a host's NICs by path; the busiest paths first. */
export function topologyBranches(report: Pick<HostReport, 'vms'>): TopologyBranch[] {
  const branches = new Map<string, TopologyBranch>();
  for (const vm of report.vms) {
    for (const nic of vm.interfaces) {
      const steps = stepsOf(nic);
      const key = `${nic.mode}\u0000${steps.join('\u0000')}`;
      let branch = branches.get(key);
      if (!branch) {
        branch = { mode: nic.mode, steps, nics: [] };
        branches.set(key, branch);
      }
      branch.nics.push(nicLabel(vm.name, nic));
    }
  }
  return [...branches.values()].sort((a, b) => b.nics.length - a.nics.length);
}

/** Draw the branches; `columns` is the terminal width (long paths are cut with `…`). */
export function topologyLines(report: Pick<HostReport, 'vms'>, columns: number, keyPrefix = 'topology'): FrameLine[] {
  const branches = topologyBranches(report);
  const shown = branches.map((branch) => {
    const labels = branch.nics.length > MAX_NICS_PER_BRANCH ? branch.nics.slice(0, MAX_NICS_PER_BRANCH - 1) : branch.nics;
    const more = branch.nics.length - labels.length;
    return { branch, labels: more > 0 ? [...labels, `… ${more} more`] : labels };
  });
  let labelWidth = 0;
  for (const { labels } of shown) for (const label of labels) labelWidth = Math.max(labelWidth, displayWidth(sanitizeForTerminal(label)));
  labelWidth = Math.min(labelWidth, MAX_LABEL_WIDTH);

  const lines: FrameLine[] = [];
  shown.forEach(({ branch, labels }, b) => {
    const path: Segment[] = [
      { text: branch.steps.map((step) => sanitizeForTerminal(step)).join(ARROW) },
      { text: '  ⇒ ' },
      { text: branch.mode, color: modeColor(branch.mode), bold: true },
    ];
    labels.forEach((label, i) => {
      const single = labels.length === 1;
      const joint = single ? '───▶ ' : i === 0 ? '─┬─▶ ' : i === labels.length - 1 ? '─┘' : '─┤';
      const segments: Segment[] = [
        { text: '  ' },
        { text: `${fitEnd(truncateToWidth(sanitizeForTerminal(label), labelWidth), labelWidth)} `, dim: label.startsWith('… ') },
        { text: joint, color: modeColor(branch.mode) },
      ];
      if (i === 0) segments.push(...path);
      lines.push({ key: `${keyPrefix}:${b}:${i}`, segments: fitSegments(segments, columns) });
    });
  });
  return lines;
}
