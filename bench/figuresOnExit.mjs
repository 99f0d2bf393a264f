// Preloaded (`node --import`) into a measured process that is plain built JavaScript (no tsx loader): at exit it
// writes the process's whole life, start-up included, as one JSON line on file descriptor 3. `childCpuMs` is the
// CPU of the processes it started and waited for (OpenSSH's `ssh`, `ssh -G`): /proc's cutime + cstime.
import { readFileSync, writeSync } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat (USER_HZ: 100 on every Linux the benches run on). */
const USER_HZ = 100;

function childCpuMs() {
  try {
    // Fields after the command name (which may hold spaces, hence the last ')'): cutime and cstime are 14th and 15th.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / USER_HZ;
  } catch {
    return 0;
  }
}

process.on('exit', (code) => {
  const cpu = process.cpuUsage();
  const figures = {
    code,
    wallMs: performance.now(),
    cpuMs: (cpu.user + cpu.system) / 1000,
    childCpuMs: childCpuMs(),
    maxRssKiB: process.resourceUsage().maxRSS,
  };
  writeSync(3, `${JSON.stringify(figures)}\n`);
});
