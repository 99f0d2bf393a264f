/**
 * A lab hypervisor run by a REAL libvirtd (qemu driver), with real guests (QEMU, KVM when /dev/kvm is
 * usable, else TCG), real libvirt networks (bridges, dnsmasq, iptables rules) and real macvtaps: what
 * `virsh -c qemu:///system` shows on a production host, for the system tier and the demo captures.
 *
 * Isolation. Everything lives in two namespaces of the host's own:
 * - a network namespace `<prefix><name>` (`ip netns add`): every link the spec declares, every bridge,
 *   tap, macvtap and firewall rule libvirt makes, and every process below;
 * - a mount namespace, held by an "anchor" process (`ip netns exec NS sh -c 'mount --bind …; exec cat'`,
 *   a slave of the machine's, so no mount leaks out) in which /etc/libvirt, /run/libvirt (= /var/run/libvirt),
 *   /var/lib/libvirt, /var/log/libvirt and /var/cache/libvirt are bind mounts of folders of the work dir.
 * libvirtd, sshd and every command a test runs enter both with `nsenter -t ANCHOR -m -n` (which execs, so
 * a spawned pid is the program's own). Two hosts (or two runs) share nothing but the empty mount points,
 * created once on the machine as libvirt-daemon-system would.
 *
 * In this container-like setting libvirtd needs: the `libvirt-qemu` user and group (it resolves its
 * compiled-in default user before reading qemu.conf; created with useradd as Debian's
 * libvirt-daemon-system postinst does with adduser); qemu.conf without security drivers, cgroups, per-guest
 * mount namespaces or virtlogd; `iptables` installed BEFORE it starts (the network driver sets up its
 * firewall chains once and keeps the failure). It logs errors at start (no D-Bus system bus, no DMI data);
 * those lines come before any test reads the log.
 *
 * Everything started is stopped by pid: libvirtd and sshd (children held here), guests' QEMUs and
 * dnsmasq (pid files in the work dir's run folder, checked against the namespace's processes), then
 * whatever still runs in the namespace. `destroyLibvirtdHostsWithPrefix` removes what an interrupted run
 * left behind.
 *
 * @example
 *   const host = await createLibvirtdHost(KVM_LAB, { prefix: 'kna-lv-t-' });
 *   await host.virsh(['net-list', '--all']);
 *   await host.destroy();
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkPrefix, planLabHost } from './plan.js';
import { exited, resolveTool, run, runCollect, runQuietly, teardown, type CollectOptions, type CommandResult } from './run.js';
import { startSshd, type RunningSshd } from './sshd.js';
import { checkLibvirtdSpec, domainXml, networkXml, type LibvirtdHostSpec, type LvGuestSpec } from './libvirtdSpec.js';

const execFileAsync = promisify(execFile);

export { KVM_LAB, expectedNetworks, expectedNics, expectedVmStates } from './libvirtdSpec.js';
export type { LibvirtdHostSpec, LvGuestSpec, LvNetworkSpec, LvNicSpec, ExpectedLvNetwork, ExpectedLvNic } from './libvirtdSpec.js';

/** Where Debian installs the daemon. */
export const LIBVIRTD_PATH = '/usr/sbin/libvirtd';
/** The URI the host's libvirtd answers on (inside its namespaces). */
export const LIBVIRT_URI = 'qemu:///system';

/** The machine's folders libvirtd uses, each bind-mounted from the work dir's folder of the same key. */
const LIBVIRT_FOLDERS = {
  etc: '/etc/libvirt',
  run: '/run/libvirt',
  lib: '/var/lib/libvirt',
  log: '/var/log/libvirt',
  cache: '/var/cache/libvirt',
} as const;

/**
 * A libvirtd error line, as libvirt's file log output writes it:
 * `2026-12-03 10:31:35.024+0000: 5152: error : networkGetBridgeName:3516 : internal error: …`.
 */
export const LIBVIRTD_ERROR_LINE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}: \d+: error : /;

/** libvirtd.conf: local socket only, no auth (root connects), logs (warnings and errors) to a file. */
export function libvirtdConf(logPath: string): string {
  return [
    '# kvm-netaudit lab: written by test/lab/libvirtd.ts',
    'listen_tls = 0',
    'listen_tcp = 0',
    'unix_sock_group = "root"',
    'unix_sock_ro_perms = "0777"',
    'unix_sock_rw_perms = "0770"',
    'auth_unix_ro = "none"',
    'auth_unix_rw = "none"',
    // 3 = warnings and errors; a test reads new `error :` lines from this file.
    `log_outputs = "3:file:${logPath}"`,
    '',
  ].join('\n');
}

/** qemu.conf for a daemon inside a namespace of a container-like machine: no confinement to set up. */
export function qemuConf(): string {
  return [
    '# kvm-netaudit lab: written by test/lab/libvirtd.ts',
    'user = "root"',
    'group = "root"',
    'dynamic_ownership = 0',
    'remember_owner = 0',
    // No AppArmor/SELinux profile to load, no cgroup controllers to create, no private /dev per guest.
    'security_driver = "none"',
    'cgroup_controllers = [ ]',
    'namespaces = [ ]',
    // Guest stdout/stderr to /var/log/libvirt/qemu/NAME.log directly: no virtlogd to start.
    'stdio_handler = "file"',
    '',
  ].join('\n');
}

/** The domain type guests get here: `kvm` when /dev/kvm can be opened read-write, else `qemu` (TCG). */
export function guestDomainType(): 'kvm' | 'qemu' {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return 'kvm';
  } catch {
    return 'qemu';
  }
}

async function exists(kind: 'group' | 'passwd', name: string): Promise<boolean> {
  return execFileAsync('getent', [kind, name]).then(
    () => true,
    () => false,
  );
}

/**
 * Create the `libvirt-qemu` user and group (and the `kvm` group it belongs to) when missing, as Debian's
 * libvirt-daemon-system does: a system user in group kvm, also in group libvirt-qemu, home /var/lib/libvirt
 * (not created), no login. libvirtd refuses to start without them. Returns what it created.
 * Safe when two runs race: a "already exists" failure is checked again.
 */
export async function ensureLibvirtQemuUser(): Promise<string[]> {
  const created: string[] = [];
  const ensure = async (kind: 'group' | 'passwd', name: string, argv: string[]) => {
    if (await exists(kind, name)) return;
    try {
      await run(argv);
      created.push(`${kind === 'group' ? 'group' : 'user'} ${name}`);
    } catch (error) {
      if (!(await exists(kind, name))) throw error;
    }
  };
  await ensure('group', 'kvm', [resolveTool('groupadd'), '--system', 'kvm']);
  await ensure('group', 'libvirt-qemu', [resolveTool('groupadd'), '--system', 'libvirt-qemu']);
  await ensure('passwd', 'libvirt-qemu', [
    resolveTool('useradd'), '--system', '--gid', 'kvm', '--groups', 'libvirt-qemu',
    '--home-dir', '/var/lib/libvirt', '--no-create-home', '--shell', '/usr/sbin/nologin', '--comment', 'Libvirt Qemu',
    'libvirt-qemu',
  ]);
  return created;
}

/**
 * The mount points of {@link LIBVIRT_FOLDERS} on the machine: created empty when missing (libvirt-daemon-system
 * would create them too), never written to: inside a host they are covered by its bind mounts.
 */
async function ensureMountPoints(): Promise<void> {
  for (const path of Object.values(LIBVIRT_FOLDERS)) await mkdir(path, { recursive: true, mode: 0o755 });
  if (realpathSync('/var/run') !== '/run') await mkdir('/var/run/libvirt', { recursive: true, mode: 0o755 });
}

/** Stop a held child by its pid: SIGTERM, then SIGKILL after `graceMs`. */
async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  process.kill(child.pid, 'SIGTERM');
  if (await exited(child, graceMs)) return;
  process.kill(child.pid, 'SIGKILL');
  await exited(child, 5_000);
}

/** Pids of the processes in network namespace `netns` (`ip netns pids`); empty when it is gone. */
export async function netnsPids(netns: string): Promise<number[]> {
  const { stdout } = await execFileAsync(resolveTool('ip'), ['netns', 'pids', netns]).catch(() => ({ stdout: '' }));
  return stdout.split(/\s+/).filter((p) => /^\d+$/.test(p)).map(Number);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Wait (bounded) until none of `pids` is still in the namespace. */
async function waitGone(netns: string, pids: readonly number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const alive = new Set(await netnsPids(netns));
    const left = pids.filter((p) => alive.has(p));
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Pids named by `*.pid` files of a folder, except libvirtd's own `driver.pid`. */
async function pidFiles(dir: string): Promise<number[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const pids: number[] = [];
  for (const name of names) {
    if (!name.endsWith('.pid') || name === 'driver.pid') continue;
    const pid = Number((await readFile(join(dir, name), 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 1) pids.push(pid);
  }
  return pids;
}

/** Options of {@link createLibvirtdHost}. */
export interface LibvirtdHostOptions {
  /** Namespace prefix, e.g. `kna-lv-t-` (system test) or `kna-lv-c-` (capture script). */
  prefix: string;
  /** Parent of the host's work dir. @default os.tmpdir() (the work dir is `<parent>/<prefix><name>-XXXXXX`) */
  parentDir?: string;
  /** How long libvirtd may take to answer. @default 30000 */
  readyTimeoutMs?: number;
  /** Called with a line per step (for scripts that narrate). */
  log?: (line: string) => void;
}

/** Options of {@link LibvirtdHost.startSshd}. */
export interface LibvirtdSshdOptions {
  /** An address already assigned inside the namespace (e.g. the fabric's `mgmt0`). */
  address: string;
  authorizedKeys: readonly string[];
  port?: number;
}

/** A running host. */
export interface LibvirtdHost {
  name: string;
  spec: LibvirtdHostSpec;
  /** `<prefix><name>`. */
  netns: string;
  /** The host's own folder: configs, bind-mount sources, logs, XML files, sshd. */
  workDir: string;
  /** Always {@link LIBVIRT_URI}: the probe's `virsh -c`. */
  libvirtUri: string;
  /** `kvm` or `qemu`, the type every guest was defined with. */
  domainType: 'kvm' | 'qemu';
  /** libvirtd's own log file (`log_outputs`, warnings and errors). */
  libvirtdLogPath: string;
  /** libvirtd's pid (changes with {@link restartLibvirtd}). */
  readonly libvirtdPid: number;
  /** The pid holding the host's mount namespace. */
  anchorPid: number;
  /** The argv that runs `argv` inside the host's namespaces (for long-running processes). */
  launchArgv(argv: readonly string[]): string[];
  /** Run `argv` inside the host and collect its output, whatever its exit status. */
  exec(argv: readonly string[], options?: CollectOptions): Promise<CommandResult>;
  /** Run `virsh -q -c qemu:///system ARGS…` inside the host; throws with virsh's stderr when it fails. */
  virsh(args: readonly string[]): Promise<string>;
  /** Write a file of the host's (XML for virsh) into its work dir and return its path. */
  writeFile(name: string, text: string): Promise<string>;
  /** Stop libvirtd (by pid) and start it again: guests and networks keep running, as on a daemon restart. */
  restartLibvirtd(): Promise<void>;
  /** Start an OpenSSH sshd inside the host (stopped by destroy). Only one per host. */
  startSshd(options: LibvirtdSshdOptions): Promise<RunningSshd>;
  /** The host's sshd, once started. */
  readonly sshd: RunningSshd | null;
  /** Size of libvirtd's log now (to read what a step adds with {@link libvirtdLogSince}). */
  libvirtdLogSize(): Promise<number>;
  /** What libvirtd logged from byte `offset` on. */
  libvirtdLogSince(offset: number): Promise<string>;
  /**
   * Stop sshd and libvirtd, kill the guests' QEMUs and dnsmasq (pid files), then anything left in the
   * namespace, release the anchor, delete the namespace and the work dir. Safe to call twice.
   */
  destroy(): Promise<void>;
}

/** Build the host `spec` describes and start its libvirtd, networks and guests. On failure all is removed. */
export async function createLibvirtdHost(spec: LibvirtdHostSpec, options: LibvirtdHostOptions): Promise<LibvirtdHost> {
  checkPrefix(options.prefix);
  checkLibvirtdSpec(spec);
  const say = options.log ?? (() => undefined);
  const ip = resolveTool('ip');
  const nsenter = resolveTool('nsenter');
  const plan = planLabHost({ name: spec.name, groups: spec.groups, uplinkInterfaces: spec.uplinkInterfaces, links: spec.links, routes: spec.routes, nodeXml: '' }, options.prefix, {
    ip,
    sysctl: resolveTool('sysctl'),
  });
  const { netns } = plan;
  await ensureLibvirtQemuUser();
  await ensureMountPoints();

  const parent = options.parentDir ?? tmpdir();
  await mkdir(parent, { recursive: true });
  const workDir = await mkdtemp(join(parent, `${options.prefix}${spec.name}-`));
  const folders = Object.fromEntries(Object.keys(LIBVIRT_FOLDERS).map((key) => [key, join(workDir, key)])) as Record<keyof typeof LIBVIRT_FOLDERS, string>;
  const libvirtdLogPath = join(workDir, 'libvirtd.log');
  const domainType = guestDomainType();

  let anchor: ChildProcess | null = null;
  let libvirtd: ChildProcess | null = null;
  let sshd: RunningSshd | null = null;
  let netnsCreated = false;
  let destroyed = false;

  const launchArgv = (argv: readonly string[]): string[] => {
    // A dead anchor's pid could be reused by an unrelated process: never enter by a stale pid.
    if (!anchor || anchor.exitCode !== null || anchor.signalCode !== null || anchor.pid === undefined) {
      throw new Error(`${netns}: the mount namespace anchor is not running`);
    }
    return [nsenter, '--target', String(anchor.pid), '--mount', '--net', '--', ...argv];
  };
  const env = { ...process.env, LC_ALL: 'C' };
  const exec = (argv: readonly string[], execOptions: CollectOptions = {}) => runCollect(launchArgv(argv), { env, ...execOptions });
  const virsh = async (args: readonly string[]): Promise<string> => {
    const result = await exec(['virsh', '-q', '-c', LIBVIRT_URI, ...args], { timeoutMs: 60_000 });
    if (result.code !== 0) throw new Error(`${netns}: virsh ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
    return result.stdout;
  };
  const readLog = () => readFile(libvirtdLogPath, 'utf8').catch(() => '');

  const startLibvirtd = async (): Promise<ChildProcess> => {
    const pidFile = join(workDir, 'libvirtd.pid');
    const stderrPath = join(workDir, 'libvirtd.stderr');
    const out = await open(stderrPath, 'a');
    // In the foreground (no --daemon): the spawned pid is libvirtd's, held here and stopped by it.
    const [file, ...args] = launchArgv([LIBVIRTD_PATH, '--pid-file', pidFile]);
    let child: ChildProcess;
    try {
      child = spawn(file!, args, { stdio: ['ignore', out.fd, out.fd], env });
    } finally {
      await out.close();
    }
    const failedToStart = new Promise<Error>((resolve) => child.once('error', resolve));
    const ended = new Promise<'exited'>((resolve) => child.once('exit', () => resolve('exited')));
    const why = async () => `its stderr:\n${await readFile(stderrPath, 'utf8').catch(() => '')}\nits log:\n${(await readLog()).slice(-4000)}`;
    const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
    const answers = async (): Promise<'ready' | 'waiting'> => {
      const socket = await stat(join(folders.run, 'libvirt-sock')).catch(() => null);
      if (!socket) return 'waiting';
      const probe = await exec(['virsh', '-q', '-c', LIBVIRT_URI, 'uri'], { timeoutMs: 5_000 }).catch(() => null);
      return probe?.code === 0 ? 'ready' : 'waiting';
    };
    for (;;) {
      const outcome = await Promise.race([answers(), ended, failedToStart]);
      if (outcome === 'ready') break;
      if (outcome instanceof Error) throw new Error(`could not run libvirtd in ${netns}: ${outcome.message}`);
      if (outcome === 'exited') throw new Error(`libvirtd in ${netns} exited (code ${child.exitCode}); ${await why()}`);
      if (Date.now() > deadline) {
        await stopChild(child, 2_000);
        throw new Error(`libvirtd in ${netns} did not answer within ${options.readyTimeoutMs ?? 30_000} ms; ${await why()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    // stop() kills by this pid: it must be libvirtd's own (nsenter execs it).
    const fromFile = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    if (fromFile !== child.pid) {
      await stopChild(child, 2_000);
      throw new Error(`libvirtd in ${netns} runs as pid ${fromFile}, not as the launched pid ${child.pid}`);
    }
    return child;
  };

  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    const { attempt, finish } = teardown(`libvirtd lab host ${spec.name}`);
    if (sshd) await attempt(() => sshd!.stop());
    if (libvirtd) await attempt(() => stopChild(libvirtd!, 10_000));
    // Guests' QEMUs and dnsmasq outlive libvirtd by design; their pid files say who they are.
    const inside = new Set(await netnsPids(netns));
    const daemons = [...(await pidFiles(join(folders.run, 'qemu'))), ...(await pidFiles(join(folders.run, 'network')))].filter((p) => inside.has(p));
    for (const pid of daemons) signal(pid, 'SIGTERM');
    await waitGone(netns, daemons, 5_000);
    // Whatever else still runs in the namespace (dnsmasq helpers, a stray session) is ours: kill it.
    const rest = (await netnsPids(netns)).filter((p) => p !== anchor?.pid);
    for (const pid of rest) signal(pid, 'SIGKILL');
    await waitGone(netns, rest, 5_000);
    if (anchor) {
      const held = anchor;
      held.stdin?.end();
      if (!(await exited(held, 2_000)) && held.pid !== undefined) {
        signal(held.pid, 'SIGKILL');
        await exited(held, 2_000);
      }
    }
    if (netnsCreated) await attempt(() => run([ip, 'netns', 'del', netns]));
    await attempt(() => rm(workDir, { recursive: true, force: true }));
    finish();
  };

  try {
    for (const dir of Object.values(folders)) await mkdir(dir, { recursive: true, mode: 0o755 });
    await writeFile(join(folders.etc, 'libvirtd.conf'), libvirtdConf(libvirtdLogPath));
    await writeFile(join(folders.etc, 'qemu.conf'), qemuConf());
    await mkdir(join(workDir, 'xml'), { recursive: true });

    say(`${netns}: namespace and links`);
    for (const argv of plan.commands) {
      await run(argv);
      if (argv[1] === 'netns' && argv[2] === 'add') netnsCreated = true;
    }

    // The anchor: mounts the work dir's folders over libvirt's, says `ready`, then holds the mount
    // namespace until its standard input closes (so it cannot outlive this process by much).
    const binds: [string, string][] = Object.entries(LIBVIRT_FOLDERS).map(([key, target]) => [folders[key as keyof typeof LIBVIRT_FOLDERS], target]);
    if (realpathSync('/var/run') !== '/run') binds.push([folders.run, '/var/run/libvirt']);
    const mounts = binds.map(([source, target]) => `mount --bind '${source}' '${target}'`).join(' && ');
    const started = spawn(ip, ['netns', 'exec', netns, 'sh', '-c', `set -e; ${mounts}; echo ready; exec cat >/dev/null`], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    anchor = started;
    started.stdin.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      started.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      started.once('error', (error) => reject(new Error(`${netns}: mount namespace anchor: ${error.message}`)));
      started.once('close', (code) => reject(new Error(`${netns}: mount namespace anchor exited (${code}): ${stderr.trim()}`)));
      started.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('ready\n')) resolve();
      });
    });

    say(`${netns}: libvirtd`);
    libvirtd = await startLibvirtd();

    for (const network of spec.networks) {
      const file = await writeHostFile(workDir, `net-${network.name}.xml`, networkXml(spec, network));
      await virsh(['net-define', file]);
      if (network.autostart) await virsh(['net-autostart', network.name]);
      if (network.active ?? true) await virsh(['net-start', network.name]);
    }
    say(`${netns}: ${spec.networks.length} networks, starting ${spec.guests.length} guests (${domainType})`);
    for (const guest of spec.guests) await defineGuest(guest);
  } catch (error) {
    await destroy().catch(() => undefined);
    throw error;
  }

  async function defineGuest(guest: LvGuestSpec): Promise<void> {
    const file = await writeHostFile(workDir, `dom-${guest.name}.xml`, domainXml(spec, guest, domainType));
    const paused = guest.state === 'paused' ? ['--paused'] : [];
    if (guest.transient) {
      await virsh(['create', file, ...paused]);
      return;
    }
    await virsh(['define', file]);
    if (guest.autostart) await virsh(['autostart', guest.name]);
    if (guest.state !== 'shut off') await virsh(['start', guest.name, ...paused]);
  }

  return {
    name: spec.name,
    spec,
    netns,
    workDir,
    libvirtUri: LIBVIRT_URI,
    domainType,
    libvirtdLogPath,
    get libvirtdPid() {
      return libvirtd?.pid ?? 0;
    },
    anchorPid: anchor!.pid!,
    launchArgv,
    exec,
    virsh,
    writeFile: (name, text) => writeHostFile(workDir, name, text),
    async restartLibvirtd() {
      if (libvirtd) await stopChild(libvirtd, 10_000);
      // run/libvirt/*/autostarted survive in the run folder: the new daemon does not autostart networks
      // or guests again (as after `systemctl restart libvirtd`, not as after a reboot).
      libvirtd = await startLibvirtd();
    },
    async startSshd(sshdOptions) {
      if (sshd) throw new Error(`${netns} already runs an sshd`);
      sshd = await startSshd({
        netns,
        launch: launchArgv,
        address: sshdOptions.address,
        ...(sshdOptions.port ? { port: sshdOptions.port } : {}),
        workDir: join(workDir, 'sshd'),
        authorizedKeys: sshdOptions.authorizedKeys,
      });
      return sshd;
    },
    get sshd() {
      return sshd;
    },
    libvirtdLogSize: () => stat(libvirtdLogPath).then((s) => s.size, () => 0),
    async libvirtdLogSince(offset) {
      return (await readFile(libvirtdLogPath)).subarray(offset).toString('utf8');
    },
    destroy,
  };
}

async function writeHostFile(workDir: string, name: string, text: string): Promise<string> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/.test(name)) throw new Error(`host file name ${JSON.stringify(name)} is not plain`);
  const path = join(workDir, 'xml', name);
  await writeFile(path, text);
  return path;
}

/** The `error :` lines of a piece of libvirtd's log. */
export function libvirtdErrorLines(log: string): string[] {
  return log.split('\n').filter((line) => LIBVIRTD_ERROR_LINE.test(line));
}

/** Names of the network namespaces that start with `prefix`. */
async function namespacesWithPrefix(prefix: string): Promise<string[]> {
  const listing = await run([resolveTool('ip'), 'netns', 'list']);
  return listing
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(prefix));
}

/**
 * Remove what an interrupted run with this prefix left behind: every process in a `<prefix>*` namespace
 * (libvirtd, QEMUs, dnsmasq, sshd, the anchor; killed by pid), the namespaces, and the work dirs
 * `<parentDir>/<prefix>*`. Returns the namespaces it removed.
 */
export async function destroyLibvirtdHostsWithPrefix(prefix: string, parentDir = tmpdir()): Promise<string[]> {
  checkPrefix(prefix);
  const names = await namespacesWithPrefix(prefix);
  for (const netns of names) {
    const pids = await netnsPids(netns);
    for (const pid of pids) signal(pid, 'SIGKILL');
    await waitGone(netns, pids, 5_000);
    await runQuietly([resolveTool('ip'), 'netns', 'del', netns]);
  }
  for (const entry of await readdir(parentDir).catch(() => [] as string[])) {
    if (entry.startsWith(prefix)) await rm(join(parentDir, entry), { recursive: true, force: true });
  }
  return names;
}
