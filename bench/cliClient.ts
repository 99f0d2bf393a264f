/**
 * Bench helper process: runs the kvm-netaudit CLI's `main` from source, as `bin/kvm-netaudit.js ARGS…` runs it
 * from dist/, then prints this process's own figures (wall, CPU, peak RSS, exit code) as one JSON line on file
 * descriptor 3, apart from the CLI's own output.
 */
import { writeSync } from 'node:fs';
import { main } from '../src/cli.js';

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const code = await main(process.argv.slice(2));
const cpu = process.cpuUsage(cpu0);
const figures = { code, wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKiB: process.resourceUsage().maxRSS };
writeSync(3, `${JSON.stringify(figures)}\n`);
process.exit(0);
