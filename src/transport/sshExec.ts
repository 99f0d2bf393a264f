/**
 * Run a script over ONE exec channel as `sh -s`, the script written to the channel's stdin: it never shows
 * in the remote `ps` and never meets ARG_MAX. Output is capped; an abort closes the channel and the connection.
 */
import type { ClientChannel } from 'ssh2';
import { TransportError, type ExecOptions, type ExecResult } from '../model.js';
import { abortError, kindOfSsh2Error, messageOf } from './errors.js';
import { createOutputCollector } from './outputCollector.js';
import type { SshSession } from './sshSession.js';

/** The remote command: a POSIX shell reading its script from stdin. */
export const REMOTE_COMMAND = 'sh -s';

/**
 * Execute `script` on an open session.
 * Resolves on the channel's close with the exit status; as soon as stdout + stderr pass `maxBytes`, resolves
 * with what was received and `truncated: true`. Rejects `timeout`/`cancelled` on abort (after closing the
 * channel and the connection), `unreachable` when the connection drops first.
 */
export function execOverSsh(session: SshSession, script: string, options: ExecOptions): Promise<ExecResult> {
  const { client } = session;
  const { signal, maxBytes } = options;
  if (signal?.aborted) {
    session.shutdown();
    return Promise.reject(abortError(signal, 'running the probe'));
  }

  return new Promise<ExecResult>((resolve, reject) => {
    const output = createOutputCollector(maxBytes, options.budget);
    let channel: ClientChannel | null = null;
    let exit: { code: number | null; signal: string | null } = { code: null, signal: null };
    let settled = false;

    /**
     * Decide the outcome once. The outcome runs first, inside a try: if building it throws (decoding a huge
     * output), the promise still rejects rather than the error escaping into ssh2's callback with every
     * listener already gone. Listeners are dropped only after.
     */
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      try {
        outcome();
      } catch (error) {
        reject(new TransportError('internal', `cannot keep the probe output: ${messageOf(error)}`));
      } finally {
        output.release();
        signal?.removeEventListener('abort', onAbort);
        client.removeListener('error', onConnectionError);
        client.removeListener('close', onConnectionClose);
      }
    };
    const onAbort = () => {
      channel?.close();
      session.shutdown();
      settle(() => reject(abortError(signal!, 'running the probe')));
    };
    const onConnectionError = (error: unknown) => {
      settle(() => reject(new TransportError(kindOfSsh2Error(error), `connection lost while running the probe: ${messageOf(error)}`)));
    };
    const onConnectionClose = () => {
      settle(() => reject(new TransportError('unreachable', 'connection closed while running the probe')));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    client.on('error', onConnectionError);
    client.on('close', onConnectionClose);

    const onData = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      if (settled || output.push(stream, chunk)) return;
      // Cap reached: stop the command now rather than drain it; the connection stays usable for close().
      channel?.close();
      settle(() => resolve(output.finish({ code: null, signal: null })));
    };

    try {
      client.exec(REMOTE_COMMAND, (error, stream) => {
        if (error) {
          settle(() => reject(new TransportError('command', `the host refused to run ${REMOTE_COMMAND}: ${error.message}`)));
          return;
        }
        channel = stream;
        stream.on('error', () => {}); // channel errors also surface as the connection's; the outcome is decided there
        if (settled) {
          stream.close(); // aborted while the channel was opening
          return;
        }
        stream.on('data', onData('stdout'));
        stream.stderr.on('data', onData('stderr'));
        stream.on('exit', (code: number | null, exitSignal?: string) => {
          exit = { code: typeof code === 'number' ? code : null, signal: exitSignal ?? null };
        });
        stream.on('close', () => settle(() => resolve(output.finish(exit))));
        stream.end(script);
      });
    } catch (error) {
      // ssh2 throws synchronously when the connection is already gone.
      settle(() => reject(new TransportError('unreachable', `cannot open an exec channel: ${messageOf(error)}`)));
    }
  });
}
