/**
 * Hosts given on the command line (`audit hv1 root@hv2:2222`, `-H`) and `--local`: how entries are read and named,
 * and that the hosts they make are exactly those of an inventory listing the same name, address, user and port.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import {
  adHocInventory,
  adHocLabel,
  localHostName,
  localInventory,
  parseHostEntries,
  parseHostEntry,
  parseInventory,
  safeHostName,
  type HostEntry,
} from '../../../src/inventory/index.js';

/** Who runs the audit, fixed: no agent, a home of its own. */
const WHO = { env: {}, homeDir: '/home/auditor', localUser: 'auditor' };

/** The entries of `values`, failing the test on any problem. */
function entriesOf(...values: string[]): HostEntry[] {
  const { entries, problems } = parseHostEntries(values);
  expect(problems).toEqual([]);
  return entries;
}

function problemsOf(...values: string[]): string[] {
  return parseHostEntries(values).problems;
}

describe('parseHostEntry: [user@]host[:port]', () => {
  it.each([
    ['hv1', { address: 'hv1', user: null, port: null }],
    ['hv1.example.com:2222', { address: 'hv1.example.com', user: null, port: 2222 }],
    ['root@hv1', { address: 'hv1', user: 'root', port: null }],
    ['root@198.18.0.10:22', { address: '198.18.0.10', user: 'root', port: 22 }],
    ['audit@[2001:db8::1]:2222', { address: '2001:db8::1', user: 'audit', port: 2222 }],
    ['[::1]', { address: '::1', user: null, port: null }],
    // without brackets every colon belongs to the address: this is 2001:db8::1:2222, not port 2222
    ['2001:db8::1:2222', { address: '2001:db8::1:2222', user: null, port: null }],
    // the user is everything before the last @, as OpenSSH splits a destination
    ['ops@corp.example@hv1', { address: 'hv1', user: 'ops@corp.example', port: null }],
    ['[hv1]:2222', { address: 'hv1', user: null, port: 2222 }],
  ])('reads %s', (text, expected) => {
    const result = parseHostEntry(text);
    expect(result.ok && { address: result.entry.address, user: result.entry.user, port: result.entry.port }).toEqual(expected);
  });

  it.each([
    ['@hv1', 'no user before "@"'],
    ['root@', 'no host'],
    ['-oProxyCommand=sh@hv1', '"-oProxyCommand=sh" is not a user name'],
    ['hv1:', 'port "": expected a number from 1 to 65535'],
    ['hv1:0', 'port "0": expected a number from 1 to 65535'],
    ['hv1:65536', 'port "65536": expected a number from 1 to 65535'],
    ['hv1:22x', 'port "22x"'],
    [':22', 'no host'],
    ['[2001:db8::1', '"[" without "]"'],
    ['[2001:db8::1]2222', 'unexpected "2222" after "]"'],
    ['hv1:22:33', 'not an IPv6 address (a port after an IPv6 address needs brackets'],
    ['-oProxyCommand=sh', 'expected a host name'],
    ['hv1/2', 'expected a host name'],
    ['hv[01-03]', 'ranges and globs (hv[01-03], hv*) are not expanded here: list each host'],
    ['hv*', 'ranges and globs'],
  ])('refuses %s, naming it', (text, why) => {
    const result = parseHostEntry(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toContain(`host "${text}": ${why}`);
  });
});

describe('safeHostName', () => {
  it.each([
    ['hv01.example.com', 'hv01.example.com'],
    ['198.18.0.10', '198.18.0.10'],
    // IPv6 as ipv6-literal.net writes it: ":" → "-", a zone's "%" → "s", a leading "-" gets a 0 (0::1 is ::1)
    ['2001:db8::1', '2001-db8--1'],
    ['::1', '0--1'],
    ['fe80::1%eth0', 'fe80--1seth0'],
    // a machine's host name with characters outside the rule
    ['Ops Laptop (2)', 'Ops-Laptop-2-'],
    ['_gateway', 'gateway'],
    ['---', null],
    ['', null],
  ])('makes %j a name the inventory accepts: %j', (text, name) => {
    expect(safeHostName(text)).toBe(name);
    if (name !== null) expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
  });
});

describe('parseHostEntries: names', () => {
  it('splits at commas and spaces and keeps the order given', () => {
    expect(entriesOf('hv1,hv2', 'root@hv3:2222 hv4', ' hv5 ').map((e) => e.name)).toEqual(['hv1', 'hv2', 'hv3', 'hv4', 'hv5']);
  });

  it('names a host as written, without user and port', () => {
    expect(entriesOf('ops@hv3:2222', 'audit@[2001:db8::1]:22').map((e) => [e.text, e.name])).toEqual([
      ['ops@hv3:2222', 'hv3'],
      ['audit@[2001:db8::1]:22', '2001-db8--1'],
    ]);
  });

  it('audits the same entry once', () => {
    expect(entriesOf('hv1,hv2', 'hv1', '[hv2]').map((e) => e.text)).toEqual(['hv1', 'hv2']);
  });

  it('tells one address on several ports apart by port: HOST-PORT, and HOST for the one without a port', () => {
    // Given three SSH servers behind one address (containers, a NAT gateway), and the address on its own port
    const entries = entriesOf('audit@127.0.0.1:2201', 'audit@127.0.0.1:2202', '127.0.0.1', 'hv9:2222');
    // Then each has a name of its own; a host named once keeps its plain name, port or not
    expect(entries.map((e) => e.name)).toEqual(['127.0.0.1-2201', '127.0.0.1-2202', '127.0.0.1', 'hv9']);
  });

  it('refuses entries a report could not tell apart, and lists every problem at once', () => {
    expect(problemsOf('alice@hv1', 'bob@hv1', 'hv2:0', 'hv3-22', 'hv3:22', 'hv3:23')).toEqual([
      'host "hv2:0": port "0": expected a number from 1 to 65535',
      'hosts "alice@hv1" and "bob@hv1" would both be reported as hv1: audit them in separate runs, or name them in an inventory (-i)',
      'hosts "hv3-22" and "hv3:22" would both be reported as hv3-22: audit them in separate runs, or name them in an inventory (-i)',
    ]);
    expect(parseHostEntries(['alice@hv1', 'bob@hv1']).entries).toEqual([]);
  });
});

describe('adHocInventory', () => {
  it('makes exactly the hosts an inventory of only name, address, user and port makes: OpenSSH defaults, ssh_config, named keys', () => {
    // Given entries with and without user and port
    const entries = entriesOf('hv1', 'root@hv3:2222', '[2001:db8::1]:2200');
    // When they become hosts
    const adHoc = adHocInventory(entries, { libvirtUri: null, sudo: false }, WHO);
    // Then they equal what the inventory file listing the same keys gives, defaults and all
    const file = parseInventory(
      [
        'hosts:',
        '  - { name: hv1, address: hv1 }',
        '  - { name: hv3, address: hv3, user: root, port: 2222 }',
        "  - { name: 2001-db8--1, address: '2001:db8::1', port: 2200 }",
      ].join('\n'),
      '/etc/kna/inventory.yaml',
      WHO,
    );
    expect(adHoc.hosts).toEqual(file.hosts);
    expect(adHoc.groups).toEqual([]);
    // and what was given counts as named (it wins over ssh_config), what was not is left to ssh_config
    expect(adHoc.hosts.map((h) => [h.name, h.user, h.port, h.namedKeys])).toEqual([
      ['hv1', 'auditor', 22, []],
      ['hv3', 'root', 2222, ['user', 'port']],
      ['2001-db8--1', 'auditor', 2200, ['port']],
    ]);
    expect(adHoc.hosts[0]).toMatchObject({
      sshConfig: { kind: 'default' },
      knownHostsFile: '/home/auditor/.ssh/known_hosts',
      defaultIdentityFiles: ['/home/auditor/.ssh/id_ed25519', '/home/auditor/.ssh/id_ecdsa', '/home/auditor/.ssh/id_rsa'],
      libvirtUri: 'qemu:///system',
      sudo: false,
    });
  });

  it('applies --libvirt-uri and --sudo to every host, as defaults: would', () => {
    const { hosts } = adHocInventory(entriesOf('hv1,hv2'), { libvirtUri: 'qemu+tcp://localhost/system', sudo: true }, WHO);
    expect(hosts.map((h) => [h.libvirtUri, h.sudo])).toEqual([
      ['qemu+tcp://localhost/system', true],
      ['qemu+tcp://localhost/system', true],
    ]);
  });

  it('refuses a --libvirt-uri the inventory would refuse, naming the flag (exit 64, usage)', () => {
    let error: unknown;
    try {
      adHocInventory(entriesOf('hv1'), { libvirtUri: "qemu:///system' ; reboot", sudo: false }, WHO);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).kind).toBe('usage');
    expect((error as InputError).messages).toEqual(['--libvirt-uri: expected a libvirt URI such as qemu:///system (scheme://…, no quotes or spaces)']);
  });

  it('labels the report with the hosts audited, the first five by name', () => {
    expect(adHocInventory(entriesOf('hv1,hv2,hv3'), { libvirtUri: null, sudo: false }, WHO).file).toBe('(ad-hoc: hv1, hv2, hv3)');
    expect(adHocLabel(['a', 'b', 'c', 'd', 'e'])).toBe('(ad-hoc: a, b, c, d, e)');
    expect(adHocLabel(['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toBe('(ad-hoc: a, b, c, d, e and 2 more)');
  });
});

describe('localInventory', () => {
  it('is this machine as one host named after it, at localhost, labelled (local: NAME)', () => {
    const inventory = localInventory({ libvirtUri: 'test:///default', sudo: true }, { ...WHO, hostName: 'hv07.example.com' });
    expect(inventory.file).toBe('(local: hv07.example.com)');
    expect(inventory.hosts).toHaveLength(1);
    expect(inventory.hosts[0]).toMatchObject({ name: 'hv07.example.com', address: 'localhost', groups: [], libvirtUri: 'test:///default', sudo: true });
  });

  it('makes an odd host name safe, and falls back to localhost when nothing of it is', () => {
    expect(localHostName("Ops' Laptop")).toBe('Ops-Laptop');
    expect(localHostName('???')).toBe('localhost');
    expect(localInventory({ libvirtUri: null, sudo: false }, { ...WHO, hostName: '' }).hosts[0]?.name).toBe('localhost');
  });
});
