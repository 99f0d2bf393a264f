/**
 * Compliance (issue 5): policies as code, the built-in baseline, waivers, and their evaluation against
 * audited hosts. docs/policy.md documents the file format.
 */
export { ATTRIBUTES, type AttributeSpec, type AttributeType } from './attributes.js';
export { BASELINE_RULE_IDS, BASELINE_SOURCE, baselineRules } from './baseline.js';
export { describeCondition } from './conditions.js';
export { PolicyError } from './errors.js';
export { countFindings, EXPIRED_WAIVER_RULE, evaluatePolicy, failuresAtLeast, findingsForHost, mergeEvaluations, type PolicyContext } from './evaluate.js';
export { mergePolicies, type PolicyLoadOptions, type PolicyText } from './load.js';
export { isSeverity, SEVERITY_ORDER, severityAtLeast } from './severity.js';
export type { HostFactsForPolicy } from './subjects.js';
export type * from './types.js';
export { SUBJECT_KINDS } from './types.js';
export { isExpired, parseIsoDate } from './waivers.js';
