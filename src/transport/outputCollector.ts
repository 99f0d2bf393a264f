/**
 * Collects a command's stdout and stderr under one byte cap (DESIGN §5: a host that streams forever is cut
 * off, not buffered without bound). Chunks are kept as Buffers and decoded once at the end, so a multi-byte
 * character split across chunks is never mangled.
 */

export interface OutputCollector {
  /** Add a chunk; returns false once the cap is reached (the caller should stop the command). */
  push(stream: 'stdout' | 'stderr', chunk: Buffer | string): boolean;
  readonly truncated: boolean;
  readonly bytes: number;
  /** Decode what was kept. */
  text(): { stdout: string; stderr: string };
}

/** @param maxBytes cap on stdout + stderr together; the chunk that crosses it is cut at the cap. */
export function createOutputCollector(maxBytes: number): OutputCollector {
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  let bytes = 0;
  let truncated = false;
  return {
    push(stream, chunk) {
      if (truncated) return false;
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const room = maxBytes - bytes;
      if (buffer.length > room) {
        if (room > 0) chunks[stream].push(buffer.subarray(0, room));
        bytes = maxBytes;
        truncated = true;
        return false;
      }
      chunks[stream].push(buffer);
      bytes += buffer.length;
      return true;
    },
    get truncated() {
      return truncated;
    },
    get bytes() {
      return bytes;
    },
    text() {
      return { stdout: Buffer.concat(chunks.stdout).toString('utf8'), stderr: Buffer.concat(chunks.stderr).toString('utf8') };
    },
  };
}
