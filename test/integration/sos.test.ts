/**
 * The built CLI auditing sosreports (`audit --from-sos PATH…`): reports made by the real `sos report` against
 * libvirt's test driver (scripts/make-sos-fixtures.sh), as folders and as the .tar.xz sos writes; and the same
 * host's live probe capture (`--local` in the same namespace, saved), replayed, audits to the same modes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetReport } from '../../src/model.js';
import { ensureBuilt, REPO_ROOT, runCli } from '../helpers/cli.js';
import { gateTier, tool } from '../helpers/prerequisites.js';

/** sos packs its reports with tar and xz: the archive tests need both (CI has them; elsewhere they say so). */
const archives = gateTier('integration tier (sosreport archives)', [tool('tar'), tool('xz')]);

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'sos');
const HV = path.join(FIXTURES, 'sos-hv01');
const NET_ONLY = path.join(FIXTURES, 'sos-net01');

let dir: string;
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'kna-sos-'));
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function audit(...args: string[]): Promise<{ code: number | null; report: FleetReport; stderr: string }> {
  const result = await runCli(['audit', ...args, '--no-tui', '--json', '-', '-o', path.join(dir, `out-${Math.random().toString(36).slice(2)}`)]);
  if (!result.stdout.startsWith('{')) throw new Error(`no report (exit ${result.code}):\n${result.stderr}`);
  return { code: result.code, report: JSON.parse(result.stdout) as FleetReport, stderr: result.stderr };
}

/** What must not differ between a sosreport and a live audit of the same state. */
function modesOf(report: FleetReport, host: string) {
  const h = report.hosts.find((x) => x.name === host)!;
  return {
    networks: h.networks.map((n) => [n.name, n.mode, n.bridge, n.active, n.persistent, n.autostart]),
    vms: h.vms.map((v) => [v.name, v.state, v.interfaces.map((i) => [i.mac, i.mode, i.via])]),
    bridges: h.bridges,
    verdict: h.verdict,
    defaultRouteDevs: h.defaultRouteDevs,
  };
}

describe('audit --from-sos', () => {
  it('audits one host per sosreport, named by its hostname file, with the modes of its networks and NICs', async () => {
    // When two sosreports are audited, the second given as a further word
    const { code, report } = await audit('--from-sos', HV, NET_ONLY);
    // Then
    expect(report.run.inventory).toBe('(sos: sos-hv01, sos-net01)');
    expect(report.hosts.map((h) => [h.name, h.status])).toEqual([
      ['sos-hv01', 'ok'],
      ['sos-net01', 'failed'],
    ]);
    const hv = report.hosts[0]!;
    expect(hv.networks.map((n) => [n.name, n.mode])).toEqual([
      ['backplane', 'isolated'],
      ['default', 'nat'],
      ['lan', 'host-only'],
    ]);
    expect(hv.vms.map((v) => [v.name, v.state, v.interfaces.map((i) => i.mode)])).toEqual([
      ['vm-nat', 'running', ['nat']],
      ['vm-lan', 'shut off', ['host-only']],
    ]);
    expect(code).toBe(2); // a host whose virsh output is not in its report could not be audited
  });

  it('marks what sos did not collect as unknown, and says why', async () => {
    // Given a report made without sos's libvirt plugin (no etc/libvirt/qemu/), and one without its virsh plugin
    const noLibvirt = path.join(dir, 'sosreport-nolibvirt');
    expect(spawnSync('cp', ['-r', HV, noLibvirt]).status).toBe(0);
    await rm(path.join(noLibvirt, 'etc'), { recursive: true });
    // When
    const { report } = await audit('--from-sos', noLibvirt, '--from-sos', NET_ONLY);
    const [hv, net] = report.hosts;
    // Then the persistent definitions are unknown (the drift check cannot run): partial, with the reason
    expect(hv!.status).toBe('partial');
    expect(hv!.error?.message).toContain("sos's libvirt plugin did not run");
    expect(hv!.warnings.filter((w) => w.kind === 'section-failed').map((w) => w.subject)).toEqual([
      'virsh net-list --persistent --uuid',
      'virsh list --persistent --uuid',
    ]);
    expect(hv!.vms.map((v) => v.interfaces.map((i) => i.mode))).toEqual([['nat'], ['host-only']]);
    // No virsh plugin: libvirt unknown, never "no networks"
    expect(net!.error).toEqual({ kind: 'libvirt', message: expect.stringContaining("sos's virsh plugin did not run") });
    expect(net!.bridges.map((b) => b.name)).toContain('br0');
  });

  it("finds drift against libvirtd's persistent definitions, as sos's libvirt plugin copied them", async () => {
    // Given a report whose running vm-nat boots next on network lan
    const drifted = path.join(dir, 'sosreport-drifted');
    expect(spawnSync('cp', ['-r', HV, drifted]).status).toBe(0);
    const definition = path.join(drifted, 'etc', 'libvirt', 'qemu', 'vm-nat.xml');
    await writeFile(definition, (await readFile(definition, 'utf8')).replace("network='default'", "network='lan'"));
    // When
    const { report } = await audit('--from-sos', drifted);
    // Then
    expect(report.hosts[0]!.warnings).toContainEqual(
      expect.objectContaining({ kind: 'config-drift', message: expect.stringContaining('network default now, network lan in the persistent definition') }),
    );
  });

  it('audits a sosreport of a test-driver host to the modes a live audit of the same state gives', async () => {
    // Given the live probe's capture of the same namespace and test driver, and the sosreport made beside it
    const live = await audit('sos-hv01', '--replay', path.join(FIXTURES, 'live'));
    const sos = await audit('--from-sos', HV);
    // Then
    expect(live.report.hosts[0]!.status).toBe('ok');
    expect(sos.report.hosts[0]!.status).toBe('ok');
    expect(modesOf(sos.report, 'sos-hv01')).toEqual(modesOf(live.report, 'sos-hv01'));
  });

  it.skipIf(archives.skip)('reads the .tar.xz sos writes, unpacked by tar', async () => {
    archives.enforce();
    // Given the report packed as sos packs it: one sosreport-HOST-… folder
    const archive = path.join(dir, 'sosreport-sos-hv01-2026-12-03-abcdefg.tar.xz');
    const packed = spawnSync('tar', ['-cJf', archive, '-C', FIXTURES, '--transform', 's,^sos-hv01,sosreport-sos-hv01-2026-12-03-abcdefg,', 'sos-hv01']);
    expect(packed.status).toBe(0);
    // When / Then
    const fromArchive = await audit('--from-sos', archive);
    const fromFolder = await audit('--from-sos', HV);
    expect(modesOf(fromArchive.report, 'sos-hv01')).toEqual(modesOf(fromFolder.report, 'sos-hv01'));
  });

  it.skipIf(archives.skip)('reads a .tar.gz too, and a report at the top of its archive', async () => {
    archives.enforce();
    const archive = path.join(dir, 'hv.tar.gz');
    expect(spawnSync('tar', ['-czf', archive, '-C', HV, '.']).status).toBe(0);
    const { report } = await audit('--from-sos', archive);
    expect(report.hosts.map((h) => h.name)).toEqual(['sos-hv01']);
    expect(modesOf(report, 'sos-hv01')).toEqual(modesOf((await audit('--from-sos', HV)).report, 'sos-hv01'));
  });

  it('follows no link out of the report: a hostname linking to a file outside is not read', async () => {
    // Given a report whose hostname is a link to a file outside it
    const report = path.join(dir, 'sosreport-linked-2026-12-03-abcdefg');
    expect(spawnSync('cp', ['-r', NET_ONLY, report]).status).toBe(0);
    await writeFile(path.join(dir, 'secret'), 'leaked-name\n');
    await rm(path.join(report, 'hostname'));
    await symlink(path.join(dir, 'secret'), path.join(report, 'hostname'));
    // When
    const { report: audited } = await audit('--from-sos', report);
    // Then the host is named by its folder, and the file outside was never read
    expect(audited.hosts.map((h) => h.name)).toEqual(['linked']);
  });

  it('names a second report of the same host NAME-2', async () => {
    const { report } = await audit('--from-sos', HV, HV);
    expect(report.hosts.map((h) => h.name)).toEqual(['sos-hv01', 'sos-hv01-2']);
  });

  it('refuses --from-sos with hosts, -i, --local or --replay (exit 64)', async () => {
    for (const extra of [['hv01'].map((h) => ['-H', h]).flat(), ['--local'], ['--replay', dir]]) {
      const result = await runCli(['audit', '--from-sos', HV, ...extra, '--no-tui']);
      expect(result.code, extra.join(' ')).toBe(64);
      expect(result.stderr).toContain('--from-sos');
    }
  });

  it('a path that is not a sosreport is a usage error naming it', async () => {
    const result = await runCli(['audit', '--from-sos', dir, '--no-tui']);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('not a sosreport');
  });
});
