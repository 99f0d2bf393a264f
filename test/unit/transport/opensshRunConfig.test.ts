import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createRunConfigFiles,
  includePath,
  runConfigText,
  safeTempRoot,
  type RunConfigFilesOptions,
} from '../../../src/transport/opensshRunConfig.js';
import { makeTempDir, rejectionOf } from '../../helpers/sshFixtures.js';

const HEADER = "# kvm-netaudit: this run's settings first (first value wins in ssh_config), then the operator's files";
/** What every generated file says first, for the host and for every hop OpenSSH starts itself. */
const QUIET_AND_READ_ONLY = [
  'BatchMode yes',
  'LogLevel ERROR',
  'RemoteCommand none',
  'ClearAllForwardings yes',
  'ForwardAgent no',
  'ForwardX11 no',
  'PermitLocalCommand no',
];

describe('runConfigText', () => {
  it('puts the run’s settings before the operator’s files, so they win, and says nothing the run did not give', () => {
    // Given a run with --host-key-policy strict, --known-hosts and --connect-timeout, and one ssh_config file
    const text = runConfigText({ hostKeyPolicy: 'strict', knownHostsOverride: '/run/kh', connectTimeoutMs: 4_500 }, ['/etc/audit/ssh config']);

    // Then the file says them all, then includes the operator's file
    expect(text).toBe(
      [
        HEADER,
        ...QUIET_AND_READ_ONLY,
        'StrictHostKeyChecking yes',
        'UserKnownHostsFile /run/kh',
        'GlobalKnownHostsFile /dev/null',
        'ConnectTimeout 5',
        'Include "/etc/audit/ssh config"',
        '',
      ].join('\n'),
    );
  });

  it('leaves the host key policy to ssh_config when the run gave none, and the connect timeout to it unless it sets none', () => {
    const text = runConfigText({}, ['/home/me/.ssh/config', '/etc/ssh/ssh_config']);
    expect(text).toBe(
      [HEADER, ...QUIET_AND_READ_ONLY, 'Include "/home/me/.ssh/config"', 'Include "/etc/ssh/ssh_config"', 'ConnectTimeout 10', ''].join('\n'),
    );
  });

  it('under policy off reads and writes no known_hosts file, whatever --known-hosts says', () => {
    const text = runConfigText({ hostKeyPolicy: 'off', knownHostsOverride: '/run/kh' }, []);
    expect(text.split('\n').filter((line) => /KnownHosts|StrictHost/.test(line))).toEqual([
      'StrictHostKeyChecking no',
      'UserKnownHostsFile /dev/null',
      'GlobalKnownHostsFile /dev/null',
    ]);
  });

  it('maps accept-new, and writes a --known-hosts path the way ssh_config reads it back', () => {
    const text = runConfigText({ hostKeyPolicy: 'accept-new', knownHostsOverride: '/srv/my 100% hosts' }, []);
    expect(text).toContain('StrictHostKeyChecking accept-new\nUserKnownHostsFile "/srv/my 100%% hosts"\nGlobalKnownHostsFile /dev/null\n');
  });
});

describe('includePath', () => {
  it('quotes the path and escapes what glob(3) would read as a pattern, each backslash doubled for ssh_config', () => {
    // (checked against OpenSSH 9.2: each of these Includes the one file named, not a sibling the pattern matches)
    expect(includePath('/home/me/.ssh/config')).toBe('"/home/me/.ssh/config"');
    expect(includePath('/srv/odd dir/st*ar')).toBe('"/srv/odd dir/st\\\\*ar"');
    expect(includePath('/srv/br[a]ck?')).toBe('"/srv/br\\\\[a\\\\]ck\\\\?"');
    expect(includePath('/srv/ba\\ck')).toBe('"/srv/ba\\\\\\\\ck"');
    expect(includePath("/srv/it's 100% #1 $x")).toBe('"/srv/it\'s 100% #1 $x"');
  });

  it('refuses a path ssh_config cannot carry, as a config error', () => {
    expect(() => includePath('/srv/"q"/config')).toThrow(expect.objectContaining({ kind: 'config' }));
    expect(() => includePath('/srv/${HOME}/config')).toThrow(expect.objectContaining({ kind: 'config' }));
    expect(() => includePath('/srv/two\nlines')).toThrow(expect.objectContaining({ kind: 'config' }));
  });
});

describe('safeTempRoot', () => {
  it('keeps a temp dir that is one shell word without %, else uses /tmp (OpenSSH writes -F unquoted into a hop’s command)', () => {
    expect(safeTempRoot('/var/tmp/user-1000')).toBe('/var/tmp/user-1000');
    expect(safeTempRoot('/home/me/my tmp')).toBe('/tmp');
    expect(safeTempRoot('/tmp/100%')).toBe('/tmp');
    expect(safeTempRoot("/tmp/it's")).toBe('/tmp');
  });
});

describe('createRunConfigFiles', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let home: string;
  let parent: string;
  beforeEach(async () => {
    tmp = await makeTempDir('runconfig');
    home = path.join(tmp.dir, 'home');
    parent = path.join(tmp.dir, 'parent');
    mkdirSync(path.join(home, '.ssh'), { recursive: true });
    mkdirSync(parent);
  });
  afterEach(() => tmp.cleanup());

  const files = (extra: Partial<RunConfigFilesOptions> = {}) =>
    createRunConfigFiles({ opensshHomeDir: home, systemConfigFile: path.join(tmp.dir, 'no-system-config'), tempDir: parent, ...extra });

  it('writes nothing until a file is asked for, then each choice once, in a private folder that close() removes', async () => {
    // Given a connector's files, and two ssh_config files of the operator's
    const generated = files();
    const a = path.join(tmp.dir, 'a.conf');
    writeFileSync(a, '');
    writeFileSync(path.join(tmp.dir, 'b.conf'), '');
    expect(readdirSync(parent)).toEqual([]);

    // When many hosts ask at once, for four choices (one file spelled two ways)
    const paths = await Promise.all([
      generated.pathFor({ kind: 'off' }),
      generated.pathFor({ kind: 'off' }),
      generated.pathFor({ kind: 'file', path: a }),
      generated.pathFor({ kind: 'file', path: path.join(tmp.dir, 'x', '..', 'a.conf') }),
      generated.pathFor({ kind: 'file', path: path.join(tmp.dir, 'b.conf') }),
      generated.pathFor({ kind: 'default' }),
    ]);

    // Then one file per distinct choice, all in one folder only we can enter
    expect(paths[0]).toBe(paths[1]);
    expect(paths[2]).toBe(paths[3]);
    expect(new Set(paths).size).toBe(4);
    const [folder] = readdirSync(parent);
    expect(folder).toMatch(/^kvm-netaudit-ssh-/);
    const dir = path.join(parent, folder!);
    expect(paths.every((file) => path.dirname(file) === dir)).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toHaveLength(4);
    expect(statSync(paths[0]!).mode & 0o777).toBe(0o600);

    // And close() removes it all, after which nothing more is written
    await generated.close();
    expect(readdirSync(parent)).toEqual([]);
    expect((await rejectionOf(generated.pathFor({ kind: 'off' }))).kind).toBe('cancelled');
    expect(readdirSync(parent)).toEqual([]);
  });

  it('includes OpenSSH’s own files for the default choice, only those that exist, the user’s first', async () => {
    // Given OpenSSH's home with no config yet, and a system-wide file
    const system = path.join(tmp.dir, 'ssh_config');
    writeFileSync(system, '');
    const userFile = path.join(home, '.ssh', 'config');

    // When the default choice is written before and after the user's file appears (each by a new run)
    const before = files({ systemConfigFile: system });
    const withoutUserFile = readFileSync(await before.pathFor({ kind: 'default' }), 'utf8');
    await before.close();
    writeFileSync(userFile, 'Host *\n');
    const after = files({ systemConfigFile: system });
    const withUserFile = readFileSync(await after.pathFor({ kind: 'default' }), 'utf8');
    await after.close();

    // Then each includes what was there
    const includes = (text: string) => text.split('\n').filter((line) => line.startsWith('Include '));
    expect(includes(withoutUserFile)).toEqual([`Include "${system}"`]);
    expect(includes(withUserFile)).toEqual([`Include "${userFile}"`, `Include "${system}"`]);
  });

  it('includes nothing for the off choice, and the one file for a file choice', async () => {
    const file = path.join(tmp.dir, 'audit.conf');
    writeFileSync(file, '');
    const generated = files();
    const includes = async (text: Promise<string>) => readFileSync(await text, 'utf8').split('\n').filter((line) => line.startsWith('Include '));
    expect(await includes(generated.pathFor({ kind: 'off' }))).toEqual([]);
    expect(await includes(generated.pathFor({ kind: 'file', path: file }))).toEqual([`Include "${file}"`]);
    await generated.close();
  });

  it('refuses an ssh_config file that cannot be read as a config error, as `ssh -F FILE` did (Include would skip it silently)', async () => {
    const generated = files();
    const error = await rejectionOf(generated.pathFor({ kind: 'file', path: path.join(tmp.dir, 'missing.conf') }));
    expect(error.kind).toBe('config');
    expect(error.message).toContain(`cannot read the ssh_config file ${path.join(tmp.dir, 'missing.conf')}`);
    await generated.close();
  });
});
