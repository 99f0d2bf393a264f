/**
 * System tier, issue 13: an Ansible INI inventory as `-i`, on real OpenSSH servers in network namespaces.
 *
 * The inventory nests groups (`[kvm:children]` holds `[direct]` and `[behind_bastions]`, `[hypervisors:children]`
 * holds `[kvm]`), gives the hypervisors' user and key in `[hypervisors:vars]` and their known_hosts file with
 * `kvm_netaudit_known_hosts_file`, and reaches two of them through two bastions with
 * `ansible_ssh_common_args='-o ProxyJump=root@b1,root@b2'`, as Ansible users write it. The bastions' key and host
 * keys come from the operator's ssh_config, as for `ssh -J` (a ProxyJump hop takes nothing of the host's).
 *
 * ```
 *  the CLI ── fabric 198.18.6.0/24 ── sys-nat, sys-bridged                       (test/system/systemLab.ts)
 *          ── fabric 198.18.7.0/24 ── b1 ── b2 ─┬─ .132/30 ── sys-isolated       (test/lab/bastions.ts)
 *                                               └─ .136/30 ── sys-edge           (wired here)
 * ```
 *
 * The built CLI audits it on a workstation of the test's own (test/lab/workstation.ts: its own home, ssh_config
 * and an empty /etc/ssh), through Ansible's `ansible-inventory`; then the JSON `ansible-inventory --list` prints for
 * it is audited as `-i file.json` (as on a machine without Ansible), and must give the same report.
 *
 * Needs what audit.test.ts needs (systemLab.ts lists it) and ansible-inventory (Debian's ansible-core); skipped with
 * one line where something is missing, failing instead under KVM_NETAUDIT_REQUIRE_ALL=1 (as in CI). Names:
 * `kna-an-*` (fabric 198.18.6.0/24) and `kna-aj-*` (the bastions' fabric 198.18.7.0/24) namespaces, links and
 * temp folders.
 */
import { chmod, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetReport, HostReport, Mode } from '../../src/model.js';
import { ensureBuilt, LAUNCHER } from '../helpers/cli.js';
import { tool } from '../helpers/prerequisites.js';
import { jumpChainAddresses, startJumpChain, type JumpChain } from '../lab/bastions.js';
import { createLabHost, type LabHost } from '../lab/host.js';
import { resolveTool, run, runCollect, teardown, type CommandResult } from '../lab/run.js';
import { startSshd, type RunningSshd } from '../lab/sshd.js';
import { connects, createWorkstation, type Workstation } from '../lab/workstation.js';
import { type SystemHost } from './fleet.js';
import { errorsOf, expectAuditedAsExpected, fleetHost, hostReport, parseReport } from './expectations.js';
import { removeLeftovers, startSystemLab, SYSTEM_REQUIREMENTS, systemTierGate, type SystemLab } from './systemLab.js';

const PREFIX = 'kna-an-';
const SUBNET = '198.18.6';
const CHAIN_PREFIX = 'kna-aj-';
const CHAIN_SUBNET = '198.18.7';
const gate = systemTierGate('ansible.test.ts', [...SYSTEM_REQUIREMENTS, tool('ansible-inventory')]);

/** The second hypervisor behind bastion 2, on a /30 of its own carved out of the chain's /24 (as bastions.ts does). */
const EXTRA = { bastionSide: `${CHAIN_SUBNET}.137`, hypervisor: `${CHAIN_SUBNET}.138` } as const;

/** On the fabric, reached directly. */
const DIRECT = [fleetHost('sys-nat'), fleetHost('sys-bridged')];
/** Behind both bastions: the chain's own hypervisor, and one more wired to bastion 2 here. */
const CHAIN_END = fleetHost('sys-isolated');
const SECOND_BEHIND = fleetHost('sys-edge');
const ALL = [...DIRECT, CHAIN_END, SECOND_BEHIND];

/** What two audits of the same fleet must agree on: each host's report but for how long it took. */
function comparable(report: FleetReport) {
  return report.hosts.map(({ durationMs: _durationMs, ...host }) => host);
}

describe.skipIf(gate.skip)('system: an Ansible inventory with nested groups and a two-hop ProxyJump (issue 13)', { timeout: 180_000 }, () => {
  let lab: SystemLab | undefined;
  let ws: Workstation | undefined;
  let chain: JumpChain | undefined;
  let chainDir: string | undefined;
  let extraHost: LabHost | undefined;
  let extraSshd: RunningSshd | undefined;
  /** The INI inventory, the known_hosts file it names, and the hypervisors' addresses by name. */
  let ini = '';
  let fleetKnownHosts = '';
  const addresses = new Map<string, string>();
  const at = jumpChainAddresses(CHAIN_SUBNET);

  function requireLab(): { lab: SystemLab; ws: Workstation; chain: JumpChain } {
    if (!lab || !ws || !chain) throw new Error('the lab was not built: see the error of beforeAll above');
    return { lab, ws, chain };
  }

  /** `kvm-netaudit audit -i INVENTORY --json -` on the workstation, with the `ssh` calls it made that connected. */
  async function audit(name: string, inventory: string, extra: readonly string[] = []) {
    const { lab: current, ws: station } = requireLab();
    await station.takeSshCalls();
    const result = await station.run(
      [process.execPath, LAUNCHER, 'audit', '-i', inventory, '--no-tui', '--json', '-', '--out', join(current.workDir, `reports-${name}`), '--host-key-policy', 'strict', ...extra],
      { timeoutMs: 120_000 },
    );
    const sshConnections = (await station.takeSshCalls()).filter(connects);
    return { result, report: parseReport(result), sshConnections };
  }

  beforeAll(async () => {
    gate.enforce();
    await ensureBuilt();
    lab = await startSystemLab(DIRECT, PREFIX, { subnet: SUBNET });
    ws = await createWorkstation(join(lab.workDir, 'workstation'));
    for (const h of lab.hosts) addresses.set(h.expected.spec.name, h.address);

    // The bastions and the chain's own hypervisor (test/lab/bastions.ts),
    await removeLeftovers(CHAIN_PREFIX);
    chainDir = await mkdtemp(join(tmpdir(), CHAIN_PREFIX));
    chain = await startJumpChain({
      prefix: CHAIN_PREFIX,
      subnet: CHAIN_SUBNET,
      workDir: chainDir,
      hypervisor: CHAIN_END.spec,
      authorizedKeys: [lab.clientKey.publicKey],
    });
    addresses.set(CHAIN_END.spec.name, chain.hypervisor.address);
    // and a second hypervisor wired to bastion 2 alone, on a /30 of its own.
    const [, b2] = chain.bastions;
    extraHost = await createLabHost(SECOND_BEHIND.spec, { prefix: CHAIN_PREFIX, workDir: join(chainDir, 'hosts-extra') });
    const ip = (...args: string[]) => run([resolveTool('ip'), ...args]);
    await ip('-n', extraHost.netns, 'link', 'set', 'lo', 'up');
    await ip('-n', b2.netns, 'link', 'add', 'to-hv2', 'type', 'veth', 'peer', 'name', 'mgmt0', 'netns', extraHost.netns);
    await ip('-n', b2.netns, 'addr', 'add', `${EXTRA.bastionSide}/30`, 'dev', 'to-hv2');
    await ip('-n', b2.netns, 'link', 'set', 'to-hv2', 'up');
    await ip('-n', extraHost.netns, 'addr', 'add', `${EXTRA.hypervisor}/30`, 'dev', 'mgmt0');
    await ip('-n', extraHost.netns, 'link', 'set', 'mgmt0', 'up');
    extraSshd = await startSshd({
      netns: extraHost.netns,
      launch: extraHost.launchArgv,
      address: EXTRA.hypervisor,
      workDir: join(chainDir, 'sshd-extra'),
      authorizedKeys: [lab.clientKey.publicKey],
      readiness: 'log',
    });
    addresses.set(SECOND_BEHIND.spec.name, EXTRA.hypervisor);

    // The operator's ssh_config says how to log in to the bastions (a key and known_hosts under names of their own);
    await copyFile(lab.clientKey.privateKeyPath, join(ws.sshDir, 'bastion_ed25519'));
    await chmod(join(ws.sshDir, 'bastion_ed25519'), 0o600);
    await writeFile(join(ws.sshDir, 'known_hosts.bastions'), chain.bastions.map((b) => `${b.sshd.hostKeyLine}\n`).join(''));
    await writeFile(
      join(ws.sshDir, 'config'),
      [
        `Host ${at.bastion1} ${at.bastion2}`,
        '    IdentityFile ~/.ssh/bastion_ed25519',
        '    IdentitiesOnly yes',
        '    UserKnownHostsFile ~/.ssh/known_hosts.bastions',
        '    StrictHostKeyChecking yes',
        '',
      ].join('\n'),
    );
    // the Ansible inventory, everything else.
    fleetKnownHosts = join(lab.workDir, 'known_hosts.fleet');
    const sshds = [...lab.hosts.map((h) => h.sshd), chain.hypervisor.sshd, extraSshd];
    await writeFile(fleetKnownHosts, sshds.map((s) => `${s.hostKeyLine}\n`).join(''));
    const uriOf = new Map<string, string>([
      ...lab.hosts.map((h) => [h.expected.spec.name, h.host.libvirtUri] as const),
      [CHAIN_END.spec.name, chain.hypervisor.host.libvirtUri],
      [SECOND_BEHIND.spec.name, extraHost.libvirtUri],
    ]);
    const hostLine = (expected: SystemHost) =>
      [
        expected.spec.name,
        `ansible_host=${addresses.get(expected.spec.name)}`,
        `kvm_netaudit_libvirt_uri=${uriOf.get(expected.spec.name)}`,
        `kvm_netaudit_uplink_interfaces="${JSON.stringify(expected.spec.uplinkInterfaces).replace(/"/g, "'")}"`,
      ].join(' ');
    ini = join(lab.workDir, 'fleet.ini');
    await writeFile(
      ini,
      [
        '# The lab fleet as Ansible knows it',
        '[direct]',
        ...DIRECT.map(hostLine),
        '',
        '[behind_bastions]',
        hostLine(CHAIN_END),
        hostLine(SECOND_BEHIND),
        '',
        '[behind_bastions:vars]',
        `ansible_ssh_common_args='-o ProxyJump=root@${at.bastion1},root@${at.bastion2}'`,
        '',
        '[kvm:children]',
        'direct',
        'behind_bastions',
        '',
        '[hypervisors:children]',
        'kvm',
        '',
        '[hypervisors:vars]',
        'ansible_user=root',
        `ansible_ssh_private_key_file=${lab.clientKey.privateKeyPath}`,
        `kvm_netaudit_known_hosts_file=${fleetKnownHosts}`,
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    const { attempt, finish } = teardown('ansible system test');
    await attempt(async () => extraSshd?.stop());
    await attempt(async () => extraHost?.destroy());
    await attempt(async () => chain?.destroy());
    if (chainDir) await attempt(() => rm(chainDir!, { recursive: true, force: true }));
    await attempt(async () => lab?.destroy());
    finish();
  });

  it('lab: OpenSSH reaches the hidden hypervisors only through both bastions, and Ansible lists the inventory as written', async () => {
    const { lab: current, ws: station } = requireLab();
    const byHand = ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-i', current.clientKey.privateKeyPath, '-o', 'IdentitiesOnly=yes'];
    const strict = ['-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${fleetKnownHosts}`];
    for (const expected of [CHAIN_END, SECOND_BEHIND]) {
      const address = addresses.get(expected.spec.name)!;
      // Given the hypervisor's address, a direct attempt fails
      const direct = await runCollect(['ssh', '-F', 'none', ...byHand, ...strict, `root@${address}`, 'true'], { timeoutMs: 20_000 });
      expect(direct.code, direct.stderr).toBe(255);
      // When OpenSSH jumps through both bastions (their keys from the workstation's ssh_config)
      const hop = await station.run(['ssh', ...byHand, ...strict, '-J', `root@${at.bastion1},root@${at.bastion2}`, `root@${address}`, 'ip -o -4 addr show dev mgmt0'], {
        timeoutMs: 30_000,
      });
      // Then it lands on the hypervisor
      expect(hop.code, hop.stderr).toBe(0);
      expect(hop.stdout).toContain(`inet ${address}/30`);
    }

    // And ansible-inventory gives the hidden hosts the ProxyJump of their group, and every host its groups
    const listed = await station.run(['ansible-inventory', '-i', ini, '--list'], { timeoutMs: 60_000 });
    expect(listed.code, listed.stderr).toBe(0);
    const json = JSON.parse(listed.stdout) as { _meta: { hostvars: Record<string, Record<string, unknown>> }; kvm: { children: string[] } };
    expect(json._meta.hostvars[SECOND_BEHIND.spec.name]?.ansible_ssh_common_args).toBe(`-o ProxyJump=root@${at.bastion1},root@${at.bastion2}`);
    expect(json.kvm.children.sort()).toEqual(['behind_bastions', 'direct']);
  });

  it('audits every host of the INI inventory over ssh2, two of them through both bastions: every host ok, with the modes the lab has', async () => {
    // When the built CLI audits the INI inventory
    const { result, report, sshConnections } = await audit('ini-ssh2', ini);
    // Then every host is audited, as fleet.ts expects it
    expect(result.code, `${result.stderr}\n${errorsOf(report)}`).toBe(0);
    expect(report.summary).toMatchObject({ hosts: ALL.length, ok: ALL.length, failed: 0 });
    for (const expected of ALL) expectAuditedAsExpected(report, expected);
    // And each with its nested groups, at the address ansible_host gave
    expect(Object.fromEntries(report.hosts.map((h) => [h.name, [h.address, h.groups]]))).toEqual({
      'sys-nat': [addresses.get('sys-nat'), ['direct', 'hypervisors', 'kvm']],
      'sys-bridged': [addresses.get('sys-bridged'), ['direct', 'hypervisors', 'kvm']],
      'sys-isolated': [addresses.get('sys-isolated'), ['behind_bastions', 'hypervisors', 'kvm']],
      'sys-edge': [addresses.get('sys-edge'), ['behind_bastions', 'hypervisors', 'kvm']],
    });
    // And by ssh2 itself: OpenSSH's client was asked about the configuration only, it connected nowhere
    expect(sshConnections).toEqual([]);
    expect(report.run.inventory).toBe(ini);
  });

  it('audits the JSON ansible-inventory --list prints for it, read as it is, to the same report', async () => {
    const { lab: current, ws: station } = requireLab();
    // Given the inventory's --list output saved to a file
    const listed = await station.run(['ansible-inventory', '-i', ini, '--list'], { timeoutMs: 60_000 });
    expect(listed.code, listed.stderr).toBe(0);
    const json = join(current.workDir, 'fleet.json');
    await writeFile(json, listed.stdout);
    // When both are audited
    const fromIni = await audit('ini-again', ini);
    const fromJson = await audit('json', json);
    // Then the JSON gives the same hosts, statuses, modes, networks, VMs and NICs as the INI
    expect(fromJson.result.code, `${fromJson.result.stderr}\n${errorsOf(fromJson.report)}`).toBe(0);
    expect(comparable(fromJson.report)).toEqual(comparable(fromIni.report));
    expect(fromJson.report.summary).toEqual(fromIni.report.summary);
    expect(fromJson.report.run.inventory).toBe(json);
  });

  it('audits the INI inventory with --transport openssh too, through the same bastions', async () => {
    const { result, report, sshConnections } = await audit('ini-openssh', ini, ['--transport', 'openssh']);
    expect(result.code, `${result.stderr}\n${errorsOf(report)}`).toBe(0);
    expect(report.summary).toMatchObject({ hosts: ALL.length, ok: ALL.length, failed: 0 });
    for (const expected of ALL) expectAuditedAsExpected(report, expected);
    // (each host through OpenSSH's client, the hidden ones through a chain of ssh -W to both bastions)
    for (const expected of ALL) {
      const address = addresses.get(expected.spec.name)!;
      const call = sshConnections.find((argv) => argv.slice(-3).join(' ') === `-- ${address} sh -s`);
      expect(call, `no ssh call for ${address} among ${JSON.stringify(sshConnections)}`).toBeDefined();
    }
  });
});
