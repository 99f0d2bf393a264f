/**
 * The one place where tiers check what they need from the machine (test/helpers/prerequisites.ts), on a
 * machine made up for each test: what is skipped, what fails, and the one line that says so.
 */
import { describe, expect, it } from 'vitest';
import {
  checkPrerequisites,
  gateTier,
  optOut,
  REQUIRE_ALL_ENV,
  root,
  thisMachine,
  tool,
  type Machine,
  type Requirement,
} from '../../helpers/prerequisites.js';

/** A machine with exactly these commands and folders, root or not, and this environment. */
function machine(options: { root?: boolean; commands?: string[]; folders?: string[]; env?: Record<string, string> } = {}): Machine {
  return {
    isRoot: () => options.root ?? false,
    hasCommand: (name) => (options.commands ?? []).includes(name),
    isFolder: (path) => (options.folders ?? []).includes(path),
    env: options.env ?? {},
  };
}

/** Gate on `on`, collecting what it prints. */
function gate(tier: string, requirements: Requirement[], on: Machine) {
  const printed: string[] = [];
  const result = gateTier(tier, requirements, { machine: on, log: (line) => printed.push(line) });
  return { ...result, printed };
}

const CORPUS: Requirement = { kind: 'folder', env: 'KNA_CORPUS', subfolders: ['network', 'domain'], what: 'the corpus folder' };
const SYSTEM: Requirement[] = [root('network namespaces'), tool('/usr/sbin/sshd'), tool('ssh'), tool('ssh-keygen'), tool('virsh')];

describe('gateTier', () => {
  it('runs the tests, silently, when everything is there', () => {
    // Given a root machine with every tool
    const on = machine({ root: true, commands: ['/usr/sbin/sshd', 'ssh', 'ssh-keygen', 'virsh'] });
    // When the tier is gated
    const result = gate('system tier', SYSTEM, on);
    // Then nothing is skipped or printed, and enforcing passes
    expect(result).toMatchObject({ skip: false, message: null, printed: [] });
    expect(() => result.enforce()).not.toThrow();
  });

  it('skips with one line naming the tier, everything missing, the Debian packages once each, and .ci/run', () => {
    // Given a user machine with only the OpenSSH client
    const on = machine({ commands: ['ssh'] });
    // When the system tier is gated
    const result = gate('system tier (audit.test.ts)', SYSTEM, on);
    // Then it is skipped and says so in one line
    expect(result.skip).toBe(true);
    expect(result.printed).toEqual([
      'kvm-netaudit [skipped] system tier (audit.test.ts): missing root, /usr/sbin/sshd, ssh-keygen, virsh. ' +
        'Run it as root with the Debian packages openssh-server openssh-client libvirt-clients installed; ' +
        'or run every tier as CI does: sudo bash .ci/run',
    ]);
    expect(result.message).toBe(result.printed[0]);
  });

  it(`fails instead, with the same line, when ${REQUIRE_ALL_ENV}=1`, () => {
    // Given the same machine, in CI
    const on = machine({ commands: ['ssh'], env: { [REQUIRE_ALL_ENV]: '1' } });
    // When gated
    const result = gate('e2e tier', [tool('tmux')], on);
    // Then the tests run, nothing is printed, and the first thing they do throws the line
    expect(result).toMatchObject({ skip: false, printed: [] });
    expect(() => result.enforce()).toThrow(
      'kvm-netaudit [failed] e2e tier: missing tmux. Install the Debian package tmux; ' +
        `or run every tier as CI does: sudo bash .ci/run (${REQUIRE_ALL_ENV}=1 turns this skip into a failure)`,
    );
  });

  it('takes only 1 as REQUIRE_ALL, as the opt-outs take only 1', () => {
    const on = machine({ env: { [REQUIRE_ALL_ENV]: 'yes' } });
    expect(gate('e2e tier', [tool('tmux')], on).skip).toBe(true);
  });

  it('skips a tier whose folder variable is unset, saying what to set it to', () => {
    const result = gate('conformance tier', [CORPUS], machine());
    expect(result.skip).toBe(true);
    expect(result.printed).toEqual([
      'kvm-netaudit [skipped] conformance tier: missing KNA_CORPUS. Set KNA_CORPUS to the corpus folder; ' +
        'or run every tier as CI does: sudo bash .ci/run',
    ]);
  });

  it('fails, even without REQUIRE_ALL, when the folder variable points where the folders are not', () => {
    // Given the variable set to a folder holding network/ but not domain/
    const on = machine({ folders: ['/corpus/network'], env: { KNA_CORPUS: '/corpus' } });
    // When gated
    const result = gate('conformance tier', [CORPUS], on);
    // Then the tests run and fail, naming the setting, the folder and what it lacks
    expect(result).toMatchObject({ skip: false, printed: [] });
    expect(() => result.enforce()).toThrow(
      'kvm-netaudit [failed] conformance tier: KNA_CORPUS=/corpus resolves to /corpus, which has no domain/ folder. ' +
        'Set KNA_CORPUS to the corpus folder; or run every tier as CI does: sudo bash .ci/run',
    );
  });

  it('runs when the folder variable points at a folder with every subfolder', () => {
    const on = machine({ folders: ['/corpus/network', '/corpus/domain'], env: { KNA_CORPUS: '/corpus' } });
    expect(gate('conformance tier', [CORPUS], on)).toMatchObject({ skip: false, message: null });
  });

  it('skips a tier opted out of with NAME=1 where it could run, and fails it under REQUIRE_ALL', () => {
    // Given a machine with tmux, where the tier is opted out of
    const requirements = [tool('tmux'), optOut('KNA_SKIP_E2E')];
    const here = gate('e2e tier', requirements, machine({ commands: ['tmux'], env: { KNA_SKIP_E2E: '1' } }));
    const inCi = gate('e2e tier', requirements, machine({ commands: ['tmux'], env: { KNA_SKIP_E2E: '1', [REQUIRE_ALL_ENV]: '1' } }));
    // Then it is skipped here, saying so and how to undo it, and fails in CI
    expect(here.printed).toEqual([
      'kvm-netaudit [skipped] e2e tier: KNA_SKIP_E2E=1 is set. Unset KNA_SKIP_E2E; or run every tier as CI does: sudo bash .ci/run',
    ]);
    expect(inCi.skip).toBe(false);
    expect(() => inCi.enforce()).toThrow(/KNA_SKIP_E2E=1 is set/);
    // And any other value is not an opt-out
    expect(gate('e2e tier', requirements, machine({ commands: ['tmux'], env: { KNA_SKIP_E2E: '0' } })).skip).toBe(false);
  });
});

describe('checkPrerequisites', () => {
  it('lists every unmet requirement at once, in the order declared, each with a sentence', () => {
    const check = checkPrerequisites([tool('virsh'), root('namespaces'), CORPUS, tool('ip')], machine({ commands: ['ip'] }));
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.unmet.map((u) => u.detail)).toEqual([
      'virsh is missing (Debian package libvirt-clients)',
      'it must run as root (namespaces)',
      'KNA_CORPUS is not set',
    ]);
  });
});

describe('thisMachine', () => {
  it('finds a command by absolute path and by name, and not one that does not exist', () => {
    // Node itself is the one command every machine running these tests has
    expect(thisMachine.hasCommand(process.execPath)).toBe(true);
    expect(thisMachine.hasCommand('kna-no-such-command-anywhere')).toBe(false);
    expect(thisMachine.isFolder(process.cwd())).toBe(true);
    expect(thisMachine.isFolder(process.execPath)).toBe(false);
  });
});
