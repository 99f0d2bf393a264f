/** The zod check every glob of the inventory and the policy goes through: refused at load, with its path. */
import * as z from 'zod';
import { globProblem } from './glob.js';

/** Refuses a glob whose braces expand past the limit (util/glob.ts), with the reason. */
export const globCheck = z.superRefine<string>((value, ctx) => {
  const problem = globProblem(value);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, input: value });
});
