/**
 * `npm run bench`: the built CLI against the bare ssh2 loop on N embedded hosts, and the CLI's start-up.
 *
 * 1. Fleet: N embedded hosts served by a process of their own. Alternating, `--rounds` times each:
 *    - bare: bench/bareClient.mjs, the same connects and execs of the same probe, nothing parsed or kept;
 *    - kvm-netaudit: `kvm-netaudit audit -i … --no-tui --out DIR` (report.json, report.md; hosts spilled to
 *      disk as they finish, so memory should not grow with N).
 *    Both are plain node running built JavaScript, measured over the whole process (start-up included): wall,
 *    CPU (user + system), peak RSS. Prints the best of the rounds and the ratios.
 * 2. Transports: the same CLI audit of `--transport-hosts` of those hosts with `--transport ssh2` and with
 *    `--transport openssh` (OpenSSH's `ssh`, one process per host), alternating: wall, the CLI's own CPU and the
 *    CPU of the processes it started (ssh, ssh -G), per host. Needs /usr/bin/ssh.
 * 3. Start-up: `kvm-netaudit --version`, and a `--no-tui` audit of one served host, `--startup-runs` times each
 *    (median wall and CPU, largest peak RSS).
 * 4. The live table's drawing cost: bench/renderBench.ts with its defaults, in a process of its own (`npm run`
 *    hands the arguments to the last command only, so this file starts it rather than package.json).
 *
 * Usage: npm run bench -- [--hosts 500] [--concurrency 64] [--rounds 2] [--transport-hosts 200] [--startup-runs 10]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { FleetReport } from '../src/model.js';
import { runBuiltCli, runBuiltScript, type ProcessFigures } from './builtCli.js';
import { serveFleet, writeInventory, type Served } from './servedFleet.js';
import { tsChild } from './tsChild.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '2' },
    'transport-hosts': { type: 'string', default: '200' },
    'startup-runs': { type: 'string', default: '10' },
  },
});
const hosts = Number(values.hosts);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
const startupRuns = Number(values['startup-runs']);
const transportHosts = Math.min(hosts, Number(values['transport-hosts']));

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

  await compareTransports(dir, served.hosts.slice(0, transportHosts), (file, out) => audit(file, out));

  process.stdout.write(`\nstart-up (median of ${startupRuns}; whole process, plain node, built CLI)\n`);
  const version = await repeat(() => runBuiltCli(['--version']));
  const single = await repeat(() => runBuiltCli(audit(oneHost, path.join(dir, 'one-host-report'))));
  process.stdout.write(`${'--version'.padEnd(22)} wall ${ms(version.wallMs)}, CPU ${ms(version.cpuMs)}, peak RSS ${mib(version.maxRssKiB)}\n`);
  process.stdout.write(`${'one-host --no-tui'.padEnd(22)} wall ${ms(single.wallMs)}, CPU ${ms(single.cpuMs)}, peak RSS ${mib(single.maxRssKiB)}\n`);
} finally {
  await fleet.close();
  await rm(dir, { recursive: true, force: true });
}

process.stdout.write('\n');
const render = spawn(process.execPath, tsChild('renderBench.ts'), { stdio: 'inherit' });
process.exitCode = await new Promise<number>((resolve) => render.once('close', (code) => resolve(code ?? 1)));

/**
 * ssh2 against OpenSSH's client, the same audit of the same hosts, alternating. OpenSSH's cost is mostly in its
 * processes (one `ssh` per host), so CPU is shown as the CLI's own plus its children's.
 */
async function compareTransports(dir: string, selected: Served['hosts'], audit: (file: string, out: string) => string[]): Promise<void> {
  const inventory = path.join(dir, 'transports.yaml');
  await writeInventory(inventory, selected);
  const count = selected.length;
  process.stdout.write(`\ntransports: ${count} hosts, ${rounds} round(s) each, alternating\n`);
  const runs: (ProcessFigures & { transport: string })[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const transport of round % 2 === 0 ? ['ssh2', 'openssh'] : ['openssh', 'ssh2']) {
      const out = path.join(dir, `transport-${transport}-${round}`);
      const figures = await runBuiltCli([...audit(inventory, out), '--transport', transport]);
      await checkReport(out, count);
      runs.push({ transport, ...figures });
    }
  }
  const total = (f: ProcessFigures) => f.cpuMs + f.childCpuMs;
  process.stdout.write(`${'transport'.padEnd(10)} ${'wall'.padStart(9)} ${'CLI CPU'.padStart(9)} ${'children'.padStart(9)} ${'CPU/host'.padStart(9)} ${'peak RSS'.padStart(9)}\n`);
  const figures = new Map<string, ProcessFigures>();
  for (const transport of ['ssh2', 'openssh']) {
    const mine = runs.filter((r) => r.transport === transport).sort((a, b) => total(a) - total(b));
    const f = { ...best(mine), cpuMs: mine[0]!.cpuMs, childCpuMs: mine[0]!.childCpuMs };
    figures.set(transport, f);
    process.stdout.write(
      `${transport.padEnd(10)} ${ms(f.wallMs).padStart(9)} ${ms(f.cpuMs).padStart(9)} ${ms(f.childCpuMs).padStart(9)} ` +
        `${`${(total(f) / count).toFixed(1)} ms`.padStart(9)} ${mib(f.maxRssKiB).padStart(9)}\n`,
    );
  }
  const ssh2 = figures.get('ssh2')!;
  const openssh = figures.get('openssh')!;
  process.stdout.write(
    `ratio (openssh / ssh2): wall ${(openssh.wallMs / ssh2.wallMs).toFixed(2)}x, CPU (CLI + children) ${(total(openssh) / total(ssh2)).toFixed(2)}x\n`,
  );
  for (const r of runs) process.stdout.write(`  run ${r.transport}: wall ${ms(r.wallMs)}, CPU ${ms(r.cpuMs)} + children ${ms(r.childCpuMs)}, exit ${r.code}\n`);
}

/** The kvm-netaudit run must have audited every host: a fast run that lost hosts proves nothing. */
async function checkReport(out: string, expected = hosts): Promise<void> {
  const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as FleetReport;
  if (report.hosts.length !== expected || report.summary.hosts !== expected) throw new Error(`the report has ${report.hosts.length} hosts, not ${expected}`);
  const failed = report.hosts.filter((h) => h.status === 'failed');
  if (failed.length > 0) throw new Error(`${failed.length} hosts failed, e.g. ${failed[0]!.name}: ${failed[0]!.error?.message}`);
}

function best(mine: ProcessFigures[]): ProcessFigures {
  return {
    code: Math.max(...mine.map((r) => r.code)),
    wallMs: Math.min(...mine.map((r) => r.wallMs)),
    cpuMs: Math.min(...mine.map((r) => r.cpuMs)),
    childCpuMs: Math.min(...mine.map((r) => r.childCpuMs)),
    maxRssKiB: Math.max(...mine.map((r) => r.maxRssKiB)),
  };
}

async function repeat(run: () => Promise<ProcessFigures>): Promise<ProcessFigures> {
  const all: ProcessFigures[] = [];
  for (let i = 0; i < startupRuns; i++) all.push(await run());
  const median = (pick: (f: ProcessFigures) => number) => all.map(pick).sort((a, b) => a - b)[Math.floor(all.length / 2)]!;
  return {
    code: Math.max(...all.map((f) => f.code)),
    wallMs: median((f) => f.wallMs),
    cpuMs: median((f) => f.cpuMs),
    childCpuMs: median((f) => f.childCpuMs),
    maxRssKiB: Math.max(...all.map((f) => f.maxRssKiB)),
  };
}

function ms(value: number): string {
  return `${value.toFixed(0)} ms`;
}

function mib(kib: number): string {
  return `${(kib / 1024).toFixed(0)} MiB`;
}
