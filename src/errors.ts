/**
 * The one base of every error the CLI reports as the operator's mistake, not ours: what is wrong, in their
 * words, and the exit code it means. `cli.ts` has the one handler: it prints `messages` (no stack) and exits
 * with `exitCode`; anything else that escapes is a bug (exit 70, with the stack).
 */

/** What kind of input was wrong. */
export type InputErrorKind = 'usage' | 'inventory' | 'policy' | 'report';

/** sysexits.h: the command was used incorrectly, or its input data was wrong. */
const EX_USAGE = 64;

export class InputError extends Error {
  /** Every problem found, one per line (files as `file:line: key.path: what is wrong`). */
  readonly messages: readonly string[];
  readonly exitCode: number = EX_USAGE;

  constructor(
    readonly kind: InputErrorKind,
    messages: string | readonly string[],
  ) {
    const list = typeof messages === 'string' ? [messages] : [...messages];
    super(list.join('\n'));
    this.messages = list;
  }
}

/** The message of anything thrown, without assuming it is an Error. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
