/**
 * System tier, issue 12: the CLI connects as OpenSSH would from an operator's ssh_config, on real OpenSSH
 * servers in network namespaces.
 *
 * - Hosts named in the inventory only by an ssh_config alias (`~/.ssh/config` → `Include config.d/*.conf` →
 *   `Host lab-hv-*` HostName, and a `Match` block giving user, key and known_hosts under non-default names), over
 *   both transports; `ssh-settings` saying where each setting came from; `sshConfig: false` turning it off.
 * - A hypervisor two ProxyJump hops away, behind bastions in namespaces of their own (test/lab/bastions.ts).
 * - A host key vouched for only by a `@cert-authority` line (test/lab/hostCa.ts): OpenSSH's transport accepts
 *   it, ssh2 (which has no certificates) refuses it as `hostkey` and pins nothing.
 *
 * Every CLI run happens on a workstation of the test's own (test/lab/workstation.ts): root's home (for OpenSSH,
 * which reads passwd, and for Node, which reads $HOME) is a temp folder, /etc/ssh is empty, DNS goes to loopback.
 * Each block first checks its lab with the stock `ssh` client, so a failing audit means the product, not the lab.
 *
 * Needs what audit.test.ts needs (systemLab.ts lists it); skipped with one line where it is missing, failing
 * instead under KVM_NETAUDIT_REQUIRE_ALL=1 (as in CI). Names: `kna-sc-*` (fabric 198.18.4.0/24) and `kna-sj-*`
 * (the bastions' fabric 198.18.5.0/24) namespaces, links and temp folders.
 */
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetReport, HostReport, Mode } from '../../src/model.js';
import { ensureBuilt, LAUNCHER } from '../helpers/cli.js';
import { startAgentWithKey } from '../helpers/sshFixtures.js';
import { jumpChainAddresses, startJumpChain, type JumpChain } from '../lab/bastions.js';
import { createHostCa, type HostCa } from '../lab/hostCa.js';
import { resolveTool, run, runCollect, type CommandResult } from '../lab/run.js';
import { startSshd, type RunningSshd } from '../lab/sshd.js';
import { connects, createWorkstation, type Workstation } from '../lab/workstation.js';
import { type SystemHost } from './fleet.js';
import { errorsOf, expectAuditedAsExpected, fleetHost, hostReport, parseReport } from './expectations.js';
import { removeLeftovers, startSystemLab, systemTierGate, type SystemLab, type SystemLabHost } from './systemLab.js';

const PREFIX = 'kna-sc-';
const SUBNET = '198.18.4';
const CHAIN_PREFIX = 'kna-sj-';
const CHAIN_SUBNET = '198.18.5';
const gate = systemTierGate('sshConfig.test.ts');

/** Reached through ssh_config aliases on the fabric; each one's alias is `lab-hv-<name without sys->`. */
const ALIASED = [fleetHost('sys-nat'), fleetHost('sys-bridged')];
const aliasOf = (host: SystemHost) => `lab-hv-${host.spec.name.replace(/^sys-/, '')}`;
/** At the end of the ProxyJump chain. */
const BEHIND_BASTIONS = fleetHost('sys-isolated');
const DEEP_ALIAS = 'lab-hv-deep';
/** Whose namespace also runs the sshd with a certified host key, on a second address of its own. */
const CERTIFIED = 'sys-nat';
const CERTIFIED_ADDRESS = `${SUBNET}.111`;

/** The operator's key and known_hosts, named so that nothing finds them without the ssh_config. */
const KEY_FILE = '~/.ssh/keys/lab_ed25519';
const KNOWN_HOSTS_FILE = '~/.ssh/known_hosts.lab';

/** `ssh -G` output as keyword → values (a keyword such as identityfile may repeat). */
function sshG(stdout: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const [keyword, ...value] = line.trim().split(' ');
    if (!keyword) continue;
    settings.set(keyword, [...(settings.get(keyword) ?? []), value.join(' ')]);
  }
  return settings;
}

/** Stock ssh options for a check by hand: never prompt, give up soon. */
const BY_HAND = ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5'];

/**
 * `ssh` from the root namespace (or from inside `netns`) with everything on the command line and no ssh_config:
 * only whether the address answers is in question.
 */
function sshDirect(address: string, key: string, knownHosts: string, netns?: string): Promise<CommandResult> {
  const argv = [
    'ssh', '-F', 'none', ...BY_HAND, '-i', key, '-o', 'IdentitiesOnly=yes',
    '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts}`, `root@${address}`, 'true',
  ];
  return runCollect(netns ? [resolveTool('ip'), 'netns', 'exec', netns, ...argv] : argv, { timeoutMs: 20_000 });
}

describe.skipIf(gate.skip)('system: hosts reached through OpenSSH configuration (issue 12)', { timeout: 120_000 }, () => {
  let lab: SystemLab | undefined;
  let ws: Workstation | undefined;

  function requireLab(): { lab: SystemLab; ws: Workstation } {
    if (!lab || !ws) throw new Error('the lab was not built: see the error of beforeAll above');
    return { lab, ws };
  }

  function member(name: string): SystemLabHost {
    const found = requireLab().lab.hosts.find((h) => h.expected.spec.name === name);
    if (!found) throw new Error(`the lab has no host ${name}`);
    return found;
  }

  /** `kvm-netaudit ARGS…` on the workstation. */
  const cli = (args: readonly string[]) => requireLab().ws.run([process.execPath, LAUNCHER, ...args], { timeoutMs: 90_000 });

  /**
   * `kvm-netaudit audit` of `inventory` on the workstation, as JSON, with the `ssh` calls it made that
   * connected somewhere (not `ssh -G`); `name` keeps each run's report folder apart.
   */
  async function audit(name: string, inventory: string, extra: readonly string[] = []) {
    const { lab: current, ws: station } = requireLab();
    const out = join(current.workDir, `reports-${name}`);
    await station.takeSshCalls();
    const result = await cli(['audit', '-i', inventory, '--no-tui', '--json', '-', '--out', out, ...extra]);
    const sshConnections = (await station.takeSshCalls()).filter(connects);
    return { result, report: parseReport(result), sshConnections };
  }

  /** The openssh transport's call for `address`: `/usr/bin/ssh -T -o BatchMode=yes … -- ADDRESS 'sh -s'`. */
  function expectOpenSshCall(sshConnections: readonly string[][], address: string): void {
    const call = sshConnections.find((argv) => argv.slice(-3).join(' ') === `-- ${address} sh -s`);
    expect(call, `no ssh call for ${address} among ${JSON.stringify(sshConnections)}`).toBeDefined();
    expect(call).toContain('-T');
    expect(call).toContain('BatchMode=yes');
  }

  /** An inventory file: no connection settings beyond `defaults`, hosts with what their virsh and uplinks need. */
  async function writeInventory(name: string, defaults: Record<string, unknown> | null, hosts: readonly { expected: SystemHost; address: string; libvirtUri: string }[]) {
    const path = join(requireLab().lab.workDir, `${name}.yaml`);
    const entries = hosts.map(({ expected, address, libvirtUri }) => ({
      name: expected.spec.name,
      address,
      libvirtUri,
      uplinkInterfaces: expected.spec.uplinkInterfaces,
    }));
    await writeFile(path, stringify({ ...(defaults ? { defaults } : {}), hosts: entries }));
    return path;
  }

  beforeAll(async () => {
    gate.enforce();
    await ensureBuilt();
    lab = await startSystemLab(ALIASED, PREFIX, { subnet: SUBNET });
    ws = await createWorkstation(join(lab.workDir, 'workstation'));

    // The operator's ~/.ssh: a key and a known_hosts file under names OpenSSH never looks at by itself,
    await mkdir(join(ws.sshDir, 'keys'), { mode: 0o700 });
    await copyFile(lab.clientKey.privateKeyPath, join(ws.sshDir, 'keys', 'lab_ed25519'));
    await chmod(join(ws.sshDir, 'keys', 'lab_ed25519'), 0o600);
    await writeFile(join(ws.sshDir, 'known_hosts.lab'), lab.hosts.map((h) => `${h.sshd.hostKeyLine}\n`).join(''));
    // and a config that includes the lab's part, which names the hypervisors and says how to log in to them.
    await writeFile(join(ws.sshDir, 'config'), '# The lab lives in config.d.\nInclude config.d/*.conf\n');
    await mkdir(join(ws.sshDir, 'config.d'), { mode: 0o700 });
    const hvAliases = lab.hosts.map((h) => `Host ${aliasOf(h.expected)}\n    HostName ${h.address}\n`).join('');
    await writeFile(join(ws.sshDir, 'config.d', '10-hypervisors.conf'), hvAliases);
    await writeFile(
      join(ws.sshDir, 'config.d', '90-lab-login.conf'),
      [
        // Both criteria: the alias the operator typed, and the address HostName gave it.
        'Match originalhost lab-* host 198.18.*',
        '    User root',
        `    IdentityFile ${KEY_FILE}`,
        '    IdentitiesOnly yes',
        `    UserKnownHostsFile ${KNOWN_HOSTS_FILE}`,
        '    StrictHostKeyChecking yes',
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await lab?.destroy();
  });

  describe('hosts named by an ssh_config alias (Include, Host, Match)', () => {
    /** The inventory: each host's alias, and nothing about how to log in. */
    const aliasInventory = (name: string, defaults: Record<string, unknown> | null) =>
      writeInventory(
        name,
        defaults,
        requireLab().lab.hosts.map((h) => ({ expected: h.expected, address: aliasOf(h.expected), libvirtUri: h.host.libvirtUri })),
      );

    it('lab: OpenSSH itself resolves each alias through the Include and the Match, and logs in only with them', async () => {
      const { lab: current, ws: station } = requireLab();
      for (const h of current.hosts) {
        const alias = aliasOf(h.expected);
        // Given the workstation's ~/.ssh/config
        // When OpenSSH is asked what it would do for the alias
        const resolved = await station.run(['ssh', '-G', alias], { timeoutMs: 10_000 });
        // Then HostName comes from config.d, and the key and known_hosts from the Match block
        expect(resolved.code, resolved.stderr).toBe(0);
        const settings = sshG(resolved.stdout);
        expect(settings.get('hostname')).toEqual([h.address]);
        expect(settings.get('user')).toEqual(['root']);
        expect(settings.get('identityfile')).toEqual([KEY_FILE]);
        expect(settings.get('userknownhostsfile')).toEqual([join(station.home, '.ssh', 'known_hosts.lab')]);

        // And a login by alias works, and without the config it does not
        const login = await station.run(['ssh', ...BY_HAND, alias, 'true'], { timeoutMs: 20_000 });
        expect(login.code, login.stderr).toBe(0);
        const bare = await station.run(['ssh', '-F', 'none', ...BY_HAND, alias, 'true'], { timeoutMs: 20_000 });
        expect(bare.code).toBe(255);
      }
    });

    it('audits hosts named only by their alias over ssh2 (the default transport), every host ok', async () => {
      // Given an inventory that names each host only by its ssh_config alias
      const inventory = await aliasInventory('aliases', null);
      // When it is audited with the default transport
      const { result, report, sshConnections } = await audit('aliases-ssh2', inventory);
      // Then every host is audited, with the modes the lab has
      expect(result.code, `${result.stderr}\n${errorsOf(report)}`).toBe(0);
      expect(report.summary).toMatchObject({ hosts: ALIASED.length, ok: ALIASED.length, failed: 0 });
      for (const expected of ALIASED) expectAuditedAsExpected(report, expected);
      // And by ssh2 itself: OpenSSH's client was asked about the configuration only, it connected nowhere
      expect(sshConnections).toEqual([]);
    });

    it('audits hosts named only by their alias with --transport openssh, every host ok', async () => {
      const inventory = await aliasInventory('aliases', null);
      // When the same inventory is audited through /usr/bin/ssh
      const { result, report, sshConnections } = await audit('aliases-openssh', inventory, ['--transport', 'openssh']);
      // Then every host is audited, with the modes the lab has
      expect(result.code, `${result.stderr}\n${errorsOf(report)}`).toBe(0);
      expect(report.summary).toMatchObject({ hosts: ALIASED.length, ok: ALIASED.length, failed: 0 });
      for (const expected of ALIASED) expectAuditedAsExpected(report, expected);
      // And each through OpenSSH's client, handed the alias as it stands (the client reads ssh_config itself)
      for (const expected of ALIASED) expectOpenSshCall(sshConnections, aliasOf(expected));
    });

    it('ssh-settings says that HostName and IdentityFile come from ssh_config', async () => {
      const inventory = await aliasInventory('aliases', null);
      const nat = member('sys-nat');
      // When the effective settings of one host are asked for
      const result = await cli(['ssh-settings', '-i', inventory, '--host', 'sys-nat']);
      // Then the address HostName gave and the Match block's key are shown, each with ssh_config as its source
      expect(result.code, result.stderr).toBe(0);
      /** What the lines showing `value` say after it (where the value came from). */
      const sourcesOf = (value: string) =>
        result.stdout.split('\n').flatMap((line) => (line.includes(value) ? [line.slice(line.indexOf(value) + value.length)] : []));
      expect(sourcesOf(nat.address).some((source) => source.includes('ssh_config')), result.stdout).toBe(true);
      expect(sourcesOf('/.ssh/keys/lab_ed25519').some((source) => source.includes('ssh_config')), result.stdout).toBe(true);
    });

    it('with sshConfig: false the aliases resolve to nothing: every host unreachable, exit 2', async () => {
      // Given the same inventory with ssh_config turned off
      const inventory = await aliasInventory('aliases-no-config', { sshConfig: false });
      // When it is audited
      const { result, report } = await audit('aliases-no-config', inventory);
      // Then no host is reached: an alias is no host name
      expect(result.code, result.stderr).toBe(2);
      expect(report.summary).toMatchObject({ hosts: ALIASED.length, ok: 0, failed: ALIASED.length });
      expect(report.hosts.map((h) => h.error?.kind), errorsOf(report)).toEqual(ALIASED.map(() => 'unreachable'));
    });
  });

  describe("OpenSSH's defaults: no user, key or known_hosts anywhere, the key only in an ssh-agent", () => {
    it('logs in as the local user with the agent at SSH_AUTH_SOCK, host keys from /etc/ssh/ssh_known_hosts, over both transports', async () => {
      const { lab: current } = requireLab();
      // Given a workstation of its own: no ~/.ssh/config, no key file, the hosts' keys only system-wide,
      const station = await createWorkstation(join(current.workDir, 'workstation-agent'));
      await writeFile(join(station.etcSsh, 'ssh_known_hosts'), current.hosts.map((h) => `${h.sshd.hostKeyLine}\n`).join(''));
      // the lab's key only in a running ssh-agent,
      const agent = await startAgentWithKey(current.workDir, current.clientKey.privateKeyPath);
      // and an inventory of names and addresses (and where each host's virsh answers)
      const inventory = await writeInventory(
        'defaults-only',
        null,
        current.hosts.map((h) => ({ expected: h.expected, address: h.address, libvirtUri: h.host.libvirtUri })),
      );
      const run = async (name: string, env: Record<string, string>, extra: readonly string[]) => {
        const out = join(current.workDir, `reports-${name}`);
        const result = await station.run([process.execPath, LAUNCHER, 'audit', '-i', inventory, '--no-tui', '--json', '-', '--out', out, ...extra], {
          timeoutMs: 90_000,
          env,
        });
        return { result, report: parseReport(result) };
      };
      try {
        for (const transport of ['ssh2', 'openssh']) {
          // When it is audited with SSH_AUTH_SOCK set
          const { result, report } = await run(`agent-${transport}`, { SSH_AUTH_SOCK: agent.socket }, ['--transport', transport]);
          // Then every host is audited
          expect(result.code, `${transport}: ${result.stderr}\n${errorsOf(report)}`).toBe(0);
          for (const expected of ALIASED) expectAuditedAsExpected(report, expected);
          // And without the agent nothing else would have let it in
          const refused = await run(`no-agent-${transport}`, {}, ['--transport', transport]);
          expect(refused.result.code, transport).toBe(2);
          expect(refused.report.hosts.map((h) => h.error?.kind), transport).toEqual(current.hosts.map(() => 'auth'));
        }
        // And nothing was written to a known_hosts file of the user's
        expect(await readdir(station.sshDir)).toEqual([]);
      } finally {
        await agent.stop();
      }
    });
  });

  describe('a hypervisor two ProxyJump hops away (ProxyJump lab-b1,lab-b2)', () => {
    let chain: JumpChain | undefined;
    let chainDir: string | undefined;
    const at = jumpChainAddresses(CHAIN_SUBNET);

    function requireChain(): JumpChain {
      if (!chain) throw new Error('the jump chain was not built: see the error of beforeAll above');
      return chain;
    }

    beforeAll(async () => {
      const { lab: current, ws: station } = requireLab();
      await removeLeftovers(CHAIN_PREFIX);
      chainDir = await mkdtemp(join(tmpdir(), CHAIN_PREFIX));
      chain = await startJumpChain({
        prefix: CHAIN_PREFIX,
        subnet: CHAIN_SUBNET,
        workDir: chainDir,
        hypervisor: BEHIND_BASTIONS.spec,
        authorizedKeys: [current.clientKey.publicKey],
      });
      // The operator knows the three servers' keys, and names each with an alias; the hypervisor's says how to get there.
      const [b1, b2] = chain.bastions;
      const servers = [b1.sshd, b2.sshd, chain.hypervisor.sshd];
      await writeFile(join(station.sshDir, 'known_hosts.lab'), servers.map((s) => `${s.hostKeyLine}\n`).join(''), { flag: 'a' });
      await writeFile(
        join(station.sshDir, 'config.d', '20-behind-bastions.conf'),
        [
          `Host lab-b1\n    HostName ${b1.address}`,
          `Host lab-b2\n    HostName ${b2.address}`,
          `Host ${DEEP_ALIAS}\n    HostName ${chain.hypervisor.address}\n    ProxyJump lab-b1,lab-b2`,
          '',
        ].join('\n'),
      );
    });

    afterAll(async () => {
      await chain?.destroy();
      if (chainDir) await rm(chainDir, { recursive: true, force: true });
    });

    const deepInventory = () =>
      writeInventory('behind-bastions', null, [
        { expected: BEHIND_BASTIONS, address: DEEP_ALIAS, libvirtUri: requireChain().hypervisor.host.libvirtUri },
      ]);

    it('lab: the hypervisor answers no direct attempt, from here or from bastion 1, and OpenSSH reaches it through both hops', async () => {
      const { lab: current, ws: station } = requireLab();
      const { bastions } = requireChain();
      const key = current.clientKey.privateKeyPath;
      const knownHosts = join(station.sshDir, 'known_hosts.lab');
      // Given the right key and known host keys, a direct connection from the root namespace fails
      const fromHere = await sshDirect(at.hypervisor, key, knownHosts);
      expect(fromHere.code, fromHere.stderr).toBe(255);
      expect(fromHere.stderr).toMatch(/No route to host|timed out/);
      // and so does one from bastion 1 (only bastion 2 is wired to the hypervisor), or to bastion 2 from here
      const fromB1 = await sshDirect(at.hypervisor, key, knownHosts, bastions[0].netns);
      expect(fromB1.code, fromB1.stderr).toBe(255);
      const toB2 = await sshDirect(at.bastion2, key, knownHosts);
      expect(toB2.code, toB2.stderr).toBe(255);

      // When OpenSSH follows ssh_config's ProxyJump
      const resolved = sshG((await station.run(['ssh', '-G', DEEP_ALIAS], { timeoutMs: 10_000 })).stdout);
      expect(resolved.get('proxyjump')).toEqual(['lab-b1,lab-b2']);
      const hop = await station.run(['ssh', ...BY_HAND, DEEP_ALIAS, 'ip -o -4 addr show dev mgmt0'], { timeoutMs: 30_000 });
      // Then it lands on the hypervisor
      expect(hop.code, hop.stderr).toBe(0);
      expect(hop.stdout).toContain(`inet ${at.hypervisor}/30`);
    });

    it('audits it over ssh2 through both hops', async () => {
      const inventory = await deepInventory();
      const { result, report, sshConnections } = await audit('behind-bastions-ssh2', inventory);
      expect(result.code, `${result.stderr}\n${errorsOf(report)}`).toBe(0);
      expect(report.summary).toMatchObject({ hosts: 1, ok: 1, failed: 0 });
      expectAuditedAsExpected(report, BEHIND_BASTIONS);
      // (ssh2 followed the hops itself: OpenSSH's client connected nowhere)
      expect(sshConnections).toEqual([]);
    });

    it('audits it with --transport openssh through both hops', async () => {
      const inventory = await deepInventory();
      const { result, report, sshConnections } = await audit('behind-bastions-openssh', inventory, ['--transport', 'openssh']);
      expect(result.code, `${result.stderr}\n${errorsOf(report)}`).toBe(0);
      expect(report.summary).toMatchObject({ hosts: 1, ok: 1, failed: 0 });
      expectAuditedAsExpected(report, BEHIND_BASTIONS);
      expectOpenSshCall(sshConnections, DEEP_ALIAS);
    });
  });

  describe('a host key vouched for only by a @cert-authority line', () => {
    let ca: HostCa | undefined;
    let certified: RunningSshd | undefined;
    /** known_hosts with the CA's line and nothing else. */
    let caKnownHosts = '';
    let inventory = '';

    function requireCertified(): RunningSshd {
      if (!certified) throw new Error('the certified sshd was not started: see the error of beforeAll above');
      return certified;
    }

    beforeAll(async () => {
      const { lab: current } = requireLab();
      const host = member(CERTIFIED).host;
      // Given a host CA, and the host serving a key it signed for the address the client uses
      ca = await createHostCa(current.workDir);
      await run([resolveTool('ip'), '-n', host.netns, 'addr', 'add', `${CERTIFIED_ADDRESS}/24`, 'dev', 'mgmt0']);
      certified = await startSshd({
        netns: host.netns,
        launch: host.launchArgv,
        address: CERTIFIED_ADDRESS,
        workDir: join(current.workDir, 'sshd-certified'),
        authorizedKeys: [current.clientKey.publicKey],
        hostCertificate: (key) => ca!.certify(key.publicKeyPath, { identity: `${CERTIFIED} lab host`, principals: [CERTIFIED_ADDRESS] }),
      });
      caKnownHosts = join(current.workDir, 'known_hosts.ca');
      await writeFile(caKnownHosts, `${ca.knownHostsLine(`${SUBNET}.*`)}\n`);
      inventory = await writeInventory(
        'certified',
        { user: 'root', identityFile: current.clientKey.privateKeyPath, knownHostsFile: caKnownHosts },
        [{ expected: fleetHost(CERTIFIED), address: CERTIFIED_ADDRESS, libvirtUri: host.libvirtUri }],
      );
    });

    afterAll(async () => {
      await certified?.stop();
    });

    /** Stock ssh to the certified host with the CA's known_hosts only; `extra` before the destination. */
    const sshCertified = (extra: readonly string[]) =>
      requireLab().ws.run(
        [
          'ssh', ...BY_HAND, '-i', requireLab().lab.clientKey.privateKeyPath, '-o', 'IdentitiesOnly=yes',
          '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${caKnownHosts}`, ...extra, `root@${requireCertified().address}`, 'true',
        ],
        { timeoutMs: 20_000 },
      );

    it('lab: OpenSSH accepts the host certificate with only the CA in known_hosts, and refuses the plain key', async () => {
      // When OpenSSH connects with the CA's line alone
      const withCert = await sshCertified(['-v']);
      // Then it checks the certificate against the CA and logs in
      expect(withCert.code, withCert.stderr).toBe(0);
      expect(withCert.stderr).toContain(`Host '${CERTIFIED_ADDRESS}' is known and matches the ED25519-CERT host certificate`);
      // And a client that takes the plain host key only (as ssh2 does) has nothing to check it against
      const plain = await sshCertified(['-o', 'HostKeyAlgorithms=ssh-ed25519']);
      expect(plain.code).toBe(255);
      expect(plain.stderr).toContain('Host key verification failed');
      // And known_hosts still holds the CA's line alone
      expect(await readFile(caKnownHosts, 'utf8')).toBe(`${ca!.knownHostsLine(`${SUBNET}.*`)}\n`);
    });

    it('audits it with transport openssh under --host-key-policy strict', async () => {
      const before = await readFile(caKnownHosts, 'utf8');
      const { result, report, sshConnections } = await audit('certified-openssh', inventory, ['--transport', 'openssh', '--host-key-policy', 'strict']);
      expect(result.code, `${result.stderr}\n${errorsOf(report)}`).toBe(0);
      expect(report.summary).toMatchObject({ hosts: 1, ok: 1, failed: 0 });
      expectAuditedAsExpected(report, fleetHost(CERTIFIED));
      expectOpenSshCall(sshConnections, CERTIFIED_ADDRESS);
      expect(await readFile(caKnownHosts, 'utf8')).toBe(before);
    });

    it('refuses it over ssh2 as hostkey, pointing at transport: openssh, and pins no key even under accept-new', async () => {
      const before = await readFile(caKnownHosts, 'utf8');
      for (const policy of ['strict', 'accept-new']) {
        // When the default transport, which has no host certificates, audits it
        const { result, report, sshConnections } = await audit(`certified-ssh2-${policy}`, inventory, ['--host-key-policy', policy]);
        // Then the host fails as a host-key problem whose message names the way out
        expect(result.code, `${policy}: ${result.stderr}`).toBe(2);
        const host = hostReport(report, CERTIFIED);
        expect(host.status, policy).toBe('failed');
        expect(host.error?.kind, `${policy}: ${JSON.stringify(host.error)}`).toBe('hostkey');
        expect(host.error?.message, policy).toContain('transport: openssh');
        expect(sshConnections, policy).toEqual([]);
        // And known_hosts is as it was: the plain key the server also offers is not pinned
        expect(await readFile(caKnownHosts, 'utf8'), policy).toBe(before);
      }
    });
  });
});
