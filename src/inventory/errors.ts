/**
 * The one error type the inventory layer throws (exit 64): every problem, each `file:line: key.path: what is wrong`.
 */
import { InputError } from '../errors.js';

export class InventoryError extends InputError {
  constructor(messages: readonly string[]) {
    super('inventory', messages);
    this.name = 'InventoryError';
  }
}

/** A `--limit` that selects nothing or names something that does not exist (also exit 64). */
export class HostSelectionError extends InventoryError {
  constructor(messages: readonly string[]) {
    super(messages);
    this.name = 'HostSelectionError';
  }
}
