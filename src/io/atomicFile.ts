/**
 * Files that appear whole or not at all: written to a new temporary sibling (`wx`: never an existing file, never
 * through a planted symlink), flushed, then renamed over the target (a rename replaces a symlink, it does not
 * follow it). Reports and saved captures are both written this way.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Write to a temporary sibling, flush it to disk, then rename it over `file`. */
export async function writeFileAtomic(file: string, content: string, mode = 0o644): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(content, 'utf8');
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
