/**
 * ssh_config resolved by the real `ssh -G`, laid over hosts of an inventory and connected to with ssh2: aliases,
 * Include, Match, ProxyJump through a bastion (its own ssh_config settings), and failures that name the setting.
 * Servers are in-process on 127.0.0.1; the config is a file of the test's own (`sshConfig: PATH`).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshServer, type RunningSshServer } from '../../../src/demo/sshServer.js';
import { parseInventory } from '../../../src/inventory/index.js';
import type { HostConfig } from '../../../src/model.js';
import { createSshConfigResolver } from '../../../src/sshconfig/resolver.js';
import { hostSettingRows } from '../../../src/sshSettingsCommand.js';
import { createFleetConnector } from '../../../src/transport/fleetConnector.js';
import { knownHostsLineFor, makeTempDir, rejectionOf, startEchoServer, writeClientKey, type ClientKey } from '../../helpers/sshFixtures.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
let key: ClientKey;
let direct: RunningSshServer;
let behind: RunningSshServer;
let bastion: RunningSshServer;
let configFile: string;

beforeAll(async () => {
  tmp = await makeTempDir('sshconfig');
  key = await writeClientKey(tmp.dir, 'lab_key');
  [direct, behind] = await Promise.all([startEchoServer(key, 'direct'), startEchoServer(key, 'behind')]);
  bastion = await startEchoServer(key, 'bastion', { username: 'jump', forwardPorts: [behind.port] });
  const knownHosts = path.join(tmp.dir, 'lab_known_hosts');
  writeFileSync(knownHosts, `${[direct, behind, bastion].map(knownHostsLineFor).join('\n')}\n`);
  mkdirSync(path.join(tmp.dir, 'conf.d'));
  configFile = path.join(tmp.dir, 'ssh_config');
  // The aliases live in an included file; who logs in, with which key and known_hosts, comes from a Match block.
  writeFileSync(configFile, [`Include ${tmp.dir}/conf.d/*.conf`, 'Match originalhost lab-*', '  User audit', `  IdentityFile ${key.file}`, `  UserKnownHostsFile ${knownHosts}`, ''].join('\n'));
  writeFileSync(
    path.join(tmp.dir, 'conf.d', 'lab.conf'),
    [
      'Host lab-direct',
      '  HostName 127.0.0.1',
      `  Port ${direct.port}`,
      'Host lab-behind',
      '  HostName 127.0.0.1',
      `  Port ${behind.port}`,
      '  ProxyJump jump@lab-bastion',
      'Host lab-bastion',
      '  HostName 127.0.0.1',
      `  Port ${bastion.port}`,
      'Host lab-proxied',
      '  HostName 127.0.0.1',
      '  ProxyCommand nc %h %p',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await Promise.all([direct, behind, bastion].map((server) => server.close()));
  await tmp.cleanup();
});

function inventoryHosts(extra = ''): HostConfig[] {
  const text = [
    `defaults: { sshConfig: ${configFile} }`,
    'hosts:',
    '  - { name: hv-direct, address: lab-direct }',
    '  - { name: hv-behind, address: lab-behind }',
    '  - { name: hv-proxied, address: lab-proxied }',
    `  - { name: hv-named, address: lab-direct, user: nobody${extra} }`,
  ].join('\n');
  return parseInventory(text, path.join(tmp.dir, 'inventory.yaml'), { homeDir: tmp.dir, env: { USER: 'alice' } }).hosts;
}

function fleetConnector() {
  return createFleetConnector({
    transport: null,
    hostKeyPolicy: null,
    connectTimeoutMs: null,
    defaultConnectTimeoutMs: 5_000,
    knownHostsOverride: null,
    resolver: createSshConfigResolver({ localUser: 'alice', agentAvailable: false, opensshHomeDir: tmp.dir }),
    warn: () => {},
  });
}

async function probe(connector: ReturnType<typeof fleetConnector>, host: HostConfig): Promise<string> {
  const transport = await connector.connect(host, {});
  try {
    return (await transport.exec('probe', { maxBytes: 1 << 20 })).stdout;
  } finally {
    transport.close();
  }
}

describe('ssh_config through ssh -G, with the ssh2 transport', () => {
  it('reaches an alias whose address, port, user, key and known_hosts come only from ssh_config (Include and Match)', async () => {
    const connector = fleetConnector();
    try {
      expect(await probe(connector, inventoryHosts()[0]!)).toBe('direct:probe');
    } finally {
      await connector.close();
    }
  });

  it('follows a ProxyJump hop with its own settings: the hop user from the list, the rest from its Host block', async () => {
    const connector = fleetConnector();
    const before = bastion.connections();
    try {
      expect(await probe(connector, inventoryHosts()[1]!)).toBe('behind:probe');
      expect(bastion.connections() - before).toBe(1);
    } finally {
      await connector.close();
    }
  });

  it('lets the inventory win: a user named there is the one that logs in, whatever Match says', async () => {
    const connector = fleetConnector();
    try {
      const error = await rejectionOf(probe(connector, inventoryHosts()[3]!));
      expect(error.kind).toBe('auth');
      expect(error.message).toContain('nobody');
    } finally {
      await connector.close();
    }
  });

  it('refuses a ProxyCommand with the ssh2 transport, saying to use openssh', async () => {
    const connector = fleetConnector();
    try {
      const error = await rejectionOf(probe(connector, inventoryHosts()[2]!));
      expect(error.kind).toBe('config');
      expect(error.message).toMatch(/ProxyCommand.*transport: openssh/);
    } finally {
      await connector.close();
    }
  });

  it('fails a host whose ssh_config OpenSSH refuses with kind config, quoting OpenSSH on the bad line', async () => {
    const broken = path.join(tmp.dir, 'broken_config');
    writeFileSync(broken, 'Host lab-*\n  NoSuchOption yes\n');
    const [host] = parseInventory(`hosts:\n  - { name: hv, address: lab-direct, sshConfig: ${broken} }\n`, path.join(tmp.dir, 'inventory.yaml'), {
      homeDir: tmp.dir,
    }).hosts;
    const connector = fleetConnector();
    try {
      const error = await rejectionOf(probe(connector, host!));
      expect(error.kind).toBe('config');
      expect(error.message).toContain('line 2: Bad configuration option: nosuchoption');
    } finally {
      await connector.close();
    }
  });
});

describe('jump hosts from ssh_config', () => {
  /** An inventory host at `alias` with its own ssh_config file `text` (the lab's Match block included). */
  function hostWithConfig(name: string, alias: string, text: string): HostConfig {
    const file = path.join(tmp.dir, `${name}.conf`);
    // The lab's file first: at the end, its lines would sit inside the last Host block of `text`.
    writeFileSync(file, `Include ${configFile}\n${text}\n`);
    return parseInventory(`hosts:\n  - { name: ${name}, address: ${alias}, sshConfig: ${file} }\n`, path.join(tmp.dir, 'inventory.yaml'), { homeDir: tmp.dir }).hosts[0]!;
  }

  it('refuses a first hop that OpenSSH would reach by its own ProxyCommand, rather than connecting to it directly', async () => {
    const host = hostWithConfig('hv-cmdhop', 'lab-cmdhop-target', [
      'Host lab-cmdhop-target', '  HostName 127.0.0.1', `  Port ${behind.port}`, '  ProxyJump jump@lab-cmdhop',
      'Host lab-cmdhop', '  HostName 127.0.0.1', `  Port ${bastion.port}`, '  ProxyCommand nc %h %p',
    ].join('\n'));
    const connector = fleetConnector();
    const before = bastion.connections();
    try {
      const error = await rejectionOf(probe(connector, host));
      expect(error.kind).toBe('config');
      expect(error.message).toMatch(/jump host jump@lab-cmdhop.*ProxyCommand/);
      expect(bastion.connections()).toBe(before);
    } finally {
      await connector.close();
    }
  });

  it('opens one bastion connection per distinct hop: the same name under two ssh_configs that differ is two hops', async () => {
    const knownHostsB = path.join(tmp.dir, 'known_hosts_b');
    writeFileSync(knownHostsB, `${knownHostsLineFor(bastion)}\n${knownHostsLineFor(behind)}\n`);
    const gw = (knownHosts: string) =>
      ['Host lab-behind-gw', '  HostName 127.0.0.1', `  Port ${behind.port}`, '  ProxyJump jump@gw', 'Host gw', '  HostName 127.0.0.1', `  Port ${bastion.port}`, `  IdentityFile ${key.file}`, `  UserKnownHostsFile ${knownHosts}`].join('\n');
    const a = hostWithConfig('hv-a', 'lab-behind-gw', gw(path.join(tmp.dir, 'lab_known_hosts')));
    const b = hostWithConfig('hv-b', 'lab-behind-gw', gw(knownHostsB));
    const connector = fleetConnector();
    const before = bastion.connections();
    try {
      expect(await Promise.all([probe(connector, a), probe(connector, b), probe(connector, a)])).toEqual(['behind:probe', 'behind:probe', 'behind:probe']);
      expect(bastion.connections() - before).toBe(2);
    } finally {
      await connector.close();
    }
  });

  it('lets --connect-timeout win over a hop\'s own ConnectTimeout', async () => {
    const silent = await startSshServer({ behaviour: 'never-answer' });
    try {
      const host = hostWithConfig('hv-slowhop', 'lab-slowhop-target', [
        'Host lab-slowhop-target', '  HostName 127.0.0.1', `  Port ${behind.port}`, '  ProxyJump jump@lab-slowhop',
        'Host lab-slowhop', '  HostName 127.0.0.1', `  Port ${silent.port}`, '  ConnectTimeout 60',
      ].join('\n'));
      const connector = createFleetConnector({
        transport: null,
        hostKeyPolicy: null,
        connectTimeoutMs: 300,
        defaultConnectTimeoutMs: 5_000,
        knownHostsOverride: null,
        resolver: createSshConfigResolver({ localUser: 'alice', agentAvailable: false, opensshHomeDir: tmp.dir }),
        warn: () => {},
      });
      const started = Date.now();
      try {
        const error = await rejectionOf(probe(connector, host));
        expect(error.kind).toBe('timeout');
        expect(Date.now() - started).toBeLessThan(3_000);
      } finally {
        await connector.close();
      }
    } finally {
      await silent.close();
    }
  });
});

describe('a slow ssh_config (a Match exec that takes its time)', () => {
  it("stops a host at its own deadline, while another host asking the same question still gets the answer", async () => {
    const slow = path.join(tmp.dir, 'slow_config');
    writeFileSync(slow, `Match exec "sleep 1"\n  User audit\n  HostName 127.0.0.1\n  Port ${direct.port}\n`);
    const [host] = parseInventory(`hosts:\n  - { name: hv, address: lab-slow, sshConfig: ${slow} }\n`, path.join(tmp.dir, 'inventory.yaml'), { homeDir: tmp.dir }).hosts;
    const resolver = createSshConfigResolver({ localUser: 'alice', agentAvailable: false, opensshHomeDir: tmp.dir });
    const started = Date.now();
    const [hurried, patient] = await Promise.allSettled([resolver.resolve(host!, AbortSignal.timeout(200)), resolver.resolve(host!)]);
    expect(hurried.status === 'rejected' && (hurried.reason as { kind?: string }).kind).toBe('timeout');
    expect(patient.status === 'fulfilled' && patient.value.host.user).toBe('audit');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});

describe('what ssh -G says, taken as OpenSSH means it', () => {
  function configured(name: string, text: string) {
    const file = path.join(tmp.dir, name);
    writeFileSync(file, text);
    return file;
  }
  const resolver = () => createSshConfigResolver({ localUser: 'alice', agentAvailable: false, opensshHomeDir: tmp.dir });

  it('maps StrictHostKeyChecking yes, accept-new and no (printed true, accept-new, false) onto strict, accept-new, off', async () => {
    const file = configured('strictness', 'Host lab-yes\n  StrictHostKeyChecking yes\nHost lab-new\n  StrictHostKeyChecking accept-new\nHost lab-no\n  StrictHostKeyChecking no\n');
    const hosts = parseInventory(
      `defaults: { sshConfig: ${file} }\nhosts:\n  - { name: a, address: lab-yes }\n  - { name: b, address: lab-new }\n  - { name: c, address: lab-no }\n`,
      path.join(tmp.dir, 'inventory.yaml'),
      { homeDir: tmp.dir },
    ).hosts;
    const resolved = await Promise.all(hosts.map((host) => resolver().resolve(host)));
    expect(resolved.map((r) => r.host.fromSshConfig?.hostKeyPolicy)).toEqual(['strict', 'accept-new', 'off']);
  });

  it('gives each host what its own ssh -G would, also where paths hold %r, %p or %C (one answer per user and port, or per host)', async () => {
    for (const pattern of ['kh-%r-%p', 'kh-%r-%p-%C']) {
      const file = configured(`tokens-${pattern}`, `Host *\n  UserKnownHostsFile ~/.ssh/${pattern}\n`);
      const text = [
        `defaults: { sshConfig: ${file} }`,
        'hosts:',
        '  - { name: a, address: lab-a, user: audit, port: 2200 }',
        '  - { name: b, address: lab-b, user: ops }',
        '  - { name: c, address: lab-c }',
      ].join('\n');
      const hosts = parseInventory(text, path.join(tmp.dir, 'inventory.yaml'), { homeDir: tmp.dir, env: { USER: 'alice' } }).hosts;
      const resolved = await Promise.all(hosts.map((host) => resolver().resolve(host)));
      const direct = hosts.map((host) => {
        const named = host.namedKeys ?? [];
        const args = ['-G', '-F', file, ...(named.includes('user') ? ['-l', host.user] : []), ...(named.includes('port') ? ['-p', String(host.port)] : []), '--', host.address];
        const line = spawnSync('ssh', args, { encoding: 'utf8' }).stdout.split('\n').find((l) => l.startsWith('userknownhostsfile '));
        return line?.split(' ')[1];
      });
      expect(resolved.map((r) => r.host.knownHostsFile), pattern).toEqual(direct);
      expect(new Set(direct).size, pattern).toBe(3);
    }
  });

  it('falls back to the ssh-config library where no ssh binary exists, and says so', async () => {
    const file = configured('no-binary', `Host lab-nobin\n  HostName 127.0.0.1\n  Port ${direct.port}\n  User audit\n  IdentityFile ${key.file}\n  UserKnownHostsFile ${path.join(tmp.dir, 'lab_known_hosts')}\n`);
    const [host] = parseInventory(`hosts:\n  - { name: hv, address: lab-nobin, sshConfig: ${file} }\n`, path.join(tmp.dir, 'inventory.yaml'), { homeDir: tmp.dir }).hosts;
    const withoutSsh = createSshConfigResolver({ localUser: 'alice', agentAvailable: false, opensshHomeDir: tmp.dir, sshBinary: path.join(tmp.dir, 'no-such-ssh') });
    const resolved = await withoutSsh.resolve(host!);
    expect(resolved.resolvedBy).toBe('ssh-config library');
    expect([resolved.host.address, resolved.host.port, resolved.host.user, resolved.host.defaultIdentityFiles]).toEqual(['127.0.0.1', direct.port, 'audit', [key.file]]);
  });

  it('kills a Match exec that never returns, and what it started, and fails the host with kind config', async () => {
    const file = configured('hung', 'Match exec "sleep 1000.25"\n  User never\n');
    const [host] = parseInventory(`hosts:\n  - { name: hv, address: lab-hung, sshConfig: ${file} }\n`, path.join(tmp.dir, 'inventory.yaml'), { homeDir: tmp.dir }).hosts;
    const hurried = createSshConfigResolver({ localUser: 'alice', agentAvailable: false, opensshHomeDir: tmp.dir, sshGTimeoutMs: 500 });
    const started = Date.now();
    const error = await rejectionOf(hurried.resolve(host!));
    expect(error.kind).toBe('config');
    expect(error.message).toMatch(/gave no answer within 0.5 s/);
    expect(Date.now() - started).toBeLessThan(3_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(processesRunning('1000.25')).toEqual([]);
  });
});

/** Pids of processes whose command line holds `marker` as an argument. */
function processesRunning(marker: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('ssh-settings', () => {
  it('names where each value comes from: ssh_config with its directive, the inventory, the command line, a default', async () => {
    const rows = await hostSettingRows(inventoryHosts()[3]!, {
      transport: null,
      hostKeyPolicy: 'accept-new',
      connectTimeoutMs: null,
      knownHosts: null,
      defaultConnectTimeoutMs: 10_000,
    });
    const byName = new Map(rows.map((row) => [row.setting, row]));
    expect(byName.get('address')).toEqual({ setting: 'address', value: '127.0.0.1', source: 'ssh_config (HostName, for lab-direct)' });
    expect(byName.get('user')).toEqual({ setting: 'user', value: 'nobody', source: 'inventory' });
    expect(byName.get('port')).toEqual({ setting: 'port', value: String(direct.port), source: 'ssh_config (Port)' });
    expect(byName.get('key files')).toEqual({ setting: 'key files', value: key.file, source: 'ssh_config (IdentityFile)' });
    expect(byName.get('host key policy')).toEqual({ setting: 'host key policy', value: 'accept-new', source: '--host-key-policy' });
    expect(byName.get('connect timeout')).toEqual({ setting: 'connect timeout', value: '10 s', source: 'default' });
    const behindRows = await hostSettingRows(inventoryHosts()[1]!, { transport: null, hostKeyPolicy: null, connectTimeoutMs: null, knownHosts: null, defaultConnectTimeoutMs: 10_000 });
    expect(behindRows.find((row) => row.setting === 'jump')).toEqual({
      setting: 'jump',
      value: `jump@lab-bastion (jump@127.0.0.1:${bastion.port})`,
      source: 'ssh_config (ProxyJump)',
    });
  });
});

describe('how many times ssh -G runs', () => {
  /** A resolver whose `ssh` notes each call in a log, and the hosts hv0…hv49 of an inventory using `config`. */
  function counted(configText: string, hostExtra: (i: number) => string = () => '') {
    const dir = path.join(tmp.dir, `count-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir);
    const log = path.join(dir, 'calls.log');
    const wrapper = path.join(dir, 'ssh');
    writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${log}'\nexec ssh "$@"\n`, { mode: 0o755 });
    const config = path.join(dir, 'ssh_config');
    writeFileSync(config, configText);
    const lines = [`defaults: { sshConfig: ${config} }`, 'hosts:', ...Array.from({ length: 50 }, (_, i) => `  - { name: hv${i}, address: lab-${i}${hostExtra(i)} }`)];
    const hosts = parseInventory(lines.join('\n'), path.join(dir, 'inventory.yaml'), { homeDir: dir, env: { USER: 'alice' } }).hosts;
    const resolver = createSshConfigResolver({ localUser: 'alice', agentAvailable: false, opensshHomeDir: dir, sshBinary: wrapper });
    const calls = () => readFileSync(log, 'utf8').trim().split('\n').length;
    return { hosts, resolver, calls };
  }

  it('once for the whole fleet when ssh_config cannot tell hosts apart (Host * only), with the same answer', async () => {
    const { hosts, resolver, calls } = counted('Host *\n  User audit\n  Port 2200\n');
    const resolved = await Promise.all(hosts.map((host) => resolver.resolve(host)));
    expect(resolved.map((r) => [r.host.address, r.host.user, r.host.port])).toEqual(hosts.map((h) => [h.address, 'audit', 2200]));
    // OpenSSH's unconfigured answer, and the answers for two made-up names (alike, so they stand for any host)
    expect(calls()).toBe(3);
  });

  it('once for a fleet whose hosts each name a port of their own, and a user', async () => {
    const { hosts, resolver, calls } = counted('Host *\n  User ignored\n  HashKnownHosts yes\n', (i) => `, port: ${2200 + i}, user: audit`);
    const resolved = await Promise.all(hosts.map((host) => resolver.resolve(host)));
    expect(resolved.map((r) => [r.host.user, r.host.port, r.host.fromSshConfig?.hashKnownHosts])).toEqual(hosts.map((_, i) => ['audit', 2200 + i, true]));
    expect(calls()).toBe(3);
  });

  it('once per host when a Host pattern can tell them apart', async () => {
    const { hosts, resolver, calls } = counted('Host lab-1*\n  User special\nHost *\n  User audit\n');
    const resolved = await Promise.all(hosts.map((host) => resolver.resolve(host)));
    expect(resolved.map((r) => r.host.user)).toEqual(hosts.map((h) => (h.address.startsWith('lab-1') ? 'special' : 'audit')));
    expect(calls()).toBe(1 + hosts.length);
  });
});
