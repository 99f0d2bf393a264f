/**
 * What a test tier needs from the machine beyond Node and npm, checked in one place.
 *
 * `npm test` must pass on a machine that has only Node and npm, and CI must still run everything. So every
 * tier (or single test) that needs root, OpenSSH, virsh, tmux or the libvirt corpus declares its
 * requirements here and gets a {@link TierGate}: where something is missing its tests are skipped and ONE
 * line says which tier, what is missing and how to run it; with `KVM_NETAUDIT_REQUIRE_ALL=1` (`.ci/run`
 * sets it) the same tests fail with that same line instead of skipping.
 *
 * @example
 * // A gated suite: skipped here, failing under KVM_NETAUDIT_REQUIRE_ALL=1, run where tmux is installed.
 * const gate = gateTier('e2e tier', [tool('tmux')]);
 * describe.skipIf(gate.skip)('the live table', () => {
 *   beforeAll(() => gate.enforce());
 *   …
 * });
 * // prints, where tmux is missing:
 * // kvm-netaudit [skipped] e2e tier: missing tmux. Install the Debian package tmux; or run every tier as CI does: sudo bash .ci/run
 */
import { accessSync, constants, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveTool } from '../lab/run.js';

/** Set to `1` to turn every skip for a missing prerequisite into a failure (`.ci/run` does: CI runs all). */
export const REQUIRE_ALL_ENV = 'KVM_NETAUDIT_REQUIRE_ALL';

/** How every tier can be run on a Debian machine: install what all of them need, then `npm test`. */
const RUN_EVERYTHING = 'run every tier as CI does: sudo bash .ci/run';

/**
 * The Debian package that brings each command a test runs (`.ci/run` installs them all). A command not
 * listed here cannot be required, so a new one is named here once, with its package.
 */
const DEBIAN_PACKAGES = {
  '/usr/sbin/sshd': 'openssh-server',
  ssh: 'openssh-client',
  'ssh-keygen': 'openssh-client',
  'ssh-keyscan': 'openssh-client',
  'ssh-agent': 'openssh-client',
  'ssh-add': 'openssh-client',
  virsh: 'libvirt-clients',
  brctl: 'bridge-utils',
  ip: 'iproute2',
  ss: 'iproute2',
  perl: 'perl-base',
  mount: 'mount',
  tmux: 'tmux',
  // A real libvirtd lab host (test/lab/libvirtd.ts): the daemon, what it runs, and how it is entered.
  '/usr/sbin/libvirtd': 'libvirt-daemon',
  'qemu-system-x86_64': 'qemu-system-x86',
  dnsmasq: 'dnsmasq-base',
  iptables: 'iptables',
  nsenter: 'util-linux',
  useradd: 'passwd',
  groupadd: 'passwd',
  // Prometheus's own exposition-format parser and linter, for --format prom.
  promtool: 'prometheus',
  // sos's archives (--from-sos reads .tar.xz through the system tar).
  tar: 'tar',
  xz: 'xz-utils',
  // Ansible's own reader of its inventories (INI, YAML, directories, scripts), for -i with an Ansible inventory.
  'ansible-inventory': 'ansible-core',
} as const satisfies Record<string, string>;

/** A tool a test runs: a name looked up like the lab looks it up, or an absolute path. */
export type RequiredTool = keyof typeof DEBIAN_PACKAGES;

/** One thing a tier needs from the machine. */
export type Requirement =
  /** Running as root (uid 0); `why` says what for. */
  | { kind: 'root'; why: string }
  /** An executable: on $PATH or in the sbin folders (as `resolveTool` searches), or at its absolute path. */
  | { kind: 'tool'; name: RequiredTool; debianPackage: string }
  /**
   * An environment variable naming a folder that holds `subfolders`. Unset: missing (skipped). Set to a
   * folder without them: a mistake, which fails even without {@link REQUIRE_ALL_ENV}.
   */
  | { kind: 'folder'; env: string; subfolders: readonly string[]; what: string }
  /** An opt-out: `env=1` skips the tier knowingly (and fails it under {@link REQUIRE_ALL_ENV}). */
  | { kind: 'not-opted-out'; env: string };

/** The requirement that `name` can be run; the Debian package comes from the table above. */
export function tool(name: RequiredTool): Requirement {
  return { kind: 'tool', name, debianPackage: DEBIAN_PACKAGES[name] };
}

/** The requirement of running as root. */
export function root(why: string): Requirement {
  return { kind: 'root', why };
}

/** An opt-out variable: `env=1` skips the tier knowingly. */
export function optOut(env: string): Requirement {
  return { kind: 'not-opted-out', env };
}

/** One requirement this machine does not meet. */
export interface Unmet {
  requirement: Requirement;
  /** How it appears in the "missing" list: `root`, `tmux`, `KVM_NETAUDIT_CORPUS` (opt-outs use `detail`). */
  name: string;
  /** A sentence on what is wrong, for messages that list problems one by one. */
  detail: string;
  /** Set when a setting is wrong rather than absent: then the tier fails, whatever REQUIRE_ALL says. */
  misconfigured: boolean;
}

/** The outcome of checking a tier's requirements: ok, or everything that is missing at once. */
export type PrerequisiteCheck = { ok: true } | { ok: false; unmet: Unmet[] };

/** What the checks ask of the machine; tests of this helper pass their own. */
export interface Machine {
  isRoot(): boolean;
  hasCommand(name: string): boolean;
  isFolder(path: string): boolean;
  env: Readonly<Record<string, string | undefined>>;
}

/** The machine the tests run on. */
export const thisMachine: Machine = {
  isRoot: () => process.getuid?.() === 0,
  hasCommand(name) {
    try {
      if (name.includes('/')) accessSync(name, constants.X_OK);
      else resolveTool(name);
      return true;
    } catch {
      return false;
    }
  },
  isFolder(path) {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  },
  env: process.env,
};

function unmetOf(requirement: Requirement, machine: Machine): Unmet | null {
  switch (requirement.kind) {
    case 'root':
      if (machine.isRoot()) return null;
      return { requirement, name: 'root', detail: `it must run as root (${requirement.why})`, misconfigured: false };
    case 'tool':
      if (machine.hasCommand(requirement.name)) return null;
      return {
        requirement,
        name: requirement.name,
        detail: `${requirement.name} is missing (Debian package ${requirement.debianPackage})`,
        misconfigured: false,
      };
    case 'folder': {
      const setting = machine.env[requirement.env];
      if (!setting) return { requirement, name: requirement.env, detail: `${requirement.env} is not set`, misconfigured: false };
      const dir = resolve(setting);
      const absent = requirement.subfolders.filter((sub) => !machine.isFolder(join(dir, sub)));
      if (absent.length === 0) return null;
      const folders = `${absent.map((sub) => `${sub}/`).join(' and ')} folder${absent.length > 1 ? 's' : ''}`;
      return { requirement, name: requirement.env, detail: `${requirement.env}=${setting} resolves to ${dir}, which has no ${folders}`, misconfigured: true };
    }
    case 'not-opted-out':
      if (machine.env[requirement.env] !== '1') return null;
      return { requirement, name: `${requirement.env}=1`, detail: `${requirement.env}=1 is set`, misconfigured: false };
  }
}

/** Check every requirement, reporting all that are unmet (not only the first). */
export function checkPrerequisites(requirements: readonly Requirement[], machine: Machine = thisMachine): PrerequisiteCheck {
  const unmet = requirements.map((r) => unmetOf(r, machine)).filter((u): u is Unmet => u !== null);
  return unmet.length === 0 ? { ok: true } : { ok: false, unmet };
}

/** What to do about the unmet requirements, in one clause per kind, as a sentence. */
function howToRun(unmet: readonly Unmet[]): string {
  const steps: string[] = [];
  const kinds = new Set(unmet.map((u) => u.requirement.kind));
  const packages = [...new Set(unmet.flatMap((u) => (u.requirement.kind === 'tool' ? [u.requirement.debianPackage] : [])))];
  const debian = `the Debian package${packages.length > 1 ? 's' : ''} ${packages.join(' ')}`;
  if (kinds.has('root')) steps.push(packages.length > 0 ? `run it as root with ${debian} installed` : 'run it as root');
  else if (packages.length > 0) steps.push(`install ${debian}`);
  for (const { requirement } of unmet) {
    if (requirement.kind === 'folder') steps.push(`set ${requirement.env} to ${requirement.what}`);
    if (requirement.kind === 'not-opted-out') steps.push(`unset ${requirement.env}`);
  }
  const first = steps.join(', ');
  return `${first.charAt(0).toUpperCase()}${first.slice(1)}; or ${RUN_EVERYTHING}`;
}

/** The one line for a tier that cannot run: which tier, what is missing (or wrong), how to run it. */
export function prerequisiteMessage(tier: string, unmet: readonly Unmet[], outcome: 'skipped' | 'failed'): string {
  // A wrong setting is the one thing to fix; otherwise name what is absent, then any opt-out that is set.
  const wrong = unmet.filter((u) => u.misconfigured);
  const absent = unmet.filter((u) => u.requirement.kind !== 'not-opted-out').map((u) => u.name);
  const optedOut = unmet.filter((u) => u.requirement.kind === 'not-opted-out').map((u) => u.detail);
  const problems = wrong.length > 0 ? wrong.map((u) => u.detail) : [...(absent.length > 0 ? [`missing ${absent.join(', ')}`] : []), ...optedOut];
  const why = outcome === 'failed' && wrong.length === 0 ? ` (${REQUIRE_ALL_ENV}=1 turns this skip into a failure)` : '';
  return `kvm-netaudit [${outcome}] ${tier}: ${problems.join('; ')}. ${howToRun(wrong.length > 0 ? wrong : unmet)}${why}`;
}

/** Whether a tier's tests run, skip, or fail for want of their prerequisites. */
export interface TierGate {
  /** The tier (or the part of one) this gate guards, as the message names it. */
  readonly tier: string;
  /** Skip the guarded tests: something is missing and {@link REQUIRE_ALL_ENV} is not `1`. */
  readonly skip: boolean;
  /** The one line that is printed (skipped) or thrown (failed); null when nothing is missing. */
  readonly message: string | null;
  /**
   * Throw the message when something is missing. Call it first in the guarded `beforeAll` or test: it
   * only runs when the tests are not skipped, so it turns a missing prerequisite into a clear failure
   * instead of an ENOENT from deep inside the test.
   */
  enforce(): void;
}

/** Options of {@link gateTier}. */
export interface GateOptions {
  /** @default thisMachine */
  machine?: Machine;
  /** Where the skip line goes. @default console.warn */
  log?: (line: string) => void;
}

/**
 * Check a tier's requirements once, when its test file is collected, and decide: run, skip (printing the
 * one line), or fail (with that line) when {@link REQUIRE_ALL_ENV} is `1` or a setting is wrong.
 */
export function gateTier(tier: string, requirements: readonly Requirement[], options: GateOptions = {}): TierGate {
  const machine = options.machine ?? thisMachine;
  const check = checkPrerequisites(requirements, machine);
  if (check.ok) return { tier, skip: false, message: null, enforce: () => undefined };
  const mustRun = machine.env[REQUIRE_ALL_ENV] === '1' || check.unmet.some((u) => u.misconfigured);
  const message = prerequisiteMessage(tier, check.unmet, mustRun ? 'failed' : 'skipped');
  if (!mustRun) (options.log ?? console.warn)(message);
  return {
    tier,
    skip: !mustRun,
    message,
    enforce() {
      throw new Error(message);
    },
  };
}
