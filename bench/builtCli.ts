/**
 * Runs the BUILT CLI (`bin/kvm-netaudit.js`, dist/) as an operator does, in a process of its own with plain node
 * (no tsx loader: its ~35 MiB would count against the CLI), and returns that whole process's figures, start-up
 * included (bench/figuresOnExit.mjs writes them at exit). `npm run bench` builds dist/ first.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ProcessFigures {
  code: number;
  wallMs: number;
  cpuMs: number;
  /** CPU of the processes it started and waited for (OpenSSH's client, `ssh -G`). */
  childCpuMs: number;
  maxRssKiB: number;
}

const bin = fileURLToPath(new URL('../bin/kvm-netaudit.js', import.meta.url));
const preload = new URL('figuresOnExit.mjs', import.meta.url).href;
const built = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** `kvm-netaudit ARGS…`, measured. */
export function runBuiltCli(args: readonly string[]): Promise<ProcessFigures> {
  return runMeasured(bin, args);
}

/** A plain JavaScript file of bench/ (e.g. bareClient.mjs, which imports dist/ too), measured the same way. */
export function runBuiltScript(name: string, args: readonly string[]): Promise<ProcessFigures> {
  return runMeasured(fileURLToPath(new URL(name, import.meta.url)), args);
}

function runMeasured(file: string, args: readonly string[]): Promise<ProcessFigures> {
  if (!existsSync(built)) throw new Error('dist/ is missing: run npm run build first (npm run bench does)');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', preload, file, ...args], { stdio: ['ignore', 'ignore', 'inherit', 'pipe'] });
    let out = '';
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('close', () => (out ? resolve(JSON.parse(out) as ProcessFigures) : reject(new Error(`${file} ${args.join(' ')}: no figures`))));
  });
}
