/**
 * Raw probe captures on disk, one JSON file per host: `--save-captures DIR` (replayable with `--replay DIR`),
 * and the live table's raw-output view (`x`), which reads a host's capture back only when asked, so a
 * 5,000-host run does not hold every capture in memory.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HostConfig, RawCapture } from '../model.js';
import { captureFileName } from '../transport/replay.js';

export interface CaptureDirectory {
  save(host: HostConfig, capture: RawCapture): void;
  /** The host's last saved capture, if any (synchronous: the UI asks while drawing). */
  get(hostName: string): RawCapture | undefined;
  /** Wait until every save so far is on disk. */
  flush(): Promise<void>;
  /** Remove the folder if it was a temporary one. */
  dispose(): void;
}

/** @param dir a folder to keep, or null for a private temporary one removed by `dispose`. */
export function createCaptureDirectory(dir: string | null): CaptureDirectory {
  const temporary = dir === null;
  const folder = dir ?? mkdtempSync(path.join(tmpdir(), 'kvm-netaudit-captures-'));
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const writes = new Map<string, Promise<void>>();
  return {
    save(host, capture) {
      const file = path.join(folder, captureFileName(host.name));
      const previous = writes.get(host.name) ?? Promise.resolve();
      // One host's saves are chained, so a re-audit's capture never loses a race with the first one.
      writes.set(host.name, previous.then(() => writeFile(file, `${JSON.stringify(capture)}\n`, { mode: 0o600 })));
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
      if (temporary) rmSync(folder, { recursive: true, force: true });
    },
  };
}
