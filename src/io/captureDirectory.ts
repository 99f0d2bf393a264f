/**
 * Raw probe captures on disk, one JSON file per host: `--save-captures DIR` (replayable with `--replay DIR`),
 * and the live table's raw-output view (`x`), which reads a host's capture back only when asked, so a
 * 5,000-host run does not hold every capture in memory.
 *
 * Saving is a side job: a full disk or an unwritable path costs the captures (each failure is reported through
 * `onError`), never the audit or its report.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HostConfig, RawCapture } from '../model.js';
import { captureFileName } from '../transport/replay.js';
import { writeFileAtomic } from './atomicFile.js';
import { messageOf } from '../errors.js';

export interface CaptureDirectory {
  save(host: HostConfig, capture: RawCapture): void;
  /** The host's last saved capture, if any (synchronous: the UI asks while drawing). */
  get(hostName: string): RawCapture | undefined;
  /** Wait until every save so far is on disk or has failed (never rejects). */
  flush(): Promise<void>;
  /** Remove the folder if it was a temporary one. */
  dispose(): void;
}

export interface CaptureDirectoryOptions {
  /** A folder to keep, or null for a private temporary one removed by `dispose`. */
  dir: string | null;
  /** Told about each capture that could not be saved (the folder itself, or one host's file). */
  onError: (message: string) => void;
}

export function createCaptureDirectory(options: CaptureDirectoryOptions): CaptureDirectory {
  const temporary = options.dir === null;
  let folder = options.dir ?? path.join(tmpdir(), 'kvm-netaudit-captures-*');
  let usable = true;
  try {
    folder = options.dir ?? mkdtempSync(path.join(tmpdir(), 'kvm-netaudit-captures-'));
    mkdirSync(folder, { recursive: true, mode: 0o700 });
  } catch (error) {
    usable = false;
    options.onError(`cannot save probe captures in ${folder}: ${messageOf(error)}`);
  }
  const writes = new Map<string, Promise<void>>();
  return {
    save(host, capture) {
      if (!usable) return;
      const file = path.join(folder, captureFileName(host.name));
      const previous = writes.get(host.name) ?? Promise.resolve();
      // One host's saves are chained, so a re-audit's capture never loses a race with the first one.
      const next = previous.then(() =>
        writeFileAtomic(file, `${JSON.stringify(capture)}\n`, 0o600).catch((error: unknown) => {
          options.onError(`cannot save the probe capture of ${host.name} to ${file}: ${messageOf(error)}`);
        }),
      );
      writes.set(host.name, next);
    },
    get(hostName) {
      try {
        return JSON.parse(readFileSync(path.join(folder, captureFileName(hostName)), 'utf8')) as RawCapture;
      } catch {
        return undefined;
      }
    },
    async flush() {
      await Promise.all(writes.values());
    },
    dispose() {
      if (temporary && usable) rmSync(folder, { recursive: true, force: true });
    },
  };
}
