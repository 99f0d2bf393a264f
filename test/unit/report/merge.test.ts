/** `kvm-netaudit merge`: shard reports back into the report of one run (src/report/merge.ts). */
import { describe, expect, it } from 'vitest';
import type { FleetReport, HostReport } from '../../../src/model.js';
import { selectionDigest, shardHosts } from '../../../src/inventory/shard.js';
import { evaluatePolicy, mergeEvaluations, mergePolicies } from '../../../src/policy/index.js';
import { evaluateMergedHosts, MergeError, mergeShardReports, type ShardReportFile } from '../../../src/report/merge.js';
import { toJsonReport } from '../../../src/report/json.js';
import { expectValidReport } from '../../helpers/reportSchema.js';
import { failedHost, host, nic, sampleRunOf, vm } from './sample.js';

/** Twelve hosts in inventory order (deliberately not sorted by name), one of them failed, NICs in various modes. */
const FLEET: HostReport[] = ['hv-zeta', 'hv-alpha', 'hv-07', 'hv-03', 'edge-1', 'edge-2', 'db-9', 'db-1', 'hv-mid', 'lab-x', 'lab-y', 'gw'].map((name, i) =>
  i === 5 ? failedHost(name) : host(name, { vms: [vm(`${name}-vm`, [nic({ mode: i % 2 === 0 ? 'nat' : 'bridged' })])], groups: i < 4 ? ['prod'] : ['lab'] }),
);

/**
 * The reports of `--shard K/N` runs over `hosts`, as the CLI writes them: each a run of its slice with `run.shard`.
 * Shard K starts K minutes after the first and runs for 10 s.
 */
function shardRun(hosts: readonly HostReport[], count: number, index: number, overrides: (r: FleetReport) => void = () => {}): ShardReportFile {
  const { hosts: slice, positions } = shardHosts(hosts, { index, count });
  const report = sampleRunOf(structuredClone(slice));
  report.run.startedAt = new Date(Date.UTC(2026, 0, 1, 0, index)).toISOString();
  report.run.finishedAt = new Date(Date.UTC(2026, 0, 1, 0, index, 10)).toISOString();
  report.run.shard = { index, count, selectedHosts: hosts.length, selection: selectionDigest(hosts.map((h) => h.name)), positions };
  overrides(report);
  return { file: `shard-${index}/report.json`, report };
}

function allShards(hosts: readonly HostReport[], count: number): ShardReportFile[] {
  return Array.from({ length: count }, (_, k) => shardRun(hosts, count, k + 1));
}

function mergeProblems(files: ShardReportFile[]): string[] {
  try {
    mergeShardReports(files);
  } catch (error) {
    expect(error).toBeInstanceOf(MergeError);
    return [...(error as MergeError).messages];
  }
  throw new Error('expected a MergeError');
}

describe('mergeShardReports', () => {
  it('gives the report one un-sharded run gives: hosts in inventory order, the same summary, complete', () => {
    // Given the fleet audited as 3 shards, given to merge in any order
    const shards = allShards(FLEET, 3);
    expect(shards.every((s) => s.report.hosts.length < FLEET.length)).toBe(true);
    const { report, gaps, warnings } = mergeShardReports([shards[2]!, shards[0]!, shards[1]!]);
    // Then it is the one run's report but for the run's times and concurrency
    const single = sampleRunOf(FLEET);
    expect(report.hosts).toEqual(single.hosts);
    expect(report.summary).toEqual(single.summary);
    expect(report.run.complete).toBe(true);
    expect([gaps, warnings]).toEqual([[], []]);
    expect(report.tool).toEqual(single.tool);
    expect(report.run.inventory).toBe('inventory.yaml');
    // and both the shards' reports and the merged one follow the published schema
    for (const shard of shards) expectValidReport(toJsonReport(shard.report));
    expectValidReport(toJsonReport(report));
  });

  it('takes the earliest start and the latest finish, adds up concurrency, and records the shards it combined', () => {
    const { report } = mergeShardReports(allShards(FLEET, 3));
    expect(report.run.startedAt).toBe('2026-01-01T00:01:00.000Z');
    expect(report.run.finishedAt).toBe('2026-01-01T00:03:10.000Z');
    expect(report.run.concurrency).toBe(3 * 8);
    expect(report.run.shard).toBeUndefined();
    expect(report.run.merge).toMatchObject({ shardCount: 3, selectedHosts: 12, selection: selectionDigest(FLEET.map((h) => h.name)), missing: [] });
    expect(report.run.merge!.shards.map((s) => [s.index, s.file, s.complete])).toEqual([
      [1, 'shard-1/report.json', true],
      [2, 'shard-2/report.json', true],
      [3, 'shard-3/report.json', true],
    ]);
    expect(report.run.merge!.shards.reduce((n, s) => n + s.hosts, 0)).toBe(12);
  });

  it('merges empty shards (a fleet smaller than N) and a single 1/1 shard', () => {
    const small = FLEET.slice(0, 2);
    expect(mergeShardReports(allShards(small, 8)).report.hosts.map((h) => h.name)).toEqual(['hv-zeta', 'hv-alpha']);
    expect(mergeShardReports(allShards(FLEET, 1)).report.hosts).toEqual(FLEET);
  });

  it('makes the report incomplete when a shard is missing, and says which and how many hosts it lacks', () => {
    // Given shards 1/3 and 3/3 only
    const [one, two, three] = allShards(FLEET, 3);
    const { report, gaps } = mergeShardReports([one!, three!]);
    // Then the report holds their hosts, in inventory order, and is incomplete
    expect(report.run.complete).toBe(false);
    expect(report.run.merge!.missing).toEqual([2]);
    expect(report.hosts.map((h) => h.name)).toEqual(FLEET.map((h) => h.name).filter((name) => !two!.report.hosts.some((h) => h.name === name)));
    expect(gaps).toEqual([`shard 2/3 missing: ${two!.report.hosts.length} of the 12 selected hosts are not in the merged report`]);
  });

  it('makes the report incomplete when a shard was itself stopped', () => {
    const shards = allShards(FLEET, 3);
    shards[1]!.report.run.complete = false;
    const { report, gaps } = mergeShardReports(shards);
    expect(report.run.complete).toBe(false);
    expect(report.run.merge!.missing).toEqual([]);
    expect(report.run.merge!.shards[1]!.complete).toBe(false);
    expect(gaps).toEqual(['shard 2/3 (shard-2/report.json) was stopped before every host was audited']);
  });

  it('refuses a host found in two reports, naming the host and both files', () => {
    // Given shard 2/3 given twice, under two names
    const shards = allShards(FLEET, 3);
    const again = { ...shards[1]!, file: 'copy/report.json' };
    const problems = mergeProblems([...shards, again]);
    expect(problems).toContain('shard 2/3 given twice: shard-2/report.json and copy/report.json');
    const first = shards[1]!.report.hosts[0]!.name;
    expect(problems).toContain(`host ${first} is in two shard reports: shard-2/report.json and copy/report.json`);
  });

  it('refuses a host in a shard its name does not hash to, and positions that do not add up', () => {
    const shards = allShards(FLEET, 3);
    const stray = structuredClone(shards[1]!.report.hosts[0]!);
    shards[0]!.report.hosts.push(stray);
    shards[0]!.report.run.shard!.positions.push(11);
    const problems = mergeProblems(shards);
    expect(problems.some((p) => p.includes(`host ${stray.name} is in two shard reports: shard-1/report.json and shard-2/report.json`))).toBe(true);
    expect(problems.some((p) => p.startsWith('shard-1/report.json:') && p.includes(`${stray.name} (shard 2) does not belong in shard 1/3`))).toBe(true);

    const cut = allShards(FLEET, 3);
    cut[2]!.report.run.shard!.positions.pop();
    expect(mergeProblems(cut)[0]).toMatch(/^shard-3\/report.json: run.shard.positions lists \d+ hosts, hosts \d+/);
  });

  it('refuses shards of different N, of other hosts, or of another version; a different inventory path is only a warning', () => {
    const three = allShards(FLEET, 3);
    const four = shardRun(FLEET, 4, 2);
    expect(mergeProblems([three[0]!, four])).toEqual([
      'shard-2/report.json: shard 2/4, but shard-1/report.json is shard 1/3: the shards of one fleet share N',
    ]);

    const fewer = shardRun(FLEET.slice(1), 3, 2);
    expect(mergeProblems([three[0]!, fewer])).toEqual([
      'shard-2/report.json: cut from other hosts (11 selected) than shard-1/report.json (12): another inventory, --limit or host order',
    ]);
    const reordered = shardRun([...FLEET].reverse(), 3, 2);
    expect(mergeProblems([three[0]!, reordered])[0]).toContain('cut from other hosts (12 selected)');

    const newer = shardRun(FLEET, 3, 2, (r) => (r.tool.version = '0.2.0'));
    expect(mergeProblems([three[0]!, newer])).toEqual([
      'shard-2/report.json: written by kvm-netaudit 0.2.0, shard-1/report.json by 0.1.0: merge shards audited by one version',
    ]);

    const elsewhere = shardRun(FLEET, 3, 2, (r) => (r.run.inventory = '/inventory/inventory.yaml'));
    const { warnings, report } = mergeShardReports([three[0]!, elsewhere, three[2]!]);
    expect(warnings).toEqual(['shard-2/report.json names its inventory /inventory/inventory.yaml, shard-1/report.json inventory.yaml: the same hosts, so merged']);
    expect(report.run.complete).toBe(true);
  });

  it('refuses a slice K greater than N (an empty "5/3" would pass every other check)', () => {
    const empty = shardRun([], 3, 1, (r) => {
      r.run.shard!.index = 5;
    });
    expect(mergeProblems([empty])).toEqual(['shard-1/report.json: shard 5/3: K is more than N: not a report kvm-netaudit wrote']);
  });

  it('refuses a report that is not a shard report, and a merged one', () => {
    const whole = { file: 'whole/report.json', report: sampleRunOf(FLEET) };
    expect(mergeProblems([whole])).toEqual([
      'whole/report.json: not a shard report (no run.shard): only reports of kvm-netaudit audit --shard K/N can be merged',
    ]);
    const merged = { file: 'merged/report.json', report: mergeShardReports(allShards(FLEET, 2)).report };
    expect(mergeProblems([merged])).toEqual(['merged/report.json: a merged report already; merge the shard reports it was made from']);
  });

  it('keeps every finding, failing and waived, and counts them as one run does', () => {
    const waiver = { rule: 'r2', subject: '*', justification: 'lab', expires: '2099-01-01', owner: null, origin: 'p.yaml:9', expired: false };
    const withFindings = FLEET.map((h, i) =>
      i % 3 === 0
        ? {
            ...h,
            findings: [
              { rule: 'r1', severity: 'high' as const, subject: `host ${h.name}`, message: 'x', status: 'fail' as const, evidence: ['e'] },
              { rule: 'r2', severity: 'low' as const, subject: `host ${h.name}`, message: 'y', status: 'waived' as const, evidence: [], justification: 'lab', waiver },
            ],
          }
        : h,
    );
    const { report } = mergeShardReports(allShards(withFindings, 4));
    expect(report.hosts.map((h) => h.findings)).toEqual(withFindings.map((h) => h.findings));
    expect(report.summary.findings).toEqual({ high: 4 });
    expect(report.summary.waived).toBe(4);
    expect(report.summary).toEqual(sampleRunOf(withFindings).summary);
  });
});

describe('evaluateMergedHosts', () => {
  const policy = mergePolicies([
    'builtin:baseline',
    {
      file: 'p.yaml',
      text: [
        'version: 1',
        'rules:',
        '  - { id: no-nat, description: no NAT, severity: medium, subject: vm-interface, expect: { mode: { notIn: [nat] } } }',
        'waivers:',
        "  - { rule: no-nat, subject: 'vm hv-zeta-vm *', justification: moving, expires: '2099-12-31' }",
      ].join('\n'),
    },
  ]);
  const now = (index: number) => new Date(Date.UTC(2026, 0, 1, 0, index));
  /** The fleet as the runner leaves it with --policy: each host's findings from its own evaluation. */
  const audited = FLEET.map((h) => ({ ...h, findings: evaluatePolicy(policy, [h], { now: now(1) }).findings.get(h.name)! }));

  it('gives each host the evaluation its shard made, which together are one run\'s', () => {
    // Given shards audited with the policy
    const merged = mergeShardReports(allShards(audited, 3));
    // When merge is given the same policy
    const evaluations = evaluateMergedHosts(policy, merged);
    // Then the fleet's evaluation is the one a single run makes (rules, checks, waivers, findings)
    const fleet = mergeEvaluations(merged.report.hosts.map((h) => evaluations.get(h.name)!));
    const single = mergeEvaluations(audited.map((h) => evaluatePolicy(policy, [h], { now: now(1) })));
    expect(fleet).toEqual(single);
    expect(fleet.findings.get('hv-zeta')!.map((f) => f.status)).toContain('waived');
    expect(fleet.checks.some((c) => c.status === 'pass')).toBe(true);
  });

  it('refuses a policy that does not give the shards\' findings (they were audited with another, or none)', () => {
    const unchecked = mergeShardReports(allShards(FLEET, 3));
    let error: unknown;
    try {
      evaluateMergedHosts(policy, unchecked);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MergeError);
    const messages = (error as MergeError).messages;
    expect(messages[0]).toMatch(/^shard-\d\/report.json: host hv-zeta: 0 findings, the policy gives \d+ \(e\.g\. waived medium no-nat on vm hv-zeta-vm /);
    expect(messages.at(-1)).toContain('give merge the --policy the shards were audited with');
  });
});
