/**
 * The package as people get it: `npm pack` the built tree, install the tarball into an empty folder (its
 * dependencies come from the npm registry), and run the installed CLI from there, as `npx kvm-netaudit`.
 *
 * `npm pack` runs with --ignore-scripts: `npm test` has just built dist/, and the `prepare` script would build
 * it again while the other test files of the run are reading it. So what is packed is this tree's dist/ as it
 * stands, and the checks below also catch output the current sources no longer build (a stale dist/ would ship).
 *
 * Needs the npm registry; KVM_NETAUDIT_SKIP_PACKAGE=1 skips it knowingly (failing instead under
 * KVM_NETAUDIT_REQUIRE_ALL=1, as in CI).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, REPO_ROOT } from '../helpers/cli.js';
import { gateTier, optOut } from '../helpers/prerequisites.js';
import { runCollect, type CommandResult } from '../lab/run.js';

const gate = gateTier('package tier', [optOut('KVM_NETAUDIT_SKIP_PACKAGE')]);

/** Installing pulls every dependency from the registry and builds ssh2's optional native addon. */
const INSTALL_TIMEOUT_MS = 10 * 60_000;

/**
 * The environment of a shell, not of the `npm test` that runs this file: npm hands its scripts its own settings as
 * npm_* variables, which would otherwise steer the npm commands below (the project's folder, the script's name…).
 */
function shellEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'INIT_CWD'));
}

/** Run a command; a non-zero exit is returned, not thrown, so each test can show what was printed. */
function run(argv: string[], cwd: string, timeoutMs = 120_000): Promise<CommandResult> {
  return runCollect(argv, { cwd, env: { ...shellEnv(), NO_COLOR: '1' }, timeoutMs });
}

/**
 * `npx kvm-netaudit ARGS…`, kept from ever running something else: `--no` stops npx fetching a package of that
 * name from the registry when the installed one is missing, and `--` keeps npx from reading ARGS as its own
 * (after `--no`, npx takes `--help` for itself and prints npm's help).
 */
function npx(...args: string[]): string[] {
  return ['npx', '--no', '--', 'kvm-netaudit', ...args];
}

function printed(result: CommandResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

/** Every file under `dir`, as paths relative to it with forward slashes. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

interface PackedFile {
  path: string;
}

describe.skipIf(gate.skip)('the npm package', () => {
  let work = '';
  let packed: string[] = [];
  let app = '';
  let installed = '';
  let install: CommandResult;

  beforeAll(async () => {
    gate.enforce();
    await ensureBuilt();
    work = await mkdtemp(path.join(tmpdir(), 'kvm-netaudit-pack-'));

    const pack = await run(['npm', 'pack', '--ignore-scripts', '--json', '--pack-destination', work], REPO_ROOT);
    if (pack.code !== 0) throw new Error(`npm pack failed:\n${printed(pack)}`);
    const [summary] = JSON.parse(pack.stdout) as { filename: string; files: PackedFile[] }[];
    packed = summary!.files.map((f) => f.path);

    // An empty project of its own, so npm does not look further up for one.
    app = path.join(work, 'app');
    await mkdir(app);
    await writeFile(path.join(app, 'package.json'), `${JSON.stringify({ name: 'pack-test', private: true })}\n`);
    install = await run(['npm', 'install', '--no-audit', '--no-fund', path.join(work, summary!.filename)], app, INSTALL_TIMEOUT_MS);
    if (install.code !== 0) throw new Error(`installing the tarball failed:\n${printed(install)}`);
    installed = path.join(app, 'node_modules', 'kvm-netaudit');
  }, INSTALL_TIMEOUT_MS + 120_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('ships the launcher, the build, the demo fleet, the example files, the docs, the schemas, README and LICENSE', async () => {
    // Given the tarball's file list
    // Then it holds what the CLI runs and what its --help names
    for (const file of ['bin/kvm-netaudit.js', 'dist/cli.js', 'fixtures/demo/fleet.json', 'inventory.example.yaml', 'policy.example.yaml', 'README.md', 'LICENSE']) {
      expect(packed, file).toContain(file);
    }
    const fleet = JSON.parse(await readFile(path.join(REPO_ROOT, 'fixtures/demo/fleet.json'), 'utf8')) as { capture: string }[];
    for (const { capture } of fleet) expect(packed).toContain(`fixtures/demo/${capture}`);
    // And every file of docs/ and schema/, whoever adds them
    for (const folder of ['docs', 'schema']) {
      const files = await filesUnder(path.join(REPO_ROOT, folder));
      expect(files.length, `${folder}/ is empty`).toBeGreaterThan(0);
      for (const file of files) expect(packed).toContain(`${folder}/${file}`);
    }
  });

  it('ships no bench code and no build output of sources that no longer exist', () => {
    // Given the tarball's file list
    // Then nothing comes from the benches
    expect(packed.filter((file) => /(^|\/)bench\//.test(file))).toEqual([]);
    // And every file under dist/ is built from a source that exists today (else: rm -rf dist && npm run build)
    const orphans = packed
      .filter((file) => file.startsWith('dist/'))
      .filter((file) => {
        const source = path.join(REPO_ROOT, 'src', file.slice('dist/'.length).replace(/\.js$/, ''));
        return !existsSync(`${source}.ts`) && !existsSync(`${source}.tsx`);
      });
    expect(orphans).toEqual([]);
  });

  it('ships no source map, and no reference to one, that points at a file it does not ship', async () => {
    // Given the installed package, which is the tarball unpacked
    const files = await filesUnder(installed);
    const dangling: string[] = [];
    // Then every map's sources are shipped (or embedded in the map)
    for (const map of files.filter((f) => f.endsWith('.map'))) {
      const { sources = [], sourcesContent = [] } = JSON.parse(await readFile(path.join(installed, map), 'utf8')) as { sources?: string[]; sourcesContent?: (string | null)[] };
      sources.forEach((source, i) => {
        if (typeof sourcesContent[i] !== 'string' && !existsSync(path.resolve(installed, path.dirname(map), source))) dangling.push(`${map} → ${source}`);
      });
    }
    // And every sourceMappingURL comment names a map that is shipped
    for (const js of files.filter((f) => f.endsWith('.js'))) {
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(await readFile(path.join(installed, js), 'utf8'))?.[1];
      if (url && !url.startsWith('data:') && !existsSync(path.resolve(installed, path.dirname(js), url))) dangling.push(`${js} → ${url}`);
    }
    expect(dangling).toEqual([]);
  });

  it('installs on this Node without an engine warning', () => {
    // Given the install from the registry (beforeAll)
    // Then no dependency asked for another Node than this one, which `engines` (>=20) admits
    expect(install.stdout + install.stderr).not.toMatch(/EBADENGINE/);
  });

  it('prints its usage when run as npx kvm-netaudit --help', async () => {
    // When the installed CLI is run
    const result = await run(npx('--help'), app);
    // Then it exits 0 with the usage
    expect(result.code, printed(result)).toBe(0);
    expect(result.stdout).toContain('Usage:');
    expect(result.stdout).toContain('kvm-netaudit demo');
  });

  it('audits the demo fleet from the installed package and writes the reports', async () => {
    // When the installed CLI audits its embedded demo fleet, with the plain line log
    const out = path.join(work, 'reports');
    const result = await run(npx('demo', '--no-tui', '--out', out), app);
    // Then it exits 0 and writes its reports where it was told
    expect(result.code, printed(result)).toBe(0);
    expect(await readdir(out)).toEqual(expect.arrayContaining(['report.json', 'report.md']));
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as { hosts: unknown[] };
    expect(report.hosts.length).toBeGreaterThan(0);
  });
});
