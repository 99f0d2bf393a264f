/**
 * The one error type the inventory layer throws. The CLI maps it to exit code 64 (bad invocation or
 * invalid inventory) and prints `messages`, one per line.
 */
export class InventoryError extends Error {
  /** Every problem found, each formatted `file:line: key.path: what is wrong`. */
  readonly messages: readonly string[];

  constructor(messages: readonly string[]) {
    super(messages.join('\n'));
    this.name = 'InventoryError';
    this.messages = [...messages];
  }
}

/** A `--limit` that selects nothing or names something that does not exist (also exit 64). */
export class HostSelectionError extends InventoryError {
  constructor(messages: readonly string[]) {
    super(messages);
    this.name = 'HostSelectionError';
  }
}
