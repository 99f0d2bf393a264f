import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InventoryError, parseInventory } from '../../../src/inventory/index.js';
import { loadInventory } from '../../../src/io/inventoryFile.js';

const HOME = '/home/auditor';

/** Parse and return the InventoryError's messages (fails the test when nothing is thrown). */
function errorsOf(text: string, file = 'inventory.yaml'): string[] {
  try {
    parseInventory(text, file, { homeDir: HOME });
  } catch (error) {
    expect(error).toBeInstanceOf(InventoryError);
    return [...(error as InventoryError).messages];
  }
  throw new Error('expected an InventoryError');
}

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`no line contains ${needle}`);
  return index + 1;
}

describe('inventory errors name file, line and key path', () => {
  it('reports a port out of range at its line with the host index', () => {
    // Given the fourth host with port 70000
    const text = [
      'hosts:',
      '  - { name: a, address: 10.0.0.1 }',
      '  - { name: b, address: 10.0.0.2 }',
      '  - { name: c, address: 10.0.0.3 }',
      '  - name: d',
      '    address: 10.0.0.4',
      '    port: 70000',
    ].join('\n');
    // When it is parsed
    const errors = errorsOf(text);
    // Then the message names the file, the port's line and hosts[3].port
    expect(errors).toEqual([`inventory.yaml:${lineOf(text, 'port: 70000')}: hosts[3].port: expected a number from 1 to 65535`]);
  });

  it('reports a port given as a string', () => {
    const text = 'defaults:\n  port: "22"\nhosts:\n  - { name: a, address: h }\n';
    expect(errorsOf(text)).toEqual(['inventory.yaml:2: defaults.port: expected a number from 1 to 65535']);
  });

  it('reports an unknown key at the key with a suggestion', () => {
    // Given a misspelt key in a group
    const text = 'groups:\n  prod:\n    identityfile: ~/.ssh/k\nhosts:\n  - { name: a, address: h, groups: [prod] }\n';
    // When parsed
    const errors = errorsOf(text);
    // Then it is an error that points at the key and suggests the right spelling
    expect(errors).toEqual(['inventory.yaml:3: groups.prod.identityfile: unknown key (did you mean identityFile?)']);
  });

  it('lists the allowed keys when an unknown key resembles none', () => {
    const errors = errorsOf('hosts:\n  - name: a\n    address: h\n    colour: blue\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^inventory\.yaml:4: hosts\[0\]\.colour: unknown key \(allowed here: .*\baddress\b.*\)$/);
  });

  it.each([
    ['defaults', 'defaults:\n  password: hunter2\nhosts:\n  - { name: a, address: h }\n', 'defaults.password', 2],
    ['a group', 'groups:\n  g:\n    password: hunter2\nhosts:\n  - { name: a, address: h, groups: [g] }\n', 'groups.g.password', 3],
    ['a jump host', 'jumpHosts:\n  j:\n    address: b\n    password: x\nhosts:\n  - { name: a, address: h }\n', 'jumpHosts.j.password', 4],
    ['a host', 'hosts:\n  - name: a\n    address: h\n    password: hunter2\n', 'hosts[0].password', 4],
  ])('refuses a plaintext password in %s and points at passwordEnv', (_where, text, path, line) => {
    // When an inventory holding a password is parsed
    const errors = errorsOf(text);
    // Then exactly one error says so, at the key, and names passwordEnv; the secret is not echoed
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^inventory\\.yaml:${line}: ${path.replace(/[.[\]]/g, '\\$&')}: plaintext passwords are refused: .*passwordEnv`));
    expect(errors[0]).not.toContain('hunter2');
  });

  it('names both lines of a duplicate host name', () => {
    const text = 'hosts:\n  - name: hv01\n    address: a\n  - name: hv02\n    address: b\n  - name: hv01\n    address: c\n';
    expect(errorsOf(text)).toEqual(['inventory.yaml:6: hosts[2].name: duplicate host name "hv01" (first defined at inventory.yaml:2)']);
  });

  it('refuses a reference to an undefined group and lists the defined ones', () => {
    const text = 'groups:\n  prod: {}\n  dmz: {}\nhosts:\n  - name: a\n    address: h\n    groups: [prod, prdo]\n';
    expect(errorsOf(text)).toEqual(['inventory.yaml:7: hosts[0].groups[1]: group "prdo" is not defined under groups: (defined: prod, dmz)']);
  });

  it('refuses a reference to an undefined jump host, from defaults, groups or hosts', () => {
    const text = [
      'defaults: { jump: nowhere }',
      'groups:',
      '  g: { jump: bastoin }',
      'jumpHosts:',
      '  bastion: { address: b }',
      'hosts:',
      '  - { name: a, address: h, groups: [g], jump: elsewhere }',
    ].join('\n');
    expect(errorsOf(text)).toEqual([
      'inventory.yaml:1: defaults.jump: jump host "nowhere" is not defined under jumpHosts: (defined: bastion)',
      'inventory.yaml:3: groups.g.jump: jump host "bastoin" is not defined under jumpHosts: (defined: bastion)',
      'inventory.yaml:7: hosts[0].jump: jump host "elsewhere" is not defined under jumpHosts: (defined: bastion)',
    ]);
  });

  it('refuses jump hosts that reach each other in a loop, and one naming an undefined jump host', () => {
    const text = [
      'jumpHosts:',
      '  a: { address: a.example, jump: b }',
      '  b: { address: b.example, jump: a }',
      '  c: { address: c.example, jump: nowhere }',
      'hosts:',
      '  - { name: h, address: h, jump: a }',
    ].join('\n');
    expect(errorsOf(text)).toEqual([
      'inventory.yaml:2: jumpHosts.a.jump: jump hosts reach each other in a loop: a → b → a',
      'inventory.yaml:3: jumpHosts.b.jump: jump hosts reach each other in a loop: b → a → b',
      'inventory.yaml:4: jumpHosts.c.jump: jump host "nowhere" is not defined under jumpHosts: (defined: a, b, c)',
    ]);
  });

  it("resolves a chain of jump hosts, each with its own settings, without taking defaults' jump", () => {
    const text = [
      'defaults: { user: ops, jump: inner }',
      'jumpHosts:',
      '  outer: { address: outer.example, port: 2222 }',
      '  inner: { address: inner.example, user: hop, jump: outer }',
      'hosts:',
      '  - { name: h, address: h }',
    ].join('\n');
    const [host] = parseInventory(text, 'inventory.yaml', { homeDir: HOME }).hosts;
    expect(host?.jump).toMatchObject({ name: 'inner', user: 'hop', port: 22, jump: { name: 'outer', user: 'ops', port: 2222, jump: null } });
  });

  it.each(["qemu:///system'; reboot", 'not a uri', 'qemu:///sys tem'])('refuses the libvirt URI %j', (uri) => {
    const text = `hosts:\n  - name: a\n    address: h\n    libvirtUri: ${JSON.stringify(uri)}\n`;
    const errors = errorsOf(text);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^inventory\.yaml:4: hosts\[0\]\.libvirtUri: expected a libvirt URI/);
  });

  it('reports a YAML syntax error with its line', () => {
    const text = 'hosts:\n  - name: a\n    address: [unclosed\n  - name: b\n';
    const errors = errorsOf(text);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/^inventory\.yaml:\d+: YAML syntax error: /);
    const line = Number(/^inventory\.yaml:(\d+):/.exec(errors[0] ?? '')?.[1]);
    expect(line).toBeGreaterThanOrEqual(3);
  });

  it('reports a duplicate YAML key as a syntax error at its line', () => {
    const errors = errorsOf('hosts:\n  - name: a\n    address: h\n    address: i\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^inventory\.yaml:4: YAML syntax error: .*unique/i);
  });

  it('reports an empty host list and an empty file', () => {
    expect(errorsOf('hosts: []\n')).toEqual(['inventory.yaml:1: hosts: the inventory lists no hosts: add at least one under hosts:']);
    expect(errorsOf('# nothing\n')).toEqual(['inventory.yaml:1: the inventory is empty: it needs at least a hosts: list']);
  });

  it('reports a missing required key at its parent', () => {
    expect(errorsOf('hosts:\n  - name: a\n  - name: b\n    address: h\n')).toEqual(['inventory.yaml:2: hosts[0].address: required']);
    expect(errorsOf('defaults: {}\n')).toEqual(['inventory.yaml:1: hosts: required']);
  });

  it('reports every problem at once, one per line, sorted by line', () => {
    // Given three independent mistakes
    const text = 'defaults:\n  agent: yes\nhosts:\n  - name: a\n    address: h\n    port: 0\n  - name: b\n    address: h\n    sudo: 1\n';
    // When parsed
    let thrown: unknown;
    try {
      parseInventory(text, 'inv.yaml', { homeDir: HOME });
    } catch (error) {
      thrown = error;
    }
    // Then the error carries all three and its message has one per line
    expect(thrown).toBeInstanceOf(InventoryError);
    const error = thrown as InventoryError;
    expect(error.messages).toEqual([
      'inv.yaml:2: defaults.agent: expected true or false',
      'inv.yaml:6: hosts[0].port: expected a number from 1 to 65535',
      'inv.yaml:9: hosts[1].sudo: expected true or false',
    ]);
    expect(error.message.split('\n')).toEqual(error.messages);
  });

  it('does not mistake a __proto__ key for a known one', () => {
    const errors = errorsOf('__proto__: {}\nhosts:\n  - { name: a, address: h }\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^inventory\.yaml:1: __proto__: unknown key \(allowed here: defaults, groups, jumpHosts, hosts\)$/);
  });

  it('points at the alias line for an entry reused with *alias', () => {
    const text = 'hosts:\n  - &h { name: a, address: h }\n  - *h\n';
    expect(errorsOf(text)).toEqual(['inventory.yaml:3: hosts[1].name: duplicate host name "a" (first defined at inventory.yaml:2)']);
  });

  it('refuses an uplinkInterfaces glob whose braces expand past the limit', () => {
    const errors = errorsOf(`defaults:\n  uplinkInterfaces: ["${'{a,b}'.repeat(9)}"]\nhosts:\n  - { name: a, address: h }\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^inventory\.yaml:2: defaults\.uplinkInterfaces\[0\]: ".*" expands to more than 256 patterns/);
  });

  it('refuses host names that would be ambiguous in --limit', () => {
    const errors = errorsOf('hosts:\n  - name: "web*,1"\n    address: h\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^inventory\.yaml:2: hosts\[0\]\.name: invalid host name/);
  });
});

describe('merging defaults, groups and host settings', () => {
  const text = [
    'defaults:',
    '  user: ops',
    '  port: 2201',
    '  identityFile: ~/.ssh/default_key',
    '  sudo: true',
    '  uplinkInterfaces: ["eno*"]',
    'groups:',
    '  prod: { user: audit, port: 2202, jump: bastion }',
    '  dmz: { port: 2203, libvirtUri: "qemu:///session" }',
    '  plain:',
    'jumpHosts:',
    '  bastion: { address: bastion.example, user: jump }',
    'hosts:',
    '  - { name: both, address: a, groups: [prod, dmz] }',
    '  - { name: reversed, address: b, groups: [dmz, prod] }',
    '  - { name: own, address: c, groups: [prod], port: 2204, jump: null, identityFile: null, agent: true }',
    '  - { name: bare, address: d, groups: [plain] }',
  ].join('\n');

  it('lets later groups win over earlier ones, and the host over both', () => {
    // When the inventory is parsed
    const hosts = parseInventory(text, 'inventory.yaml', { homeDir: HOME }).hosts;
    const byName = new Map(hosts.map((host) => [host.name, host]));
    // Then ports follow the precedence order
    expect(byName.get('both')?.port).toBe(2203);
    expect(byName.get('reversed')?.port).toBe(2202);
    expect(byName.get('own')?.port).toBe(2204);
    expect(byName.get('bare')?.port).toBe(2201);
    // And keys set at only one level come through
    expect(byName.get('both')?.user).toBe('audit');
    expect(byName.get('both')?.libvirtUri).toBe('qemu:///session');
    expect(byName.get('bare')?.libvirtUri).toBe('qemu:///system');
    expect(byName.get('bare')?.sudo).toBe(true);
    expect(byName.get('bare')?.uplinkInterfaces).toEqual(['eno*']);
  });

  it('unsets an inherited key with null', () => {
    const own = parseInventory(text, 'inventory.yaml', { homeDir: HOME }).hosts.find((host) => host.name === 'own');
    expect(own?.jump).toBeNull();
    expect(own?.identityFile).toBeNull();
    expect(own?.agent).toBe(true);
  });

  it('resolves jump hosts with defaults and shares one object per jump host', () => {
    const hosts = parseInventory(text, 'inventory.yaml', { homeDir: HOME }).hosts;
    const [both, reversed] = hosts;
    expect(both?.jump).toEqual({
      name: 'bastion',
      address: 'bastion.example',
      port: 2201,
      user: 'jump',
      identityFile: `${HOME}/.ssh/default_key`,
      defaultIdentityFiles: [],
      passphraseEnv: null,
      agent: false,
      passwordEnv: null,
      knownHostsFile: `${HOME}/.ssh/known_hosts`,
      readKnownHostsFiles: [`${HOME}/.ssh/known_hosts2`, '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
      jump: null,
      sshConfig: { kind: 'default' },
      // named by its entry (user) and by defaults (port, identityFile): ssh_config does not override them
      namedKeys: ['user', 'port', 'identityFile'],
    });
    expect(reversed?.jump).toBe(both?.jump);
  });

  it('applies the built-in defaults to a minimal host', () => {
    const [host] = parseInventory('hosts:\n  - { name: a, address: 10.0.0.1 }\n', 'inventory.yaml', { homeDir: HOME, env: { USER: 'alice' } }).hosts;
    expect(host).toEqual({
      name: 'a',
      address: '10.0.0.1',
      port: 22,
      // OpenSSH's: the user running the audit
      user: 'alice',
      groups: [],
      identityFile: null,
      // OpenSSH's key files, those that exist, because no key is named
      defaultIdentityFiles: [`${HOME}/.ssh/id_ed25519`, `${HOME}/.ssh/id_ecdsa`, `${HOME}/.ssh/id_rsa`],
      passphraseEnv: null,
      agent: false,
      passwordEnv: null,
      knownHostsFile: `${HOME}/.ssh/known_hosts`,
      // OpenSSH's other files, read and never written, because no known_hosts file is named
      readKnownHostsFiles: [`${HOME}/.ssh/known_hosts2`, '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
      libvirtUri: 'qemu:///system',
      sudo: false,
      uplinkInterfaces: [],
      jump: null,
      transport: 'ssh2',
      // OpenSSH's own ssh_config files, when one exists
      sshConfig: { kind: 'default' },
      // no key named anywhere: ssh_config may set any of them
      namedKeys: [],
    });
  });

  it('names ssh_config by choice: true is OpenSSH\'s own files, false none, a path that file; named keys win over it', () => {
    const text = [
      'defaults: { sshConfig: ~/lab/ssh_config, user: ops }',
      'groups:',
      '  direct: { sshConfig: false, jump: null }',
      'hosts:',
      '  - { name: a, address: h }',
      '  - { name: b, address: h, groups: [direct], transport: openssh }',
      '  - { name: c, address: h, sshConfig: true, port: 2222 }',
    ].join('\n');
    const hosts = parseInventory(text, 'inventory.yaml', { homeDir: HOME }).hosts;
    expect(hosts.map((h) => [h.sshConfig, h.namedKeys, h.transport])).toEqual([
      [{ kind: 'file', path: `${HOME}/lab/ssh_config` }, ['user'], 'ssh2'],
      [{ kind: 'off' }, ['user', 'jump'], 'openssh'],
      [{ kind: 'default' }, ['user', 'port'], 'ssh2'],
    ]);
  });

  it('logs in as the local user and uses the agent when SSH_AUTH_SOCK is set, as OpenSSH does, unless the inventory says otherwise', () => {
    const text = 'hosts:\n  - { name: a, address: h }\n  - { name: b, address: h, user: ops, agent: false }\n';
    const withAgent = parseInventory(text, 'inventory.yaml', { homeDir: HOME, env: { LOGNAME: 'bob', SSH_AUTH_SOCK: '/run/agent.sock' } }).hosts;
    expect(withAgent.map((h) => [h.user, h.agent])).toEqual([
      ['bob', true],
      ['ops', false],
    ]);
    const without = parseInventory(text, 'inventory.yaml', { homeDir: HOME, env: { USER: 'carol' } }).hosts;
    expect(without.map((h) => [h.user, h.agent])).toEqual([
      ['carol', false],
      ['ops', false],
    ]);
    expect(parseInventory(text, 'inventory.yaml', { homeDir: HOME, env: {}, localUser: 'dave' }).hosts[0]!.user).toBe('dave');
  });

  it("tries OpenSSH's key files only when no level names a key; identityFile: null means none", () => {
    const text = 'defaults:\n  identityFile: ~/k\nhosts:\n  - { name: a, address: h }\n  - { name: b, address: h, identityFile: null }\n';
    const hosts = parseInventory(text, 'inventory.yaml', { homeDir: HOME }).hosts;
    expect(hosts.map((h) => [h.identityFile, h.defaultIdentityFiles])).toEqual([
      [`${HOME}/k`, []],
      [null, []],
    ]);
  });

  it("reads only the known_hosts file the inventory names, at any level, not OpenSSH's other files", () => {
    const text = 'defaults:\n  knownHostsFile: /etc/kna/known\nhosts:\n  - { name: a, address: h }\n  - { name: b, address: h, knownHostsFile: ~/k }\n';
    const hosts = parseInventory(text, 'inventory.yaml', { homeDir: HOME }).hosts;
    expect(hosts.map((h) => [h.knownHostsFile, h.readKnownHostsFiles])).toEqual([
      ['/etc/kna/known', []],
      [`${HOME}/k`, []],
    ]);
  });
});

describe('paths', () => {
  it('expands ~ to the given home directory and takes relative paths from the inventory directory', () => {
    const text = 'hosts:\n  - { name: a, address: h, identityFile: ~/.ssh/id, knownHostsFile: keys/known }\n';
    const [host] = parseInventory(text, '/etc/kna/inventory.yaml', { homeDir: '/home/x' }).hosts;
    expect(host?.identityFile).toBe('/home/x/.ssh/id');
    expect(host?.knownHostsFile).toBe('/etc/kna/keys/known');
  });

  it('takes the home directory from env.HOME when homeDir is not given', () => {
    const [host] = parseInventory('hosts:\n  - { name: a, address: h }\n', 'inventory.yaml', { env: { HOME: '/srv/home' } }).hosts;
    expect(host?.knownHostsFile).toBe('/srv/home/.ssh/known_hosts');
  });

  it('refuses ~user paths at the level that set them', () => {
    expect(errorsOf('defaults:\n  identityFile: ~bob/.ssh/id\nhosts:\n  - { name: a, address: h }\n  - { name: b, address: i }\n')).toEqual([
      'inventory.yaml:2: defaults.identityFile: only "~" or "~/…" is expanded; write the full path for another user\'s home',
    ]);
  });
});

describe('loadInventory', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads a file and names it in errors', () => {
    dir = mkdtempSync(join(tmpdir(), 'kna-inv-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'hosts:\n  - { name: a, address: h, port: -1 }\n');
    expect(() => loadInventory(file, { homeDir: HOME })).toThrow(`${file}:2: hosts[0].port: expected a number from 1 to 65535`);
  });

  it('turns a missing file into an InventoryError', () => {
    expect(() => loadInventory('/nonexistent/kna/inventory.yaml')).toThrow(InventoryError);
  });

  it('loads inventory.example.yaml, which shows every key', () => {
    // Given the example shipped at the repository root
    const file = new URL('../../../inventory.example.yaml', import.meta.url).pathname;
    // When it is loaded
    const inventory = loadInventory(file, { homeDir: HOME });
    // Then it is valid, and exercises groups, jump hosts and per-host keys
    expect(inventory.hosts.map((host) => host.name)).toEqual(['hv01', 'hv02', 'lab-hv1']);
    expect(inventory.hosts[1]?.jump?.name).toBe('bastion');
    expect(inventory.hosts[0]?.user).toBe('audit');
  });
});
