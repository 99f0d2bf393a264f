/**
 * Run a script through a local program that reads it on stdin (`sh -s` for the local transport, `ssh … 'sh -s'`
 * for the openssh one), with the same exec semantics as an SSH channel: output capped per host and under the
 * fleet budget, and an abort (or the cap) kills the program and everything it started.
 */
import { spawn } from 'node:child_process';
import { TransportError, type ExecOptions, type ExecResult } from '../model.js';
import { abortError, messageOf } from './errors.js';
import { createOutputCollector } from './outputCollector.js';

/**
 * Spawn `command args…`, write `script` to its stdin, and collect its output.
 * Resolves on exit with the exit status, or as soon as stdout + stderr pass `maxBytes` (or the fleet budget) with
 * what was received and `truncated: true`. Rejects `timeout`/`cancelled` on abort; when the program cannot be
 * started, with what `spawnFailure` makes of it, else `internal`.
 * @param what what is running, for abort messages: `deadline exceeded while running <what>`
 * @param env the child's environment. @default process.env
 * @param spawnFailure the error for a program that could not be started (e.g. ENOENT: not installed); null: `internal`
 * @example
 *   await runSpawnedScript('sh', ['-s'], 'echo hi\n', { maxBytes: 1 << 20 }, 'the local probe')
 *   // { code: 0, signal: null, stdout: 'hi\n', stderr: '', truncated: false, bytes: 3, cutOffBy: null }
 */
export function runSpawnedScript(
  command: string,
  args: readonly string[],
  script: string,
  options: ExecOptions,
  what: string,
  env?: NodeJS.ProcessEnv,
  spawnFailure?: (command: string, error: NodeJS.ErrnoException) => TransportError | null,
): Promise<ExecResult> {
  const { signal, maxBytes } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal, `running ${what}`));

  return new Promise<ExecResult>((resolve, reject) => {
    // Its own process group, so stopping it also stops what it started (virsh under sh, ssh's ProxyCommand…);
    // as a new session it also has no controlling terminal, so nothing it runs can prompt the operator.
    const child = spawn(command, [...args], { stdio: ['pipe', 'pipe', 'pipe'], detached: true, ...(env ? { env } : {}) });
    const output = createOutputCollector(maxBytes, options.budget);
    let settled = false;

    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        // The whole group: the leader may be gone while a process it started still holds the output pipe.
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: the group has already gone.
      }
    };
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      try {
        outcome();
      } catch (error) {
        reject(new TransportError('internal', `cannot keep the probe output: ${messageOf(error)}`));
      } finally {
        output.release();
      }
    };
    const onAbort = () => {
      killGroup();
      finish(() => reject(abortError(signal!, `running ${what}`)));
    };
    const onData = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      if (settled || output.push(stream, chunk)) return;
      killGroup();
      finish(() => resolve(output.finish({ code: null, signal: null })));
    };

    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', onData('stdout'));
    child.stderr.on('data', onData('stderr'));
    // The program may exit before reading all of stdin (EPIPE): that is its business, not an error of ours.
    child.stdin.on('error', () => {});
    child.on('error', (error) =>
      finish(() => reject(spawnFailure?.(command, error) ?? new TransportError('internal', `cannot start ${command}: ${error.message}`))),
    );
    child.on('close', (code, exitSignal) => {
      finish(() => resolve(output.finish({ code, signal: exitSignal })));
    });
    child.stdin.end(script);
  });
}
