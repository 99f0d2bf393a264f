/**
 * The local transport: runs the probe on this machine with `sh -s`, the script fed on stdin exactly as over
 * SSH, with the same exec semantics (output cap, abort kills the command).
 */
import type { Connector, ExecOptions, ExecResult, Transport } from '../model.js';
import { abortError } from './errors.js';
import { runSpawnedScript } from './spawnExec.js';

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
  return runSpawnedScript('sh', ['-s'], script, options, 'the local probe');
}
