/**
 * Collects a command's stdout and stderr under one byte cap per host (a host that streams forever is cut off,
 * not buffered without bound) and, when given, under the run's fleet-wide budget (64 hosts × 32 MiB would be
 * 2 GiB), which holds a host's bytes from the first one received until its output has been judged. Chunks are kept as Buffers and decoded once at the end, so a multi-byte character split across chunks
 * is never mangled.
 */
import type { ExecResult, OutputBudget } from '../model.js';

export interface OutputCollector {
  /** Add a chunk; returns false once a cap is reached (the caller should stop the command). */
  push(stream: 'stdout' | 'stderr', chunk: Buffer | string): boolean;
  readonly truncated: boolean;
  readonly bytes: number;
  /**
   * The exec's result: decoded output, the byte count and what cut it off. Its bytes stay reserved in the fleet
   * budget: the caller gives them back (`budget.give(result.bytes)`) once it is done with the output.
   */
  finish(exit: { code: number | null; signal: string | null }): ExecResult;
  /** For a command that failed: drop what was kept and give its bytes back (idempotent; nothing after finish). */
  release(): void;
}

/**
 * @param maxBytes cap on stdout + stderr together; the chunk that crosses it is cut at the cap.
 * @param budget the run's fleet-wide budget; a chunk it cannot hold cuts this host off as well.
 */
export function createOutputCollector(maxBytes: number, budget?: OutputBudget): OutputCollector {
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  let bytes = 0;
  let cutOffBy: ExecResult['cutOffBy'] = null;
  /** Set once the bytes were handed to the caller (finish) or given back (release). */
  let finished = false;
  return {
    push(stream, chunk) {
      if (cutOffBy !== null || finished) return false;
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const room = maxBytes - bytes;
      const kept = buffer.length > room ? buffer.subarray(0, Math.max(0, room)) : buffer;
      if (budget && kept.length > 0 && !budget.take(kept.length)) {
        cutOffBy = 'fleet-budget';
        return false;
      }
      if (kept.length > 0) chunks[stream].push(kept);
      bytes += kept.length;
      if (kept.length < buffer.length) {
        cutOffBy = 'host-cap';
        return false;
      }
      return true;
    },
    get truncated() {
      return cutOffBy !== null;
    },
    get bytes() {
      return bytes;
    },
    finish(exit) {
      finished = true;
      const stdout = Buffer.concat(chunks.stdout).toString('utf8');
      const stderr = Buffer.concat(chunks.stderr).toString('utf8');
      chunks.stdout = [];
      chunks.stderr = [];
      return { ...exit, stdout, stderr, truncated: cutOffBy !== null, bytes, cutOffBy };
    },
    release() {
      if (finished) return;
      finished = true;
      budget?.give(bytes);
      chunks.stdout = [];
      chunks.stderr = [];
    },
  };
}

/** A fleet-wide output budget of `limit` bytes. */
export function createOutputBudget(limit: number): OutputBudget {
  let inUse = 0;
  return {
    take(bytes) {
      if (inUse + bytes > limit) return false;
      inUse += bytes;
      return true;
    },
    give(bytes) {
      inUse = Math.max(0, inUse - bytes);
    },
    limit,
    get inUse() {
      return inUse;
    },
  };
}
