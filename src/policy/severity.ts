/**
 * Severities in order, for `--fail-on` and for sorting.
 */
import type { Severity } from '../model.js';
import { SEVERITIES } from '../report/severities.js';

/** From least to most severe: the report schema's list. */
export const SEVERITY_ORDER: readonly Severity[] = SEVERITIES;

/** True for one of `info`, `low`, `medium`, `high`, `critical`. */
export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITY_ORDER as readonly string[]).includes(value);
}

/**
 * True when `severity` is `threshold` or more severe.
 * @example severityAtLeast('high', 'medium') // true
 */
export function severityAtLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITY_ORDER.indexOf(severity) >= SEVERITY_ORDER.indexOf(threshold);
}
