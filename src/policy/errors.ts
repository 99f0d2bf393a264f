/**
 * The one error type the policy loader throws (exit 64): every problem, each `file:line: key.path: what is wrong`.
 */
import { InputError } from '../errors.js';

export class PolicyError extends InputError {
  constructor(messages: readonly string[]) {
    super('policy', messages);
    this.name = 'PolicyError';
  }
}
