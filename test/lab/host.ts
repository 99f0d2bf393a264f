/**
 * A lab hypervisor: a network namespace with real bridges, veths, taps, macvtaps and vxlan ports, and a
 * libvirt test-driver node file standing in for libvirtd. The probe runs in it unchanged
 * (`ip netns exec NS sh -s`), and meets real `ip`, `brctl` and `virsh` output.
 *
 * Everything is named `<prefix><host>` (namespace) or lives inside that namespace (links), so nothing else
 * on the machine is touched; `destroy` removes it all, and `destroyLabHostsWithPrefix` clears what an
 * interrupted run left behind.
 *
 * @example
 *   const host = await createLabHost(spec, { prefix: 'kna-d-', workDir: '/tmp/kna-d-work' });
 *   const { stdout } = await host.exec(['ip', '-br', 'link']);
 *   await host.destroy();
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { planLabHost, checkPrefix } from './plan.js';
import { resolveTool, run, runCollect, runQuietly, type CollectOptions, type CommandResult } from './run.js';
import type { LabHostSpec } from './spec.js';
import { holdTaps, type TapHolder } from './tapHolder.js';
import { MOUNT_WRAPPER_PROGRAM, stateCommands, virshWrapperScript } from './virshState.js';

export type { LabHostSpec, LabLinkSpec, LabRouteSpec } from './spec.js';
export type { LibvirtState } from './virshState.js';

/** Options of {@link createLabHost}. */
export interface LabHostOptions {
  /** Namespace name prefix: `kna-d-` for the demo captures, `kna-s-` for the system tests. */
  prefix: string;
  /**
   * A directory of the caller's; the host keeps its node file (and virsh wrapper) in `<workDir>/<name>/`,
   * removed by `destroy`. Its path must be plain (it becomes part of a `test:///` URI).
   */
  workDir: string;
  /**
   * Log every virsh invocation inside the host (sshd sessions included) to this file, one line each
   * (see virshWrapperScript): installs the virsh wrapper even when the spec has no libvirt state.
   */
  virshCallLog?: string;
}

/** A running lab host. */
export interface LabHost {
  name: string;
  /** `<prefix><name>`. */
  netns: string;
  spec: LabHostSpec;
  /** Absolute path of the node file. */
  nodeXmlPath: string;
  /** `test://` + nodeXmlPath, for the probe's `virsh -c`. */
  libvirtUri: string;
  /**
   * The argv that runs `argv` inside this host (its namespace, and its virsh state when it has one).
   * Use it to start long-running processes (sshd) that must see what `exec` sees.
   */
  launchArgv(argv: readonly string[]): string[];
  /** Run `argv` inside the host and collect its output, whatever its exit status. */
  exec(argv: readonly string[], options?: CollectOptions): Promise<CommandResult>;
  /** Stop the tap holder (by pid), delete the namespace and the work files. Safe to call twice. */
  destroy(): Promise<void>;
}

/** A directory path safe to embed in a `test:///` URI (see isValidLibvirtUri in src/probe/script.ts). */
const PLAIN_PATH = /^\/[A-Za-z0-9._\/-]+$/;

/** Build the host described by `spec`. On failure, whatever was built is removed again. */
export async function createLabHost(spec: LabHostSpec, options: LabHostOptions): Promise<LabHost> {
  checkPrefix(options.prefix);
  if (!isAbsolute(options.workDir) || !PLAIN_PATH.test(options.workDir)) {
    throw new Error(`lab workDir ${JSON.stringify(options.workDir)} must be an absolute path of plain characters`);
  }
  const ip = resolveTool('ip');
  const plan = planLabHost(spec, options.prefix, { ip, sysctl: resolveTool('sysctl') });
  const { netns } = plan;
  const dir = join(options.workDir, spec.name);
  const nodeXmlPath = join(dir, 'node.xml');
  const libvirtUri = `test://${nodeXmlPath}`;
  const commands = stateCommands(spec.libvirtState);

  // With libvirt state (or a call log), every command runs with the virsh wrapper bound over the real virsh.
  const netnsExec = [ip, 'netns', 'exec', netns];
  let launchPrefix = netnsExec;
  const { virshCallLog } = options;
  if (commands || virshCallLog !== undefined) {
    const realVirsh = resolveTool('virsh');
    const mountPoint = join(dir, 'virsh.real');
    const wrapper = join(dir, 'virsh');
    launchPrefix = [...netnsExec, 'sh', '-c', MOUNT_WRAPPER_PROGRAM, 'kna-lab', realVirsh, mountPoint, wrapper];
    await mkdir(dir, { recursive: true });
    await writeFile(mountPoint, ''); // a bind mount needs an existing file to cover
    await writeFile(wrapper, virshWrapperScript(mountPoint, commands, { callLog: virshCallLog }), { mode: 0o755 });
  }
  const launchArgv = (argv: readonly string[]) => [...launchPrefix, ...argv];

  let holder: TapHolder | null = null;
  let destroyed = false;
  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    await holder?.release();
    await runQuietly([ip, 'netns', 'del', netns]);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await mkdir(dir, { recursive: true });
    await writeFile(nodeXmlPath, spec.nodeXml);
    for (const argv of plan.commands) await run(argv);
    if (plan.carrierTaps.length > 0) holder = await holdTaps(netnsExec, plan.carrierTaps);
    // Fail now, with virsh's own words, on a node file or state the test driver rejects.
    const check = await runCollect(launchArgv(['virsh', '-q', '-r', '-c', libvirtUri, 'net-list --all; list --all']));
    if (check.code !== 0 || check.stderr.trim()) {
      throw new Error(`lab host ${spec.name}: virsh rejects its node file or state: ${check.stderr.trim()}`);
    }
  } catch (error) {
    await destroy();
    throw error;
  }

  return {
    name: spec.name,
    netns,
    spec,
    nodeXmlPath,
    libvirtUri,
    launchArgv,
    exec: (argv, execOptions) => runCollect(launchArgv(argv), execOptions),
    destroy,
  };
}

/** Names of the network namespaces that start with `prefix`. */
export async function labNamespaces(prefix: string): Promise<string[]> {
  checkPrefix(prefix);
  const listing = await run([resolveTool('ip'), 'netns', 'list']);
  // Lines read `NAME` or `NAME (id: N)`.
  return listing
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(prefix));
}

/**
 * Delete every namespace named `<prefix>*` (leftovers of an interrupted run) and return their names.
 * Processes are not touched: a lab's tap holder exits by itself when its parent is gone.
 */
export async function destroyLabHostsWithPrefix(prefix: string): Promise<string[]> {
  const names = await labNamespaces(prefix);
  const ip = resolveTool('ip');
  for (const name of names) await runQuietly([ip, 'netns', 'del', name]);
  return names;
}
