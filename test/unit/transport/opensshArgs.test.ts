import { describe, expect, it } from 'vitest';
import type { ConnectionKey, HostConfig, JumpHostConfig, SshConfigChoice } from '../../../src/model.js';
import { createOpenSshConnector, MAX_JUMP_HOPS, openSshArgs, type OpenSshArgOptions } from '../../../src/transport/openssh.js';
import { hostConfig, jumpConfig, rejectionOf } from '../../helpers/sshFixtures.js';

/** Where the connector would have written the generated ssh_config for each choice. */
const runConfig = (choice: SshConfigChoice) => (choice.kind === 'file' ? `/run/cfg/file(${choice.path})` : `/run/cfg/${choice.kind}`);
const options: OpenSshArgOptions = { connectTimeoutMs: 10_000, runConfig };
const READ_ONLY = ['RemoteCommand=none', 'ClearAllForwardings=yes', 'ForwardAgent=no', 'ForwardX11=no', 'PermitLocalCommand=no'];
const ALWAYS = ['-T', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR', ...READ_ONLY.flatMap((option) => ['-o', option]), '-o', 'ConnectTimeout=10'];

function host(overrides: Partial<HostConfig> = {}): HostConfig {
  return hostConfig({ name: 'hv01', address: '10.0.0.5', port: 2222, knownHostsFile: '/kh/known_hosts', ...overrides });
}

function jump(name: string, port: number, overrides: Partial<JumpHostConfig> = {}): JumpHostConfig {
  return jumpConfig({ name, address: `${name}.example`, port, knownHostsFile: '/kh/known_hosts', ...overrides });
}

/** The value of every `-o KEY=VALUE` given for KEY, in order. */
function optionValues(args: readonly string[], key: string): string[] {
  return args.flatMap((arg, i) => (args[i - 1] === '-o' && arg.startsWith(`${key}=`) ? [arg.slice(key.length + 1)] : []));
}

/** The arguments before `--`. */
function optionsOf(args: readonly string[]): string[] {
  return args.slice(0, args.indexOf('--'));
}

/**
 * What a ProxyCommand runs, as ssh then sh would see it: ssh expands its `%` tokens, then `sh -c` splits the line
 * into words (the POSIX quoting the transport writes: single quotes, and backslash outside them).
 */
function proxyArgv(command: string, target: { host: string; port: number }): string[] {
  expectSshAcceptsQuotes(command);
  const expanded = command.replace(/%(.)/g, (_, token: string) =>
    token === '%' ? '%' : token === 'h' ? target.host : token === 'p' ? String(target.port) : `%${token}`,
  );
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < expanded.length; i++) {
    const c = expanded[i]!;
    if (c === "'") {
      const end = expanded.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unbalanced quote in ${expanded}`);
      word = (word ?? '') + expanded.slice(i + 1, end);
      i = end;
    } else if (c === '\\') {
      word = (word ?? '') + expanded[++i];
    } else if (c === ' ') {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/**
 * ssh checks a config line's quotes before it keeps a ProxyCommand ("invalid quotes"), reading `\\`, `\'` and
 * `\"` as escapes even inside quotes (OpenSSH's argv_split): the command must balance read that way too.
 */
function expectSshAcceptsQuotes(line: string): void {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && ['\\', "'", '"'].includes(line[i + 1] ?? '')) i++;
    else if (quote === null && (c === "'" || c === '"')) quote = c;
    else if (c === quote) quote = null;
  }
  expect(quote, `ssh would say "invalid quotes" for: ${line}`).toBeNull();
}

describe('openSshArgs', () => {
  it('gives every inventory key to ssh, with no ssh_config, and puts the destination after --', () => {
    // Given a host with a key file, no agent and a known_hosts file, and no ssh_config
    const hv = host({ identityFile: '/keys/id_ed25519' });

    // When its ssh arguments are built
    const args = openSshArgs(hv, options);

    // Then all of it is said on the command line, the address and `sh -s` last
    expect(args).toEqual([
      ...ALWAYS,
      '-F',
      '/run/cfg/off',
      '-l',
      'audit',
      '-p',
      '2222',
      '-i',
      '/keys/id_ed25519',
      '-o',
      'IdentityAgent=none',
      '-o',
      'UserKnownHostsFile=/kh/known_hosts',
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-o',
      'ProxyCommand=none',
      '--',
      '10.0.0.5',
      'sh -s',
    ]);
  });

  it('keeps an address that looks like an option after --, where ssh cannot read it as one', () => {
    const args = openSshArgs(host({ address: '-oProxyCommand=touch /tmp/pwned' }), options);
    expect(args.slice(-3)).toEqual(['--', '-oProxyCommand=touch /tmp/pwned', 'sh -s']);
    expect(optionsOf(args)).not.toContain('-oProxyCommand=touch /tmp/pwned');
  });

  it('rounds the connect timeout up to whole seconds, never to 0 (which ssh reads as no timeout)', () => {
    const timeout = (connectTimeoutMs: number) => optionValues(openSshArgs(host(), { connectTimeoutMs, runConfig }), 'ConnectTimeout');
    expect([timeout(1_500), timeout(1), timeout(0), timeout(30_000)]).toEqual([['2'], ['1'], ['1'], ['30']]);
  });

  it('leaves ConnectTimeout to ssh_config when the run gave none, and uses the default where no ssh_config applies', () => {
    const timeout = (hv: HostConfig) => optionValues(openSshArgs(hv, { runConfig }), 'ConnectTimeout');
    expect(timeout(host({ sshConfig: { kind: 'default' } }))).toEqual([]);
    expect(timeout(host({ sshConfig: { kind: 'off' } }))).toEqual(['10']);
  });

  it('gives ssh the run’s generated ssh_config for the host’s choice with -F, whatever that choice (OpenSSH hands -F on to its hops)', () => {
    // Given hosts with each ssh_config choice, and one with none
    const configArgs = (hv: HostConfig) => {
      const args = optionsOf(openSshArgs(hv, options));
      return args.flatMap((arg, i) => (args[i - 1] === '-F' ? [arg] : []));
    };

    // Then each ssh is given exactly one -F: the generated file for its choice (none counts as off)
    expect(configArgs(host())).toEqual(['/run/cfg/off']);
    expect(configArgs(host({ sshConfig: { kind: 'off' } }))).toEqual(['/run/cfg/off']);
    expect(configArgs(host({ sshConfig: { kind: 'file', path: '/etc/audit/ssh config' } }))).toEqual(['/run/cfg/file(/etc/audit/ssh config)']);
    expect(configArgs(host({ sshConfig: { kind: 'default' } }))).toEqual(['/run/cfg/default']);
  });

  it('keeps ssh read-only and quiet whatever ssh_config says: no RemoteCommand, forwarding, agent or X11, no LocalCommand', () => {
    // Given a host under the operator's ssh_config, which could set any of these
    const args = openSshArgs(host({ sshConfig: { kind: 'default' }, namedKeys: [] }), options);

    // Then each is given on the command line, where it wins over ssh_config
    expect(READ_ONLY.map((option) => optionValues(args, option.split('=')[0]!))).toEqual(READ_ONLY.map((option) => [option.split('=')[1]]));
  });

  it('asks for the generated ssh_config of each level’s own choice: the host’s and each jump host’s', () => {
    // Given a host under the default choice behind a jump host that reads one file
    const asked: SshConfigChoice[] = [];
    const bastion = jump('bastion', 22, { sshConfig: { kind: 'file', path: '/etc/jump.conf' } });
    const hv = host({ sshConfig: { kind: 'default' }, namedKeys: ['jump'], jump: bastion });

    // When its arguments are built
    const [command] = optionValues(
      openSshArgs(hv, { ...options, runConfig: (choice) => (asked.push(choice), runConfig(choice)) }),
      'ProxyCommand',
    );

    // Then the jump host's ssh (the ProxyCommand) reads its own file
    expect(asked).toEqual([{ kind: 'default' }, { kind: 'file', path: '/etc/jump.conf' }]);
    expect(proxyArgv(command!, { host: hv.address, port: hv.port })).toEqual(expect.arrayContaining(['-F', '/run/cfg/file(/etc/jump.conf)']));
  });

  it('passes only the keys an inventory level names when ssh_config applies, so ssh_config decides the rest', () => {
    // Given a host under ssh_config that names only its user and known_hosts file
    const hv = host({
      sshConfig: { kind: 'default' },
      namedKeys: ['user', 'knownHostsFile'],
      identityFile: '/keys/id',
      jump: jump('bastion', 22),
    });

    // When its ssh arguments are built
    const args = openSshArgs(hv, options);

    // Then only those two are said; port, key, agent and jump host come from ssh_config
    expect(optionsOf(args)).toEqual([
      ...ALWAYS,
      '-F',
      '/run/cfg/default',
      '-l',
      'audit',
      '-o',
      'UserKnownHostsFile=/kh/known_hosts',
      '-o',
      'GlobalKnownHostsFile=/dev/null',
    ]);
  });

  it('passes every key when no ssh_config applies, named or not (nothing else would supply them)', () => {
    const hv = host({ sshConfig: { kind: 'off' }, namedKeys: ['user'], identityFile: '/keys/id' });
    const args = optionsOf(openSshArgs(hv, options));
    expect(args).toEqual(expect.arrayContaining(['-p', '2222', '-i', '/keys/id', 'IdentityAgent=none', 'ProxyCommand=none']));
  });

  it('uses the agent at SSH_AUTH_SOCK when the host names agent: true, whatever ssh_config’s IdentityAgent, and none when false', () => {
    const agent = (hv: HostConfig) => optionValues(openSshArgs(hv, options), 'IdentityAgent');
    expect(agent(host({ agent: true }))).toEqual(['SSH_AUTH_SOCK']);
    expect(agent(host({ agent: false }))).toEqual(['none']);
    expect(agent(host({ agent: true, sshConfig: { kind: 'default' }, namedKeys: ['agent'] }))).toEqual(['SSH_AUTH_SOCK']);
    // Not named: ssh_config (or OpenSSH's default, SSH_AUTH_SOCK) decides.
    expect(agent(host({ agent: true, sshConfig: { kind: 'default' }, namedKeys: [] }))).toEqual([]);
  });

  it('trusts only the known_hosts file the inventory names, never a system-wide one (as with ssh2)', () => {
    // Given a host under ssh_config naming its known_hosts file, and one that does not name it
    const named = openSshArgs(host({ sshConfig: { kind: 'default' }, namedKeys: ['knownHostsFile'] }), options);
    const unnamed = openSshArgs(host({ sshConfig: { kind: 'default' }, namedKeys: [] }), options);

    // Then the named file is the only one; otherwise ssh_config decides both
    expect([optionValues(named, 'UserKnownHostsFile'), optionValues(named, 'GlobalKnownHostsFile')]).toEqual([['/kh/known_hosts'], ['/dev/null']]);
    expect([optionValues(unnamed, 'UserKnownHostsFile'), optionValues(unnamed, 'GlobalKnownHostsFile')]).toEqual([[], []]);
  });

  it('writes paths the way ssh_config syntax reads them back: spaces quoted, % doubled, backslashes escaped', () => {
    const knownHosts = (knownHostsFile: string) => optionValues(openSshArgs(host({ knownHostsFile }), options), 'UserKnownHostsFile');
    expect(knownHosts('/home/me/my hosts')).toEqual(['"/home/me/my hosts"']);
    expect(knownHosts('/srv/100%/kh')).toEqual(['/srv/100%%/kh']);
    expect(knownHosts("/srv/it's\\kh")).toEqual(['"/srv/it\'s\\\\kh"']);
    expect(knownHosts('/srv/#kh')).toEqual(['"/srv/#kh"']);
  });

  it('refuses a path ssh_config syntax cannot carry, as a config error', () => {
    expect(() => openSshArgs(host({ knownHostsFile: '/srv/"quoted"/kh' }), options)).toThrow(
      expect.objectContaining({ kind: 'config', message: expect.stringContaining('double quote') }),
    );
    expect(() => openSshArgs(host({ identityFile: '/srv/${USER}/id' }), options)).toThrow(
      expect.objectContaining({ kind: 'config', message: expect.stringContaining('environment variable') }),
    );
  });

  it('gives a key path with % as IdentityFile, since ssh stat()s a -i path before expanding it', () => {
    const args = openSshArgs(host({ identityFile: '/keys/100%/id' }), options);
    expect(optionValues(args, 'IdentityFile')).toEqual(['/keys/100%%/id']);
    expect(args).not.toContain('-i');
  });

  it('trusts only --known-hosts when given, for the host and no system-wide file', () => {
    const args = openSshArgs(host(), { ...options, knownHostsOverride: '/run/kh' });
    expect(optionValues(args, 'UserKnownHostsFile')).toEqual(['/run/kh']);
    expect(optionValues(args, 'GlobalKnownHostsFile')).toEqual(['/dev/null']);
  });

  it('maps the run’s host key policy onto StrictHostKeyChecking, and says nothing when the run gave none', () => {
    const policyArgs = (hostKeyPolicy?: 'strict' | 'accept-new' | 'off') =>
      optionValues(openSshArgs(host(), hostKeyPolicy ? { ...options, hostKeyPolicy } : options), 'StrictHostKeyChecking');
    expect([policyArgs('strict'), policyArgs('accept-new'), policyArgs('off'), policyArgs()]).toEqual([['yes'], ['accept-new'], ['no'], []]);
  });

  it('under policy off reads and writes no known_hosts file at all, whatever the host or --known-hosts say', () => {
    const args = openSshArgs(host(), { ...options, hostKeyPolicy: 'off', knownHostsOverride: '/run/kh' });
    // ssh keeps the first value it is given: there must be exactly one of each.
    expect(optionValues(args, 'UserKnownHostsFile')).toEqual(['/dev/null']);
    expect(optionValues(args, 'GlobalKnownHostsFile')).toEqual(['/dev/null']);
  });

  it('reaches a host behind a jump host through a ProxyCommand running the hop’s own ssh with -W', () => {
    // Given a host behind one bastion with its own user, port, key and known_hosts
    const bastion = jump('bastion', 2200, { user: 'jumper', identityFile: '/keys/jump', knownHostsFile: '/kh/jump' });

    // When the host's arguments are built
    const [command] = optionValues(openSshArgs(host({ jump: bastion }), options), 'ProxyCommand');

    // Then the hop is one shell-quoted ssh command whose only % tokens are -W's
    expect(command).toBe(
      "'ssh' '-T' '-o' 'BatchMode=yes' '-o' 'LogLevel=ERROR' '-o' 'RemoteCommand=none' '-o' 'ClearAllForwardings=yes' " +
        "'-o' 'ForwardAgent=no' '-o' 'ForwardX11=no' '-o' 'PermitLocalCommand=no' '-o' 'ConnectTimeout=10' '-F' '/run/cfg/off' " +
        "'-l' 'jumper' '-p' '2200' '-i' '/keys/jump' '-o' 'IdentityAgent=none' '-o' 'UserKnownHostsFile=/kh/jump' " +
        "'-o' 'GlobalKnownHostsFile=/dev/null' '-o' 'ProxyCommand=none' -W '[%h]:%p' -- 'bastion.example'",
    );
  });

  it('nests a chain of jump hosts, each hop’s command surviving ssh’s % expansion and sh’s quoting intact', () => {
    // Given host ← inner ← outer, with paths that need quoting at every level
    const outer = jump('outer', 2201, { knownHostsFile: "/kh/it's 100% \\odd", identityFile: '/keys/o%ter' });
    const inner = jump('inner', 2202, { knownHostsFile: '/kh/inner', identityFile: '/keys/inner\\', jump: outer });
    const hv = host({ jump: inner });

    // When the host's ProxyCommand is run as ssh (expanding %h/%p to the host) and sh would run it
    const [command] = optionValues(openSshArgs(hv, { ...options, sshBinary: '/opt/ssh/bin/ssh' }), 'ProxyCommand');
    const innerArgv = proxyArgv(command!, { host: hv.address, port: hv.port });

    // Then it is the inner hop's ssh, forwarding to the host, and reaching the inner hop through its own ProxyCommand
    expect(innerArgv.slice(0, 1)).toEqual(['/opt/ssh/bin/ssh']);
    expect(innerArgv.slice(-4)).toEqual(['-W', '[10.0.0.5]:2222', '--', 'inner.example']);
    expect(optionValues(innerArgv, 'UserKnownHostsFile')).toEqual(['/kh/inner']);
    expect(innerArgv[innerArgv.indexOf('-i') + 1]).toBe('/keys/inner\\');
    const [outerCommand] = optionValues(innerArgv, 'ProxyCommand');

    // And the outer hop, run as the inner hop's ssh would, forwards to the inner hop with its paths intact
    const outerArgv = proxyArgv(outerCommand!, { host: inner.address, port: inner.port });
    expect(outerArgv.slice(-4)).toEqual(['-W', '[inner.example]:2202', '--', 'outer.example']);
    expect(optionValues(outerArgv, 'UserKnownHostsFile')).toEqual(['"/kh/it\'s 100%% \\\\odd"']);
    expect(optionValues(outerArgv, 'IdentityFile')).toEqual(['/keys/o%%ter']);
    expect(optionValues(outerArgv, 'ProxyCommand')).toEqual(['none']);
  });

  it('gives each hop the run’s host key policy and --known-hosts too', () => {
    const hv = host({ jump: jump('bastion', 22) });
    const [command] = optionValues(openSshArgs(hv, { ...options, hostKeyPolicy: 'accept-new', knownHostsOverride: '/run/kh' }), 'ProxyCommand');
    const hop = proxyArgv(command!, { host: hv.address, port: hv.port });
    expect(optionValues(hop, 'StrictHostKeyChecking')).toEqual(['accept-new']);
    expect(optionValues(hop, 'UserKnownHostsFile')).toEqual(['/run/kh']);
  });

  it('says nothing of a jump host the inventory does not name, so ssh_config’s ProxyJump applies', () => {
    const hv = host({ sshConfig: { kind: 'default' }, namedKeys: ['user'] satisfies ConnectionKey[], jump: null });
    expect(optionValues(openSshArgs(hv, options), 'ProxyCommand')).toEqual([]);
  });

  it('shuts out ssh_config’s ProxyJump and ProxyCommand when the inventory names no jump host', () => {
    const hv = host({ sshConfig: { kind: 'default' }, namedKeys: ['jump'], jump: null });
    expect(optionValues(openSshArgs(hv, options), 'ProxyCommand')).toEqual(['none']);
  });

  it('refuses a jump chain that loops or runs too long, as a config error', () => {
    // Given a loop (a ← b ← a) and a chain one hop too long
    const a = jump('a', 1);
    const b = jump('b', 2, { jump: a });
    a.jump = b;
    let long: JumpHostConfig = jump('hop0', 100);
    for (let i = 1; i <= MAX_JUMP_HOPS; i++) long = jump(`hop${i}`, 100 + i, { jump: long });

    // Then both are refused rather than built without end
    expect(() => openSshArgs(host({ jump: a }), options)).toThrow(
      expect.objectContaining({ kind: 'config', message: expect.stringContaining('loop') }),
    );
    expect(() => openSshArgs(host({ jump: long }), options)).toThrow(expect.objectContaining({ kind: 'config' }));
  });

  it('refuses a password or passphrase from the environment: OpenSSH’s client reads them only from a terminal', () => {
    expect(() => openSshArgs(host({ passwordEnv: 'HV_PASSWORD' }), options)).toThrow(
      expect.objectContaining({ kind: 'config', message: expect.stringContaining('use `transport: ssh2` for password logins') }),
    );
    expect(() => openSshArgs(host({ jump: jump('bastion', 22, { passphraseEnv: 'KEY_PASS' }) }), options)).toThrow(
      expect.objectContaining({
        kind: 'config',
        message: expect.stringMatching(/^jump host bastion: .*load the key into ssh-agent, or use `transport: ssh2`/),
      }),
    );
  });
});

describe('createOpenSshConnector().connect', () => {
  it('rejects a host with passwordEnv as a config error, before starting anything', async () => {
    const connector = createOpenSshConnector({ connectTimeoutMs: 1_000, sshBinary: '/nonexistent/ssh' });
    const error = await rejectionOf(connector.connect(host({ passwordEnv: 'HV_PASSWORD' }), {}));
    expect(error.kind).toBe('config');
    expect(error.message).toContain('reads passwords only from a terminal');
  });

  it('rejects when the run is already stopping', async () => {
    const connector = createOpenSshConnector({ connectTimeoutMs: 1_000, sshBinary: '/nonexistent/ssh' });
    const stop = new AbortController();
    stop.abort();
    expect((await rejectionOf(connector.connect(host(), { signal: stop.signal }))).kind).toBe('cancelled');
  });

  it('refuses new hosts once closed', async () => {
    const connector = createOpenSshConnector({ connectTimeoutMs: 1_000 });
    await connector.close();
    expect((await rejectionOf(connector.connect(host(), {}))).kind).toBe('cancelled');
  });
});
