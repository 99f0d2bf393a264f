/**
 * Files that appear whole or not at all: written to a new temporary sibling (`wx`: never an existing file, never
 * through a planted symlink), flushed, then renamed over the target (a rename replaces a symlink, it does not
 * follow it). Reports and saved captures are both written this way.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Pieces are gathered up to this size before each write: fewer system calls than one per small piece. */
const WRITE_BATCH_CHARS = 256 * 1024;

/**
 * Write to a temporary sibling, flush it to disk, then rename it over `file`. `content` may come in pieces (a
 * report rendered one host at a time): it is never joined into one string.
 */
export async function writeFileAtomic(file: string, content: string | Iterable<string>, mode = 0o644): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      if (typeof content === 'string') await handle.writeFile(content, 'utf8');
      else await writePieces(content, (text) => handle.writeFile(text, 'utf8'));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Hand `pieces` to `write` in batches of about WRITE_BATCH_CHARS, in order. */
export async function writePieces(pieces: Iterable<string>, write: (text: string) => Promise<unknown>): Promise<void> {
  let batch: string[] = [];
  let size = 0;
  for (const piece of pieces) {
    batch.push(piece);
    size += piece.length;
    if (size >= WRITE_BATCH_CHARS) {
      await write(batch.join(''));
      batch = [];
      size = 0;
    }
  }
  if (batch.length > 0) await write(batch.join(''));
}
