/**
 * System tier (README, Tests): the built CLI audits a fleet of four lab hypervisors end to end, over real
 * OpenSSH servers running in network namespaces, against real bridges, veths, taps, macvtaps and VXLAN
 * ports, with real `virsh` answering from libvirt's test driver.
 *
 * It needs root and Debian's openssh-server, openssh-client, libvirt-clients, bridge-utils and iproute2
 * (systemLab.ts lists them). Where they are missing it is skipped with one line saying so, and fails instead
 * under KVM_NETAUDIT_REQUIRE_ALL=1 (as in CI); KVM_NETAUDIT_SKIP_SYSTEM=1 skips it knowingly where it could
 * run. All tests share one lab and run in order, in this one file.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetReport, HostReport, Mode } from '../../src/model.js';
import { runCollect } from '../lab/run.js';
import { stringify } from 'yaml';
import { ensureBuilt, LAUNCHER, runCli } from '../helpers/cli.js';
import { SYSTEM_FLEET, type SystemHost } from './fleet.js';
import { startSystemLab, systemTierGate, type SystemLab, type SystemLabHost } from './systemLab.js';

const PREFIX = 'kna-s-';
const gate = systemTierGate('audit.test.ts');

/** Parse the CLI's `--json -` output, saying what it printed when that is not a report. */
function parseReport(stdout: string, stderr: string): FleetReport {
  try {
    return JSON.parse(stdout) as FleetReport;
  } catch {
    throw new Error(`the CLI did not print a JSON report.\nstdout:\n${stdout.slice(0, 2000)}\nstderr:\n${stderr.slice(0, 4000)}`);
  }
}

function hostReport(report: FleetReport, name: string): HostReport {
  const found = report.hosts.find((h) => h.name === name);
  if (!found) throw new Error(`the report has no host ${name} (hosts: ${report.hosts.map((h) => h.name).join(', ')})`);
  return found;
}

/** How many VM NICs of the fleet the expectations put in each mode. */
function expectedModeCounts(fleet: readonly SystemHost[]): Partial<Record<Mode, number>> {
  const counts: Partial<Record<Mode, number>> = {};
  for (const nic of fleet.flatMap((h) => h.nics)) counts[nic.mode] = (counts[nic.mode] ?? 0) + 1;
  return counts;
}

/** Run a command on a lab host through the stock OpenSSH client, with the run's key and known_hosts. */
function sshTo(lab: SystemLab, member: SystemLabHost, command: string) {
  return runCollect(
    [
      'ssh',
      '-F', 'none',
      '-i', lab.clientKey.privateKeyPath,
      '-o', 'BatchMode=yes',
      '-o', 'IdentitiesOnly=yes',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', `UserKnownHostsFile=${lab.knownHostsPath}`,
      '-o', 'ConnectTimeout=5',
      `root@${member.address}`,
      command,
    ],
    { timeoutMs: 20_000 },
  );
}

describe.skipIf(gate.skip)('system: auditing lab hypervisors over real OpenSSH', { timeout: 90_000 }, () => {
  let lab: SystemLab | undefined;

  /** The lab, or the reason it could not be built (so every test fails with the same clear message). */
  function requireLab(): SystemLab {
    if (!lab) throw new Error('the system lab was not built: see the error of beforeAll above');
    return lab;
  }

  beforeAll(async () => {
    gate.enforce();
    await ensureBuilt();
    lab = await startSystemLab(SYSTEM_FLEET, PREFIX);
  });

  afterAll(async () => {
    await lab?.destroy();
  });

  it('runs one sshd per lab host, listening on its management address inside its own namespace', async () => {
    const { hosts } = requireLab();
    for (const member of hosts) {
      // Given the host's namespace
      // When its listening sockets are listed from inside it
      const inside = await member.host.exec(['ss', '-Hltnp']);
      // Then its sshd (by pid) listens on the management address there
      expect(inside.code).toBe(0);
      const line = inside.stdout.split('\n').find((l) => l.includes(`${member.address}:22 `));
      expect(line, `${member.host.netns} listeners:\n${inside.stdout}`).toBeDefined();
      expect(line).toContain(`pid=${member.sshd.pid},`);
      expect(line).toContain('sshd');
    }
    // And the root namespace has no such listener (the servers really are inside the namespaces)
    const root = await runCollect(['ss', '-Hltn']);
    for (const member of hosts) expect(root.stdout).not.toContain(`${member.address}:22 `);
  });

  it("gives an SSH session the host's own links and its virsh node file", async () => {
    const current = requireLab();
    for (const member of current.hosts) {
      const { spec } = member.expected;
      // Given an OpenSSH session as root on the lab host
      // When it lists links and libvirt networks and domains
      const links = await sshTo(current, member, 'ip -j link show');
      const virsh = await sshTo(
        current,
        member,
        `virsh -q -r -c '${member.host.libvirtUri}' 'net-list --all --name; list --all --name'`,
      );
      // Then it sees the namespace's links (the spec's and mgmt0), not the machine's
      expect(links.code, links.stderr).toBe(0);
      const names = (JSON.parse(links.stdout) as { ifname: string }[]).map((l) => l.ifname);
      expect(names).toContain('mgmt0');
      for (const link of spec.links) expect(names).toContain(link.name);
      expect(names.some((n) => n.startsWith(PREFIX))).toBe(false);
      // And virsh answers from the host's node file
      expect(virsh.code, virsh.stderr).toBe(0);
      const objects = virsh.stdout.split('\n').map((l) => l.trim()).filter(Boolean).sort();
      const expected = [...member.expected.networks.map((n) => n.name), ...Object.keys(member.expected.vmStates)].sort();
      expect(objects).toEqual(expected);
    }
  });

  it('classifies every network and VM NIC of the fleet, over SSH, and exits 0', async () => {
    const current = requireLab();
    // Given the whole fleet reachable over SSH
    // When the built CLI audits the inventory
    const out = join(current.workDir, 'reports-all');
    const run = await runCli([
      'audit', '-i', current.inventoryPath, '--no-tui', '--json', '-', '--known-hosts', current.knownHostsPath, '--out', out,
    ]);
    const report = parseReport(run.stdout, run.stderr);

    // Then every host is audited
    expect(run.code, run.stderr).toBe(0);
    expect(report.schemaVersion).toBe(1);
    expect(report.run.complete).toBe(true);
    expect(report.summary).toMatchObject({ hosts: SYSTEM_FLEET.length, ok: SYSTEM_FLEET.length, failed: 0 });
    expect(report.summary.modes).toEqual(expectedModeCounts(SYSTEM_FLEET));
    // (soft: one run shows every host's differences, not just the first)
    for (const member of current.hosts) {
      const { expected } = member;
      const host = hostReport(report, expected.spec.name);
      expect.soft(host.status, `${host.name}: ${JSON.stringify(host.error)}`).toBe('ok');
      expect.soft(host.error, host.name).toBeNull();
      expect.soft(host.address, host.name).toBe(member.address);
      expect.soft(host.groups, host.name).toEqual(expected.spec.groups);

      // And each network has the mode its <forward> and bridge give it
      expect.soft(host.networks.map((n) => n.name).sort(), `${host.name} networks`).toEqual(expected.networks.map((n) => n.name).sort());
      for (const want of expected.networks) {
        const got = host.networks.find((n) => n.name === want.name);
        expect.soft(got, `${host.name} network ${want.name}`).toMatchObject(want);
        expect.soft(got?.evidence.length, `${host.name} network ${want.name} evidence`).toBeGreaterThan(0);
      }

      // And each host bridge has exactly the uplinks the uplink rule allows
      for (const want of expected.bridges) {
        const got = host.bridges.find((b) => b.name === want.name);
        expect.soft(got, `${host.name} bridge ${want.name} (bridges: ${host.bridges.map((b) => b.name).join(', ')})`).toBeDefined();
        expect.soft(got?.uplinks.slice().sort(), `${host.name} bridge ${want.name} uplinks`).toEqual(want.uplinks.slice().sort());
      }

      // And every VM, in any state, is there with each NIC's mode and what it goes through
      expect.soft(Object.fromEntries(host.vms.map((vm) => [vm.name, vm.state])), `${host.name} VM states`).toEqual(expected.vmStates);
      const nics = host.vms.flatMap((vm) => vm.interfaces.map((nic) => ({ vm: vm.name, mac: nic.mac, mode: nic.mode, via: nic.via })));
      expect.soft(nics.sort((a, b) => String(a.mac).localeCompare(String(b.mac))), `${host.name} VM NICs`).toEqual(
        expected.nics.slice().sort((a, b) => a.mac.localeCompare(b.mac)),
      );
      expect.soft(host.modes, `${host.name} modes`).toEqual([...new Set(expected.nics.map((n) => n.mode))].sort());
      expect.soft(host.verdict, `${host.name} verdict`).not.toBe('');
    }

    // And the report files are written where --out says
    expect(existsSync(join(out, 'report.json'))).toBe(true);
    expect(existsSync(join(out, 'report.md'))).toBe(true);
  });

  it('audits an inventory of just names and addresses as OpenSSH would: local user, default key, system-wide known_hosts', async () => {
    const current = requireLab();
    // Given an inventory that names no user, key or known_hosts file (only where each host's virsh answers from)
    const inventory = join(current.workDir, 'names-only.yaml');
    const entries = current.hosts.map((m) => ({ name: m.expected.spec.name, address: m.address, libvirtUri: m.host.libvirtUri }));
    writeFileSync(inventory, stringify({ hosts: entries }));
    // and a home whose only key is ~/.ssh/id_ed25519, with no known_hosts of its own
    const home = join(current.workDir, 'home');
    mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
    copyFileSync(current.clientKey.privateKeyPath, join(home, '.ssh', 'id_ed25519'));
    chmodSync(join(home, '.ssh', 'id_ed25519'), 0o600);
    // and the hosts' keys only in a system-wide /etc/ssh/ssh_known_hosts, mounted for this run alone
    const etcSsh = join(current.workDir, 'etc-ssh');
    mkdirSync(etcSsh, { recursive: true });
    copyFileSync(current.knownHostsPath, join(etcSsh, 'ssh_known_hosts'));

    // When the built CLI audits it as root, strictly, without --known-hosts, in a mount namespace of its own
    const run = await runCollect(
      [
        'unshare', '-m', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" /etc/ssh && shift && exec "$@"', 'sh', etcSsh,
        process.execPath, LAUNCHER, 'audit', '-i', inventory, '--no-tui', '--json', '-', '--out', join(current.workDir, 'reports-names-only'),
      ],
      { env: { PATH: process.env.PATH, HOME: home, USER: 'root', CI: '1', NO_COLOR: '1' }, timeoutMs: 60_000 },
    );
    const report = parseReport(run.stdout, run.stderr);

    // Then every host is audited, and nothing was written to a known_hosts file
    expect(run.code, `${run.stderr}\n${JSON.stringify(report.hosts.map((h) => h.error))}`).toBe(0);
    expect(report.summary).toMatchObject({ hosts: SYSTEM_FLEET.length, ok: SYSTEM_FLEET.length, failed: 0 });
    expect(existsSync(join(home, '.ssh', 'known_hosts'))).toBe(false);

    // And without the system-wide file (the same run, no mount), every host is refused as unknown
    const bare = await runCollect(
      [process.execPath, LAUNCHER, 'audit', '-i', inventory, '--no-tui', '--json', '-', '--out', join(current.workDir, 'reports-names-only-2')],
      { env: { PATH: process.env.PATH, HOME: home, USER: 'root', CI: '1', NO_COLOR: '1' }, timeoutMs: 60_000 },
    );
    const refused = parseReport(bare.stdout, bare.stderr);
    expect(bare.code).toBe(2);
    expect(refused.hosts.map((h) => h.error?.kind)).toEqual(current.hosts.map(() => 'hostkey'));
  });

  it('reports a host whose sshd is down as unreachable, audits the others, and exits 2', async () => {
    const current = requireLab();
    // Given one host whose sshd has been stopped
    const down = current.hosts[1];
    if (!down) throw new Error('the fleet needs at least two hosts');
    await down.sshd.stop();
    expect(down.sshd.running).toBe(false);

    // When the built CLI audits the inventory
    const run = await runCli([
      'audit', '-i', current.inventoryPath, '--no-tui', '--json', '-', '--known-hosts', current.knownHostsPath,
      '--out', join(current.workDir, 'reports-one-down'),
    ]);
    const report = parseReport(run.stdout, run.stderr);

    // Then the run fails with exit 2 and says which host and why
    expect(run.code, run.stderr).toBe(2);
    const failed = hostReport(report, down.expected.spec.name);
    expect(failed.status).toBe('failed');
    expect(failed.error?.kind).toBe('unreachable');
    expect(failed.vms).toEqual([]);
    // And every other host is still fully audited
    for (const member of current.hosts.filter((m) => m !== down)) {
      const host = hostReport(report, member.expected.spec.name);
      expect(host.status, `${host.name}: ${JSON.stringify(host.error)}`).toBe('ok');
      expect(host.vms.flatMap((vm) => vm.interfaces)).toHaveLength(member.expected.nics.length);
    }
    expect(report.summary).toMatchObject({ hosts: SYSTEM_FLEET.length, ok: SYSTEM_FLEET.length - 1, failed: 1 });
  });
});
