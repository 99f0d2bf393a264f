/**
 * What one method run costs, read from the kernel's own accounting rather than from the method:
 *
 * - client CPU: this process's cutime + cstime (/proc/self/stat fields 16 and 17). A child's CPU, and that
 *   of every descendant it waited for, is added there when this process reaps it; runs are one at a time and
 *   the lab's long-lived children (sshd, tap holders) do not exit during a run, so the delta over a run is
 *   the method's whole client process tree (node, xargs, sh, ssh, python workers…).
 * - hypervisor CPU: the same fields of each host's listening sshd, plus its own utime + stime. Every
 *   connection's sshd, its shell, virsh, ip and brctl are reaped up that chain, so the delta is all the
 *   work the run caused on the host. {@link settle} first waits until each listener has reaped them.
 * - virsh processes: lines added to each host's virsh call log (test/lab/virshState.ts).
 * - other CPU: the machine's busy CPU (/proc/stat) over the run, less all of the above and the bench's own:
 *   the kernel's work for the lab's traffic, and whatever else runs on the machine. A large value says the
 *   run was disturbed.
 *
 * Resolution: one clock tick (10 ms at the usual CLK_TCK of 100), per process as the kernel rounds it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU milliseconds of a process, its own and its reaped descendants'. */
interface ProcessCpu {
  ownMs: number;
  childrenMs: number;
}

async function processCpu(pid: number | 'self'): Promise<ProcessCpu> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  const at = (field: number) => fields[field - 3] ?? 0;
  const ms = (ticks: number) => (ticks * 1000) / CLK_TCK;
  return { ownMs: ms(at(14) + at(15)), childrenMs: ms(at(16) + at(17)) };
}

/** Child pids of a single-threaded process (sshd). */
async function childPids(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.split(/\s+/).filter(Boolean).map(Number);
}

/**
 * Wait (at most `timeoutMs`) until none of the listeners has a child left: connections that have closed
 * on the client side may still be ending on the host. False when some were still there.
 */
export async function settle(sshdPids: readonly number[], timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const busy = (await Promise.all(sshdPids.map(childPids))).some((children) => children.length > 0);
    if (!busy) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function lineCount(path: string): Promise<number> {
  const text = await readFile(path, 'utf8').catch(() => '');
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

/** Busy CPU of the whole machine: user, nice, system, irq, softirq and steal of /proc/stat's `cpu` line. */
async function machineBusyMs(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0]!;
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user + nice + system + irq + softirq + steal) * 1000) / CLK_TCK;
}

/** The counters at one moment. */
export interface Counters {
  clientMs: number;
  /** Per host, in host order. */
  hostMs: number[];
  virshCalls: number;
  /** The bench process's own CPU. */
  benchMs: number;
  machineMs: number;
}

export async function readCounters(sshdPids: readonly number[], virshLogs: readonly string[]): Promise<Counters> {
  const self = await processCpu('self');
  const hosts = await Promise.all(sshdPids.map(processCpu));
  const calls = await Promise.all(virshLogs.map(lineCount));
  return {
    clientMs: self.childrenMs,
    hostMs: hosts.map((h) => h.ownMs + h.childrenMs),
    virshCalls: calls.reduce((a, b) => a + b, 0),
    benchMs: self.ownMs,
    machineMs: await machineBusyMs(),
  };
}

/** How a measured child ended. */
export interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From spawn to exit. */
  wallMs: number;
  timedOut: boolean;
}

/** Options of {@link runMeasured}. */
export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The process group is killed (SIGKILL) after this long. */
  timeoutMs: number;
}

/** Output kept per stream; a method that prints more is cut, its checks then fail visibly. */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

let running: ChildProcess | null = null;

/** Kill the process group of the run in progress, if any (Ctrl-C during a run). */
export function killRunningChild(): void {
  const pid = running?.pid;
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Run `argv` in a process group of its own (so a timeout or Ctrl-C can end all of it by its id), with
 * stdin on /dev/null, and collect its output.
 */
export function runMeasured(argv: readonly string[], options: RunOptions): Promise<ChildOutcome> {
  const [file, ...args] = argv;
  if (!file) return Promise.reject(new Error('empty command'));
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    running = child;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      if ((outBytes += chunk.length) <= MAX_OUTPUT_BYTES) out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if ((errBytes += chunk.length) <= MAX_OUTPUT_BYTES) err.push(chunk);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killRunningChild();
    }, options.timeoutMs);
    let wallMs = 0;
    child.once('error', (error) => {
      clearTimeout(timer);
      running = null;
      reject(new Error(`${file}: ${error.message}`));
    });
    child.once('exit', () => {
      wallMs = performance.now() - started;
      clearTimeout(timer);
      // A descendant that outlives the method (it should not) must not hold the run open: end its group.
      setTimeout(() => {
        if (running === child) killRunningChild();
      }, 5_000).unref();
    });
    child.once('close', (code, signal) => {
      if (running === child) running = null;
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        wallMs,
        timedOut,
      });
    });
  });
}
