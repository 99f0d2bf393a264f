/**
 * Regenerate fixtures/demo/: the embedded demo fleet's captures, made by running the REAL probe
 * (src/probe/script.ts) on lab hypervisors built from scripts/demo-fleet/ — network namespaces with
 * real bridges, veths, taps, macvtaps and vxlan ports, and libvirt's test driver as libvirtd.
 *
 * Usage (root: network namespaces):  npx tsx scripts/make-demo-captures.ts [--only NAME] [--out DIR]
 *
 * Writes, for every host, `captures/<name>.json` (a RawCapture) and `nodes/<name>.xml` (the node file the
 * test driver read), plus `fleet.json`. Everything it creates on the machine is named `kna-d-*` (one
 * namespace per host, links only inside it) or lives in a temporary folder, and is removed at the end.
 *
 * Reproducible on purpose: the nonce is derived from the host name, UUIDs and MACs from names, links are
 * created in a fixed order. What still differs between two runs is what really varies: the test driver's
 * "CPU time" of running domains and the bridges' timers in `ip -d link`.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { RawCapture } from '../src/model.js';
import { toCapture } from '../src/probe/framing.js';
import { buildProbeScript } from '../src/probe/script.js';
import { commandOfSection } from '../src/probe/sections.js';
import { demoFleetEntries } from './demo-fleet/entries.js';
import { createLabHost, destroyLabHostsWithPrefix, type LabHostSpec } from '../test/lab/host.js';
import { linkNames } from '../test/lab/plan.js';
import { demoFleet } from './demo-fleet/index.js';

const PREFIX = 'kna-d-';
const REPO = fileURLToPath(new URL('..', import.meta.url));

/**
 * The environment of a non-root audit account's SSH session: no sbin in PATH, so the probe's own PATH
 * fix-up is exercised, and a HOME of the run's own.
 */
function auditEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', LOGNAME: 'audit', USER: 'audit' };
}

/** A fixed nonce per host, so a regenerated capture diffs cleanly against the committed one. */
function nonceFor(name: string): string {
  return createHash('sha256').update(`kvm-netaudit demo nonce/${name}`).digest('hex').slice(0, 32);
}

/** Interface targets named in a node file that the lab host does not create (a spec mistake). */
function missingTargets(spec: LabHostSpec): string[] {
  const links = new Set(linkNames(spec));
  const targets = [...spec.nodeXml.matchAll(/<target dev='([^']+)'/g)].map((m) => m[1]!);
  return targets.filter((t) => !links.has(t));
}

/** Probe one lab host and return its capture; the host is always destroyed. */
async function captureHost(spec: LabHostSpec, workDir: string, nodesDirName: string): Promise<RawCapture> {
  const host = await createLabHost(spec, { prefix: PREFIX, workDir });
  try {
    const nonce = nonceFor(spec.name);
    const script = buildProbeScript({ libvirtUri: host.libvirtUri, sudo: false, nonce });
    const home = join(workDir, 'home');
    await mkdir(home, { recursive: true });
    const result = await host.exec(['sh', '-s'], { stdin: script, env: auditEnv(home), timeoutMs: 120_000 });
    if (result.code !== 0) throw new Error(`${spec.name}: probe exited ${result.code}: ${result.stderr}`);
    if (result.stderr.trim()) console.warn(`${spec.name}: probe stderr: ${result.stderr.trim()}`);
    // Commands name the node file by its place in the repository, not by this run's temporary copy.
    const shownUri = `test:///${nodesDirName}/${spec.name}.xml`;
    const capture = toCapture(result.stdout, nonce, false, (id) => commandOfSection(id, { libvirtUri: shownUri, sudo: false }));
    for (const section of capture.sections) {
      if (section.exit !== 0) console.warn(`${spec.name}: section ${section.id} exited ${section.exit}: ${section.stderr.trim()}`);
    }
    if (JSON.stringify(capture).includes(workDir)) {
      console.warn(`${spec.name}: the capture mentions the lab's work folder ${workDir} (real output, kept)`);
    }
    return capture;
  } finally {
    await host.destroy();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { only: { type: 'string', multiple: true }, out: { type: 'string' } },
  });
  if (process.getuid?.() !== 0) throw new Error('make-demo-captures needs root (network namespaces)');
  const outDir = values.out ?? join(REPO, 'fixtures', 'demo');
  const only = new Set(values.only ?? []);
  const specs = demoFleet.filter((s) => only.size === 0 || only.has(s.name));
  if (specs.length === 0) throw new Error(`no demo host named ${[...only].join(', ')}`);

  for (const spec of demoFleet) {
    const missing = missingTargets(spec);
    if (missing.length > 0) throw new Error(`${spec.name}: interface targets without a lab link: ${missing.join(', ')}`);
  }
  const leftovers = await destroyLabHostsWithPrefix(PREFIX);
  if (leftovers.length > 0) console.warn(`removed leftovers: ${leftovers.join(', ')}`);

  const workDir = await mkdtemp(join(tmpdir(), `${PREFIX}captures-`));
  const stop = () => void destroyLabHostsWithPrefix(PREFIX).finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const nodesDirName = relative(REPO, join(outDir, 'nodes')) || 'nodes';
  try {
    await mkdir(join(outDir, 'captures'), { recursive: true });
    await mkdir(join(outDir, 'nodes'), { recursive: true });
    for (const spec of specs) {
      const started = Date.now();
      const capture = await captureHost(spec, workDir, nodesDirName);
      await writeFile(join(outDir, 'captures', `${spec.name}.json`), `${JSON.stringify(capture, null, 2)}\n`);
      await writeFile(join(outDir, 'nodes', `${spec.name}.xml`), spec.nodeXml);
      console.log(`${spec.name}: ${capture.sections.length} sections, ${capture.bytes} bytes, ${Date.now() - started} ms`);
    }
    await writeFile(join(outDir, 'fleet.json'), `${JSON.stringify(demoFleetEntries(), null, 2)}\n`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
