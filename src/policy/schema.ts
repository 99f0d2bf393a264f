/**
 * The policy file's shape (docs/policy.md) as zod schemas. Every mapping is strict: a misspelt key must
 * not silently drop a rule's scope or a waiver's expiry. Conditions (`where:`, `expect:`) depend on the
 * rule's subject and are checked by conditionsParse.ts.
 */
import * as z from 'zod';
import { BASELINE_RULE_IDS } from './baseline.js';
import { SEVERITY_ORDER } from './severity.js';
import { SUBJECT_KINDS } from './types.js';
import { parseIsoDate } from './waivers.js';
import { globCheck } from '../util/globSchema.js';

const text = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}, not an empty string` });

/** A glob: refused here, with its path, when its braces expand too far (util/glob.ts). */
const glob = (what: string) => text(what).check(globCheck);

const globList = (what: string) => z.array(glob(what), { error: `expected a list of ${what}s` });

/** Rule ids: safe in file names, JUnit class names and waiver references. */
export const RULE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/** Prefixes of built-in rule ids. */
const RESERVED_PREFIXES = ['baseline/', 'policy/'];

const expiryDate = z.union(
  [
    z.string().refine((value) => parseIsoDate(value) !== null, { error: 'expected an expiry date YYYY-MM-DD (a day that exists)' }),
    z.date(),
  ],
  { error: 'expected an expiry date YYYY-MM-DD' },
);

export const selectorSchema = z.strictObject(
  {
    names: globList('host name glob').optional(),
    groups: globList('group name glob').optional(),
    exceptNames: globList('host name glob').optional(),
    exceptGroups: globList('group name glob').optional(),
  },
  { error: 'expected a mapping with names:, groups:, exceptNames: or exceptGroups:' },
);

const conditionMap = z.record(z.string(), z.unknown(), { error: 'expected a mapping of attribute → condition' });

export const ruleSchema = z.strictObject(
  {
    id: text('a rule id')
      .regex(RULE_ID_PATTERN, { error: 'expected a rule id: letters, digits, ".", "_", "-" and "/"' })
      .refine((id) => !RESERVED_PREFIXES.some((prefix) => id.startsWith(prefix)), {
        error: `rule ids starting with ${RESERVED_PREFIXES.join(' or ')} are kvm-netaudit's own`,
      }),
    description: text('a description'),
    severity: z.enum(SEVERITY_ORDER as [string, ...string[]], { error: `expected a severity: ${SEVERITY_ORDER.join(', ')}` }),
    hosts: selectorSchema.optional(),
    subject: z.enum(SUBJECT_KINDS, { error: `expected a subject: ${SUBJECT_KINDS.join(', ')}` }),
    where: conditionMap.optional(),
    expect: conditionMap,
  },
  { error: 'expected a mapping with id:, description:, severity:, subject: and expect:' },
);

export const waiverSchema = z.strictObject(
  {
    rule: text('the id of a rule'),
    subject: glob('a subject glob such as "vm web01 *" or "network default"').optional(),
    hosts: selectorSchema.optional(),
    justification: text('a justification'),
    // YAML 1.1 documents turn an unquoted date into a timestamp: accept both, normalise in the loader.
    expires: expiryDate,
    owner: text('an owner').optional(),
  },
  { error: 'expected a mapping with rule:, justification: and expires:' },
);

export const baselineSchema = z.strictObject(
  {
    productionGroups: globList('group name glob').optional(),
    isolatedGroups: globList('group name glob').optional(),
    disable: z
      .array(z.enum(BASELINE_RULE_IDS as [string, ...string[]], { error: `expected a baseline rule id: ${BASELINE_RULE_IDS.join(', ')}` }), {
        error: 'expected a list of baseline rule ids',
      })
      .optional(),
  },
  { error: 'expected a mapping with productionGroups:, isolatedGroups: or disable: (or nothing)' },
);

export const policySchema = z.strictObject(
  {
    version: z.literal(1, { error: 'expected 1 (the only policy format version)' }).optional(),
    baseline: baselineSchema.nullable().optional(),
    rules: z.array(ruleSchema, { error: 'expected a list of rules' }).optional(),
    waivers: z.array(waiverSchema, { error: 'expected a list of waivers' }).optional(),
  },
  { error: 'expected a mapping with rules:, waivers: and/or baseline:' },
);

export type RawPolicy = z.infer<typeof policySchema>;
export type RawRule = z.infer<typeof ruleSchema>;
export type RawWaiver = z.infer<typeof waiverSchema>;
export type RawSelector = z.infer<typeof selectorSchema>;

/** The keys each mapping accepts, for unknown-key messages. */
export const POLICY_KEYS = {
  policy: Object.keys(policySchema.shape),
  baseline: Object.keys(baselineSchema.shape),
  rule: Object.keys(ruleSchema.shape),
  waiver: Object.keys(waiverSchema.shape),
  selector: Object.keys(selectorSchema.shape),
} as const;
