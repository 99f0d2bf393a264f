// Preloaded (`node --import`) into a measured process that is plain built JavaScript (no tsx loader): at exit it
// writes the process's whole life, start-up included, as one JSON line on file descriptor 3.
import { writeSync } from 'node:fs';

process.on('exit', (code) => {
  const cpu = process.cpuUsage();
  const figures = { code, wallMs: performance.now(), cpuMs: (cpu.user + cpu.system) / 1000, maxRssKiB: process.resourceUsage().maxRSS };
  writeSync(3, `${JSON.stringify(figures)}\n`);
});
