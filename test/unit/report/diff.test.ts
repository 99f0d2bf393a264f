import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countChanges, diffReports, parseReport, renderDiffJson, renderDiffMarkdown } from '../../../src/report/index.js';
import type { FleetReport, HostFacts, HostReport } from '../../../src/model.js';
import { loadPolicy } from '../../../src/io/policyFiles.js';
import { evaluatePolicy } from '../../../src/policy/index.js';
import { attached } from '../helpers/attached.js';
import { demoEntries, demoHost, failedHost, fleetReport, host, nic, REPO_ROOT, reportFromFacts, vm } from '../policy/fixtures.js';

const POLICY = loadPolicy(['builtin:baseline', join(REPO_ROOT, 'policy.example.yaml')]);

/** Attach the policy's findings to each host, as the CLI will before writing report.json. */
function withFindings(hosts: HostReport[], facts: Map<string, HostFacts>): HostReport[] {
  const evaluation = evaluatePolicy(POLICY, hosts, { now: new Date('2026-01-15T00:00:00Z'), hostFacts: facts });
  return hosts.map((h) => ({ ...h, findings: evaluation.findings.get(h.name) ?? [] }));
}

/**
 * The demo's hv-prod-02 audited twice: between the runs the template VM was moved from the (stopped) NAT
 * network `default` to the host bridge br0, and the network `default` was then removed.
 */
function twoRunsOfProd02(): { before: FleetReport; after: FleetReport } {
  const entry = demoEntries().find((e) => e.name === 'hv-prod-02')!;
  const { facts } = demoHost(entry);
  const moved: HostFacts = structuredClone(facts);
  const template = moved.domains.find((d) => d.name === 'tmpl-debian12')!;
  const card = template.interfaces[0]!;
  card.type = 'bridge';
  card.source = { ...card.source, network: null, bridge: 'br0' };
  moved.networks = moved.networks.filter((n) => n.name !== 'default');

  const oldHost = reportFromFacts(entry.name, entry.groups, facts, entry.uplinkInterfaces);
  const newHost = reportFromFacts(entry.name, entry.groups, moved, entry.uplinkInterfaces);
  return {
    before: fleetReport(withFindings([oldHost], new Map([[entry.name, facts]])), '2026-01-01T00:00:00.000Z'),
    after: fleetReport(withFindings([newHost], new Map([[entry.name, moved]])), '2026-02-01T00:00:00.000Z'),
  };
}

describe('diffReports', () => {
  it('reports exactly a VM moved from a NAT network to a bridge, and the network removed', () => {
    // Given two audits of hv-prod-02 with the move and the removal in between
    const { before, after } = twoRunsOfProd02();
    // When compared
    const diff = diffReports(before, after);
    // Then the NIC changed mode and via, the network is gone, nothing else moved
    expect(diff.interfaces).toEqual({
      added: [],
      removed: [],
      changed: [
        {
          host: 'hv-prod-02',
          vm: 'tmpl-debian12',
          nic: '52:54:00:02:05:01',
          changes: [
            { field: 'mode', from: 'nat', to: 'bridged' },
            { field: 'via', from: 'network default', to: 'bridge br0' },
          ],
        },
      ],
    });
    expect(diff.networks).toEqual({ added: [], removed: [{ host: 'hv-prod-02', network: 'default', mode: 'nat', forward: 'nat' }], changed: [] });
    expect(diff.hosts).toEqual({ added: [], removed: [], statusChanged: [], notCompared: [] });
    // And the finding the stopped-but-used network raised is resolved (the waived NAT finding is not counted)
    expect(diff.findings.resolved.map((f) => `${f.rule} ${f.subject}`)).toEqual(['baseline/network-inactive-in-use network default']);
    expect(diff.findings.new).toEqual([]);
    expect(countChanges(diff)).toBe(3);
  });

  it('gives the same answer from the reports written as JSON and read back', () => {
    const { before, after } = twoRunsOfProd02();
    const roundTrip = (report: FleetReport, file: string) => parseReport(JSON.stringify(report), file);
    expect(diffReports(roundTrip(before, 'old.json'), roundTrip(after, 'new.json'))).toEqual(diffReports(before, after));
  });

  it('matches the NICs of a report written before `id` by the ids read.ts gives them: no NIC added or removed', () => {
    // Given the old run as a report written before the keys (no `id`, no `attachment`)
    const { before, after } = twoRunsOfProd02();
    const old = JSON.parse(JSON.stringify(before)) as { hosts: { vms: { interfaces: Record<string, unknown>[] }[] }[] };
    for (const n of old.hosts.flatMap((h) => h.vms.flatMap((v) => v.interfaces))) {
      delete n.id;
      delete n.attachment;
    }
    // When compared with the new run
    const diff = diffReports(parseReport(JSON.stringify(old), 'old.json'), after);
    // Then only the moved NIC changed, matched by its id, and `via` as written is compared
    expect(diff.interfaces.added).toEqual([]);
    expect(diff.interfaces.removed).toEqual([]);
    expect(diff.interfaces.changed.map((c) => [c.nic, c.changes.map((change) => change.field)])).toEqual([['52:54:00:02:05:01', ['mode', 'via']]]);
  });

  it('finds no drift between a report and itself', () => {
    const { before } = twoRunsOfProd02();
    const diff = diffReports(before, before);
    expect(countChanges(diff)).toBe(0);
    expect(renderDiffMarkdown(diff)).toContain('**No drift**');
  });

  it('lists hosts added, removed and now failing, and does not compare facts a failed run lacks', () => {
    // Given hv2 failing in the new run (it had findings before), hv3 removed and hv4 added
    const finding = { rule: 'r1', severity: 'high' as const, subject: 'network default', message: 'm', status: 'fail' as const };
    const before = fleetReport([host('hv1'), host('hv2', { findings: [finding] }), host('hv3')]);
    const after = fleetReport([
      host('hv1'),
      failedHost('hv2', { findings: [{ rule: 'baseline/host-not-audited', severity: 'high', subject: 'host hv2', message: 'status is failed' }] }),
      host('hv4', { groups: ['prod'] }),
    ]);
    // When compared
    const diff = diffReports(before, after);
    // Then
    expect(diff.hosts.added).toEqual([{ host: 'hv4', status: 'ok', groups: ['prod'] }]);
    expect(diff.hosts.removed).toEqual([{ host: 'hv3', status: 'ok', groups: [] }]);
    expect(diff.hosts.statusChanged).toEqual([{ host: 'hv2', from: 'ok', to: 'failed', error: 'unreachable: connect ECONNREFUSED 198.18.20.9:22' }]);
    expect(diff.hosts.notCompared).toEqual([{ host: 'hv2', reason: 'not audited in the new run' }]);
    // hv2's networks and NICs are not reported as removed, and its old finding is not claimed resolved
    expect(diff.networks.removed).toEqual([]);
    expect(diff.interfaces.removed).toEqual([]);
    expect(diff.findings.resolved).toEqual([]);
    expect(diff.findings.new.map((f) => `${f.host} ${f.rule}`)).toEqual(['hv2 baseline/host-not-audited']);
  });

  it('tells NICs with the same MAC in one VM apart, and compares network fields', () => {
    const twin = (mode: 'nat' | 'bridged') => vm('dup', [nic({ mac: 'm1' }), nic({ mac: 'm1', mode, ...(mode === 'nat' ? attached('network', 'default', { bridge: 'virbr0' }) : attached('bridge', 'br0')) })]);
    const before = fleetReport([host('hv1', { vms: [twin('nat')] })]);
    const after = fleetReport([host('hv1', { vms: [twin('bridged')], networks: [{ ...host('x').networks[0]!, autostart: false, forward: 'route', mode: 'routed' }] })]);
    const diff = diffReports(before, after);
    expect(diff.interfaces.changed.map((c) => c.nic)).toEqual(['m1#2']);
    expect(diff.networks.changed).toEqual([
      {
        host: 'hv1',
        network: 'default',
        changes: [
          { field: 'mode', from: 'nat', to: 'routed' },
          { field: 'forward', from: 'nat', to: 'route' },
          { field: 'autostart', from: 'true', to: 'false' },
        ],
      },
    ]);
  });

  it('reports a failure that became waived apart from resolved ones', () => {
    const failing = { rule: 'r1', severity: 'low' as const, subject: 'vm a m1', message: 'm' };
    const diff = diffReports(fleetReport([host('hv1', { findings: [failing] })]), fleetReport([host('hv1', { findings: [{ ...failing, status: 'waived' } as HostReport['findings'][number]] })]));
    expect(diff.findings).toEqual({ new: [], resolved: [], nowWaived: [{ host: 'hv1', rule: 'r1', severity: 'low', subject: 'vm a m1', message: 'm' }] });
  });
});

describe('rendering a diff', () => {
  it('writes Markdown sections for each kind of change, with host text escaped', () => {
    // Given a drift that involves a hostile VM name
    const before = fleetReport([host('hv1', { vms: [vm('evil|<b>', [nic({ mac: 'm1' })])] })]);
    const after = fleetReport([host('hv1', { vms: [vm('evil|<b>', [nic({ mac: 'm1', mode: 'bridged', ...attached('bridge', 'br0') })])] }), host('hv2')]);
    // When rendered
    const markdown = renderDiffMarkdown(diffReports(before, after));
    // Then the summary counts, the sections, and the escaped name (no raw pipe breaking the table)
    expect(markdown).toContain('**Drift**: 1 host added, 1 VM interface change.');
    expect(markdown).toContain('## Hosts');
    expect(markdown).toContain('## VM interfaces');
    expect(markdown).toContain('| hv1 | evil\\|\\<b\\> | m1 | changed | mode: nat → bridged; via: network default → bridge br0 |');
    expect(markdown).not.toContain('## Networks');
  });

  it('nests under report.md headings when asked', () => {
    const { before, after } = twoRunsOfProd02();
    const markdown = renderDiffMarkdown(diffReports(before, after), { headingLevel: 2 });
    expect(markdown.split('\n')[0]).toBe('## Drift since the previous audit');
    expect(markdown).toContain('\n### Networks\n');
  });

  it('writes JSON that says what it is and counts the changes', () => {
    const { before, after } = twoRunsOfProd02();
    const json = JSON.parse(renderDiffJson(diffReports(before, after))) as Record<string, unknown>;
    expect(json).toMatchObject({ kind: 'kvm-netaudit-diff', formatVersion: 1, changes: 3, old: { startedAt: '2026-01-01T00:00:00.000Z', hosts: 1 } });
    expect((json.networks as { removed: unknown[] }).removed).toHaveLength(1);
  });
});
