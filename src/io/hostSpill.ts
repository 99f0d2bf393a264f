/**
 * A HostStore on disk: each finished host's report is appended to an NDJSON file as one line and dropped from the
 * heap; the reports are read back one at a time, in inventory order, when the report files are written. This is
 * what keeps a 5,000-host run's memory flat (docs/architecture.md, "Memory").
 *
 * The file is unlinked as soon as it is open, so it never outlives the process (a crash, a kill -9 included) and
 * no other process can open it by name; the open descriptor keeps it readable until the process exits. Where
 * unlinking an open file is refused (Windows), it is removed at exit instead.
 *
 * Synchronous I/O on purpose: a put is one write of a few kilobytes into the page cache (microseconds), and doing
 * it at once keeps the runner's order of events simple: a host is on disk when its `host-done` is emitted.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { HostReport, HostSequence, HostStore } from '../model.js';

export interface HostSpill extends HostStore<HostSequence> {
  /** Where the file was made (for messages); it has no name there any more. */
  readonly dir: string;
  /** Bytes written so far. */
  readonly bytes: number;
}

/** Open a spill file in `dir` (created if needed). Throws when it cannot: the caller decides what then. */
export function createHostSpill(dir: string): HostSpill {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `.kvm-netaudit-hosts-${process.pid}-${randomBytes(4).toString('hex')}.ndjson`);
  const fd = openSync(file, 'wx+', 0o600);
  removeNow(file);
  const index = new Map<string, { offset: number; length: number }>();
  let end = 0;

  const read = (name: string): HostReport => {
    const at = index.get(name);
    if (!at) throw new Error(`no report was kept for host ${name}`);
    const buffer = Buffer.allocUnsafe(at.length);
    let done = 0;
    while (done < at.length) {
      const n = readSync(fd, buffer, done, at.length - done, at.offset + done);
      if (n === 0) throw new Error(`the spill file ended early reading host ${name}`);
      done += n;
    }
    return JSON.parse(buffer.toString('utf8')) as HostReport;
  };

  return {
    dir,
    get bytes() {
      return end;
    },
    put(report) {
      const line = Buffer.from(`${JSON.stringify(report)}\n`, 'utf8');
      let done = 0;
      while (done < line.length) done += writeSync(fd, line, done, line.length - done, end + done);
      // The newline is not part of the record: JSON.parse is given exactly the object.
      index.set(report.name, { offset: end, length: line.length - 1 });
      end += line.length;
    },
    sequence(names) {
      const order = [...names];
      for (const name of order) if (!index.has(name)) throw new Error(`no report was kept for host ${name}`);
      return {
        length: order.length,
        *[Symbol.iterator]() {
          for (const name of order) yield read(name);
        },
      };
    },
  };

  /** Unlink now; where that is refused for an open file, at exit (the descriptor is closed first). */
  function removeNow(path: string): void {
    try {
      rmSync(path);
    } catch {
      process.once('exit', () => {
        try {
          closeSync(fd);
          rmSync(path, { force: true });
        } catch {
          // Nothing more can be done at exit; the file is in the reports folder, named as ours.
        }
      });
    }
  }
}
