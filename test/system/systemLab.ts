/**
 * Bringing the system fleet up and down: the management fabric in the root namespace, one lab host
 * (namespace + node file) per fleet entry, a real sshd in each, a client key, a known_hosts file and an
 * inventory that points the CLI at all of it. Everything is named with one prefix, so leftovers of an
 * interrupted run can be found and removed, and nothing else on the machine is touched.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pLimit from 'p-limit';
import { stringify } from 'yaml';
import { createFabric, removeFabricLeftovers, type Fabric } from '../lab/fabric.js';
import { createLabHost, destroyLabHostsWithPrefix, labNamespaces, type LabHost, type LabHostSpec } from '../lab/host.js';
import { resolveTool, teardown } from '../lab/run.js';
import { generateKeyPair, startSshd, writeKnownHosts, SSHD_PATH, type RunningSshd, type SshKeyPair } from '../lab/sshd.js';
import { checkPrerequisites, gateTier, optOut, root, tool, type Requirement, type TierGate } from '../helpers/prerequisites.js';
import type { SystemHost } from './fleet.js';

const execFileAsync = promisify(execFile);

/** Set to `1` to skip the system tier knowingly where it could run (fails under KVM_NETAUDIT_REQUIRE_ALL=1). */
export const SKIP_ENV = 'KVM_NETAUDIT_SKIP_SYSTEM';

/** What a lab host needs: root for namespaces, links and mounts, and the tools that build and inspect it. */
export const LAB_REQUIREMENTS: readonly Requirement[] = [
  root('network namespaces, links and mounts'),
  tool('ip'),
  tool('brctl'),
  tool('virsh'),
  tool('perl'),
  tool('mount'),
];

/** What the system tier needs: a lab host, plus a real sshd and OpenSSH's client to reach it. */
export const SYSTEM_REQUIREMENTS: readonly Requirement[] = [
  ...LAB_REQUIREMENTS,
  tool(SSHD_PATH),
  tool('ssh'),
  tool('ssh-keygen'),
  tool('ss'),
];

/**
 * Why the lab cannot be built on this machine (empty when it can), one sentence per problem; for scripts
 * that build the lab outside vitest. Tests use {@link systemTierGate}.
 */
export function missingPrerequisites(): string[] {
  const check = checkPrerequisites(SYSTEM_REQUIREMENTS);
  return check.ok ? [] : check.unmet.map((u) => u.detail);
}

/**
 * The gate of one system test file (`part` names it in the skip line): skipped without root or the tools,
 * or with KVM_NETAUDIT_SKIP_SYSTEM=1; failing instead under KVM_NETAUDIT_REQUIRE_ALL=1.
 */
export function systemTierGate(part: string, requirements: readonly Requirement[] = SYSTEM_REQUIREMENTS): TierGate {
  return gateTier(`system tier (${part})`, [...requirements, optOut(SKIP_ENV)]);
}

/**
 * Remove what an interrupted run with this prefix left behind: the processes still running in its
 * namespaces (sshd, tap holders; killed by pid), the namespaces, the fabric's root-namespace links and
 * the temp directories (`$TMPDIR/<prefix>*`).
 */
export async function removeLeftovers(prefix: string): Promise<void> {
  const ip = resolveTool('ip');
  for (const netns of await labNamespaces(prefix)) {
    const { stdout } = await execFileAsync(ip, ['netns', 'pids', netns]).catch(() => ({ stdout: '' }));
    for (const pid of stdout.split(/\s+/).filter((p) => /^\d+$/.test(p)).map(Number)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  await destroyLabHostsWithPrefix(prefix);
  await removeFabricLeftovers(prefix);
  for (const entry of await readdir(tmpdir())) {
    if (entry.startsWith(prefix)) await rm(join(tmpdir(), entry), { recursive: true, force: true });
  }
}

/** What the lab needs to know of a fleet member; test files add their expectations beside it. */
export interface SystemLabMember {
  spec: LabHostSpec;
  /** Last octet of its management address on the fabric (`<subnet>.<n>`), 2–254, unique. */
  hostNumber: number;
  /** Log every virsh process started on the host (see LabHostOptions.virshCallLog). @default false */
  logVirshCalls?: boolean;
}

/** One running fleet member. */
export interface SystemLabHost<T extends SystemLabMember = SystemHost> {
  expected: T;
  host: LabHost;
  /** Management address on the fabric. */
  address: string;
  sshd: RunningSshd;
  /** The host's virsh call log when `logVirshCalls` was set, else null. */
  virshCallLog: string | null;
}

/** The running fleet and the files that describe it to the CLI. */
export interface SystemLab<T extends SystemLabMember = SystemHost> {
  workDir: string;
  hosts: SystemLabHost<T>[];
  clientKey: SshKeyPair;
  knownHostsPath: string;
  inventoryPath: string;
  /** Stop every sshd (by pid), delete namespaces, fabric links and files. Safe to call twice. */
  destroy(): Promise<void>;
}

/** The inventory (docs/inventory.md) that audits the lab fleet as root with the run's client key. */
export function inventoryYaml(hosts: readonly SystemLabHost<SystemLabMember>[], clientKey: SshKeyPair, knownHostsPath: string): string {
  return stringify({
    defaults: {
      user: 'root',
      port: 22,
      identityFile: clientKey.privateKeyPath,
      knownHostsFile: knownHostsPath,
    },
    // Groups that only name their members (docs/inventory.md): every group a host lists must be declared.
    groups: Object.fromEntries(hosts.flatMap(({ expected }) => expected.spec.groups).map((group) => [group, null])),
    hosts: hosts.map(({ expected, host, address }) => ({
      name: expected.spec.name,
      address,
      groups: expected.spec.groups,
      libvirtUri: host.libvirtUri,
      uplinkInterfaces: expected.spec.uplinkInterfaces,
    })),
  });
}

/** Options of {@link startSystemLab}. */
export interface SystemLabOptions {
  /**
   * First three octets of the management /24 (see FabricOptions.subnet); each system test file needs
   * its own, as its fabric bridge lives in the shared root namespace.
   * @default '198.18.0'
   */
  subnet?: string;
  /**
   * How many hosts are built and started at once. Hosts share nothing but the fabric bridge, so
   * building them in parallel is safe; the default keeps the order of a sequential build.
   * @default 1
   */
  parallelism?: number;
}

/**
 * Bring the fleet up, after clearing leftovers with the same prefix. On failure everything built so far
 * is removed again before the error is rethrown. `hosts` keeps the order of `fleet`.
 */
export async function startSystemLab<T extends SystemLabMember = SystemHost>(
  fleet: readonly T[],
  prefix: string,
  options: SystemLabOptions = {},
): Promise<SystemLab<T>> {
  await removeLeftovers(prefix);
  // The path becomes part of test:/// URIs: mkdtemp's suffix is plain alphanumerics.
  const workDir = await mkdtemp(join(tmpdir(), prefix));
  const started: (SystemLabHost<T> | undefined)[] = [];
  const labHosts: LabHost[] = [];
  const sshds: RunningSshd[] = [];
  let fabric: Fabric | null = null;
  let destroyed = false;

  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    const { attempt, finish } = teardown('system lab');
    for (const sshd of sshds) await attempt(() => sshd.stop());
    for (const host of labHosts) await attempt(() => host.destroy());
    if (fabric) await attempt(() => fabric!.destroy());
    await attempt(() => rm(workDir, { recursive: true, force: true }));
    finish();
  };

  try {
    fabric = await createFabric({ prefix, ...(options.subnet ? { subnet: options.subnet } : {}) });
    const clientKey = await generateKeyPair(workDir, 'client_ed25519', 'kvm-netaudit system tier');
    const limit = pLimit(Math.max(1, options.parallelism ?? 1));
    const bringUp = async (expected: T, index: number) => {
      const virshCallLog = expected.logVirshCalls ? join(workDir, `virsh-calls.${expected.spec.name}.log`) : null;
      const host = await createLabHost(expected.spec, {
        prefix,
        workDir: join(workDir, 'hosts'),
        ...(virshCallLog ? { virshCallLog } : {}),
      });
      labHosts.push(host);
      const { address } = await fabric!.attach(host.netns, expected.hostNumber);
      const sshd = await startSshd({
        netns: host.netns,
        launch: host.launchArgv,
        address,
        workDir: join(workDir, 'sshd', expected.spec.name),
        authorizedKeys: [clientKey.publicKey],
      });
      sshds.push(sshd);
      started[index] = { expected, host, address, sshd, virshCallLog };
    };
    // allSettled, not all: a failed host must not leave the others half-built and untracked.
    const outcomes = await Promise.allSettled(fleet.map((expected, index) => limit(() => bringUp(expected, index))));
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failure) throw failure.reason;
    const hosts = started.filter((h): h is SystemLabHost<T> => h !== undefined);
    const knownHostsPath = join(workDir, 'known_hosts');
    await writeKnownHosts(
      knownHostsPath,
      hosts.map((h) => h.sshd),
    );
    const inventoryPath = join(workDir, 'inventory.yaml');
    await writeFile(inventoryPath, inventoryYaml(hosts, clientKey, knownHostsPath));
    return { workDir, hosts, clientKey, knownHostsPath, inventoryPath, destroy };
  } catch (error) {
    await destroy().catch(() => undefined);
    throw error;
  }
}
