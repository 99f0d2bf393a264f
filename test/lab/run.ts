/**
 * Running the lab's commands: argv arrays through execFile/spawn (never a shell string), with failures
 * that say which command failed and what it printed.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Directories searched for system tools besides $PATH: Debian keeps `ip` and `brctl` in sbin. */
const SYSTEM_DIRS = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];

/** Absolute path of an executable, searched in $PATH and the sbin directories; throws when absent. */
export function resolveTool(name: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SYSTEM_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here: keep looking
    }
  }
  throw new Error(`${name} not found in PATH or ${SYSTEM_DIRS.join(':')}`);
}

/** Run a command; resolve with its stdout, reject with a message holding the command and its stderr. */
export async function run(argv: readonly string[]): Promise<string> {
  const [file, ...args] = argv;
  if (!file) throw new Error('empty command');
  try {
    const { stdout } = await execFileAsync(file, args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${argv.join(' ')} failed: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

/** Run a command whose failure is expected and harmless (removing what may already be gone). */
export async function runQuietly(argv: readonly string[]): Promise<void> {
  await run(argv).catch(() => undefined);
}

/** What a command printed and how it ended. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  /** Exit status; null when it was ended by a signal. */
  code: number | null;
}

/** Options of {@link runCollect}. */
export interface CollectOptions {
  /** Written to the command's standard input, which is then closed. */
  stdin?: string;
  /** The command's whole environment. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) after this long. @default 60000 */
  timeoutMs?: number;
  /** The working folder. @default this process's */
  cwd?: string;
}

/** Run a command to completion and collect its output, whatever its exit status. */
export function runCollect(argv: readonly string[], options: CollectOptions = {}): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (!file) return Promise.reject(new Error('empty command'));
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'], ...(options.cwd ? { cwd: options.cwd } : {}) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${argv[0]}: ${error.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code });
    });
    // A command that does not read its input must not fail the run with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}

/** Resolve once `child` has exited, or after `ms` (whichever first); true when it exited. */
export function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    child.once('exit', onExit);
  });
}

/**
 * The steps of a teardown: each is attempted whatever the ones before did (a lab half torn down is worse than
 * one error), and `finish` throws every failure at once, named after `what`.
 */
export function teardown(what: string): { attempt(step: () => Promise<unknown>): Promise<void>; finish(): void } {
  const failures: unknown[] = [];
  return {
    attempt: async (step) => {
      await step().catch((error: unknown) => failures.push(error));
    },
    finish: () => {
      if (failures.length > 0) throw new AggregateError(failures, `${what}: cleanup failed`);
    },
  };
}
