/**
 * The compliance section of report.md (issue 5): which rules each host passes, fails or has waived, then every
 * failure with its evidence, the waived findings with their justification, and waivers that expired or waive
 * nothing. Pure; every host-originated string is escaped.
 */
import type { PolicyCheck, PolicyEvaluation, PolicyFinding, RuleInfo } from '../policy/index.js';
import { chain, collapse, esc, NONE, plural, table } from './markdown-blocks.js';

/** Up to this many hosts the matrix has a column per host; beyond, it counts. */
const MAX_MATRIX_HOSTS = 12;
const MAX_LISTED = 200;

export function renderComplianceMarkdown(evaluation: PolicyEvaluation, hostOrder: readonly string[], sources: readonly string[]): string[] {
  const blocks = ['## Compliance', `Policy: ${sources.map((s) => esc(s)).join(', ') || NONE}. ${ruleLine(evaluation)}`];
  if (evaluation.rules.length === 0) return blocks;
  blocks.push(hostOrder.length <= MAX_MATRIX_HOSTS ? matrix(evaluation, hostOrder) : countsTable(evaluation));
  const failures = evaluation.checks.filter((c) => c.status === 'fail' && c.finding);
  blocks.push('### Failures', failures.length > 0 ? findingList(failures) : '_None: every checked subject passes._');
  if (evaluation.waived.length > 0) {
    blocks.push(
      '### Waived',
      limited(evaluation.waived.map(({ host, finding }) => `- ${findingLine(host, finding)}\n  - waived: ${waiverLine(finding)}`)),
    );
  }
  if (evaluation.expiredWaivers.length > 0) {
    blocks.push(
      '### Expired waivers',
      evaluation.expiredWaivers
        .map(({ waiver, matched }) => {
          const hosts = collapse([...new Set(matched.map((m) => esc(m.host)))], 8);
          return `- \`${esc(waiver.rule)}\` on ${esc(waiver.subject)} expired ${esc(waiver.expires)} (${esc(waiver.origin)}): no longer waives ${matched.length} ${plural(matched.length, 'failure')}${hosts ? ` on ${hosts}` : ''}`;
        })
        .join('\n'),
    );
  }
  if (evaluation.unusedWaivers.length > 0) {
    blocks.push(
      '### Waivers that waive nothing',
      evaluation.unusedWaivers.map((w) => `- \`${esc(w.rule)}\` on ${esc(w.subject)} (${esc(w.origin)}, until ${esc(w.expires)})`).join('\n'),
    );
  }
  return blocks;
}

function ruleLine(evaluation: PolicyEvaluation): string {
  const count = (status: PolicyCheck['status']) => evaluation.checks.filter((c) => c.status === status).length;
  return `${evaluation.rules.length} ${plural(evaluation.rules.length, 'rule')}; ${count('pass')} checks pass, ${count('fail')} fail, ${count('waived')} waived, ${count('skipped')} skipped.`;
}

/** Rules × hosts: ✅ every subject passes, ❌ N failing subjects, ⚪ only waived failures, – nothing to check. */
function matrix(evaluation: PolicyEvaluation, hosts: readonly string[]): string {
  const byRuleHost = groupChecks(evaluation.checks);
  const rows = evaluation.rules.map((rule) => [
    ruleCell(rule),
    rule.severity,
    ...hosts.map((host) => cellFor(byRuleHost.get(`${rule.id}\u0000${host}`) ?? [])),
  ]);
  return [
    table(['Rule', 'Severity', ...hosts.map((h) => esc(h))], rows),
    '✅ every subject passes · ❌ N subjects fail · ⚪ failures waived · – nothing to check (or facts unknown)',
  ].join('\n\n');
}

function countsTable(evaluation: PolicyEvaluation): string {
  const byRule = new Map<string, PolicyCheck[]>();
  for (const check of evaluation.checks) byRule.set(check.rule, [...(byRule.get(check.rule) ?? []), check]);
  const rows = evaluation.rules.map((rule) => {
    const checks = byRule.get(rule.id) ?? [];
    const n = (status: PolicyCheck['status']) => String(checks.filter((c) => c.status === status).length);
    const failing = [...new Set(checks.filter((c) => c.status === 'fail').map((c) => esc(c.host)))];
    return [ruleCell(rule), rule.severity, n('pass'), n('fail'), n('waived'), n('skipped'), failing.length > 0 ? collapse(failing, 8) : NONE];
  });
  return table(['Rule', 'Severity', 'Pass', 'Fail', 'Waived', 'Skipped', 'Failing hosts'], rows, ['left', 'left', 'right', 'right', 'right', 'right', 'left']);
}

function groupChecks(checks: readonly PolicyCheck[]): Map<string, PolicyCheck[]> {
  const grouped = new Map<string, PolicyCheck[]>();
  for (const check of checks) {
    const key = `${check.rule}\u0000${check.host}`;
    grouped.set(key, [...(grouped.get(key) ?? []), check]);
  }
  return grouped;
}

function cellFor(checks: readonly PolicyCheck[]): string {
  const failing = checks.filter((c) => c.status === 'fail').length;
  if (failing > 0) return `❌ ${failing}`;
  if (checks.some((c) => c.status === 'waived')) return '⚪';
  if (checks.some((c) => c.status === 'pass')) return '✅';
  return '–';
}

function ruleCell(rule: RuleInfo): string {
  return `\`${esc(rule.id)}\` ${esc(rule.description)}`;
}

function findingList(failures: readonly PolicyCheck[]): string {
  return limited(
    failures.map((check) => {
      const finding = check.finding!;
      const evidence = finding.evidence.length > 0 ? `\n  - evidence: ${chain(finding.evidence)}` : '';
      const expired = finding.waiver?.expired ? `\n  - an expired waiver (${esc(finding.waiver.expires)}) no longer covers it` : '';
      return `- ${findingLine(check.host, finding)}${evidence}${expired}`;
    }),
  );
}

function findingLine(host: string, finding: PolicyFinding): string {
  return `**${finding.severity}** \`${esc(finding.rule)}\` on **${esc(host)}** ${esc(finding.subject)}: ${esc(finding.message)}`;
}

function waiverLine(finding: PolicyFinding): string {
  const waiver = finding.waiver;
  const owner = waiver?.owner ? `, owner ${esc(waiver.owner)}` : '';
  return `${esc(finding.justification ?? '')}${waiver ? ` (until ${esc(waiver.expires)}${owner}; ${esc(waiver.origin)})` : ''}`;
}

function limited(lines: readonly string[]): string {
  if (lines.length <= MAX_LISTED) return lines.join('\n');
  return [...lines.slice(0, MAX_LISTED), `- … and ${lines.length - MAX_LISTED} more (all of them are in report.json)`].join('\n');
}
