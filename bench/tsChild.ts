/**
 * How a bench starts another bench file in a process of its own. The benches are TypeScript run straight from
 * source, so the child gets tsx's loader too, as `npm run bench` gives it to the parent. The loader is found from
 * this folder, not from the working directory, so a bench also runs when started from elsewhere.
 *
 * What the loader costs a measured child: compiling happens as modules are imported, before a client starts its
 * clock (src/ imports nothing dynamically), so CPU and wall figures are the code's own. Peak RSS is not: on Node 20
 * the loader's hooks run on a thread of their own, about 35 MiB more in every child (an empty file: 41 MiB with
 * plain node, 76–82 MiB with the loader). Both sides of each comparison carry it, so differences hold; ratios
 * of peak RSS come out nearer 1 than they would from built JavaScript.
 */
import { fileURLToPath } from 'node:url';

const tsxLoader = import.meta.resolve('tsx');

/**
 * Arguments for `spawn(process.execPath, …)` that run the bench file `name` (in this folder) with `args`.
 *
 * @example
 * spawn(process.execPath, tsChild('serveFleet.ts', '500'));
 * // node --import file:///…/node_modules/tsx/dist/loader.mjs /…/bench/serveFleet.ts 500
 */
export function tsChild(name: string, ...args: string[]): string[] {
  return ['--import', tsxLoader, fileURLToPath(new URL(name, import.meta.url)), ...args];
}
