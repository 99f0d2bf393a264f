/** Reading an inventory file: the I/O half of `inventory/load.ts` `parseInventory`, which is pure. */
import { readFileSync } from 'node:fs';
import { InventoryError, parseInventory, type InventoryOptions } from '../inventory/index.js';
import type { Inventory } from '../model.js';

/**
 * Read and validate an inventory file.
 * @throws InventoryError listing every problem (the CLI exits 64), or when the file cannot be read.
 */
export function loadInventory(path: string, options: InventoryOptions = {}): Inventory {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new InventoryError([`${path}: cannot read the inventory: ${reason}`]);
  }
  return parseInventory(text, path, options);
}
