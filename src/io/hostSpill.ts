/**
 * A HostStore on disk: each finished host's report is appended to an NDJSON file as one line and dropped from the
 * heap; the reports are read back one at a time, in inventory order, when the report files are written. This is
 * what keeps a 5,000-host run's memory flat (docs/architecture.md, the fleet promises).
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
import { headlineOf, type HostHeadline } from '../report/headline.js';

export interface HostSpill extends HostStore<HostSequence> {
  /** Bytes written so far. */
  readonly bytes: number;
}

/** Where one kept report is: a line of the file, or (when writing it failed) the heap. */
type Place = { offset: number; length: number } | { report: HostReport };

/**
 * Open a spill file in `dir` (created if needed). Throws when it cannot: the caller decides what then.
 * @param warn told once when a write fails (a full disk): that report and the later ones stay in memory instead
 */
export function createHostSpill(dir: string, warn: (message: string) => void = () => {}): HostSpill {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `.kvm-netaudit-hosts-${process.pid}-${randomBytes(4).toString('hex')}.ndjson`);
  const fd = openSync(file, 'wx+', 0o600);
  removeNow(file);
  const index = new Map<string, Place>();
  const headlines = new Map<string, HostHeadline>();
  let end = 0;
  let writable = true;

  const read = (name: string, place: Place): HostReport => {
    if ('report' in place) return place.report;
    const buffer = Buffer.allocUnsafe(place.length);
    let done = 0;
    while (done < place.length) {
      const n = readSync(fd, buffer, done, place.length - done, place.offset + done);
      if (n === 0) throw new Error(`the spill file ended early reading host ${name}`);
      done += n;
    }
    return JSON.parse(buffer.toString('utf8')) as HostReport;
  };

  /** Append one report; false when the file would not take it (what it did take is never pointed at). */
  const append = (report: HostReport): boolean => {
    const line = Buffer.from(`${JSON.stringify(report)}\n`, 'utf8');
    try {
      let done = 0;
      while (done < line.length) done += writeSync(fd, line, done, line.length - done, end + done);
    } catch (error) {
      warn(`cannot keep host reports on disk in ${dir} (${error instanceof Error ? error.message : String(error)}); keeping the rest in memory`);
      return false;
    }
    // The newline is not part of the record: JSON.parse is given exactly the object.
    index.set(report.name, { offset: end, length: line.length - 1 });
    end += line.length;
    return true;
  };

  return {
    get bytes() {
      return end;
    },
    put(report) {
      headlines.set(report.name, headlineOf(report));
      writable = writable && append(report);
      if (!writable) index.set(report.name, { report });
    },
    sequence(names) {
      // A snapshot: a host put again later (a re-audit) does not change a report already built from this. The
      // file only grows, so the places taken now stay valid.
      const places = names.map((name) => {
        const place = index.get(name);
        if (!place) throw new Error(`no report was kept for host ${name}`);
        return [name, place] as const;
      });
      return {
        length: places.length,
        headlines: names.map((name) => headlines.get(name)!),
        *[Symbol.iterator]() {
          for (const [name, place] of places) yield read(name, place);
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
