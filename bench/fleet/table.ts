/**
 * From the runs' samples to the printed table and ratios. Pure: medians per column, taken apart (the median
 * wall and the median CPU may come from different rounds), and the fewest hosts any round got right.
 */

/** One method run. */
export interface Sample {
  method: string;
  wallMs: number;
  clientMs: number;
  /** Hypervisor CPU summed over the hosts. */
  hostMs: number;
  /** The machine's busy CPU over the run less client, hosts and the bench (see measure.ts). */
  otherMs: number;
  virshCalls: number;
  /** Hosts whose audit brought back everything. */
  ok: number;
}

/** One method's medians. */
export interface Summary {
  method: string;
  label: string;
  rounds: number;
  wallMs: number;
  clientMs: number;
  hostMs: number;
  otherMs: number;
  virshPerHost: number;
  /** The fewest hosts any round got right. */
  ok: number;
  /** Each round's wall time, in run order. */
  walls: number[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function summarize(method: string, label: string, samples: readonly Sample[], hosts: number): Summary {
  const mine = samples.filter((s) => s.method === method);
  return {
    method,
    label,
    rounds: mine.length,
    wallMs: median(mine.map((s) => s.wallMs)),
    clientMs: median(mine.map((s) => s.clientMs)),
    hostMs: median(mine.map((s) => s.hostMs)),
    otherMs: median(mine.map((s) => s.otherMs)),
    walls: mine.map((s) => s.wallMs),
    virshPerHost: median(mine.map((s) => s.virshCalls)) / hosts,
    ok: Math.min(...mine.map((s) => s.ok)),
  };
}

const COLUMNS = ['method', 'hosts ok', 'wall s', 'client CPU s', 'host CPU s', 'host CPU/host ms', 'virsh/host', 'other CPU s'] as const;

/** The table: one row per method that ran, one line per method that could not. */
export function renderTable(summaries: readonly Summary[], skipped: readonly { label: string; why: string }[], hosts: number): string {
  const rows = summaries.map((s) => [
    s.label,
    `${s.ok}/${hosts}`,
    (s.wallMs / 1000).toFixed(2),
    (s.clientMs / 1000).toFixed(2),
    (s.hostMs / 1000).toFixed(2),
    (s.hostMs / hosts).toFixed(0),
    s.virshPerHost.toFixed(1),
    (s.otherMs / 1000).toFixed(2),
  ]);
  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(COLUMNS), ...rows.map(line), ...skipped.map((s) => `${s.label.padEnd(widths[0]!)}  ${s.why}`)].join('\n');
}

const times = (ratio: number) => `${ratio.toFixed(2)}×`;
const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

/**
 * The issue's ratios: kvm-netaudit's wall against each baseline (target ≥ 10× faster than xargs + OpenSSH),
 * and kvm-netaudit / the bare ssh2 loop for wall (target ≤ 1.25×) and client CPU. The targets are the fleet's;
 * `targets: false` leaves them out (one big host).
 */
export function renderRatios(summaries: readonly Summary[], options: { targets: boolean } = { targets: true }): string {
  const tool = summaries.find((s) => s.method === 'kvm-netaudit');
  if (!tool) return '';
  const lines: string[] = [];
  const baselines = summaries.filter((s) => s !== tool && s.method !== 'bare-ssh2');
  if (baselines.length > 0) lines.push('kvm-netaudit is faster (wall, medians) than:');
  for (const other of baselines) {
    const ratio = other.wallMs / tool.wallMs;
    const target = options.targets && other.method === 'xargs-ssh' ? `   (target ≥ 10×: ${verdict(ratio >= 10)})` : '';
    lines.push(`  ${other.label.padEnd(34)} ${times(ratio).padStart(8)}${target}`);
  }
  const bare = summaries.find((s) => s.method === 'bare-ssh2');
  if (bare) {
    const wall = tool.wallMs / bare.wallMs;
    // Round by round too: with a few seconds per run, one disturbed round moves the ratio a lot.
    const perRound = tool.walls.map((ms, i) => (bare.walls[i] === undefined ? null : ms / bare.walls[i]!)).filter((r) => r !== null);
    lines.push(
      `kvm-netaudit / bare ssh2 loop: wall ${times(wall)} (${options.targets ? `target ≤ 1.25×: ${verdict(wall <= 1.25)}; ` : ''}round by round ${perRound.map((r) => r.toFixed(2)).join(', ')}), ` +
        `client CPU ${times(tool.clientMs / bare.clientMs)}, host CPU ${times(tool.hostMs / bare.hostMs)}`,
    );
  }
  return lines.join('\n');
}
