/**
 * `npm run bench`: the built CLI against the bare ssh2 loop on N embedded hosts, and the CLI's start-up.
 *
 * 1. Fleet: N embedded hosts served by a process of their own. Alternating, `--rounds` times each:
 *    - bare: bench/bareClient.mjs, the same connects and execs of the same probe, nothing parsed or kept;
 *    - kvm-netaudit: `kvm-netaudit audit -i … --no-tui --out DIR` (report.json, report.md; hosts spilled to
 *      disk as they finish, so memory should not grow with N).
 *    Both are plain node running built JavaScript, measured over the whole process (start-up included): wall,
 *    CPU (user + system), peak RSS. Prints the best of the rounds and the ratios.
 * 2. Start-up: `kvm-netaudit --version`, and a `--no-tui` audit of one served host, `--startup-runs` times each
 *    (median wall and CPU, largest peak RSS).
 *
 * Usage: npm run bench -- [--hosts 500] [--concurrency 64] [--rounds 2] [--startup-runs 10]
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { FleetReport } from '../src/model.js';
import { runBuiltCli, runBuiltScript, type ProcessFigures } from './builtCli.js';
import { serveFleet, writeInventory } from './servedFleet.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '2' },
    'startup-runs': { type: 'string', default: '10' },
  },
});
const hosts = Number(values.hosts);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
const startupRuns = Number(values['startup-runs']);

const dir = await mkdtemp(path.join(tmpdir(), 'kvm-netaudit-bench-'));
const fleet = await serveFleet(hosts);
try {
  const { served } = fleet;
  const servedFile = path.join(dir, 'served.json');
  await writeFile(servedFile, JSON.stringify(served));
  const inventory = path.join(dir, 'inventory.yaml');
  await writeInventory(inventory, served.hosts);
  const oneHost = path.join(dir, 'one-host.yaml');
  await writeInventory(oneHost, served.hosts.slice(0, 1));
  const audit = (file: string, out: string) => ['audit', '-i', file, '--known-hosts', served.knownHostsFile, '--no-tui', '--out', out, '--concurrency', String(concurrency), '--timeout', '120'];

  process.stdout.write(`kvm-netaudit bench: ${hosts} embedded hosts, concurrency ${concurrency}, ${rounds} round(s) each, alternating\n`);
  const runs: (ProcessFigures & { mode: string })[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['bare', 'kvm-netaudit'] : ['kvm-netaudit', 'bare'];
    for (const mode of order) {
      const out = path.join(dir, `report-${round}`);
      const figures = mode === 'bare' ? await runBuiltScript('bareClient.mjs', [servedFile, String(concurrency)]) : await runBuiltCli(audit(inventory, out));
      if (mode === 'kvm-netaudit') await checkReport(out);
      runs.push({ mode, ...figures });
    }
  }
  const bare = best(runs.filter((r) => r.mode === 'bare'));
  const tool = best(runs.filter((r) => r.mode === 'kvm-netaudit'));
  process.stdout.write(`${'client'.padEnd(14)} ${'wall'.padStart(11)} ${'CPU'.padStart(11)} ${'CPU/host'.padStart(10)} ${'peak RSS'.padStart(11)}\n`);
  const row = (name: string, f: ProcessFigures) =>
    `${name.padEnd(14)} ${ms(f.wallMs).padStart(11)} ${ms(f.cpuMs).padStart(11)} ${`${(f.cpuMs / hosts).toFixed(2)} ms`.padStart(10)} ${mib(f.maxRssKiB).padStart(11)}\n`;
  process.stdout.write(row('bare ssh2', bare) + row('kvm-netaudit', tool));
  process.stdout.write(
    `ratio (kvm-netaudit / bare): wall ${(tool.wallMs / bare.wallMs).toFixed(2)}x, CPU ${(tool.cpuMs / bare.cpuMs).toFixed(2)}x, ` +
      `peak RSS ${(tool.maxRssKiB / bare.maxRssKiB).toFixed(2)}x (best of ${rounds}; peak RSS: the larger)\n`,
  );
  for (const r of runs) process.stdout.write(`  run ${r.mode}: wall ${ms(r.wallMs)}, CPU ${ms(r.cpuMs)}, RSS ${mib(r.maxRssKiB)}, exit ${r.code}\n`);

  process.stdout.write(`\nstart-up (median of ${startupRuns}; whole process, plain node, built CLI)\n`);
  const version = await repeat(() => runBuiltCli(['--version']));
  const single = await repeat(() => runBuiltCli(audit(oneHost, path.join(dir, 'one-host-report'))));
  process.stdout.write(`${'--version'.padEnd(22)} wall ${ms(version.wallMs)}, CPU ${ms(version.cpuMs)}, peak RSS ${mib(version.maxRssKiB)}\n`);
  process.stdout.write(`${'one-host --no-tui'.padEnd(22)} wall ${ms(single.wallMs)}, CPU ${ms(single.cpuMs)}, peak RSS ${mib(single.maxRssKiB)}\n`);
} finally {
  await fleet.close();
  await rm(dir, { recursive: true, force: true });
}

/** The kvm-netaudit run must have audited every host: a fast run that lost hosts proves nothing. */
async function checkReport(out: string): Promise<void> {
  const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as FleetReport;
  if (report.hosts.length !== hosts || report.summary.hosts !== hosts) throw new Error(`the report has ${report.hosts.length} hosts, not ${hosts}`);
}

function best(mine: ProcessFigures[]): ProcessFigures {
  return {
    code: Math.max(...mine.map((r) => r.code)),
    wallMs: Math.min(...mine.map((r) => r.wallMs)),
    cpuMs: Math.min(...mine.map((r) => r.cpuMs)),
    maxRssKiB: Math.max(...mine.map((r) => r.maxRssKiB)),
  };
}

async function repeat(run: () => Promise<ProcessFigures>): Promise<ProcessFigures> {
  const all: ProcessFigures[] = [];
  for (let i = 0; i < startupRuns; i++) all.push(await run());
  const median = (pick: (f: ProcessFigures) => number) => all.map(pick).sort((a, b) => a - b)[Math.floor(all.length / 2)]!;
  return { code: Math.max(...all.map((f) => f.code)), wallMs: median((f) => f.wallMs), cpuMs: median((f) => f.cpuMs), maxRssKiB: Math.max(...all.map((f) => f.maxRssKiB)) };
}

function ms(value: number): string {
  return `${value.toFixed(0)} ms`;
}

function mib(kib: number): string {
  return `${(kib / 1024).toFixed(0)} MiB`;
}
