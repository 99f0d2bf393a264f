/**
 * Finding severities, from least to most severe: the one list (policy ordering, --fail-on, summaries). Apart from
 * schema.ts, which builds on it, so that the command line can check `--fail-on` without loading zod.
 */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
