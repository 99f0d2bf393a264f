/**
 * `npm run bench:faults -- --hosts 1000`: the fleet promise at scale. The same N-host fleet is audited twice by
 * the real CLI at its default settings, each time with the servers in a process of their own: once with only
 * ordinary hosts, once with hostile hosts of every kind sprinkled in (hung, dripping, flooding, huge…). Prints
 * wall, CPU and peak RSS of each client, whether every host got the outcome it must have, and how much longer
 * the hostile fleet took, against the promise: at most --timeout + 10 s more than the ordinary fleet.
 *
 * Usage: node --import tsx bench/faultBench.ts [--hosts 1000] [--per-kind 1] [--timeout SECONDS] [--concurrency N]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { FleetReport } from '../src/model.js';
import { DEFAULT_TIMEOUT_MS } from '../src/runner/runFleet.js';
import { serveFleet, writeInventory, type Served } from './servedFleet.js';
import { tsChild } from './tsChild.js';

interface Figures {
  code: number;
  wallMs: number;
  cpuMs: number;
  maxRssKiB: number;
}

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000' },
    'per-kind': { type: 'string', default: '1' },
    timeout: { type: 'string' },
    concurrency: { type: 'string' },
  },
});
const hosts = Number(values.hosts);
const timeoutMs = values.timeout ? Number(values.timeout) * 1000 : DEFAULT_TIMEOUT_MS;
const cliOptions = [...(values.timeout ? ['--timeout', values.timeout] : []), ...(values.concurrency ? ['--concurrency', values.concurrency] : [])];
const dir = await mkdtemp(path.join(tmpdir(), 'kvm-netaudit-fault-bench-'));

try {
  process.stdout.write(`kvm-netaudit fault bench: ${hosts} hosts, CLI at ${cliOptions.length ? cliOptions.join(' ') : 'its default settings'}\n`);
  const ordinary = await auditServedFleet('ordinary', ['0']);
  const hostile = await auditServedFleet('hostile', [values['per-kind']!]);
  const header = `${'fleet'.padEnd(9)} ${'hosts'.padStart(6)} ${'hostile'.padStart(8)} ${'wall'.padStart(10)} ${'CPU'.padStart(10)} ${'peak RSS'.padStart(9)} ${'ok/partial/failed'.padStart(18)} ${'as expected'.padStart(12)} exit\n`;
  process.stdout.write(header);
  for (const run of [ordinary, hostile]) {
    const counts = `${run.summary.ok}/${run.summary.partial}/${run.summary.failed}`;
    process.stdout.write(
      `${run.label.padEnd(9)} ${String(run.summary.hosts).padStart(6)} ${String(run.hostile).padStart(8)} ${seconds(run.figures.wallMs).padStart(10)} ` +
        `${seconds(run.figures.cpuMs).padStart(10)} ${`${Math.round(run.figures.maxRssKiB / 1024)} MiB`.padStart(9)} ${counts.padStart(18)} ` +
        `${`${run.asExpected}/${run.summary.hosts}`.padStart(12)} ${run.figures.code}\n`,
    );
    for (const line of run.mismatches.slice(0, 10)) process.stdout.write(`  not as expected: ${line}\n`);
  }
  const extra = hostile.figures.wallMs - ordinary.figures.wallMs;
  const allowed = timeoutMs + 10_000;
  process.stdout.write(
    `hostile fleet took ${seconds(extra)} more than the ordinary one (promise: at most --timeout + 10 s = ${seconds(allowed)}): ${extra <= allowed ? 'held' : 'BROKEN'}\n`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}

/** Serve a fleet in its own process, audit it with the CLI in another, and check the report it wrote. */
async function auditServedFleet(label: string, serveArgs: string[]) {
  const fleet = await serveFleet(hosts, 'faults', ...serveArgs);
  try {
    const { served } = fleet;
    const inventory = path.join(dir, `${label}.yaml`);
    await writeInventory(inventory, served.hosts);
    const out = path.join(dir, `${label}-report`);
    const figures = await runCli(['audit', '-i', inventory, '--known-hosts', served.knownHostsFile, '--no-tui', '--out', out, ...cliOptions]);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as FleetReport;
    const mismatches = checkOutcomes(report, served);
    const hostile = served.expected ? Object.keys(served.expected).filter((name) => name.startsWith('bad-')).length : 0;
    return { label, figures, summary: report.summary, hostile, mismatches, asExpected: report.summary.hosts - mismatches.length };
  } finally {
    await fleet.close();
  }
}

/** Every served host exactly once, each with its expected status and error kind. */
function checkOutcomes(report: FleetReport, served: Served): string[] {
  const problems: string[] = [];
  const reported = new Map(report.hosts.map((h) => [h.name, h]));
  if (reported.size !== report.hosts.length) problems.push(`${report.hosts.length - reported.size} hosts reported twice`);
  for (const host of served.hosts) {
    const got = reported.get(host.name);
    const want = served.expected?.[host.name] ?? { status: 'ok', errorKind: null };
    if (!got) problems.push(`${host.name}: missing from the report`);
    else if (got.status !== want.status || (got.error?.kind ?? null) !== want.errorKind) {
      problems.push(`${host.name}: ${got.status} ${got.error?.kind ?? ''} (wanted ${want.status} ${want.errorKind ?? ''}): ${got.error?.message ?? ''}`);
    }
  }
  return problems;
}

function runCli(args: string[]): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, tsChild('cliClient.ts', ...args), { stdio: ['ignore', 'ignore', 'inherit', 'pipe'] });
    let out = '';
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => (code === 0 && out ? resolve(JSON.parse(out) as Figures) : reject(new Error(`the CLI client exited ${code}`))));
  });
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
