/**
 * Stand-ins for a terminal's stdout and stdin, good enough for Ink to render into and read keys from: the
 * render benchmark draws into them, and the UI tests read back what was drawn.
 */
import { EventEmitter } from 'node:events';

export class FakeStdout extends EventEmitter {
  /** What was written, when `keep` is set (the bench only counts). */
  readonly writes: string[] = [];
  writeCount = 0;
  bytes = 0;
  constructor(
    public columns = 100,
    public rows = 30,
    readonly isTTY = true,
    private readonly keep = true,
  ) {
    super();
  }
  /** Change the size, as a terminal window being resized does. */
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
  write = (chunk: string | Uint8Array): boolean => {
    this.writeCount++;
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (this.keep) this.writes.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  hasColors(): boolean {
    return true;
  }
  asStream(): NodeJS.WriteStream {
    return this as unknown as NodeJS.WriteStream;
  }
}

export class FakeStdin extends EventEmitter {
  readonly rawModeCalls: boolean[] = [];
  private pending: string | null = null;
  constructor(readonly isTTY: boolean) {
    super();
  }
  /** Type keys, as a terminal in raw mode would deliver them. */
  type(data: string): void {
    this.pending = data;
    this.emit('readable');
  }
  read = (): string | null => {
    const data = this.pending;
    this.pending = null;
    return data;
  };
  setRawMode(enabled: boolean): this {
    this.rawModeCalls.push(enabled);
    return this;
  }
  setEncoding(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  asStream(): NodeJS.ReadStream {
    return this as unknown as NodeJS.ReadStream;
  }
}
