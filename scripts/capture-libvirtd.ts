/**
 * Capture demo hosts from a REAL libvirtd: build the standard lab host (test/lab/libvirtd.ts, KVM_LAB: a
 * real libvirtd with real networks and disk-less QEMU guests, in namespaces of its own), run the REAL probe
 * (src/probe/script.ts, `libvirtUri: qemu:///system`, a fixed nonce per host) inside it, and write the
 * RawCapture; then apply every breaker (test/lab/libvirtdBreakers.ts) and capture again. The hosts are
 * declared in scripts/libvirtd-demo-hosts.ts.
 *
 * Usage (root):  npx tsx scripts/capture-libvirtd.ts [--out DIR] [--only NAME]
 *
 * Writes `<DIR>/captures/<name>.json` (default DIR: fixtures/demo). fleet.json lists these hosts after the
 * test-driver ones (scripts/make-demo-captures.ts writes it from both declarations). Everything it creates is named `kna-lv-c-*`
 * (one namespace; the work dir in $TMPDIR) and is removed at the end, also on Ctrl-C.
 *
 * Reproducible on purpose: UUIDs and MACs come from names, guests start in a fixed order (so domain ids and
 * tap names repeat), the nonce comes from the host name. What differs between runs is what really varies:
 * bridge timers in `ip -d link`, CPU time of running guests.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { classifyHost } from '../src/classify/index.js';
import type { RawCapture } from '../src/model.js';
import { parseCapture } from '../src/parse/index.js';
import { toCapture } from '../src/probe/framing.js';
import { buildProbeScript } from '../src/probe/script.js';
import { commandOfSection } from '../src/probe/sections.js';
import { checkPrerequisites } from '../test/helpers/prerequisites.js';
import { createLibvirtdHost, destroyLibvirtdHostsWithPrefix, LIBVIRT_URI, libvirtdErrorLines, type LibvirtdHost } from '../test/lab/libvirtd.js';
import {
  deleteTap,
  detachTap,
  driftGuestConfig,
  driftNetworkDefinition,
  macvtapOnlyGuest,
  natForwardDevDown,
  restartNetwork,
  setTapDown,
  type BreakerOutcome,
} from '../test/lab/libvirtdBreakers.js';
import { KVM_LAB } from '../test/lab/libvirtdSpec.js';
import { LIBVIRTD_REQUIREMENTS } from '../test/system/libvirtdLab.js';
import { LIBVIRTD_DEMO_HOSTS, type LibvirtdDemoHost } from './libvirtd-demo-hosts.js';

const PREFIX = 'kna-lv-c-';
const REPO = fileURLToPath(new URL('..', import.meta.url));

/** A non-login session's environment: no sbin in PATH (the probe adds it), a HOME of the run's own. */
function auditEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', LOGNAME: 'root', USER: 'root' };
}

/** The same fixed nonce per host name as scripts/make-demo-captures.ts. */
function nonceFor(name: string): string {
  return createHash('sha256').update(`kvm-netaudit demo nonce/${name}`).digest('hex').slice(0, 32);
}

/** Every breaker, in the order the system test applies them (all but the libvirtd restart, which heals taps). */
const BREAKERS: ((host: LibvirtdHost) => Promise<BreakerOutcome>)[] = [
  (h) => restartNetwork(h, 'default'),
  (h) => detachTap(h),
  (h) => setTapDown(h),
  (h) => deleteTap(h),
  (h) => driftGuestConfig(h),
  (h) => driftNetworkDefinition(h),
  (h) => natForwardDevDown(h),
  (h) => macvtapOnlyGuest(h),
];

/** Run the real probe inside the host (as root, like an audit with `sudo: false` as root) and frame its output. */
async function probe(host: LibvirtdHost, demo: LibvirtdDemoHost, home: string): Promise<RawCapture> {
  const nonce = nonceFor(demo.name);
  const logFrom = await host.libvirtdLogSize();
  const script = buildProbeScript({ libvirtUri: LIBVIRT_URI, sudo: false, nonce });
  const result = await host.exec(['sh', '-s'], { stdin: script, env: auditEnv(home), timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`${demo.name}: probe exited ${result.code}: ${result.stderr}`);
  if (result.stderr.trim()) console.warn(`${demo.name}: probe stderr: ${result.stderr.trim()}`);
  const capture = toCapture(result.stdout, nonce, false, (id) => commandOfSection(id, { libvirtUri: LIBVIRT_URI, sudo: false }));
  for (const section of capture.sections) {
    if (section.exit !== 0) console.warn(`${demo.name}: section ${section.id} exited ${section.exit}: ${section.stderr.trim()}`);
  }
  if (JSON.stringify(capture).includes(host.workDir)) console.warn(`${demo.name}: the capture mentions the lab's work dir ${host.workDir} (real output, kept)`);
  const errors = libvirtdErrorLines(await host.libvirtdLogSince(logFrom));
  if (errors.length > 0) console.warn(`${demo.name}: libvirtd logged errors during the probe:\n  ${errors.join('\n  ')}`);
  return capture;
}

/** Classify a capture as the CLI would and say whether it shows what the demo host claims. */
function check(demo: LibvirtdDemoHost, capture: RawCapture): void {
  const audit = classifyHost(parseCapture(capture), { uplinkInterfaces: demo.uplinkInterfaces });
  const kinds = [...new Set(audit.warnings.map((w) => w.kind))].sort();
  const modesOk = JSON.stringify(audit.modes) === JSON.stringify([...demo.shows].sort());
  const missing = demo.warns.filter((k) => !kinds.includes(k));
  console.log(`${demo.name}: modes ${audit.modes.join(', ')}${modesOk ? '' : ` (claimed ${demo.shows.join(', ')}!)`}; warnings ${kinds.join(', ') || 'none'}`);
  if (missing.length > 0) console.error(`${demo.name}: claimed warnings not raised: ${missing.join(', ')}`);
  if (!modesOk || missing.length > 0) process.exitCode = 1;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, only: { type: 'string', multiple: true } } });
  if (process.getuid?.() !== 0) throw new Error('capture-libvirtd needs root (namespaces, mounts, libvirtd)');
  const requirements = checkPrerequisites(LIBVIRTD_REQUIREMENTS.filter((r) => r.kind !== 'tool' || !r.name.includes('ssh')));
  if (!requirements.ok) throw new Error(`cannot build the lab: ${requirements.unmet.map((u) => u.detail).join('; ')}`);
  const outDir = values.out ?? join(REPO, 'fixtures', 'demo');
  const only = new Set(values.only ?? []);
  const wanted = LIBVIRTD_DEMO_HOSTS.filter((d) => only.size === 0 || only.has(d.name));
  if (wanted.length === 0) throw new Error(`no libvirtd demo host named ${[...only].join(', ')}`);

  const leftovers = await destroyLibvirtdHostsWithPrefix(PREFIX);
  if (leftovers.length > 0) console.warn(`removed leftovers: ${leftovers.join(', ')}`);
  const workDir = await mkdtemp(join(tmpdir(), `${PREFIX}captures-`));
  let host: LibvirtdHost | null = null;
  const stop = () => {
    void (host?.destroy() ?? Promise.resolve())
      .then(() => destroyLibvirtdHostsWithPrefix(PREFIX))
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await mkdir(join(outDir, 'captures'), { recursive: true });
    const started = Date.now();
    host = await createLibvirtdHost(KVM_LAB, { prefix: PREFIX, parentDir: workDir, log: (line) => console.log(line) });
    console.log(`${host.netns}: up in ${Date.now() - started} ms (guests: ${host.domainType})`);
    let broken = false;
    // Healthy hosts first: the breakers cannot be undone.
    for (const demo of [...wanted].sort((a, b) => Number(a.broken) - Number(b.broken))) {
      if (demo.broken && !broken) {
        for (const breaker of BREAKERS) console.log(`  ${(await breaker(host)).did}`);
        broken = true;
      }
      const capture = await probe(host, demo, workDir);
      await writeFile(join(outDir, demo.capture), `${JSON.stringify(capture, null, 2)}\n`);
      console.log(`${demo.name}: ${capture.sections.length} sections, ${capture.bytes} bytes → ${join(outDir, demo.capture)}`);
      check(demo, capture);
    }
  } finally {
    await host?.destroy();
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
