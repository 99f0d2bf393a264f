/**
 * Replay transport: answers the probe from saved captures (`--save-captures DIR`, or the demo fleet's
 * bundled ones), re-framed under the nonce of the script it is given, so the runner, parsers and classifier
 * cannot tell it from a live host.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Connector, HostConfig, RawCapture, Transport } from '../model.js';
import { createOutputCollector } from './outputCollector.js';
import { TransportError } from '../model.js';
import { frame, nonceOfScript } from '../probe/framing.js';

/** Answer a probe script with a saved capture, as the remote shell would have. */
export function replayCapture(capture: RawCapture, script: string): string {
  const nonce = nonceOfScript(script);
  if (nonce === null) throw new Error('not a kvm-netaudit probe script (no nonce)');
  return frame(capture, nonce);
}

/** File name a host's capture is saved under: the host name made safe for any file system. */
export function captureFileName(hostName: string): string {
  return `${hostName.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
}

export async function readCapture(file: string): Promise<RawCapture> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as RawCapture;
  if (typeof parsed.nonce !== 'string' || !Array.isArray(parsed.sections)) {
    throw new Error(`${file}: not a saved capture`);
  }
  return parsed;
}

/** A connector that reads `<dir>/<host>.json` for each host. */
export function createReplayConnector(dir: string): Connector {
  return {
    async connect(host: HostConfig): Promise<Transport> {
      const file = path.join(dir, captureFileName(host.name));
      const capture = await readCapture(file).catch((err: Error) => {
        throw new TransportError('unreachable', `no saved capture for this host (${err.message})`);
      });
      return replayTransport(capture);
    },
    async close() {},
  };
}

/**
 * A transport that answers the probe from a capture already read: the output the host gave (sections re-framed under
 * this run's nonce), under the same output cap as a live host. Used by `--replay` and `--from-sos`.
 */
export function replayTransport(capture: RawCapture): Transport {
  return {
    async exec(script, { maxBytes, budget }) {
      const output = createOutputCollector(maxBytes, budget);
      output.push('stdout', replayCapture(capture, script));
      return output.finish({ code: 0, signal: null });
    },
    close() {},
  };
}
