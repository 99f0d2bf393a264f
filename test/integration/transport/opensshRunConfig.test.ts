/**
 * The generated ssh_config (opensshRunConfig.ts) as OpenSSH's real client reads it (`ssh -G -F FILE`), and the
 * connector's handling of it, seen through a stand-in `ssh` that reports what it was given.
 *
 * Every file here is the test's own: the default choice reads `opensshHomeDir` and `systemConfigFile`, never the
 * developer's ~/.ssh or /etc/ssh.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshConfigChoice } from '../../../src/model.js';
import { createOpenSshConnector } from '../../../src/transport/openssh.js';
import { createRunConfigFiles, type RunSshSettings } from '../../../src/transport/opensshRunConfig.js';
import { gateTier, tool } from '../../helpers/prerequisites.js';
import { hostConfig, makeTempDir } from '../../helpers/sshFixtures.js';

const gate = gateTier('integration tier (ssh -G reads the generated ssh_config)', [tool('ssh')]);

let tmp: { dir: string; cleanup: () => Promise<void> };
let home: string;
beforeAll(async () => {
  tmp = await makeTempDir('runconfig');
  home = path.join(tmp.dir, 'home');
  mkdirSync(path.join(home, '.ssh'), { recursive: true });
});
afterAll(() => tmp?.cleanup());

function fileIn(name: string, lines: readonly string[]): string {
  const file = path.join(tmp.dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

/** What `ssh -G -F GENERATED DESTINATION` decides, as lowercase key → value. */
async function settingsOf(settings: RunSshSettings, choice: SshConfigChoice, destination: string): Promise<Map<string, string>> {
  const files = createRunConfigFiles({ ...settings, opensshHomeDir: home, systemConfigFile: path.join(tmp.dir, 'no-system-file'), tempDir: tmp.dir });
  try {
    const generated = await files.pathFor(choice);
    const run = spawnSync('ssh', ['-G', '-F', generated, '--', destination], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(run.status, run.stderr).toBe(0);
    return new Map(run.stdout.split('\n').map((line) => [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)]));
  } finally {
    await files.close();
  }
}

describe.skipIf(gate.skip)('the generated ssh_config, read by OpenSSH’s client', () => {
  beforeAll(() => gate.enforce());

  const operatorsFile = () =>
    fileIn('operators.conf', [
      'Host hv*',
      '  User fromhost',
      '  ConnectTimeout 33',
      'Match host 10.*',
      '  IdentityFile /keys/matched',
      'Host *',
      '  BatchMode no',
      '  StrictHostKeyChecking no',
      `  UserKnownHostsFile /theirs/known_hosts`,
      '  LogLevel DEBUG3',
      '  RemoteCommand echo hijacked',
      '  ForwardAgent yes',
      '  PermitLocalCommand yes',
      // Last, a block that matches nothing: what follows the Include in the generated file must still apply.
      'Host never-matches',
      '  ConnectTimeout 44',
    ]);

  it('still applies the Host and Match blocks of the included file', async () => {
    const choice: SshConfigChoice = { kind: 'file', path: operatorsFile() };
    expect((await settingsOf({}, choice, 'hv01')).get('user')).toBe('fromhost');
    expect((await settingsOf({}, choice, '10.1.2.3')).get('identityfile')).toBe('/keys/matched');
  });

  it('lets the run’s settings, written before the Include, win over the included file’s', async () => {
    // Given an operator's file that says otherwise on each of them
    const choice: SshConfigChoice = { kind: 'file', path: operatorsFile() };

    // When ssh reads the generated file for a run with a policy, --known-hosts and --connect-timeout
    const settings = await settingsOf({ hostKeyPolicy: 'strict', knownHostsOverride: '/run/kh', connectTimeoutMs: 5_000 }, choice, 'hv01');

    // Then the run's values are the ones ssh keeps
    expect(
      ['batchmode', 'stricthostkeychecking', 'userknownhostsfile', 'globalknownhostsfile', 'connecttimeout', 'loglevel', 'forwardagent', 'permitlocalcommand'].map(
        (key) => [key, settings.get(key)],
      ),
    ).toEqual([
      ['batchmode', 'yes'],
      ['stricthostkeychecking', 'true'],
      ['userknownhostsfile', '/run/kh'],
      ['globalknownhostsfile', '/dev/null'],
      ['connecttimeout', '5'],
      ['loglevel', 'ERROR'],
      ['forwardagent', 'no'],
      ['permitlocalcommand', 'no'],
    ]);
    // (`ssh -G` prints no remotecommand once it is none)
    expect(settings.has('remotecommand')).toBe(false);
  });

  it('keeps the included file’s ConnectTimeout when the run gave none, and uses the default where the file sets none', async () => {
    const choice: SshConfigChoice = { kind: 'file', path: operatorsFile() };
    expect((await settingsOf({}, choice, 'hv01')).get('connecttimeout')).toBe('33');
    expect((await settingsOf({}, choice, 'other')).get('connecttimeout')).toBe('10');
  });

  it('includes exactly the file named, even when its name reads as a glob pattern', async () => {
    // Given a file whose name has a space, `*`, `[`, `]`, `%`, `$`, `#`, a quote and a backslash, and a decoy that
    // its name would match as a glob pattern (`\.` reads as `.`), and that sorts first
    const dir = path.join(tmp.dir, 'odd dir');
    mkdirSync(dir);
    const odd = path.join(dir, "a*[b] 100% $x #'\\.conf");
    writeFileSync(odd, 'Host *\n  User odd\n', { mode: 0o600 });
    writeFileSync(path.join(dir, "a!b 100% $x #'.conf"), 'Host *\n  User decoy\n', { mode: 0o600 });

    // Then ssh reads that one file
    expect((await settingsOf({}, { kind: 'file', path: odd }, 'hv01')).get('user')).toBe('odd');
  });

  it('reads the ~/.ssh/config of OpenSSH’s home for the default choice', async () => {
    writeFileSync(path.join(home, '.ssh', 'config'), 'Host hv*\n  User fromhome\n', { mode: 0o600 });
    expect((await settingsOf({}, { kind: 'default' }, 'hv01')).get('user')).toBe('fromhome');
  });
});

describe('the openssh connector and its generated ssh_config', () => {
  it('gives ssh the generated file with -F and SSH_ASKPASS_REQUIRE=never, and removes the file on close', async () => {
    // Given a stand-in ssh that prints what it was given, and an askpass the environment would have it use
    const fake = path.join(tmp.dir, 'fake-ssh');
    writeFileSync(
      fake,
      [
        '#!/bin/sh',
        'cat >/dev/null',
        'printf "SSH_ASKPASS_REQUIRE=%s\\n" "$SSH_ASKPASS_REQUIRE"',
        'while [ $# -gt 0 ]; do [ "$1" = -F ] && printf "F=%s\\n" "$2" && head -n 2 "$2"; shift; done',
      ].join('\n'),
    );
    chmodSync(fake, 0o755);
    const connector = createOpenSshConnector({
      sshBinary: fake,
      env: { PATH: process.env.PATH, SSH_ASKPASS: '/usr/bin/ssh-askpass', SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' },
      opensshHomeDir: home,
    });

    // When a host is probed through it
    const transport = await connector.connect(hostConfig({ port: 22 }), {});
    const { stdout } = await transport.exec('probe', { maxBytes: 1 << 20 });
    transport.close();

    // Then ssh never asks through askpass, and reads a generated file that starts with the run's settings
    const [askpass, given, header, batchMode] = stdout.trim().split('\n');
    expect(askpass).toBe('SSH_ASKPASS_REQUIRE=never');
    expect(given).toMatch(/^F=\/.*\/kvm-netaudit-ssh-[^/]+\/off\.conf$/);
    expect([header, batchMode]).toEqual([
      "# kvm-netaudit: this run's settings first (first value wins in ssh_config), then the operator's files",
      'BatchMode yes',
    ]);

    // And closing the connector removes it
    const file = given!.slice(2);
    expect(existsSync(file)).toBe(true);
    await connector.close();
    expect(existsSync(file)).toBe(false);
    expect(existsSync(path.dirname(file))).toBe(false);
  });
});
