/**
 * The scale-out examples in examples/ work as written: they parse, their pieces fit together (slices, folders,
 * artifacts, mounts), and every kvm-netaudit command they run, with the shard placeholders filled in by a real
 * shell, is accepted by the CLI's argument parser.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseCommandLine, type AuditOptions, type MergeOptions } from '../../src/cliArgs.js';
import { parseInventory } from '../../src/inventory/index.js';
import { mergePolicies } from '../../src/policy/index.js';
import { REPO_ROOT } from '../helpers/cli.js';

/** A manifest or workflow, read loosely: the assertions say what shape they expect. */
type Yaml = Record<string, any>;

function yamlDocuments(file: string): Yaml[] {
  const docs = parseAllDocuments(readFileSync(join(REPO_ROOT, 'examples', file), 'utf8'));
  for (const doc of docs) expect(doc.errors, `${file}: ${doc.errors.join('; ')}`).toEqual([]);
  return docs.map((doc) => doc.toJS() as Yaml);
}

/**
 * The kvm-netaudit commands a script runs: its logical lines (continuations joined) that start with one, each after
 * the variable assignments that come before it in the script (so `-o "$OUT"` is what the script makes it).
 */
function invocations(script: string, command: 'audit' | 'merge'): string[] {
  const lines = script.replace(/\\\n\s*/g, ' ').split('\n').map((line) => line.trim());
  const found: string[] = [];
  const assignments: string[] = [];
  for (const line of lines) {
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(line)) assignments.push(line);
    if (new RegExp(`^(exec )?kvm-netaudit ${command}\\b`).test(line)) found.push([...assignments, line].join('\n'));
  }
  return found;
}

// An empty folder for the shell: a glob in a command matches nothing there and stays as written.
const cwd = mkdtempSync(join(tmpdir(), 'kna-examples-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

/** The argv a shell hands kvm-netaudit for `line`, with `env` set: bash runs it with kvm-netaudit stubbed. */
function argvOf(line: string, env: Record<string, string>): string[] {
  const stub = 'kvm-netaudit() { printf "%s\\0" "$@"; }';
  const out = execFileSync('bash', ['-c', `${stub}\n${line}`], { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
  return out.toString('utf8').split('\0').slice(0, -1);
}

function parsed(argv: string[]) {
  return parseCommandLine(argv, { CI: 'true' }, false);
}

function auditOf(argv: string[]): AuditOptions {
  const command = parsed(argv);
  if (command.name !== 'audit') throw new Error(`not an audit: ${argv.join(' ')}`);
  return command.options;
}

function mergeOf(argv: string[]): MergeOptions {
  const command = parsed(argv);
  if (command.name !== 'merge') throw new Error(`not a merge: ${argv.join(' ')}`);
  return command.options;
}

/** A shell glob as a whole-path matcher (`*` within one path segment). */
function globMatcher(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
}

/** Every shell script of the example's containers and init containers. */
function scriptOf(container: Yaml): string {
  return [...(container.command ?? []), ...(container.args ?? [])].join('\n');
}

function envOf(container: Yaml): Record<string, string> {
  return Object.fromEntries((container.env ?? []).map((e: Yaml) => [e.name, String(e.value)]));
}

describe('examples/kubernetes/indexed-job.yaml', () => {
  const docs = yamlDocuments('kubernetes/indexed-job.yaml');
  const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
  const config = byKind('ConfigMap')[0]!;
  const [shardsJob, mergeJob] = byKind('Job') as [Yaml, Yaml];
  const auditContainer = shardsJob.spec.template.spec.containers[0];
  const mergeContainer = mergeJob.spec.template.spec.containers[0];
  const shards = Number(envOf(auditContainer).SHARDS);
  const runId = envOf(auditContainer).RUN_ID!;

  it('is an Indexed Job of SHARDS pods, all at once, with a merge Job for the same run', () => {
    expect(shardsJob.spec.completionMode).toBe('Indexed');
    expect(shardsJob.spec.completions).toBe(shards);
    expect(shardsJob.spec.parallelism).toBe(shards);
    expect(shards).toBeGreaterThan(1);
    const wait = mergeJob.spec.template.spec.initContainers[0];
    expect(Number(envOf(wait).SHARDS)).toBe(shards);
    expect(envOf(wait).RUN_ID).toBe(runId);
    expect(envOf(mergeContainer).RUN_ID).toBe(runId);
  });

  it('has each pod audit its own slice (--shard JOB_COMPLETION_INDEX+1 of SHARDS) into a folder of its own', () => {
    const [line] = invocations(scriptOf(auditContainer), 'audit');
    expect(line).toBeDefined();
    const outs = new Set<string>();
    for (let index = 0; index < shards; index++) {
      const options = auditOf(argvOf(line!, { JOB_COMPLETION_INDEX: String(index), SHARDS: String(shards), RUN_ID: runId }));
      expect(options.shard).toEqual({ index: index + 1, count: shards });
      expect(options.out).toBe(`/reports/${runId}/shard-${index + 1}`);
      expect(options.formats).toContain('json');
      outs.add(options.out!);
    }
    expect(outs.size).toBe(shards);
  });

  it('mounts the inventory and policy the commands name, and both are valid', () => {
    const options = auditOf(argvOf(invocations(scriptOf(auditContainer), 'audit')[0]!, { JOB_COMPLETION_INDEX: '0', SHARDS: String(shards), RUN_ID: runId }));
    const mount = auditContainer.volumeMounts.find((m: Yaml) => m.name === 'config');
    expect(options.inventory).toBe(`${mount.mountPath}/inventory.yaml`);
    expect(options.policies).toEqual([`${mount.mountPath}/policy.yaml`]);
    const inventory = parseInventory(config.data['inventory.yaml'], 'inventory.yaml', { homeDir: '/home/audit' });
    expect(inventory.hosts.length).toBeGreaterThan(1);
    expect(inventory.hosts[0]!.identityFile).toBe('/ssh/id_ed25519');
    expect(auditContainer.volumeMounts.find((m: Yaml) => m.name === 'ssh').mountPath).toBe('/ssh');
    expect(() => mergePolicies([{ file: 'policy.yaml', text: config.data['policy.yaml'] }], { knownGroups: inventory.groups })).not.toThrow();
  });

  it('merges every shard folder the pods write, with the same policy', () => {
    const [line] = invocations(scriptOf(mergeContainer), 'merge');
    const options = mergeOf(argvOf(line!, { RUN_ID: runId }));
    expect(options.reports).toHaveLength(1);
    const glob = globMatcher(options.reports[0]!);
    for (let k = 1; k <= shards; k++) expect(`/reports/${runId}/shard-${k}/report.json`).toMatch(glob);
    expect(options.policies).toEqual(['/inventory/policy.yaml']);
    expect(options.out).toBe(`/reports/${runId}/merged`);
  });
});

describe('examples/ci/github-actions.yml', () => {
  const [workflow] = yamlDocuments('ci/github-actions.yml') as [Yaml];
  const { audit, merge } = workflow.jobs;
  const slices: number[] = audit.strategy.matrix.shard;
  const fill = (text: string, shard: number) =>
    text.replace(/\$\{\{\s*matrix\.shard\s*\}\}/g, String(shard)).replace(/\$\{\{\s*strategy\.job-total\s*\}\}/g, String(slices.length));
  const stepRunning = (job: Yaml, command: 'audit' | 'merge') => job.steps.find((s: Yaml) => typeof s.run === 'string' && invocations(s.run, command).length > 0);

  it('runs slices 1 to N as a matrix that does not stop at the first failure', () => {
    expect(slices).toEqual(Array.from({ length: slices.length }, (_, i) => i + 1));
    expect(audit.strategy['fail-fast']).toBe(false);
    expect(merge.needs).toBe('audit');
    expect(merge.if).toBe('always()');
  });

  it('has each job audit its slice and upload exactly that folder; the merge job downloads and merges them all', () => {
    const step = stepRunning(audit, 'audit');
    const upload = audit.steps.find((s: Yaml) => String(s.uses).startsWith('actions/upload-artifact'));
    const download = merge.steps.find((s: Yaml) => String(s.uses).startsWith('actions/download-artifact'));
    const mergeOptions = mergeOf(argvOf(invocations(stepRunning(merge, 'merge').run, 'merge')[0]!, {}));
    const glob = globMatcher(mergeOptions.reports[0]!);
    const artifacts = globMatcher(download.with.pattern);
    for (const shard of slices) {
      const options = auditOf(argvOf(fill(invocations(step.run, 'audit')[0]!, shard), {}));
      expect(options.shard).toEqual({ index: shard, count: slices.length });
      expect(fill(upload.with.path, shard)).toBe(`${options.out}/`);
      const artifact = fill(upload.with.name, shard);
      expect(artifact).toMatch(artifacts);
      // download-artifact puts each artifact in a folder of its name under `path`
      expect(`${download.with.path}/${artifact}/report.json`).toMatch(glob);
    }
    expect(mergeOptions.formats).toEqual(['json', 'md', 'junit']);
    expect(mergeOptions.policies).toEqual(auditOf(argvOf(fill(invocations(step.run, 'audit')[0]!, 1), {})).policies);
  });
});

describe('examples/ci/gitlab-ci.yml', () => {
  const [pipeline] = yamlDocuments('ci/gitlab-ci.yml') as [Yaml];
  const audit = pipeline['kvm-netaudit-audit'];
  const merge = pipeline['kvm-netaudit-merge'];
  const total: number = audit.parallel;

  it('has each parallel job audit slice CI_NODE_INDEX of CI_NODE_TOTAL into the artifacts the merge job needs', () => {
    const line = invocations(audit.script.join('\n'), 'audit')[0]!;
    const mergeOptions = mergeOf(argvOf(invocations(merge.script.join('\n'), 'merge')[0]!, {}));
    const glob = globMatcher(mergeOptions.reports[0]!);
    for (let index = 1; index <= total; index++) {
      const options = auditOf(argvOf(line, { CI_NODE_INDEX: String(index), CI_NODE_TOTAL: String(total) }));
      expect(options.shard).toEqual({ index, count: total });
      expect(`${options.out}/report.json`).toMatch(glob);
      expect(audit.artifacts.paths.some((p: string) => `${options.out}/`.startsWith(p))).toBe(true);
    }
    expect(merge.needs[0]).toMatchObject({ job: 'kvm-netaudit-audit', artifacts: true });
    expect(merge.when).toBe('always');
    expect(merge.artifacts.reports.junit).toBe(`${mergeOptions.out}/junit.xml`);
  });
});
