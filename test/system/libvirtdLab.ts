/**
 * Bringing a real-libvirtd lab host (test/lab/libvirtd.ts) up for the system tier: the management fabric
 * in the root namespace, the host (its own network and mount namespaces, libvirtd, networks, guests),
 * an OpenSSH sshd inside it, a client key, a known_hosts file and an inventory whose `libvirtUri` is
 * `qemu:///system`. Everything is named with one prefix; `removeLibvirtdLeftovers` clears an interrupted run.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createFabric, removeFabricLeftovers, type Fabric } from '../lab/fabric.js';
import { createLibvirtdHost, destroyLibvirtdHostsWithPrefix, LIBVIRTD_PATH, type LibvirtdHost } from '../lab/libvirtd.js';
import type { LibvirtdHostSpec } from '../lab/libvirtdSpec.js';
import { generateKeyPair, writeKnownHosts, SSHD_PATH, type RunningSshd, type SshKeyPair } from '../lab/sshd.js';
import { teardown } from '../lab/run.js';
import { root, tool, type Requirement } from '../helpers/prerequisites.js';

/**
 * What a real-libvirtd host needs: root (namespaces, mounts, links, the libvirt-qemu user), the daemon and
 * what it runs (QEMU, dnsmasq, iptables), nsenter to enter its namespaces, and OpenSSH to reach it.
 */
export const LIBVIRTD_REQUIREMENTS: readonly Requirement[] = [
  root('network and mount namespaces, links, libvirtd and its guests'),
  tool('ip'),
  tool('virsh'),
  tool(LIBVIRTD_PATH),
  tool('qemu-system-x86_64'),
  tool('dnsmasq'),
  tool('iptables'),
  tool('nsenter'),
  tool('mount'),
  tool('useradd'),
  tool('groupadd'),
  tool(SSHD_PATH),
  tool('ssh'),
  tool('ssh-keygen'),
];

/** The running lab: one host reachable over SSH, and the files that describe it to the CLI. */
export interface LibvirtdLab {
  workDir: string;
  host: LibvirtdHost;
  /** Management address of the host on the fabric. */
  address: string;
  sshd: RunningSshd;
  clientKey: SshKeyPair;
  knownHostsPath: string;
  inventoryPath: string;
  /** Stop sshd, libvirtd, guests and dnsmasq (by pid), delete the namespace, fabric links and files. Safe twice. */
  destroy(): Promise<void>;
}

/** The inventory (docs/inventory.md) that audits the host as root with the run's key, over `qemu:///system`. */
export function libvirtdInventoryYaml(spec: LibvirtdHostSpec, address: string, clientKey: SshKeyPair, knownHostsPath: string): string {
  return stringify({
    defaults: { user: 'root', port: 22, identityFile: clientKey.privateKeyPath, knownHostsFile: knownHostsPath },
    groups: Object.fromEntries(spec.groups.map((group) => [group, null])),
    hosts: [{ name: spec.name, address, groups: spec.groups, libvirtUri: 'qemu:///system', uplinkInterfaces: spec.uplinkInterfaces }],
  });
}

/**
 * Remove what an interrupted run with this prefix left: processes in its namespaces (by pid), the
 * namespaces, the fabric's links in the root namespace, and `$TMPDIR/<prefix>*`.
 */
export async function removeLibvirtdLeftovers(prefix: string): Promise<string[]> {
  const removed = await destroyLibvirtdHostsWithPrefix(prefix);
  await removeFabricLeftovers(prefix);
  for (const entry of await readdir(tmpdir())) {
    if (entry.startsWith(prefix)) await rm(join(tmpdir(), entry), { recursive: true, force: true });
  }
  return removed;
}

/** Options of {@link startLibvirtdLab}. */
export interface LibvirtdLabOptions {
  /** First three octets of the management /24 (its own per test file). */
  subnet: string;
  /** Last octet of the host's management address. @default 11 */
  hostNumber?: number;
  log?: (line: string) => void;
}

/**
 * Bring the lab up after clearing leftovers with the same prefix. On failure everything built so far is
 * removed again before the error is rethrown.
 */
export async function startLibvirtdLab(spec: LibvirtdHostSpec, prefix: string, options: LibvirtdLabOptions): Promise<LibvirtdLab> {
  await removeLibvirtdLeftovers(prefix);
  const workDir = await mkdtemp(join(tmpdir(), prefix));
  let fabric: Fabric | null = null;
  let host: LibvirtdHost | null = null;
  let destroyed = false;
  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    const { attempt, finish } = teardown('libvirtd lab');
    if (host) await attempt(() => host!.destroy());
    if (fabric) await attempt(() => fabric!.destroy());
    await attempt(() => rm(workDir, { recursive: true, force: true }));
    finish();
  };
  try {
    fabric = await createFabric({ prefix, subnet: options.subnet });
    const clientKey = await generateKeyPair(workDir, 'client_ed25519', 'kvm-netaudit libvirtd system tier');
    host = await createLibvirtdHost(spec, { prefix, parentDir: workDir, ...(options.log ? { log: options.log } : {}) });
    const { address } = await fabric.attach(host.netns, options.hostNumber ?? 11);
    const sshd = await host.startSshd({ address, authorizedKeys: [clientKey.publicKey] });
    const knownHostsPath = join(workDir, 'known_hosts');
    await writeKnownHosts(knownHostsPath, [sshd]);
    const inventoryPath = join(workDir, 'inventory.yaml');
    await writeFile(inventoryPath, libvirtdInventoryYaml(spec, address, clientKey, knownHostsPath));
    return { workDir, host, address, sshd, clientKey, knownHostsPath, inventoryPath, destroy };
  } catch (error) {
    await destroy().catch(() => undefined);
    throw error;
  }
}
