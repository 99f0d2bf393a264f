/**
 * A lab hypervisor behind two bastions, each a real sshd in a network namespace of its own:
 *
 * ```
 *  root namespace ── fabric <subnet>.0/24 ── b1 ── <subnet>.128/30 ── b2 ── <subnet>.132/30 ── hypervisor
 *  (the CLI)         <subnet>.1   <subnet>.10   .129           .130      .133            .134
 * ```
 *
 * Only bastion 1 is on the fabric. Bastion 2 is reachable only from bastion 1's side, the hypervisor only from
 * bastion 2's; nothing forwards packets (a ProxyJump hop opens a new TCP connection from where it stands). The
 * segments behind the bastions are carved out of the fabric's /24 on purpose: the root namespace (and bastion 1,
 * for the hypervisor) then takes those addresses for neighbours on the fabric bridge and asks for them there,
 * where nobody answers, so a direct attempt fails with "No route to host" without a packet leaving the test's
 * own links. (A subnet of their own would send it to the machine's default route instead.)
 *
 * Namespaces are `<prefix>b1`, `<prefix>b2` and the lab host's `<prefix><name>`; root-namespace links are the
 * fabric's (`<prefix>fab`, `<prefix>f10`). Clear an interrupted run's leftovers by prefix first
 * (removeLeftovers in test/system/systemLab.ts); `destroy` stops every sshd by pid and removes the rest.
 */
import { join } from 'node:path';
import { createFabric, type Fabric } from './fabric.js';
import { createLabHost, type LabHost, type LabHostSpec } from './host.js';
import { resolveTool, run, runQuietly, teardown } from './run.js';
import { startSshd, type RunningSshd } from './sshd.js';

/** The chain's addresses on `<subnet>.0/24` (see the drawing above). */
export function jumpChainAddresses(subnet: string) {
  return {
    /** Bastion 1 on the fabric, reached from the root namespace. */
    bastion1: `${subnet}.10`,
    /** Bastion 1's side of the segment to bastion 2. */
    bastion1Inner: `${subnet}.129`,
    /** Bastion 2, reached from bastion 1. */
    bastion2: `${subnet}.130`,
    /** Bastion 2's side of the segment to the hypervisor. */
    bastion2Inner: `${subnet}.133`,
    /** The hypervisor, reached from bastion 2. */
    hypervisor: `${subnet}.134`,
  } as const;
}

/** The fabric host number of bastion 1 (its address is `<subnet>.10`). */
const BASTION1_HOST_NUMBER = 10;

/** Options of {@link startJumpChain}. */
export interface JumpChainOptions {
  /** Name prefix of namespaces and root-namespace links, e.g. `kna-sj-`. */
  prefix: string;
  /** First three octets of the chain's /24 in 198.18.0.0/15, unused by any other fabric, e.g. `198.18.5`. */
  subnet: string;
  /** A directory of the caller's (plain path: the lab host's node file URI is built from it). */
  workDir: string;
  /** The hypervisor at the end of the chain. */
  hypervisor: LabHostSpec;
  /** Public keys that may log in to the bastions and the hypervisor (as root). */
  authorizedKeys: readonly string[];
}

/** One bastion of the chain. */
export interface Bastion {
  netns: string;
  /** Where the hop before it (the test, or bastion 1) reaches it. */
  address: string;
  sshd: RunningSshd;
}

/** The running chain. */
export interface JumpChain {
  bastions: readonly [Bastion, Bastion];
  hypervisor: { host: LabHost; address: string; sshd: RunningSshd };
  /** Stop every sshd (by pid), delete the namespaces and the fabric. Safe to call twice. */
  destroy(): Promise<void>;
}

/** Build the chain. On failure everything built so far is removed before the error is rethrown. */
export async function startJumpChain(options: JumpChainOptions): Promise<JumpChain> {
  const { prefix, subnet, workDir } = options;
  const ip = (...args: string[]) => run([resolveTool('ip'), ...args]);
  const at = jumpChainAddresses(subnet);
  const b1 = `${prefix}b1`;
  const b2 = `${prefix}b2`;
  const namespaces: string[] = [];
  const sshds: RunningSshd[] = [];
  let fabric: Fabric | null = null;
  let hypervisor: LabHost | null = null;
  let destroyed = false;

  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    const { attempt, finish } = teardown('jump chain');
    for (const sshd of sshds) await attempt(() => sshd.stop());
    if (hypervisor) await attempt(() => hypervisor!.destroy());
    for (const netns of namespaces) await attempt(() => runQuietly([resolveTool('ip'), 'netns', 'del', netns]));
    if (fabric) await attempt(() => fabric!.destroy());
    finish();
  };

  /** A sshd in `netns` listening on `address`; bastions may forward TCP, the hypervisor may not. */
  const sshdIn = async (netns: string, address: string, extra: { launch?: (argv: readonly string[]) => string[]; bastion: boolean }) => {
    const sshd = await startSshd({
      netns,
      address,
      workDir: join(workDir, 'sshd', netns),
      authorizedKeys: options.authorizedKeys,
      allowTcpForwarding: extra.bastion,
      // Only bastion 1 answers the test's own namespace; the others are told ready by their log.
      readiness: address === at.bastion1 ? 'banner' : 'log',
      ...(extra.launch ? { launch: extra.launch } : {}),
    });
    sshds.push(sshd);
    return sshd;
  };

  /** `<name>` in `from` wired to `<peer>` in `to` (created in place: never in the root namespace). */
  const wire = async (from: string, name: string, fromCidr: string, to: string, peer: string, toCidr: string) => {
    await ip('-n', from, 'link', 'add', name, 'type', 'veth', 'peer', 'name', peer, 'netns', to);
    await ip('-n', from, 'addr', 'add', fromCidr, 'dev', name);
    await ip('-n', from, 'link', 'set', name, 'up');
    await ip('-n', to, 'addr', 'add', toCidr, 'dev', peer);
    await ip('-n', to, 'link', 'set', peer, 'up');
  };

  try {
    for (const netns of [b1, b2]) {
      await ip('netns', 'add', netns);
      namespaces.push(netns);
      await ip('-n', netns, 'link', 'set', 'lo', 'up');
    }
    fabric = await createFabric({ prefix, subnet });
    const port = await fabric.attach(b1, BASTION1_HOST_NUMBER);
    if (port.address !== at.bastion1) throw new Error(`bastion 1 got ${port.address}, not ${at.bastion1}`);
    await wire(b1, 'to-b2', `${at.bastion1Inner}/30`, b2, 'to-b1', `${at.bastion2}/30`);

    hypervisor = await createLabHost(options.hypervisor, { prefix, workDir: join(workDir, 'hosts') });
    await ip('-n', hypervisor.netns, 'link', 'set', 'lo', 'up');
    await wire(b2, 'to-hv', `${at.bastion2Inner}/30`, hypervisor.netns, 'mgmt0', `${at.hypervisor}/30`);

    const bastions = [
      { netns: b1, address: at.bastion1, sshd: await sshdIn(b1, at.bastion1, { bastion: true }) },
      { netns: b2, address: at.bastion2, sshd: await sshdIn(b2, at.bastion2, { bastion: true }) },
    ] as const;
    const hvSshd = await sshdIn(hypervisor.netns, at.hypervisor, { launch: hypervisor.launchArgv, bastion: false });
    return { bastions, hypervisor: { host: hypervisor, address: at.hypervisor, sshd: hvSshd }, destroy };
  } catch (error) {
    await destroy().catch(() => undefined);
    throw error;
  }
}
