/**
 * The local transport: runs the probe on this machine with `sh -s`, the script fed on stdin exactly as over
 * SSH, with the same exec semantics (output cap, abort kills the command).
 */
import { spawn } from 'node:child_process';
import { TransportError, type Connector, type ExecOptions, type ExecResult, type Transport } from '../model.js';
import { abortError, messageOf } from './errors.js';
import { createOutputCollector } from './outputCollector.js';

/** A connector whose every host is this machine (used to audit it, and by tests). */
export function createLocalConnector(): Connector {
  return {
    async connect(_host, options) {
      if (options.signal?.aborted) throw abortError(options.signal, 'starting the local shell');
      return createLocalTransport();
    },
    async close() {},
  };
}

function createLocalTransport(): Transport {
  return {
    exec: runLocalScript,
    close() {},
  };
}

/** Run `script` with `sh -s`; resolves on exit, or as soon as the output cap is hit. */
export function runLocalScript(script: string, options: ExecOptions): Promise<ExecResult> {
  const { signal, maxBytes } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal, 'running the local probe'));

  return new Promise<ExecResult>((resolve, reject) => {
    // Its own process group, so stopping it also stops what the script started (virsh, ip…).
    const child = spawn('sh', ['-s'], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const output = createOutputCollector(maxBytes, options.budget);
    let settled = false;

    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        // The whole group: sh may be gone while a command it started still holds the output pipe.
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
      finish(() => reject(abortError(signal!, 'running the local probe')));
    };
    const onData = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      if (settled || output.push(stream, chunk)) return;
      killGroup();
      finish(() => resolve(output.finish({ code: null, signal: null })));
    };

    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', onData('stdout'));
    child.stderr.on('data', onData('stderr'));
    // The script may exit before reading all of stdin (EPIPE): that is its business, not an error of ours.
    child.stdin.on('error', () => {});
    child.on('error', (error) => finish(() => reject(new TransportError('internal', `cannot start sh: ${error.message}`))));
    child.on('close', (code, exitSignal) => {
      finish(() => resolve(output.finish({ code, signal: exitSignal })));
    });
    child.stdin.end(script);
  });
}
