/**
 * The built CLI as an operator runs it: exit codes (docs/cli.md), the demo fleet end to end, reports on disk,
 * saved captures replayed, bad inventories, and Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetReport } from '../../src/model.js';
import { ensureBuilt, REPO_ROOT, runCli } from '../helpers/cli.js';
import { expectValidReport } from '../helpers/reportSchema.js';
import { JUNIT_XSD, validateFileAgainstSchema } from '../helpers/xsd.js';

let dir: string;
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'kna-cli-'));
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('kvm-netaudit CLI', () => {
  it('audits the demo fleet: its two broken hosts fail as designed (exit 0), every host once in report.json and report.md', async () => {
    const out = path.join(dir, 'demo');
    const captures = path.join(dir, 'captures');
    const result = await runCli(['demo', '--no-tui', '--json', '-', '--out', out, '--save-captures', captures]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as FleetReport;
    expectValidReport(report);
    expect(report.schemaVersion).toBe(1);
    expect(report.run.complete).toBe(true);
    expect(report.hosts).toHaveLength(16);
    expect(new Set(report.hosts.map((h) => h.name)).size).toBe(16);
    expect(report.summary).toMatchObject({ hosts: 16, ok: 14, failed: 2 });
    // the line log went to stderr because stdout carries the JSON
    expect(result.stderr).toMatch(/^ok\s+hv-nat-01/m);
    expect(result.stderr).toMatch(/^failed\s+hv-hung-99\s.*timeout/m);
    const md = await readFile(path.join(out, 'report.md'), 'utf8');
    for (const h of report.hosts) expect(md).toContain(`## Host ${h.name}`);
    expect(JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'))).toEqual(report);
    expect((await readdir(captures)).sort()).toContain('hv-nat-01.json');
  });

  it('replays saved captures without connecting, to the same answer', async () => {
    const inventory = path.join(dir, 'replay.yaml');
    // hv-prod-02's bond0 and VLAN are veth stand-ins in the demo lab: the inventory names them, as fleet.json does
    await writeFile(
      inventory,
      "hosts:\n  - name: hv-nat-01\n    address: 198.18.0.99\n  - name: hv-prod-02\n    address: 198.18.0.98\n    uplinkInterfaces: ['eno*', 'bond*']\n",
    );
    const result = await runCli(['-i', inventory, '--replay', path.join(dir, 'captures'), '--no-tui', '--json', '-', '--out', path.join(dir, 'replay')]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as FleetReport;
    expectValidReport(report);
    expect(report.hosts.map((h) => [h.name, h.status, h.modes.join(',')])).toEqual([
      ['hv-nat-01', 'ok', 'nat'],
      ['hv-prod-02', 'ok', 'bridged,nat'],
    ]);
  });

  it('writes each --report FORMAT[:PATH] where it says: prom for the textfile collector, md into the folder', async () => {
    const inventory = path.join(dir, 'replay-prom.yaml');
    await writeFile(inventory, 'hosts:\n  - name: hv-nat-01\n    address: 198.18.0.99\n');
    const collector = path.join(dir, 'textfile-collector', 'nested');
    const out = path.join(dir, 'replay-prom');
    const result = await runCli([
      '-i', inventory, '--replay', path.join(dir, 'captures'), '--no-tui', '--out', out, '--format', 'json',
      '--report', `prom:${path.join(collector, 'kvm_netaudit.prom')}`, '--report', 'md',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const prom = await readFile(path.join(collector, 'kvm_netaudit.prom'), 'utf8');
    expect(prom).toContain('kvm_netaudit_host_up{hypervisor="hv-nat-01"} 1');
    expect(prom).toMatch(/kvm_netaudit_vm_interface_info\{hypervisor="hv-nat-01",[^}]*mode="nat"/);
    // only the collector's file there: the temporary one was renamed over it
    expect(await readdir(collector)).toEqual(['kvm_netaudit.prom']);
    expect((await readdir(out)).sort()).toEqual(['report.json', 'report.md']);
    // A run folder that cannot be written (a file is in the way) still leaves the collector's file fresh, and exits 73
    const blocked = path.join(dir, 'not-a-folder');
    await writeFile(blocked, 'x');
    const fresh = path.join(collector, 'fresh.prom');
    const stuck = await runCli(['-i', inventory, '--replay', path.join(dir, 'captures'), '--no-tui', '--out', blocked, '--report', `prom:${fresh}`]);
    expect(stuck.code).toBe(73);
    expect(await readFile(fresh, 'utf8')).toContain('kvm_netaudit_host_up{hypervisor="hv-nat-01"} 1');
    const bad = await runCli(['-i', inventory, '--replay', path.join(dir, 'captures'), '--no-tui', '--report', 'pdf:/tmp/x']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('--report pdf:/tmp/x: unknown format "pdf"');
  });

  it('exits 2 when a host cannot be audited (here: no saved capture to replay)', async () => {
    const inventory = path.join(dir, 'missing.yaml');
    await writeFile(inventory, 'hosts:\n  - name: hv-nat-01\n    address: 198.18.0.99\n  - name: hv-nowhere\n    address: 198.18.0.98\n');
    const result = await runCli(['-i', inventory, '--replay', path.join(dir, 'captures'), '--no-tui', '--json', '-', '--out', path.join(dir, 'missing')]);
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as FleetReport;
    expectValidReport(report);
    expect(report.hosts.map((h) => [h.name, h.status])).toEqual([
      ['hv-nat-01', 'ok'],
      ['hv-nowhere', 'failed'],
    ]);
  });

  it('rejects a bad inventory with file:line: key and exit 64', async () => {
    const inventory = path.join(dir, 'bad.yaml');
    await writeFile(inventory, 'hosts:\n  - name: hv01\n    address: 198.18.0.10\n    port: 70000\n');
    const result = await runCli(['-i', inventory, '--no-tui']);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain(`${inventory}:4: hosts[0].port`);
  });

  it('refuses a plaintext password, pointing at passwordEnv', async () => {
    const inventory = path.join(dir, 'password.yaml');
    await writeFile(inventory, 'defaults:\n  password: hunter2\nhosts:\n  - name: hv01\n    address: 198.18.0.10\n');
    const result = await runCli(['-i', inventory, '--no-tui']);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/passwordEnv/);
    expect(result.stderr).not.toContain('hunter2');
  });

  it('rejects unknown options and bad values with exit 64', async () => {
    expect((await runCli(['--frobnicate'])).code).toBe(64);
    const bad = await runCli(['demo', '--concurrency', 'many']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/--concurrency/);
  });

  it('prints one command\'s usage for help COMMAND and COMMAND --help, and suggests a mistyped command', async () => {
    const help = await runCli(['help', 'diff']);
    const flag = await runCli(['diff', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: kvm-netaudit diff OLD.json NEW.json/);
    expect(help.stdout).toContain('--exit-code');
    expect(flag.stdout).toBe(help.stdout);
    const typo = await runCli(['demoo']);
    expect(typo.code).toBe(64);
    expect(typo.stderr).toContain('unknown command "demoo" (did you mean demo?)');
  });

  it('prints the exact read-only probe for a host', async () => {
    const inventory = path.join(dir, 'probe.yaml');
    await writeFile(inventory, "hosts:\n  - name: hv01\n    address: 198.18.0.10\n    libvirtUri: 'qemu+ssh://x/system'\n    sudo: true\n");
    const result = await runCli(['show-probe', '-i', inventory, '--host', 'hv01']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("URI='qemu+ssh://x/system'");
    expect(result.stdout).toContain('sudo -n virsh -q -r -c "$URI"');
    expect(result.stdout).not.toMatch(/\b(net-destroy|net-start|destroy|undefine|start|reboot)\b/);
  });

  /** Start the demo as an operator would, in a child with its own temporary folder. */
  function startDemo(args: string[], tmp: string) {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'kvm-netaudit.js'), 'demo', ...args], {
      env: { ...process.env, CI: '1', TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    return { child, stdout: () => stdout, exited };
  }

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    'on %s stops, closes connections, still writes a report marked incomplete, and leaves no demo key behind',
    async (signal) => {
      const out = path.join(dir, `interrupted-${signal}`);
      const tmp = await mkdtemp(path.join(dir, 'tmp-'));
      const demo = startDemo(['--hosts', '60', '--concurrency', '1', '--no-tui', '--out', out], tmp);
      demo.child.stdout.on('data', () => {
        if (/^ok\s/m.test(demo.stdout()) && !demo.child.killed) demo.child.kill(signal);
      });
      expect(await demo.exited).toBe(2);
      const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as FleetReport;
      expectValidReport(report);
      expect(report.run.complete).toBe(false);
      expect(report.hosts).toHaveLength(60);
      expect(report.hosts.filter((h) => h.status === 'ok').length).toBeGreaterThan(0);
      expect(report.hosts.some((h) => h.error?.kind === 'cancelled')).toBe(true);
      expect(await readdir(tmp)).toEqual([]);
    },
  );

  it('on a second Ctrl-C leaves at once (exit 130) and still removes the demo folder with its private key', async () => {
    const tmp = await mkdtemp(path.join(dir, 'tmp-'));
    const demo = startDemo(['--hosts', '60', '--concurrency', '1', '--no-tui', '--out', path.join(dir, 'twice')], tmp);
    demo.child.stdout.on('data', () => {
      if (/^ok\s/m.test(demo.stdout()) && !demo.child.killed) {
        demo.child.kill('SIGINT');
        setTimeout(() => demo.child.kill('SIGINT'), 5);
      }
    });
    expect(await demo.exited).toBe(130);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('still writes the reports when captures cannot be saved, and says why once per capture', async () => {
    // Given a capture folder where one host's capture file name is taken by a directory
    const captures = path.join(dir, 'blocked-captures');
    await mkdir(path.join(captures, 'hv-nat-01.json'), { recursive: true });
    const out = path.join(dir, 'blocked-captures-report');
    // When the demo saves its captures there
    const result = await runCli(['demo', '--limit', 'hv-nat-01,hv-prod-02', '--no-tui', '--save-captures', captures, '--out', out]);
    // Then the run succeeds, warns about that capture, saves the other, and writes its reports
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: cannot save the probe capture of hv-nat-01 to .*hv-nat-01\.json/);
    expect((await readdir(captures)).sort()).toEqual(['hv-nat-01.json', 'hv-prod-02.json']);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as FleetReport;
    expectValidReport(report);
    expect(report.hosts.map((h) => h.status)).toEqual(['ok', 'ok']);
  });

  it('exits 73 when the reports cannot be written, naming the folder, after printing the summary', async () => {
    // Given an --out path that is a regular file
    const blocked = path.join(dir, 'not-a-folder');
    await writeFile(blocked, 'x');
    // When the demo writes its reports there
    const result = await runCli(['demo', '--limit', 'hv-nat-01', '--no-tui', '--out', blocked]);
    // Then the summary was printed, the failure is named, and the exit code says the reports are missing
    expect(result.code).toBe(73);
    expect(result.stdout).toMatch(/^ok\s+hv-nat-01/m);
    expect(result.stderr).toContain(`kvm-netaudit: cannot write the reports to ${blocked}:`);
  });

  describe('compliance', () => {
    const policy = path.join(REPO_ROOT, 'policy.example.yaml');

    it('exits 1 only when a failing finding reaches --fail-on', async () => {
      // hv-nat-01 has one low finding (3 NAT guests, at most 2 allowed) and nothing above it
      const low = await runCli(['demo', '--limit', 'hv-nat-01', '--no-tui', '--policy', policy, '--fail-on', 'low', '--out', path.join(dir, 'fail-low')]);
      const medium = await runCli(['demo', '--limit', 'hv-nat-01', '--no-tui', '--policy', policy, '--fail-on', 'medium', '--out', path.join(dir, 'fail-medium')]);
      expect([low.code, medium.code]).toEqual([1, 0]);
      const report = JSON.parse(await readFile(path.join(dir, 'fail-low', 'report.json'), 'utf8')) as FleetReport;
      expectValidReport(report);
      expect(report.summary.findings).toEqual({ low: 1 });
      expect(report.hosts[0]!.findings).toMatchObject([{ rule: 'nat-guests-per-host', severity: 'low', status: 'fail' }]);
    });

    it('writes waived findings with their justification, a compliance section and a JUnit file that passes the schema', async () => {
      const out = path.join(dir, 'compliance');
      // hv-prod-02's template VM is behind NAT with a waiver; hv-route-08 has an open DMZ network (high)
      const result = await runCli(['demo', '--limit', 'hv-prod-02,hv-route-08', '--no-tui', '--policy', policy, '--fail-on', 'high', '--format', 'json,md,junit', '--out', out]);
      expect(result.code).toBe(1);
      const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as FleetReport;
      expectValidReport(report);
      const waived = report.hosts.flatMap((h) => h.findings).filter((f) => f.status === 'waived');
      expect(waived.length).toBeGreaterThan(0);
      expect(waived.every((f) => typeof f.justification === 'string' && f.justification.length > 0)).toBe(true);
      expect(report.summary.waived).toBe(waived.length);
      const md = await readFile(path.join(out, 'report.md'), 'utf8');
      expect(md).toContain('## Compliance');
      expect(md).toMatch(/`dmz-no-open-networks`.*\| high \|/);
      const lint = await validateFileAgainstSchema(path.join(out, 'junit.xml'), JUNIT_XSD);
      expect(lint.valid, lint.output).toBe(true);
    });

    it('refuses a bad policy before connecting, naming file and line', async () => {
      const bad = path.join(dir, 'bad-policy.yaml');
      await writeFile(bad, 'version: 1\nrules:\n  - id: x\n    severity: urgent\n    subject: host\n    expect: {}\n');
      const result = await runCli(['demo', '--no-tui', '--policy', bad]);
      expect(result.code).toBe(64);
      expect(result.stderr).toContain(`${bad}:4`);
    });

    it('diffs two reports, and adds a drift section with --baseline', async () => {
      const before = path.join(dir, 'before');
      const after = path.join(dir, 'after');
      await runCli(['demo', '--limit', 'hv-nat-01,hv-prod-02', '--no-tui', '--out', before]);
      await runCli(['demo', '--limit', 'hv-nat-01,hv-route-08', '--no-tui', '--out', after, '--baseline', path.join(before, 'report.json')]);
      const diff = await runCli(['diff', path.join(before, 'report.json'), path.join(after, 'report.json'), '--json']);
      expect(diff.code).toBe(0);
      const parsed = JSON.parse(diff.stdout) as { hosts: { added: { host: string }[]; removed: { host: string }[] } };
      expect(parsed.hosts.added.map((h) => h.host)).toEqual(['hv-route-08']);
      expect(parsed.hosts.removed.map((h) => h.host)).toEqual(['hv-prod-02']);
      expect(await readFile(path.join(after, 'report.md'), 'utf8')).toContain('## Drift since the previous audit');
      // --exit-code: 1 when the reports differ, 0 when compared with itself (as git diff --exit-code)
      const changed = await runCli(['diff', '--exit-code', path.join(before, 'report.json'), path.join(after, 'report.json')]);
      const same = await runCli(['diff', '--exit-code', path.join(before, 'report.json'), path.join(before, 'report.json')]);
      expect([changed.code, same.code]).toEqual([1, 0]);
    });

    it('compares with the newest earlier report under reports/ with --baseline latest, and says when there is none', async () => {
      // Given a working folder with no reports yet
      const work = await mkdtemp(path.join(dir, 'latest-'));
      const none = await runCli(['demo', '--limit', 'hv-nat-01', '--no-tui', '--baseline', 'latest'], 60_000, work);
      expect(none.code).toBe(64);
      expect(none.stderr).toContain('--baseline latest: no earlier report.json under reports/');
      // When two audits write their reports there, the second against the latest
      await runCli(['demo', '--limit', 'hv-nat-01', '--no-tui', '--out', path.join(work, 'reports', 'first')], 60_000, work);
      const second = await runCli(['demo', '--limit', 'hv-nat-01,hv-prod-02', '--no-tui', '--baseline', 'latest', '--out', path.join(work, 'second')], 60_000, work);
      // Then the second report has a drift section naming the host that was added
      expect(second.code).toBe(0);
      const md = await readFile(path.join(work, 'second', 'report.md'), 'utf8');
      expect(md).toContain('## Drift since the previous audit');
      expect(md).toMatch(/hv-prod-02.*added/);
    });
  });
});
