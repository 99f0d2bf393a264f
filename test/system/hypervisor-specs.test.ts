/**
 * The pure side of the system tier's extra hypervisors (no root needed): the lab additions they rely on
 * (kernel-exact link names, the virsh call log) and the specs themselves, so that a spec mistake shows up
 * here, in milliseconds, rather than as a puzzling difference in hypervisors.test.ts.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUsableLinkName, linkNames, planLabHost } from '../lab/plan.js';
import { virshWrapperScript } from '../lab/virshState.js';
import { BIG_NETWORK_COUNT, BIG_VM_COUNT, bigHost } from './hypervisors/big.js';
import { ESC_BRIDGE, hostileHost } from './hypervisors/hostile.js';

const execFileAsync = promisify(execFile);

describe('lab link names', () => {
  it.each([['br\x1b[31m'], ['vb$(id)'], [`br'q"$(id)`], ['pa`id`'], ['pb;x|y'], ['网络'], ['réseau-ü'], ['x&y<z>'], ['eno1']])(
    'accepts %j, as the kernel does',
    (name) => {
      expect(isUsableLinkName(name)).toBe(true);
    },
  );

  it.each([
    ['a space', 'br 0'],
    ['a tab', 'br\t0'],
    ['a slash', 'br/0'],
    ['a colon', 'br:0'],
    ['16 bytes', 'br-much-too-long'],
    ['16 bytes of UTF-8', '网络网络网1'],
    ['a UTF-8 character holding byte 0xA0 (Linux counts it as space)', 'à'],
    ['a leading dash (ip would read an option)', '-br0'],
    ['"."', '.'],
    ['".."', '..'],
    ['nothing', ''],
  ])('refuses a name with %s', (_what, name) => {
    expect(isUsableLinkName(name)).toBe(false);
  });

  it('hands a hostile name to ip as one argument, exactly as written', () => {
    // Given a spec whose bridge name holds an escape sequence, quotes and a command substitution
    const plan = planLabHost(
      { name: 'hv-t-01', groups: [], uplinkInterfaces: [], nodeXml: '<node/>', links: [{ kind: 'bridge', name: ESC_BRIDGE }] },
      'kna-t-',
    );
    // Then some argv holds the name as one entry, unquoted
    expect(plan.commands.some((argv) => argv.includes(ESC_BRIDGE))).toBe(true);
    expect(plan.commands.flat().filter((arg) => arg.includes('[31m'))).toEqual(plan.commands.flat().filter((arg) => arg === ESC_BRIDGE));
  });
});

describe('virsh call log', () => {
  // Given a fake "real virsh" that prints each argument on its own line, and a call log
  let dir: string;
  let fake: string;
  let log: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kna-h-u-'));
    fake = join(dir, 'virsh.real');
    log = join(dir, 'calls.log');
    await writeFile(fake, '#!/bin/sh\nfor a do printf "[%s]\\n" "$a"; done\n');
    await chmod(fake, 0o755);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function wrapper(name: string, commands: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, virshWrapperScript(fake, commands, { callLog: log }));
    await chmod(path, 0o755);
    return path;
  }
  const logLines = async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);

  it('logs one line per call, whatever the arguments hold, and passes them on unchanged without state', async () => {
    const path = await wrapper('virsh-plain', '');
    const before = (await logLines()).length;
    // When it is called three times, once with a line break and a quote in an argument
    const first = await execFileAsync(path, ['-q', '-r', '-c', 'test:///n.xml', 'net-info U1; net-dumpxml U1;']);
    await execFileAsync(path, ['dominfo', "it's\nmulti-line"]);
    await execFileAsync(path, ['version']);
    // Then the real virsh got the arguments as given (-r kept: no state to write)
    expect(first.stdout.trim().split('\n')).toEqual(['[-q]', '[-r]', '[-c]', '[test:///n.xml]', '[net-info U1; net-dumpxml U1;]']);
    // And the log grew by exactly three lines, each naming its call
    const added = (await logLines()).slice(before);
    expect(added).toHaveLength(3);
    expect(added[0]).toMatch(/^virsh pid=\d+ net-info U1; net-dumpxml U1;$/);
    expect(added[1]).toMatch(/^virsh pid=\d+ it's$/);
  });

  it('logs and still applies the libvirt state when there is some', async () => {
    const path = await wrapper('virsh-state', 'net-destroy old;');
    const before = (await logLines()).length;
    const { stdout } = await execFileAsync(path, ['-q', '-r', '-c', 'test:///n.xml', 'net-list']);
    expect(stdout.trim().split('\n')).toEqual(['[-q]', '[-c]', '[test:///n.xml]', '[net-destroy old; net-list]']);
    expect((await logLines()).slice(before)).toHaveLength(1);
  });

  it('still refuses a wrapper with neither state nor log', () => {
    expect(() => virshWrapperScript(fake, '')).toThrow(/without state commands/);
  });
});

/** `<mac address>` values of a node file. */
const macsOf = (nodeXml: string) => [...nodeXml.matchAll(/<mac address='([^']+)'/g)].map((m) => m[1]);

describe('sys-hostile spec', () => {
  it('builds: every link name is one the kernel takes, and the plan checks pass', () => {
    expect(linkNames(hostileHost.spec).filter((name) => !isUsableLinkName(name))).toEqual([]);
    expect(() => planLabHost(hostileHost.spec, 'kna-h-t-')).not.toThrow();
  });

  it('holds every kind of hostile name the audit must survive', () => {
    const names = [...Object.keys(hostileHost.vmStates), ...hostileHost.networks.map((n) => n.name)];
    const uuidShaped = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    for (const pattern of [/ /, /'/, /"/, /\$\(/, /`/, /;/, /\|/, /\t/, /[^\x00-\x7f]/, /</, /&/]) {
      expect.soft(names.some((name) => pattern.test(name)), String(pattern)).toBe(true);
    }
    expect(names.filter((name) => uuidShaped.test(name))).toHaveLength(2);
    expect(names).toContain('1');
    // and a link with an escape sequence, which XML cannot name
    expect(linkNames(hostileHost.spec).some((name) => name.includes('\x1b'))).toBe(true);
  });

  it('expects every NIC of the node file exactly once', () => {
    expect(hostileHost.nics.map((n) => n.mac).sort()).toEqual(macsOf(hostileHost.spec.nodeXml).sort());
  });
});

describe('sys-big spec', () => {
  it(`has ${BIG_NETWORK_COUNT} networks of every forward mode and ${BIG_VM_COUNT} VMs in mixed states`, () => {
    expect(bigHost.networks).toHaveLength(BIG_NETWORK_COUNT);
    const perMode = new Map<string, number>();
    for (const n of bigHost.networks) perMode.set(n.mode, (perMode.get(n.mode) ?? 0) + 1);
    expect(Object.fromEntries(perMode)).toEqual({ nat: 8, routed: 8, open: 8, isolated: 8, bridged: 8 });
    const states = Object.values(bigHost.vmStates);
    expect(states).toHaveLength(BIG_VM_COUNT);
    expect(new Set(states)).toEqual(new Set(['running', 'paused', 'shut off']));
    expect(bigHost.spec.nodeXml.match(/<test:transient\/>/g)?.length).toBeGreaterThan(0);
  });

  it('gives its VMs one or two NICs, each expected once, over networks and host bridges', () => {
    expect(bigHost.nics.map((n) => n.mac).sort()).toEqual(macsOf(bigHost.spec.nodeXml).sort());
    const perVm = new Map<string, number>();
    for (const nic of bigHost.nics) perVm.set(nic.vm, (perVm.get(nic.vm) ?? 0) + 1);
    expect(new Set(perVm.values())).toEqual(new Set([1, 2]));
    expect(new Set(bigHost.nics.map((n) => n.mode))).toEqual(new Set(['nat', 'routed', 'open', 'isolated', 'bridged', 'host-only']));
  });

  it('has a tap for every NIC of a running or paused VM, and none for a shut-off one', () => {
    const taps = bigHost.spec.links.filter((l) => l.kind === 'tap');
    const live = bigHost.nics.filter((n) => bigHost.vmStates[n.vm] !== 'shut off');
    expect(taps).toHaveLength(live.length);
    expect(taps.map((t) => t.mac?.slice(2)).sort()).toEqual(live.map((n) => n.mac.slice(2)).sort());
    expect(() => planLabHost(bigHost.spec, 'kna-h-t-')).not.toThrow();
  });
});
