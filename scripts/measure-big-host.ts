/**
 * How much the one-round-trip probe saves on a big hypervisor: builds sys-big (40 networks, 300 VMs;
 * test/system/hypervisors/big.ts) in a network namespace with its own OpenSSH sshd, then measures
 *   (a) auditing it with the built CLI (`kvm-netaudit audit … --json -`), and
 *   (b) the manual method over ONE SSH connection: a shell loop running `virsh net-info` and
 *       `virsh net-dumpxml` per network and `virsh dominfo` and `virsh dumpxml` per VM, one virsh
 *       process per call (by UUID, as names may hold anything),
 * each the median of N runs, and prints both wall times, their ratio, and how many virsh processes each
 * started (counted by the lab's virsh call log, see test/lab/virshState.ts).
 *
 * Usage (root: network namespaces):  npx tsx scripts/measure-big-host.ts [--runs 3]
 *
 * It uses namespace/link prefix `kna-h-m-` and the management subnet 198.18.1.0/24, the same subnet as
 * test/system/hypervisors.test.ts: it refuses to start while that test's fabric exists. Everything it
 * creates is removed at the end, also on failure or Ctrl-C.
 *
 * Caveat: libvirt's test driver re-reads the whole node file (300 domains) in every virsh process, and
 * every virsh call goes through the lab's small sh wrapper; a real libvirtd connection costs differently,
 * but the count of processes and connections is the same.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FleetReport } from '../src/model.js';
import { ensureBuilt, runCli } from '../test/helpers/cli.js';
import { runCollect } from '../test/lab/run.js';
import { BIG_NETWORK_COUNT, BIG_VM_COUNT, bigHost } from '../test/system/hypervisors/big.js';
import { missingPrerequisites, startSystemLab, type SystemLab, type SystemLabHost } from '../test/system/systemLab.js';

const PREFIX = 'kna-h-m-';
const SUBNET = '198.18.1';
/** The system test's fabric bridge on the same subnet (see the module comment). */
const SYSTEM_TEST_FABRIC = '/sys/class/net/kna-h-t-fab';

type Member = typeof bigHost;

/** One measured run. */
interface Sample {
  wallMs: number;
  virshProcesses: number;
}

/** The manual method as a shell loop, one virsh process per call. UUIDs only reach the command lines. */
function naiveScript(uri: string): string {
  return `set -f
LC_ALL=C; export LC_ALL
URI='${uri}'
for u in $(virsh -q -r -c "$URI" net-list --all --uuid); do
  virsh -q -r -c "$URI" net-info "$u"
  virsh -q -r -c "$URI" net-dumpxml "$u"
done
for u in $(virsh -q -r -c "$URI" list --all --uuid); do
  virsh -q -r -c "$URI" dominfo "$u"
  virsh -q -r -c "$URI" dumpxml "$u"
done
`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function lineCount(path: string): Promise<number> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).length;
}

/** Time `action`, and count the virsh processes it started on the host. */
async function measure(member: SystemLabHost<Member>, action: () => Promise<void>): Promise<Sample> {
  const log = member.virshCallLog;
  if (!log) throw new Error('sys-big was built without its virsh call log');
  const before = await lineCount(log);
  const started = performance.now();
  await action();
  const wallMs = performance.now() - started;
  return { wallMs, virshProcesses: (await lineCount(log)) - before };
}

/** (a) The CLI audits the host; checks the report really holds every VM and network. */
async function auditWithCli(lab: SystemLab<Member>, run: number): Promise<{ hostMs: number }> {
  const result = await runCli(
    ['audit', '-i', lab.inventoryPath, '--no-tui', '--json', '-', '--known-hosts', lab.knownHostsPath, '--out', join(lab.workDir, `reports-${run}`)],
    600_000,
  );
  if (result.code !== 0) throw new Error(`the CLI exited ${result.code}: ${result.stderr.slice(0, 2000)}`);
  const host = (JSON.parse(result.stdout) as FleetReport).hosts[0];
  if (host?.vms.length !== BIG_VM_COUNT || host.networks.length !== BIG_NETWORK_COUNT) {
    throw new Error(`the CLI's report holds ${host?.vms.length} VMs and ${host?.networks.length} networks`);
  }
  return { hostMs: host.durationMs };
}

/** (b) The manual method over one OpenSSH connection; checks it fetched every object. */
async function auditByHand(lab: SystemLab<Member>, member: SystemLabHost<Member>): Promise<void> {
  const result = await runCollect(
    [
      'ssh', '-F', 'none',
      '-i', lab.clientKey.privateKeyPath,
      '-o', 'BatchMode=yes',
      '-o', 'IdentitiesOnly=yes',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', `UserKnownHostsFile=${lab.knownHostsPath}`,
      `root@${member.address}`,
      'sh -s',
    ],
    { stdin: naiveScript(member.host.libvirtUri), timeoutMs: 600_000 },
  );
  if (result.code !== 0) throw new Error(`the manual loop exited ${result.code}: ${result.stderr.slice(0, 2000)}`);
  const domains = result.stdout.match(/^<domain /gm)?.length ?? 0;
  const networks = result.stdout.match(/^<network[ >]/gm)?.length ?? 0;
  if (domains !== BIG_VM_COUNT || networks !== BIG_NETWORK_COUNT) {
    throw new Error(`the manual loop fetched ${domains} domain and ${networks} network XML documents`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  const missing = missingPrerequisites();
  if (missing.length > 0) throw new Error(`cannot build the lab here: ${missing.join('; ')}`);
  if (existsSync(SYSTEM_TEST_FABRIC)) {
    throw new Error(`test/system/hypervisors.test.ts is running (its fabric uses ${SUBNET}.0/24 too): try again after it`);
  }
  await ensureBuilt();

  console.log(`building ${bigHost.spec.name}: ${BIG_NETWORK_COUNT} networks, ${BIG_VM_COUNT} VMs, ${bigHost.nics.length} NICs…`);
  const lab = await startSystemLab([bigHost], PREFIX, { subnet: SUBNET });
  const stop = () => void lab.destroy().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const member = lab.hosts[0]!;
    const cli: Sample[] = [];
    const hostMs: number[] = [];
    const byHand: Sample[] = [];
    // Interleaved, so a slow spell of the machine costs both approaches alike.
    for (let run = 1; run <= runs; run++) {
      cli.push(
        await measure(member, async () => {
          hostMs.push((await auditWithCli(lab, run)).hostMs);
        }),
      );
      byHand.push(await measure(member, () => auditByHand(lab, member)));
      console.log(`run ${run}/${runs}: CLI ${cli.at(-1)!.wallMs.toFixed(0)} ms, by hand ${byHand.at(-1)!.wallMs.toFixed(0)} ms`);
    }
    const cliMs = median(cli.map((s) => s.wallMs));
    const handMs = median(byHand.map((s) => s.wallMs));
    const processes = (samples: Sample[]) => [...new Set(samples.map((s) => s.virshProcesses))].join('/');
    console.log(`
${bigHost.spec.name}: ${BIG_NETWORK_COUNT} networks, ${BIG_VM_COUNT} VMs (${bigHost.nics.length} NICs), median of ${runs} runs
  kvm-netaudit audit (whole CLI run)     ${cliMs.toFixed(0).padStart(7)} ms   virsh processes: ${processes(cli)}
    of which the host (connect + probe)  ${median(hostMs).toFixed(0).padStart(7)} ms
  manual loop over one SSH connection    ${handMs.toFixed(0).padStart(7)} ms   virsh processes: ${processes(byHand)}
  ratio manual / CLI                     ${(handMs / cliMs).toFixed(1).padStart(7)} ×`);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await lab.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
