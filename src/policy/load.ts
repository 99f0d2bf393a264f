/**
 * Reading policies (`--policy FILE`, repeatable, and `--policy builtin:baseline`): YAML → schema →
 * conditions → one merged Policy. Every problem is reported at once as `file:line: key.path: message`,
 * with the inventory's YAML helpers, so policy and inventory errors read the same.
 */
import type * as z from 'zod';
import { formatIssues, formatPath, type InventoryIssue } from '../inventory/issues.js';
import { parseYamlSource, type PathSegment, type YamlSource } from '../inventory/yaml-source.js';
import { compileGlob } from '../util/glob.js';
import { BASELINE_RULE_IDS, BASELINE_SOURCE, baselineRules } from './baseline.js';
import { parseConditions } from './conditionsParse.js';
import { PolicyError } from './errors.js';
import { POLICY_KEYS, policySchema, type RawPolicy, type RawSelector } from './schema.js';
import { SUBJECT_KINDS, type HostSelector, type Policy, type PolicyRule, type SubjectKind, type Waiver } from './types.js';
import { unknownKeyMessage } from '../util/suggest.js';
import { isRecord } from '../util/records.js';

/** How policies are checked against the run. */
export interface PolicyLoadOptions {
  /**
   * The groups the inventory defines. When given, a selector or baseline setting naming a group that
   * matches none of them is an error (a typo must not silently exempt hosts).
   */
  knownGroups?: readonly string[];
}

/** A policy given as text (tests, stdin); `file` names it in messages. */
export interface PolicyText {
  file: string;
  text: string;
}

/**
 * Validate and merge policies given as text (and/or `builtin:baseline`).
 * @throws PolicyError listing every problem.
 */
export function mergePolicies(sources: readonly (PolicyText | typeof BASELINE_SOURCE)[], options: PolicyLoadOptions = {}): Policy {
  const problems: string[] = [];
  const fragments: Fragment[] = [];
  let baselineRequested = false;
  for (const source of sources) {
    if (source === BASELINE_SOURCE) {
      baselineRequested = true;
      continue;
    }
    const parsed = parseFragment(source, options);
    if ('problems' in parsed) problems.push(...parsed.problems);
    else fragments.push(parsed);
  }
  if (problems.length > 0) throw new PolicyError(problems);

  const withBaseline = fragments.filter((fragment) => fragment.baseline !== null);
  const baseline = {
    enabled: baselineRequested || withBaseline.length > 0,
    productionGroups: unique(withBaseline.flatMap((f) => f.baseline!.productionGroups)),
    isolatedGroups: unique(withBaseline.flatMap((f) => f.baseline!.isolatedGroups)),
    disabled: unique(withBaseline.flatMap((f) => f.baseline!.disabled)),
    origins: [...(baselineRequested ? [BASELINE_SOURCE] : []), ...withBaseline.map((f) => f.baseline!.origin)],
  };

  const rules: PolicyRule[] = baselineRules(baseline);
  const firstDefinition = new Map<string, string>();
  for (const fragment of fragments) {
    for (const { rule, idAt } of fragment.rules) {
      const first = firstDefinition.get(rule.id);
      if (first !== undefined) {
        problems.push(`${idAt}: duplicate rule id "${rule.id}" (first defined at ${first})`);
        continue;
      }
      firstDefinition.set(rule.id, rule.origin);
      rules.push(rule);
    }
  }

  const ruleIds = new Set([...rules.map((rule) => rule.id), ...(baseline.enabled ? BASELINE_RULE_IDS : [])]);
  const waivers: Waiver[] = [];
  for (const fragment of fragments) {
    for (const { waiver, ruleAt } of fragment.waivers) {
      if (!ruleIds.has(waiver.rule)) {
        const hint = BASELINE_RULE_IDS.includes(waiver.rule) ? ' (add --policy builtin:baseline or a baseline: section)' : '';
        problems.push(`${ruleAt}: no loaded policy has a rule "${waiver.rule}"${hint}`);
        continue;
      }
      waivers.push(waiver);
    }
  }
  if (problems.length > 0) throw new PolicyError(problems);
  return {
    sources: sources.map((source) => (source === BASELINE_SOURCE ? source : source.file)),
    rules,
    waivers,
    baseline,
  };
}

/** One file, validated; positions kept for the checks that need every file (duplicates, waiver rules). */
interface Fragment {
  rules: { rule: PolicyRule; idAt: string }[];
  waivers: { waiver: Waiver; ruleAt: string }[];
  baseline: { productionGroups: string[]; isolatedGroups: string[]; disabled: string[]; origin: string } | null;
}

function parseFragment({ file, text }: PolicyText, options: PolicyLoadOptions): Fragment | { problems: string[] } {
  const source = parseYamlSource(text);
  if (source.syntaxErrors.length > 0) {
    return { problems: source.syntaxErrors.map(({ line, message }) => `${file}:${line}: YAML syntax error: ${message}`) };
  }
  if (source.data === null || source.data === undefined) {
    return { problems: [`${file}:1: the policy is empty: it needs rules:, waivers: or baseline:`] };
  }
  const parsed = policySchema.safeParse(source.data, { reportInput: true });
  const conditions = parseAllConditions(source.data);
  const issues = [...(parsed.success ? [] : fromZodIssues(parsed.error.issues)), ...conditions.issues, ...groupIssues(source.data, options)];
  if (!parsed.success || issues.length > 0) return { problems: formatIssues(issues, file, source) };
  return buildFragment(parsed.data, conditions.byRule, file, source);
}

function buildFragment(raw: RawPolicy, conditionsByRule: Map<number, ParsedRuleConditions>, file: string, source: YamlSource): Fragment {
  const at = (path: PathSegment[]) => `${file}:${source.lineOf(path)}`;
  const rules = (raw.rules ?? []).map((rule, index) => ({
    idAt: `${at(['rules', index, 'id'])}: ${formatPath(['rules', index, 'id'])}`,
    rule: {
      id: rule.id,
      description: rule.description,
      severity: rule.severity as PolicyRule['severity'],
      hosts: rule.hosts ? selector(rule.hosts) : null,
      subject: rule.subject,
      where: conditionsByRule.get(index)?.where ?? [],
      expect: conditionsByRule.get(index)?.expect ?? [],
      origin: at(['rules', index]),
    },
  }));
  const waivers = (raw.waivers ?? []).map((waiver, index) => ({
    ruleAt: `${at(['waivers', index, 'rule'])}: ${formatPath(['waivers', index, 'rule'])}`,
    waiver: {
      rule: waiver.rule,
      subject: waiver.subject ?? '*',
      hosts: waiver.hosts ? selector(waiver.hosts) : null,
      justification: waiver.justification,
      expires: typeof waiver.expires === 'string' ? waiver.expires : waiver.expires.toISOString().slice(0, 10),
      owner: waiver.owner ?? null,
      origin: at(['waivers', index]),
    },
  }));
  // `baseline:` with nothing under it still turns the baseline on.
  const baseline =
    raw.baseline === undefined
      ? null
      : {
          productionGroups: raw.baseline?.productionGroups ?? [],
          isolatedGroups: raw.baseline?.isolatedGroups ?? [],
          disabled: raw.baseline?.disable ?? [],
          origin: at(['baseline']),
        };
  return { rules, waivers, baseline };
}

function selector(raw: RawSelector): HostSelector {
  return { names: raw.names ?? [], groups: raw.groups ?? [], exceptNames: raw.exceptNames ?? [], exceptGroups: raw.exceptGroups ?? [] };
}

interface ParsedRuleConditions {
  where: ReturnType<typeof parseConditions>['conditions'];
  expect: ReturnType<typeof parseConditions>['conditions'];
}

/** Conditions depend on the subject, so they are read from the raw data, rule by rule, beside zod. */
function parseAllConditions(data: unknown): { byRule: Map<number, ParsedRuleConditions>; issues: InventoryIssue[] } {
  const byRule = new Map<number, ParsedRuleConditions>();
  const issues: InventoryIssue[] = [];
  const rules = isRecord(data) && Array.isArray(data.rules) ? data.rules : [];
  rules.forEach((rule: unknown, index) => {
    if (!isRecord(rule) || typeof rule.subject !== 'string' || !(SUBJECT_KINDS as readonly string[]).includes(rule.subject)) return;
    const subject = rule.subject as SubjectKind;
    const where = parseConditions(rule.where, subject, ['rules', index, 'where']);
    const expect = parseConditions(rule.expect, subject, ['rules', index, 'expect']);
    issues.push(...where.issues, ...expect.issues);
    if (isRecord(rule.expect) && Object.keys(rule.expect).length === 0) {
      issues.push({ path: ['rules', index, 'expect'], message: 'expect: needs at least one condition' });
    }
    byRule.set(index, { where: where.conditions, expect: expect.conditions });
  });
  return { byRule, issues };
}

/** Group globs that match no group of the inventory (only when the inventory's groups are known). */
function groupIssues(data: unknown, options: PolicyLoadOptions): InventoryIssue[] {
  const known = options.knownGroups;
  if (!known || !isRecord(data)) return [];
  const issues: InventoryIssue[] = [];
  const check = (globs: unknown, path: PathSegment[]) => {
    if (!Array.isArray(globs)) return;
    globs.forEach((glob: unknown, index) => {
      if (typeof glob !== 'string' || glob === '') return;
      const pattern = compileGlob(glob);
      if (!known.some((group) => pattern.test(group))) {
        const defined = known.length > 0 ? `defined: ${known.join(', ')}` : 'it defines none';
        issues.push({ path: [...path, index], message: `group "${glob}" matches no group of the inventory (${defined})` });
      }
    });
  };
  const checkSelector = (value: unknown, path: PathSegment[]) => {
    if (!isRecord(value)) return;
    check(value.groups, [...path, 'groups']);
    check(value.exceptGroups, [...path, 'exceptGroups']);
  };
  if (isRecord(data.baseline)) {
    check(data.baseline.productionGroups, ['baseline', 'productionGroups']);
    check(data.baseline.isolatedGroups, ['baseline', 'isolatedGroups']);
  }
  for (const section of ['rules', 'waivers'] as const) {
    const list = data[section];
    if (Array.isArray(list)) list.forEach((item: unknown, index) => isRecord(item) && checkSelector(item.hosts, [section, index, 'hosts']));
  }
  return issues;
}

/** zod issues → issues with paths; unknown keys get the keys allowed there. */
function fromZodIssues(issues: readonly z.core.$ZodIssue[]): InventoryIssue[] {
  return issues.flatMap((issue): InventoryIssue[] => {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeysAt(path);
      return issue.keys.map((key) => ({ path: [...path, key], focus: 'key' as const, message: unknownKeyMessage(key, allowed) }));
    }
    if (issue.code === 'invalid_type' && issue.input === undefined) return [{ path, message: 'required' }];
    if (issue.code === 'invalid_union') {
      // zod reports a union's failure once per branch: the first branch's message says it best.
      const first = issue.errors[0]?.[0];
      return [{ path, message: first?.message ?? issue.message }];
    }
    return [{ path, message: issue.message }];
  });
}

function allowedKeysAt(path: readonly PathSegment[]): readonly string[] {
  const [section] = path;
  if (path.length === 0) return POLICY_KEYS.policy;
  if (path[path.length - 1] === 'hosts') return POLICY_KEYS.selector;
  if (section === 'baseline') return POLICY_KEYS.baseline;
  if (section === 'rules') return POLICY_KEYS.rule;
  if (section === 'waivers') return POLICY_KEYS.waiver;
  return [];
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

