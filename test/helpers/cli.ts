/**
 * Running the built CLI the way an operator does (`node bin/kvm-netaudit.js …`), as a child process in
 * the root namespace, so the integration and system tiers exercise the shipped artefact rather than the sources.
 */
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runCollect, type CommandResult } from '../lab/run.js';

const execFileAsync = promisify(execFile);

/** The repository root. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LAUNCHER = join(REPO_ROOT, 'bin', 'kvm-netaudit.js');
const BUILT_CLI = join(REPO_ROOT, 'dist', 'cli.js');

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/**
 * Build dist/ when it is missing or older than src/ (`npm test` builds first; running the tier alone with
 * `vitest run test/system` should not audit with yesterday's code).
 */
export async function ensureBuilt(): Promise<void> {
  const built = await stat(BUILT_CLI).then((s) => s.mtimeMs).catch(() => 0);
  if (built > 0 && built >= (await newestMtime(join(REPO_ROOT, 'src')))) return;
  try {
    await execFileAsync('npm', ['run', 'build'], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`npm run build failed, so the CLI cannot be run:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}

/**
 * Run `kvm-netaudit ARGS…` and collect its output and exit status. `CI=1` keeps the live table off even
 * if a terminal is attached.
 */
export function runCli(args: readonly string[], timeoutMs = 60_000, cwd?: string): Promise<CommandResult> {
  return runCollect([process.execPath, LAUNCHER, ...args], {
    env: { ...process.env, CI: '1', NO_COLOR: '1' },
    timeoutMs,
    ...(cwd ? { cwd } : {}),
  });
}
