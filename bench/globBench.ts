/**
 * `npm run bench:globs`: kvm-netaudit's glob matcher (src/util/glob.ts) against picomatch, side by side, on the
 * names a hostile host can send: the worst cases of issue 13 (`*-*-*-prod` and `*-*-*-*-*-prod` against a
 * 4,000-character name) and braces with classes failing at the very end. Each case is timed once per matcher, in
 * one process; picomatch (which vitest brings) gets a bounded number of seconds, past which it is reported as not
 * finished (it runs on a worker thread, so the bench itself always ends).
 *
 * Usage: npm run bench:globs -- [--limit-seconds 20]
 */
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { matchesGlob } from '../src/util/glob.js';

const { values } = parseArgs({ options: { 'limit-seconds': { type: 'string', default: '20' } } });
const limitMs = Number(values['limit-seconds']) * 1000;

const long = '-'.repeat(4_000);
const CASES: [glob: string, name: string][] = [
  ['*-*-*-prod', long],
  ['*-*-*-*-*-prod', long],
  [`{${Array.from({ length: 16 }, (_, i) => `*-*-[a-z]*-*-*-prod${i}`).join(',')}}`, `${'-a'.repeat(2_000)}prod`],
];

/** picomatch on a worker thread, so a catastrophic backtrack can be abandoned. */
function picomatchMs(glob: string, name: string): Promise<number | null> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const picomatch = require(workerData.module);
    const started = performance.now();
    picomatch(workerData.glob)(workerData.name);
    parentPort.postMessage(performance.now() - started);`;
  const module = createRequire(import.meta.url).resolve('picomatch');
  return new Promise((resolve) => {
    const worker = new Worker(source, { eval: true, workerData: { module, glob, name } });
    const timer = setTimeout(() => void worker.terminate().then(() => resolve(null)), limitMs);
    worker.once('message', (ms: number) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(ms);
    });
    worker.once('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
  });
}

process.stdout.write(`glob bench: each case once per matcher; picomatch abandoned after ${limitMs / 1000} s\n`);
for (const [glob, name] of CASES) {
  const started = performance.now();
  matchesGlob(glob, name);
  const ours = performance.now() - started;
  const theirs = await picomatchMs(glob, name);
  const shown = glob.length > 40 ? `${glob.slice(0, 37)}…` : glob;
  process.stdout.write(
    `${shown.padEnd(42)} name ${String(name.length).padStart(5)} chars: kvm-netaudit ${ours.toFixed(1)} ms, picomatch ${theirs === null ? `not finished in ${limitMs / 1000} s` : `${theirs.toFixed(0)} ms`}\n`,
  );
}
