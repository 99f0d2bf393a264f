/**
 * The policy's data: rules, conditions, waivers as loaded and merged, and the outcome of evaluating them
 * against a fleet. Pure data; see docs/policy.md for the file format that produces it.
 */
import type { Finding, Severity, WaiverRef } from '../model.js';

/** What a rule looks at: one check per host, network, bridge or VM interface. */
export const SUBJECT_KINDS = ['host', 'network', 'bridge', 'vm-interface'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

/** Where something was written: `policy.yaml:12`, or `builtin:baseline`. */
export type Origin = string;

/**
 * Which hosts a rule or waiver applies to. Globs (`*`, `?`). A host is selected when it matches one of
 * `names` or is in one of `groups` (every host when both are empty), and matches none of the exceptions.
 */
export interface HostSelector {
  names: string[];
  groups: string[];
  exceptNames: string[];
  exceptGroups: string[];
}

/**
 * One test of an attribute. `in`/`notIn` take globs: a text attribute must (not) match one of them; a list
 * attribute must have every element (no element) matching. `is` tests a yes/no attribute. `count` (host rules
 * only) counts the host's subjects of one kind that pass `where`.
 */
export type Condition =
  | { attribute: string; op: 'in' | 'notIn'; values: string[] }
  | { attribute: string; op: 'is'; value: boolean }
  | { attribute: 'count'; op: 'count'; of: Exclude<SubjectKind, 'host'>; where: Condition[]; atMost: number | null; atLeast: number | null };

/** A rule after loading: conditions normalised, shorthand expanded. */
export interface PolicyRule {
  /** Letters, digits, `.`, `_`, `-` and `/` (built-in rules are `baseline/…`). */
  id: string;
  description: string;
  severity: Severity;
  hosts: HostSelector | null;
  subject: SubjectKind;
  /** Subjects that fail any of these are not checked by the rule at all. */
  where: Condition[];
  /** What every checked subject must satisfy. */
  expect: Condition[];
  origin: Origin;
}

/** A decision to accept a rule's failures on some subjects, for a while. */
export interface Waiver {
  rule: string;
  /** Glob over finding subjects (`vm legacy-* *`, `network default`). @default '*' */
  subject: string;
  hosts: HostSelector | null;
  justification: string;
  /** Last day the waiver holds (`YYYY-MM-DD`, UTC, inclusive). */
  expires: string;
  owner: string | null;
  origin: Origin;
}

/** Settings of the built-in baseline (docs/policy.md lists its rules). */
export interface BaselineSettings {
  enabled: boolean;
  /** Hosts in these groups must not autostart the `default` NAT network. */
  productionGroups: string[];
  /** Guests on hosts in these groups must not reach the LAN directly (bridged, macvtap, hostdev). */
  isolatedGroups: string[];
  /** Baseline rule ids turned off. */
  disabled: string[];
  /** Where each setting came from, for messages. */
  origins: Origin[];
}

/** One or more policy files (and/or `builtin:baseline`), merged. */
export interface Policy {
  /** What was loaded, in order: paths and `builtin:baseline`. */
  sources: string[];
  rules: PolicyRule[];
  waivers: Waiver[];
  baseline: BaselineSettings;
}

/** What happened to one rule on one subject. */
export type CheckStatus = 'pass' | 'fail' | 'waived' | 'skipped';

export type { WaiverRef } from '../model.js';

/** A finding produced by the policy: always carries status and evidence. */
export interface PolicyFinding extends Finding {
  status: 'fail' | 'waived';
  evidence: string[];
}

/** One rule × subject outcome on one host (passes too: JUnit and the compliance matrix list them). */
export interface PolicyCheck {
  host: string;
  rule: string;
  severity: Severity;
  subject: string;
  status: CheckStatus;
  /** Set for `fail` and `waived`. */
  finding: PolicyFinding | null;
  /** Why a check was skipped (the host was not audited, a fact is unknown). */
  reason: string | null;
}

/** A rule as the reports list it. */
export interface RuleInfo {
  id: string;
  description: string;
  severity: Severity;
  subject: SubjectKind;
  origin: Origin;
}

/** A waiver past its expiry date: it waives nothing and is reported. */
export interface ExpiredWaiver {
  waiver: WaiverRef;
  /** Failures it would have waived, per host. */
  matched: { host: string; subject: string }[];
}

/** Everything `evaluatePolicy` found. */
export interface PolicyEvaluation {
  rules: RuleInfo[];
  /** Per host (every evaluated host has an entry): failures and waived findings, in rule order. */
  findings: Map<string, PolicyFinding[]>;
  /** The waived findings, fleet-wide. */
  waived: { host: string; finding: PolicyFinding }[];
  expiredWaivers: ExpiredWaiver[];
  /** Active waivers that waived nothing (stale: the problem is gone, or the pattern is wrong). */
  unusedWaivers: WaiverRef[];
  /** Every rule × subject outcome, host by host in the order given, then rule order. */
  checks: PolicyCheck[];
  /**
   * Hosts whose evaluation met a bug of ours (host name → the error's message): their checks are one skipped
   * check, and the runner fails such a host with kind `internal` rather than let it pass unchecked.
   */
  errors: Map<string, string>;
}
