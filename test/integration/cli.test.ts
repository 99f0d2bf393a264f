/**
 * The built CLI as an operator runs it: exit codes (DESIGN §7), the demo fleet end to end, reports on disk,
 * saved captures replayed, bad inventories, and Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetReport } from '../../src/model.js';
import { ensureBuilt, REPO_ROOT, runCli } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'kna-cli-'));
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('kvm-netaudit CLI', () => {
  it('audits the demo fleet: exit 2 for its two failing hosts, every host once in report.json and report.md', async () => {
    const out = path.join(dir, 'demo');
    const captures = path.join(dir, 'captures');
    const result = await runCli(['demo', '--no-tui', '--json', '-', '--out', out, '--save-captures', captures]);
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as FleetReport;
    expect(report.schemaVersion).toBe(1);
    expect(report.run.complete).toBe(true);
    expect(report.hosts).toHaveLength(14);
    expect(new Set(report.hosts.map((h) => h.name)).size).toBe(14);
    expect(report.summary).toMatchObject({ hosts: 14, ok: 12, failed: 2 });
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
    expect(report.hosts.map((h) => [h.name, h.status, h.modes.join(',')])).toEqual([
      ['hv-nat-01', 'ok', 'nat'],
      ['hv-prod-02', 'ok', 'bridged,nat'],
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

  it('prints the exact read-only probe for a host', async () => {
    const inventory = path.join(dir, 'probe.yaml');
    await writeFile(inventory, "hosts:\n  - name: hv01\n    address: 198.18.0.10\n    libvirtUri: 'qemu+ssh://x/system'\n    sudo: true\n");
    const result = await runCli(['show-probe', '-i', inventory, '--host', 'hv01']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("URI='qemu+ssh://x/system'");
    expect(result.stdout).toContain('sudo -n virsh -q -r -c "$URI"');
    expect(result.stdout).not.toMatch(/\b(net-destroy|net-start|destroy|undefine|start|reboot)\b/);
  });

  it('on Ctrl-C stops, closes connections and still writes a report marked incomplete', async () => {
    const out = path.join(dir, 'interrupted');
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'kvm-netaudit.js'), 'demo', '--hosts', '60', '--concurrency', '1', '--no-tui', '--out', out], {
      env: { ...process.env, CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (/^ok\s/m.test(stdout) && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).toBe(2);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as FleetReport;
    expect(report.run.complete).toBe(false);
    expect(report.hosts).toHaveLength(60);
    expect(report.hosts.filter((h) => h.status === 'ok').length).toBeGreaterThan(0);
    expect(report.hosts.some((h) => h.error?.kind === 'cancelled')).toBe(true);
  });
});
