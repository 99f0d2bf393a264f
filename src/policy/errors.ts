/**
 * The one error type the policy loader throws. The CLI exits 64 (invalid invocation or policy) and
 * prints `messages`, one per line.
 */
export class PolicyError extends Error {
  /** Every problem found, each formatted `file:line: key.path: what is wrong`. */
  readonly messages: readonly string[];
  /** DESIGN §7: bad invocation or invalid inventory/policy. */
  readonly exitCode = 64;

  constructor(messages: readonly string[]) {
    super(messages.join('\n'));
    this.name = 'PolicyError';
    this.messages = [...messages];
  }
}
