/**
 * The fleet bench's hypervisors: the system tier's lab (test/lab/) with bench sizes. One management
 * fabric in the root namespace, and per host a network namespace, a libvirt test-driver node file, the
 * lab's virsh wrapper with a call log (it counts virsh processes), and a real OpenSSH sshd.
 *
 * Unlike test/system/systemLab.ts, every host's node file is reachable under ONE path, `<workDir>/node/`
 * (a bind mount made inside each host's private mount namespace, so nothing outside sees it): the same
 * libvirt URI works on every host, as `qemu:///system` does on a real fleet, and pssh, ClusterShell and
 * Ansible can send all hosts one identical command. Root's home on the hosts is an empty folder (see
 * HOST_MOUNTS).
 *
 * Everything is named with the caller's prefix; `destroy` removes it all and then sweeps the prefix
 * (removeLeftovers), so an interrupted build leaves nothing behind either.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pLimit from 'p-limit';
import { stringify } from 'yaml';
import { createFabric, type Fabric } from '../../test/lab/fabric.js';
import { createLabHost, type LabHost, type LabHostSpec } from '../../test/lab/host.js';
import { teardown } from '../../test/lab/run.js';
import { generateKeyPair, startSshd, writeKnownHosts, type RunningSshd, type SshKeyPair } from '../../test/lab/sshd.js';
import { removeLeftovers } from '../../test/system/systemLab.js';

/**
 * Mounts $1 (the host's own node-file folder) on $2 (the shared path) and $3 (an empty folder) on /root, then
 * execs the rest. It runs inside the host's `ip netns exec` mount namespace, which is a slave of the
 * machine's: the mounts never leak out.
 *
 * Why /root: sshd runs every command through root's login shell, and Debian's bash reads ~/.bashrc when
 * started by sshd, even for a non-interactive command. The bench machine's own root .bashrc (pyenv init on
 * the machine this was written on) then costs ~100 ms of CPU per connection on every lab host, which no
 * hypervisor has; a stock Debian root .bashrc returns at once for a non-interactive shell, as an empty home does.
 */
const HOST_MOUNTS = 'mount --bind "$1" "$2" && mount --bind "$3" /root && shift 3 && exec "$@"';

/** One bench host to build. */
export interface BenchHostPlan {
  spec: LabHostSpec;
  /** Last octet of its management address, 2–254. */
  hostNumber: number;
}

/** One running bench host. */
export interface BenchHost {
  name: string;
  address: string;
  lab: LabHost;
  sshd: RunningSshd;
  /** One line per virsh process started on the host (test/lab/virshState.ts). */
  virshCallLog: string;
}

/** Options of {@link benchLab}. */
export interface BenchLabOptions {
  prefix: string;
  /** First three octets of the management /24, inside 198.18.0.0/15. */
  subnet: string;
  /** Hosts built at once. */
  parallelism: number;
  /** Called after each host is up, with how many are. */
  onHostUp?: (up: number) => void;
}

/** The lab: `build` brings the hosts up; `destroy` may be called at any time, also during `build`. */
export interface BenchLab {
  /** Set once `build` has resolved. */
  readonly ready: {
    workDir: string;
    hosts: BenchHost[];
    /** The libvirt URI that reaches every host's node file (see the module comment). */
    libvirtUri: string;
    clientKey: SshKeyPair;
    knownHostsPath: string;
    inventoryPath: string;
  } | null;
  build(plans: readonly BenchHostPlan[]): Promise<void>;
  destroy(): Promise<void>;
}

/** The inventory (docs/inventory.md) for the built hosts: strict host keys from the bench's known_hosts. */
function inventoryYaml(hosts: readonly BenchHost[], libvirtUri: string, clientKey: SshKeyPair, knownHostsPath: string): string {
  return stringify({
    defaults: { user: 'root', port: 22, identityFile: clientKey.privateKeyPath, knownHostsFile: knownHostsPath, libvirtUri, uplinkInterfaces: ['eno*'] },
    groups: { bench: null },
    hosts: hosts.map((h) => ({ name: h.name, address: h.address, groups: ['bench'] })),
  });
}

export function benchLab(options: BenchLabOptions): BenchLab {
  const { prefix } = options;
  const labHosts: LabHost[] = [];
  const sshds: RunningSshd[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let fabric: Fabric | null = null;
  let workDir: string | null = null;
  let destroyed = false;
  let ready: BenchLab['ready'] = null;

  /** Stops a build step that would start after destroy began. */
  const alive = () => {
    if (destroyed) throw new Error('the bench lab is being torn down');
  };

  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    return promise.finally(() => inFlight.delete(promise));
  };

  const build = async (plans: readonly BenchHostPlan[]) => {
    alive();
    // The path becomes part of test:/// URIs: mkdtemp's suffix is plain alphanumerics.
    workDir = await mkdtemp(join(tmpdir(), prefix));
    const shared = join(workDir, 'node');
    await mkdir(shared);
    const rootHome = join(workDir, 'root-home');
    await mkdir(rootHome, { mode: 0o700 });
    const libvirtUri = `test://${shared}/node.xml`;
    fabric = await createFabric({ prefix, subnet: options.subnet });
    const clientKey = await generateKeyPair(workDir, 'client_ed25519', 'kvm-netaudit fleet bench');
    const limit = pLimit(Math.max(1, options.parallelism));
    const hosts: (BenchHost | undefined)[] = [];
    let up = 0;
    const bringUp = async (plan: BenchHostPlan, index: number) => {
      alive();
      const name = plan.spec.name;
      const virshCallLog = join(workDir!, `virsh-calls.${name}.log`);
      await writeFile(virshCallLog, '');
      const lab = await createLabHost(plan.spec, { prefix, workDir: join(workDir!, 'hosts'), virshCallLog });
      labHosts.push(lab);
      alive();
      const { address } = await fabric!.attach(lab.netns, plan.hostNumber);
      alive();
      const hostDir = dirname(lab.nodeXmlPath);
      const sshd = await startSshd({
        netns: lab.netns,
        launch: (argv) => lab.launchArgv(['sh', '-c', HOST_MOUNTS, 'kna-bench', hostDir, shared, rootHome, ...argv]),
        address,
        workDir: join(workDir!, 'sshd', name),
        authorizedKeys: [clientKey.publicKey],
        // Many hosts start at once on a small machine: give sshd time to answer.
        readyTimeoutMs: 60_000,
      });
      sshds.push(sshd);
      hosts[index] = { name, address, lab, sshd, virshCallLog };
      options.onHostUp?.(++up);
    };
    // allSettled, not all: a failed host must not leave the others half-built and untracked.
    const outcomes = await Promise.allSettled(plans.map((plan, index) => limit(() => track(bringUp(plan, index)))));
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failure) throw failure.reason;
    const built = hosts.filter((h): h is BenchHost => h !== undefined);
    const knownHostsPath = join(workDir, 'known_hosts');
    await writeKnownHosts(knownHostsPath, built.map((h) => h.sshd));
    const inventoryPath = join(workDir, 'inventory.yaml');
    await writeFile(inventoryPath, inventoryYaml(built, libvirtUri, clientKey, knownHostsPath));
    ready = { workDir, hosts: built, libvirtUri, clientKey, knownHostsPath, inventoryPath };
  };

  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    // Let in-flight build steps end (each is bounded by its own timeouts) so none starts a process after the sweep.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => (timer = setTimeout(resolve, 90_000)))]);
    clearTimeout(timer);
    const { attempt, finish } = teardown('fleet bench lab');
    const limit = pLimit(8);
    await Promise.all(sshds.map((sshd) => limit(() => attempt(() => sshd.stop()))));
    await Promise.all(labHosts.map((host) => limit(() => attempt(() => host.destroy()))));
    if (fabric) await attempt(() => fabric!.destroy());
    if (workDir) await attempt(() => rm(workDir!, { recursive: true, force: true }));
    // Whatever is left by prefix: session processes that outlived their sshd (killed by pid), namespaces, links.
    await attempt(() => removeLeftovers(prefix));
    finish();
  };

  return {
    get ready() {
      return ready;
    },
    build,
    destroy,
  };
}
