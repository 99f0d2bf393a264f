/**
 * `npm run bench`: audit N embedded hosts at concurrency C with kvm-netaudit, and with a bare ssh2 loop
 * doing the same connects and execs; print wall time, CPU time and peak RSS of each client process and
 * the ratios, all measured in this one run. Servers run in a process of their own.
 *
 * Usage: node --import tsx bench/bench.ts [--hosts 500] [--concurrency 64] [--rounds 2]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { tsChild } from './tsChild.js';

interface Figures {
  mode: string;
  hosts: number;
  ok: number;
  wallMs: number;
  cpuMs: number;
  maxRssKiB: number;
}

const { values } = parseArgs({
  options: { hosts: { type: 'string', default: '500' }, concurrency: { type: 'string', default: '64' }, rounds: { type: 'string', default: '2' } },
});
const hosts = Number(values.hosts);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);

const dir = await mkdtemp(path.join(tmpdir(), 'kvm-netaudit-bench-'));
const server = spawn(process.execPath, tsChild('serveFleet.ts', String(hosts)), { stdio: ['pipe', 'pipe', 'inherit'] });
try {
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: server.stdout! }).once('line', resolve);
    server.once('exit', (code) => reject(new Error(`fleet server exited (${code})`)));
  });
  const configFile = path.join(dir, 'served.json');
  await writeFile(configFile, firstLine);
  process.stdout.write(`kvm-netaudit bench: ${hosts} embedded hosts, concurrency ${concurrency}, ${rounds} round(s) each, alternating\n`);

  const runs: Figures[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['bare', 'tool'] : ['tool', 'bare'];
    for (const mode of order) runs.push(await runClient(mode, configFile));
  }
  const best = (mode: string) => {
    const mine = runs.filter((r) => r.mode === mode);
    return {
      wallMs: Math.min(...mine.map((r) => r.wallMs)),
      cpuMs: Math.min(...mine.map((r) => r.cpuMs)),
      maxRssKiB: Math.max(...mine.map((r) => r.maxRssKiB)),
      ok: Math.min(...mine.map((r) => r.ok)),
    };
  };
  const tool = best('tool');
  const bare = best('bare');
  const row = (name: string, f: ReturnType<typeof best>) =>
    `${name.padEnd(14)} ${f.wallMs.toFixed(0).padStart(8)} ms ${f.cpuMs.toFixed(0).padStart(8)} ms ${(f.cpuMs / hosts).toFixed(2).padStart(7)} ms ${(f.maxRssKiB / 1024).toFixed(0).padStart(7)} MiB ${String(f.ok).padStart(5)}/${hosts}`;
  process.stdout.write(`${'client'.padEnd(14)} ${'wall'.padStart(11)} ${'CPU'.padStart(11)} ${'CPU/host'.padStart(10)} ${'peak RSS'.padStart(11)} ${'ok'.padStart(9)}\n`);
  process.stdout.write(`${row('bare ssh2', bare)}\n${row('kvm-netaudit', tool)}\n`);
  process.stdout.write(
    `ratio (kvm-netaudit / bare): wall ${(tool.wallMs / bare.wallMs).toFixed(2)}x, CPU ${(tool.cpuMs / bare.cpuMs).toFixed(2)}x, peak RSS ${(tool.maxRssKiB / bare.maxRssKiB).toFixed(2)}x (best of ${rounds})\n`,
  );
  for (const r of runs) process.stdout.write(`  run ${r.mode}: wall ${r.wallMs.toFixed(0)} ms, CPU ${r.cpuMs.toFixed(0)} ms, RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB\n`);
} finally {
  server.stdin!.end();
  await new Promise((resolve) => server.once('exit', resolve));
  await rm(dir, { recursive: true, force: true });
}

function runClient(mode: string, configFile: string): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, tsChild('client.ts', mode, configFile, String(concurrency)), {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Figures) : reject(new Error(`${mode} client exited ${code}`))));
  });
}
