/**
 * `npm run bench:fleet`: kvm-netaudit against the ways people audit libvirt networking today, on real
 * OpenSSH servers. It builds N lab hypervisors the way the system tier does (test/lab/): each a network
 * namespace with its own sshd and `virsh` on libvirt's test driver (no daemon), 3 libvirt networks and 20
 * guests (bench/fleet/hostSpec.ts), on a management bridge in the root namespace. Then, interleaved (the
 * order rotates every round), it runs each method once per round over every host:
 *
 *   kvm-netaudit   the built CLI: `node bin/kvm-netaudit.js audit -i INVENTORY --no-tui -o DIR`, strict host keys
 *                  (dist/ is rebuilt first when src/ is newer: test/helpers/cli.ts ensureBuilt)
 *   kvm-netaudit-openssh   the same with `--transport openssh`: one OpenSSH client process per host
 *   bare ssh2      the floor: plain node + ssh2 sending kvm-netaudit's own probe over one exec channel per host
 *                  (bench/fleet/bareClient.js; no host-key check, no parsing, no report)
 *   xargs-ssh      `xargs -P` + OpenSSH running the manual loop per host (bench/baselines/manual-method.sh)
 *   pssh, clush, ansible-raw   parallel-ssh, ClusterShell and `ansible -m raw` sending that same loop; each
 *                  only when installed ("not installed" otherwise)
 *
 * Usage (root: namespaces, links, mounts):
 *   npm run bench:fleet -- [--hosts 50] [--guests 20] [--rounds 3] [--concurrency HOSTS] [--timeout 300]
 *                          [--build-parallelism 8] [--methods kvm-netaudit,bare-ssh2,…]
 *   npm run bench:fleet -- --big-guests 3000 [--rounds 3]
 *       ONE host with that many guests, audited by kvm-netaudit (and the bare loop, for where the time goes);
 *       the goal is ≤ 5 s for 3,000 guests. (The manual loop would start one virsh per guest, each
 *       re-reading the whole node file: add it with --methods if you have the time.)
 *
 * Columns (each the median of the rounds, taken per column; "hosts ok" is the worst round):
 *   hosts ok          hosts whose audit brought back everything: for kvm-netaudit, status ok in report.json
 *                     with every VM and network; for the others, every guest's and network's XML (and `ip a`,
 *                     `brctl show` for the manual loop) in that host's output
 *   wall s            from starting the method's process to its exit
 *   client CPU s      user + system CPU of the method's whole client process tree (node, xargs, sh, ssh,
 *                     python workers…): the bench's own cutime + cstime (/proc/self/stat) across the run,
 *                     which the kernel credits when a child is reaped, with all it waited for
 *   host CPU s        the hypervisor side, summed over the hosts: each host's listening sshd is the bench's
 *                     child, and every connection's sshd, its shell, virsh, ip and brctl are reaped up to it,
 *                     so its utime + stime + cutime + cstime (/proc/<pid>/stat 14–17) grow by exactly that work;
 *                     the bench waits until every listener has reaped its sessions before reading
 *   host CPU/host ms  the same, divided by the hosts
 *   virsh/host        virsh processes started per host (the lab's virsh call log, test/lab/virshState.ts)
 *   other CPU s       the machine's busy CPU over the run (/proc/stat) less the client, the hosts and the bench
 *                     itself: the kernel's work for the lab's traffic, and anything else running here; a large
 *                     value means the run was disturbed (the machine is shared, or the kernel worked hard)
 * Then the ratios: kvm-netaudit's wall against each baseline (target ≥ 10× faster than xargs + OpenSSH) and
 * kvm-netaudit / the bare loop (target ≤ 1.25× wall), with client and host CPU.
 *
 * Names: namespaces and links `kna-b-*`, management subnet 198.18.50.0/24 (no test uses it), files under
 * $TMPDIR/kna-b-*. It refuses to start while another fleet bench runs or another link holds that subnet,
 * clears what an interrupted run left (by prefix), and tears everything down at the end, on failure and on
 * Ctrl-C (a second one is ignored while the teardown, itself bounded, runs). Only 198.18.50.0/24 and
 * loopback carry traffic.
 *
 * Caveats:
 * - Clients and hypervisors share this machine's CPUs: with few cores, wall time follows the total CPU
 *   (client + hosts), so a method that makes the hosts work more is slowed twice; on a real fleet each
 *   hypervisor has CPUs of its own. Read "host CPU" beside "wall".
 * - OpenSSH's client (xargs, pssh, clush, ansible) negotiates its default key exchange, sntrup761x25519-sha512
 *   on OpenSSH 9, which costs it ~50 ms CPU per connection here; ssh2 (kvm-netaudit, the bare loop) uses
 *   curve25519-sha256. That is what each really costs, so it is left as is.
 * - Root's home on the lab hosts is an empty folder (bench/fleet/lab.ts, HOST_MOUNTS): sshd runs every command
 *   through bash, which reads ~/.bashrc under sshd, and this machine's own root .bashrc would add its cost
 *   (~100 ms CPU with pyenv) to every connection of every method.
 * - libvirt's test driver parses the whole node file in every virsh process, and every virsh call goes
 *   through the lab's small sh wrapper (one exec, no extra process); a real libvirtd costs differently per
 *   call, but the number of virsh processes and connections is the same.
 * - Wall and CPU are whole processes, start-up included: the CLI loads its report and UI modules; the bare
 *   loop is plain node with ssh2 only. Clock-tick resolution: 10 ms per process.
 * - Ansible runs with its default compression but without ControlPersist (a master that outlives the run
 *   would escape its CPU count and the cleanup); pssh, clush and ansible use `-F none` like the manual loop.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { ensureBuilt } from '../test/helpers/cli.js';
import { missingPrerequisites } from '../test/system/systemLab.js';
import { claimBenchNames } from './fleet/guard.js';
import { benchHostSpec, BENCH_NETWORK_COUNT } from './fleet/hostSpec.js';
import { benchLab, type BenchHostPlan, type BenchLab } from './fleet/lab.js';
import { killRunningChild, readCounters, runMeasured, settle } from './fleet/measure.js';
import { MANUAL_METHOD_SCRIPT, METHODS, type Method, type MethodContext } from './fleet/methods.js';
import { renderRatios, renderTable, summarize, type Sample } from './fleet/table.js';

const PREFIX = 'kna-b-';
const SUBNET = '198.18.50';
/** Host numbers 10–254 of the /24: the fabric's gateway is .1. */
const FIRST_HOST_NUMBER = 10;
const MAX_HOSTS = 254 - FIRST_HOST_NUMBER;

const execFileAsync = promisify(execFile);

function positiveInt(name: string, text: string | undefined, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`--${name} must be an integer from 1 to ${max}`);
  return value;
}

function options() {
  const { values } = parseArgs({
    options: {
      hosts: { type: 'string', default: '50' },
      guests: { type: 'string', default: '20' },
      rounds: { type: 'string', default: '3' },
      concurrency: { type: 'string' },
      timeout: { type: 'string', default: '300' },
      'build-parallelism': { type: 'string', default: '8' },
      'big-guests': { type: 'string' },
      methods: { type: 'string' },
    },
  });
  const big = values['big-guests'] === undefined ? null : positiveInt('big-guests', values['big-guests'], 20_000);
  const hosts = big === null ? positiveInt('hosts', values.hosts, MAX_HOSTS) : 1;
  const wanted = values.methods?.split(',').map((m) => m.trim()).filter(Boolean) ?? (big === null ? null : ['kvm-netaudit', 'bare-ssh2']);
  const unknown = wanted?.filter((id) => !METHODS.some((m) => m.id === id)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown method ${unknown.join(', ')}; known: ${METHODS.map((m) => m.id).join(', ')}`);
  return {
    big,
    hosts,
    guests: big ?? positiveInt('guests', values.guests, 20_000),
    rounds: positiveInt('rounds', values.rounds, 99),
    concurrency: values.concurrency === undefined ? hosts : positiveInt('concurrency', values.concurrency, 10_000),
    timeoutSeconds: positiveInt('timeout', values.timeout, 3_600),
    buildParallelism: positiveInt('build-parallelism', values['build-parallelism'], 64),
    methods: wanted === null ? METHODS : METHODS.filter((m) => wanted.includes(m.id)),
  };
}

type Options = ReturnType<typeof options>;

/** Set by a stop signal: errors of the run being torn down under it are expected and not printed. */
let stopRequested = false;

/** Ctrl-C, SIGTERM and SIGHUP: end the run in progress, tear the lab down (once), exit 130. */
function onStopSignals(cleanup: () => Promise<void>): { stopping: () => boolean; off: () => void } {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`${signal}: still tearing the lab down, please wait`);
      return;
    }
    stopping = stopRequested = true;
    console.error(`${signal}: stopping; tearing the lab down…`);
    killRunningChild();
    void cleanup()
      .catch((error: unknown) => console.error(error instanceof Error ? error.message : error))
      .finally(() => process.exit(130));
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, handler);
  return { stopping: () => stopping, off: () => signals.forEach((s) => process.off(s, handler)) };
}

/** One method, one round: prepare, measure, check. */
async function runOnce(method: Method, ctx: Omit<MethodContext, 'runDir'>, runDir: string, lab: NonNullable<BenchLab['ready']>, opts: Options): Promise<Sample> {
  await mkdir(runDir, { recursive: true });
  const prepared = await method.prepare({ ...ctx, runDir });
  const sshdPids = lab.hosts.map((h) => h.sshd.pid);
  const logs = lab.hosts.map((h) => h.virshCallLog);
  await settle(sshdPids);
  const before = await readCounters(sshdPids, logs);
  const waves = Math.ceil(opts.hosts / opts.concurrency);
  const outcome = await runMeasured(prepared.argv, {
    timeoutMs: (opts.timeoutSeconds * waves + 120) * 1000,
    ...(prepared.env ? { env: prepared.env } : {}),
    ...(prepared.cwd ? { cwd: prepared.cwd } : {}),
  });
  const settled = await settle(sshdPids);
  const after = await readCounters(sshdPids, logs);
  const ok = await prepared.succeeded(outcome);
  if (!settled) console.error(`  (${method.id}: some host sessions were still open 10 s after the run; host CPU may be low)`);
  if (outcome.timedOut) console.error(`  (${method.id}: stopped after its time bound)`);
  if (ok.length < lab.hosts.length) {
    const failed = lab.hosts.filter((h) => !ok.includes(h.name)).map((h) => h.name);
    console.error(`  (${method.id}: exit ${outcome.code ?? outcome.signal}; incomplete: ${failed.slice(0, 5).join(', ')}${failed.length > 5 ? '…' : ''})`);
    const tail = outcome.stderr.trim().split('\n').slice(-5).join('\n    ');
    if (tail) console.error(`    ${tail}`);
  }
  const clientMs = after.clientMs - before.clientMs;
  const hostMs = after.hostMs.reduce((sum, ms, i) => sum + ms - before.hostMs[i]!, 0);
  const benchMs = after.benchMs - before.benchMs;
  return {
    method: method.id,
    wallMs: outcome.wallMs,
    clientMs,
    hostMs,
    otherMs: Math.max(0, after.machineMs - before.machineMs - clientMs - hostMs - benchMs),
    virshCalls: after.virshCalls - before.virshCalls,
    ok: ok.length,
  };
}

async function main(): Promise<void> {
  const opts = options();
  const missing = missingPrerequisites();
  if (missing.length > 0) throw new Error(`cannot build the bench hosts here: ${missing.join('; ')}`);
  const buildCheck = performance.now();
  await ensureBuilt(); // rebuilds dist/ when src/ is newer: the CLI measured is the current source
  console.log(`dist/ checked (rebuilt if src/ was newer) in ${((performance.now() - buildCheck) / 1000).toFixed(1)} s`);
  await claimBenchNames(PREFIX, SUBNET);

  const plans: BenchHostPlan[] =
    opts.big === null
      ? Array.from({ length: opts.hosts }, (_, i) => ({
          spec: benchHostSpec(`hv-${String(i + 1).padStart(3, '0')}`, opts.guests),
          hostNumber: FIRST_HOST_NUMBER + i,
        }))
      : [{ spec: benchHostSpec('hv-big', opts.big), hostNumber: FIRST_HOST_NUMBER }];
  const step = Math.max(1, Math.ceil(plans.length / 5));
  const lab = benchLab({
    prefix: PREFIX,
    subnet: SUBNET,
    parallelism: opts.buildParallelism,
    onHostUp: (up) => {
      if (up % step === 0 || up === plans.length) console.log(`  ${up}/${plans.length} hosts up`);
    },
  });
  let cleaned: Promise<void> | null = null;
  const cleanup = () => (cleaned ??= lab.destroy());
  const signals = onStopSignals(cleanup);
  try {
    console.log(`building ${plans.length} host(s): ${BENCH_NETWORK_COUNT} networks and ${opts.guests} guests each, ${opts.buildParallelism} at a time…`);
    const buildStarted = performance.now();
    await lab.build(plans);
    const buildSeconds = (performance.now() - buildStarted) / 1000;
    console.log(`built in ${buildSeconds.toFixed(1)} s`);
    const ready = lab.ready!;

    const remoteLoop = (await execFileAsync(MANUAL_METHOD_SCRIPT, ['-p', '-c', ready.libvirtUri])).stdout.trim();
    const ctx: Omit<MethodContext, 'runDir'> = {
      hosts: ready.hosts.map((h) => ({ name: h.name, address: h.address })),
      libvirtUri: ready.libvirtUri,
      keyPath: ready.clientKey.privateKeyPath,
      knownHostsPath: ready.knownHostsPath,
      inventoryPath: ready.inventoryPath,
      concurrency: opts.concurrency,
      remoteLoop,
      expected: { guests: opts.guests, networks: BENCH_NETWORK_COUNT },
      timeoutSeconds: opts.timeoutSeconds,
    };
    const runnable = opts.methods.filter((m) => m.missing() === null);
    const skipped = opts.methods.filter((m) => m.missing() !== null).map((m) => ({ label: m.label, why: m.missing()! }));
    console.log(
      `${opts.rounds} round(s), concurrency ${opts.concurrency}, methods: ${runnable.map((m) => m.id).join(', ')}` +
        (skipped.length > 0 ? ` (not run: ${opts.methods.filter((m) => m.missing() !== null).map((m) => m.id).join(', ')})` : ''),
    );

    // Other work on the machine skews a round: the load before, and each run's "other CPU", tell.
    const loadBefore = loadavg()[0]!;
    const samples: Sample[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      // Rotate the order, so no method always runs first (cold caches) or right after the heaviest one.
      const order = runnable.map((_, i) => runnable[(i + round) % runnable.length]!);
      for (const method of order) {
        if (signals.stopping()) return;
        const sample = await runOnce(method, ctx, join(ready.workDir, 'runs', `${round + 1}-${method.id}`), ready, opts);
        samples.push(sample);
        console.log(
          `  round ${round + 1}/${opts.rounds} ${method.id.padEnd(12)} wall ${(sample.wallMs / 1000).toFixed(2)} s, client CPU ${(sample.clientMs / 1000).toFixed(2)} s, ` +
            `host CPU ${(sample.hostMs / 1000).toFixed(2)} s, other CPU ${(sample.otherMs / 1000).toFixed(2)} s, virsh ${sample.virshCalls}, ok ${sample.ok}/${plans.length}`,
        );
      }
    }

    const summaries = runnable.map((m) => summarize(m.id, m.label, samples, plans.length));
    const title =
      opts.big === null
        ? `${plans.length} hosts × (${BENCH_NETWORK_COUNT} networks, ${opts.guests} guests), concurrency ${opts.concurrency}, median of ${opts.rounds} round(s); hosts built in ${buildSeconds.toFixed(1)} s`
        : `one host with ${opts.big} guests and ${BENCH_NETWORK_COUNT} networks, median of ${opts.rounds} round(s); built in ${buildSeconds.toFixed(1)} s`;
    const load = `${availableParallelism()} CPUs; 1-min load average before the runs ${loadBefore.toFixed(1)}`;
    console.log(`\n${title}\n${load}\n${renderTable(summaries, skipped, plans.length)}\n`);
    const ratios = renderRatios(summaries, { targets: opts.big === null });
    if (ratios) console.log(ratios);
    const tool = summaries.find((s) => s.method === 'kvm-netaudit');
    if (opts.big !== null && tool) {
      const goal = opts.big === 3000 ? ` (goal for 3,000 guests: ≤ 5 s, ${tool.wallMs <= 5000 ? 'met' : 'NOT met'})` : '';
      console.log(`kvm-netaudit audit of ${opts.big} guests: ${(tool.wallMs / 1000).toFixed(2)} s${goal}, ${tool.virshPerHost} virsh processes`);
    }
  } finally {
    if (!signals.stopping()) {
      const teardownStarted = performance.now();
      await cleanup();
      signals.off();
      console.log(`lab torn down in ${((performance.now() - teardownStarted) / 1000).toFixed(1)} s`);
    }
  }
}

main().catch((error: unknown) => {
  if (stopRequested) return;
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
