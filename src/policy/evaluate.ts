/**
 * Evaluating a policy against audited hosts (docs/architecture.md: HostAudit ──policy (pure)──▶ findings).
 * Every rule is checked on every subject it selects; failures become findings, which waivers may waive;
 * an expired waiver waives nothing and is itself reported.
 */
import type { HostReport, Severity } from '../model.js';
import { testConditions } from './conditions.js';
import { describeSelector, selectsHost } from './selector.js';
import { severityAtLeast } from './severity.js';
import { subjectsOf, type HostFactsForPolicy, type HostSubjects } from './subjects.js';
import type {
  ExpiredWaiver,
  Policy,
  PolicyCheck,
  PolicyEvaluation,
  PolicyFinding,
  PolicyRule,
  RuleInfo,
  Waiver,
  WaiverRef,
} from './types.js';
import { isExpired, waiverCovers, waiverRef } from './waivers.js';
import { messageOf } from '../errors.js';

/** What the evaluation needs besides the policy and the hosts. */
export interface PolicyContext {
  /** Decides which waivers have expired. */
  now: Date;
  /** Host name → groups from the inventory; overrides the groups in the reports (e.g. an older report). */
  inventoryGroups?: ReadonlyMap<string, readonly string[]>;
  /**
   * Host name → the facts the report does not carry (default-route devices, macvtap parents). Without
   * them, `onDefaultRouteDevice` is unknown and the checks that need it are skipped.
   */
  hostFacts?: ReadonlyMap<string, HostFactsForPolicy>;
}

/** The rule id under which expired waivers are reported. */
export const EXPIRED_WAIVER_RULE = 'policy/waiver-expired';

/** A waiver during one evaluation: expired or not on `now`, and whether it waived anything. */
interface WaiverState {
  waiver: Waiver;
  expired: boolean;
  used: boolean;
}

/**
 * Let the first active covering waiver waive a failing check. With none, an expired covering waiver is
 * noted on the finding (which stays a failure) and returned, so it can be reported.
 */
function applyWaivers(check: PolicyCheck, covering: WaiverState[]): WaiverState | null {
  if (!check.finding) return null;
  const active = covering.find((w) => !w.expired);
  if (active) {
    active.used = true;
    check.status = 'waived';
    check.finding = {
      ...check.finding,
      status: 'waived',
      justification: active.waiver.justification,
      waiver: { ...waiverRef(active.waiver), expired: false },
    };
    return null;
  }
  const expired = covering.find((w) => w.expired);
  if (!expired) return null;
  check.finding = {
    ...check.finding,
    message: `${check.finding.message} (waiver expired ${expired.waiver.expires})`,
    waiver: { ...waiverRef(expired.waiver), expired: true },
  };
  return expired;
}

/** Expired waivers are a bookkeeping problem: the failures they no longer waive carry their own severity. */
const EXPIRED_WAIVER_SEVERITY: Severity = 'low';

/** Host attributes that are known even when the host could not be audited. */
const ATTRIBUTES_WITHOUT_FACTS = new Set(['name', 'groups', 'status', 'error']);

/**
 * Check every rule of `policy` on `hosts`. Pure: the same input gives the same output.
 * @example
 * const evaluation = evaluatePolicy(policy, report.hosts, { now: new Date() });
 * evaluation.findings.get('hv01') // [{ rule: 'dmz-no-bridge', severity: 'high', status: 'fail', … }]
 */
export function evaluatePolicy(policy: Policy, hosts: readonly HostReport[], context: PolicyContext): PolicyEvaluation {
  const checks: PolicyCheck[] = [];
  const findings = new Map<string, PolicyFinding[]>();
  const groupsOf = (host: HostReport) => context.inventoryGroups?.get(host.name) ?? host.groups;
  const waivers: WaiverState[] = policy.waivers.map((waiver) => ({ waiver, expired: isExpired(waiver, context.now), used: false }));
  const expiredMatches = new Map<WaiverState, { host: string; subject: string }[]>();

  const errors = new Map<string, string>();
  for (const host of hosts) {
    const hostFindings: PolicyFinding[] = [];
    findings.set(host.name, hostFindings);
    const checksBefore = checks.length;
    const usedBefore = waivers.map((w) => w.used);
    try {
      checkHost(host, groupsOf(host));
    } catch (error) {
      // A bug met on one host's data costs that host's checks, never the fleet's evaluation; it is reported.
      hostFindings.length = 0;
      checks.length = checksBefore;
      waivers.forEach((w, i) => (w.used = usedBefore[i]!));
      const message = messageOf(error);
      errors.set(host.name, message);
      const reason = `internal error while evaluating the policy: ${message}`;
      checks.push({ host: host.name, rule: 'policy', severity: 'info', subject: `host ${host.name}`, status: 'skipped', finding: null, reason });
    }
  }

  /** Every rule on one host, its findings into `findings`, expired waivers it meets into `expiredMatches`. */
  function checkHost(host: HostReport, groups: readonly string[]): void {
    const subjects = subjectsOf(host, context.hostFacts?.get(host.name) ?? null);
    const hostFindings = findings.get(host.name)!;
    const expiredHere = new Map<WaiverState, string[]>();

    for (const rule of policy.rules) {
      if (!selectsHost(rule.hosts, host.name, groups)) continue;
      for (const check of checkRule(rule, host, subjects, groups)) {
        if (check.status === 'fail') {
          const covering = waivers.filter((w) => waiverCovers(w.waiver, rule.id, host.name, groups, check.subject));
          const expired = applyWaivers(check, covering);
          if (expired) expiredHere.set(expired, [...(expiredHere.get(expired) ?? []), check.subject]);
        }
        if (check.finding) hostFindings.push(check.finding);
        checks.push(check);
      }
    }

    for (const [entry, subjectsMatched] of expiredHere) {
      expiredMatches.set(entry, [...(expiredMatches.get(entry) ?? []), ...subjectsMatched.map((subject) => ({ host: host.name, subject }))]);
      const finding = expiredWaiverFinding(waiverRef(entry.waiver), subjectsMatched);
      hostFindings.push(finding);
      checks.push({ host: host.name, rule: EXPIRED_WAIVER_RULE, severity: finding.severity, subject: finding.subject, status: 'fail', finding, reason: null });
    }
  }

  const expiredWaivers: ExpiredWaiver[] = waivers
    .filter((w) => w.expired)
    .map((w) => ({ waiver: waiverRef(w.waiver), matched: expiredMatches.get(w) ?? [] }));
  const rules: RuleInfo[] = policy.rules.map((rule) => ({
    id: rule.id,
    description: rule.description,
    severity: rule.severity,
    subject: rule.subject,
    origin: rule.origin,
  }));
  if (expiredMatches.size > 0) {
    rules.push({
      id: EXPIRED_WAIVER_RULE,
      description: 'Waivers that still match failures are renewed or removed',
      severity: EXPIRED_WAIVER_SEVERITY,
      subject: 'host',
      origin: 'kvm-netaudit',
    });
  }
  return {
    rules,
    findings,
    waived: [...findings].flatMap(([host, list]) => list.filter((f) => f.status === 'waived').map((finding) => ({ host, finding }))),
    expiredWaivers,
    unusedWaivers: waivers.filter((w) => !w.expired && !w.used).map((w) => waiverRef(w.waiver)),
    checks,
    errors,
  };
}

function expiredWaiverFinding(waiver: WaiverRef, subjects: string[]): PolicyFinding {
  return {
    rule: EXPIRED_WAIVER_RULE,
    severity: EXPIRED_WAIVER_SEVERITY,
    subject: `waiver ${waiver.rule} ${waiver.subject}`,
    message: `the waiver for ${waiver.rule} on "${waiver.subject}" expired on ${waiver.expires}; ${subjects.length} failure${subjects.length === 1 ? ' is' : 's are'} no longer waived`,
    status: 'fail',
    evidence: [`waiver at ${waiver.origin}`, `expires ${waiver.expires}`, ...(waiver.owner ? [`owner ${waiver.owner}`] : []), `matches ${subjects.join(', ')}`],
    waiver: { ...waiver, expired: true },
  };
}

/** One rule on one host: a check per subject it selects (one skipped check when the host has no facts). */
function checkRule(rule: PolicyRule, host: HostReport, subjects: HostSubjects, groups: readonly string[]): PolicyCheck[] {
  const base = { host: host.name, rule: rule.id, severity: rule.severity };
  if (host.status === 'failed' && needsFacts(rule)) {
    const why = host.error ? `${host.error.kind}: ${host.error.message}` : 'no facts';
    return [{ ...base, subject: `host ${host.name}`, status: 'skipped', finding: null, reason: `host not audited (${why})` }];
  }
  const checks: PolicyCheck[] = [];
  for (const subject of subjects[rule.subject]) {
    if (testConditions(rule.where, subject, subjects).status !== 'pass') continue;
    const outcome = testConditions(rule.expect, subject, subjects);
    if (outcome.status === 'pass') {
      checks.push({ ...base, subject: subject.subject, status: 'pass', finding: null, reason: null });
    } else if (outcome.status === 'unknown') {
      checks.push({ ...base, subject: subject.subject, status: 'skipped', finding: null, reason: `not known: ${outcome.unknowns.join(', ')}` });
    } else {
      const scope = rule.hosts ? [`host ${host.name} (${groups.length > 0 ? `groups ${groups.join(', ')}` : 'no groups'}) selected by ${describeSelector(rule.hosts)}`] : [];
      checks.push({
        ...base,
        subject: subject.subject,
        status: 'fail',
        reason: null,
        finding: {
          rule: rule.id,
          severity: rule.severity,
          subject: subject.subject,
          message: outcome.failures.join('; '),
          status: 'fail',
          evidence: [...scope, ...subject.evidence, ...outcome.evidence],
        },
      });
    }
  }
  return checks;
}

/** A rule needs audited facts unless it is a host rule that only reads what is known of any host. */
function needsFacts(rule: PolicyRule): boolean {
  if (rule.subject !== 'host') return true;
  return [...rule.where, ...rule.expect].some((condition) => condition.op === 'count' || !ATTRIBUTES_WITHOUT_FACTS.has(condition.attribute));
}

/**
 * The fleet's evaluation from its hosts' own, evaluated one host at a time as each was audited (with the same
 * policy and time): for one host or more, the same result as `evaluatePolicy` over all of them, so no host is
 * checked twice (a run always has a host: `--limit` refuses to select none). A waiver is
 * unused when no host used it; an expired waiver's matches are every host's.
 */
export function mergeEvaluations(parts: readonly PolicyEvaluation[]): PolicyEvaluation {
  const rules = new Map<string, RuleInfo>();
  const expired = new Map<string, ExpiredWaiver>();
  const unusedEverywhere = new Map<string, WaiverRef>();
  parts.forEach((part, index) => {
    for (const rule of part.rules) if (!rules.has(rule.id)) rules.set(rule.id, rule);
    for (const { waiver, matched } of part.expiredWaivers) {
      const entry = expired.get(waiver.origin);
      if (entry) entry.matched.push(...matched);
      else expired.set(waiver.origin, { waiver, matched: [...matched] });
    }
    const unusedHere = new Set(part.unusedWaivers.map((w) => w.origin));
    if (index === 0) for (const waiver of part.unusedWaivers) unusedEverywhere.set(waiver.origin, waiver);
    else for (const origin of [...unusedEverywhere.keys()]) if (!unusedHere.has(origin)) unusedEverywhere.delete(origin);
  });
  // The expired-waiver rule comes after the policy's own, as evaluatePolicy lists it.
  const expiredRule = rules.get(EXPIRED_WAIVER_RULE);
  if (expiredRule) {
    rules.delete(EXPIRED_WAIVER_RULE);
    rules.set(EXPIRED_WAIVER_RULE, expiredRule);
  }
  return {
    rules: [...rules.values()],
    findings: new Map(parts.flatMap((part) => [...part.findings])),
    waived: parts.flatMap((part) => part.waived),
    expiredWaivers: [...expired.values()],
    unusedWaivers: [...unusedEverywhere.values()],
    checks: parts.flatMap((part) => part.checks),
    errors: new Map(parts.flatMap((part) => [...part.errors])),
  };
}

/**
 * One host's findings, for the runner's per-host evaluation. Throws when the policy failed on this host's data,
 * so the runner fails the host (kind `internal`) instead of letting it pass with nothing checked.
 */
export function findingsForHost(evaluation: PolicyEvaluation, host: string): PolicyFinding[] {
  const error = evaluation.errors.get(host);
  if (error !== undefined) throw new Error(error);
  return evaluation.findings.get(host) ?? [];
}

/** Failing (not waived) findings at or above `threshold`: what `--fail-on` counts. */
export function failuresAtLeast(evaluation: PolicyEvaluation, threshold: Severity): { host: string; finding: PolicyFinding }[] {
  return [...evaluation.findings].flatMap(([host, list]) =>
    list.filter((finding) => finding.status === 'fail' && severityAtLeast(finding.severity, threshold)).map((finding) => ({ host, finding })),
  );
}

/** Failing findings per severity (for the report summary); waived ones are counted apart. */
export function countFindings(evaluation: PolicyEvaluation): { failing: Partial<Record<Severity, number>>; waived: number } {
  const failing: Partial<Record<Severity, number>> = {};
  let waived = 0;
  for (const list of evaluation.findings.values()) {
    for (const finding of list) {
      if (finding.status === 'waived') waived++;
      else failing[finding.severity] = (failing[finding.severity] ?? 0) + 1;
    }
  }
  return { failing, waived };
}
