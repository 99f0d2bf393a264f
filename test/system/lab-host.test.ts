/**
 * The lab library itself, for real: namespaces, links, tap carriers, the virsh state wrapper, cleanup.
 * Needs root (network namespaces) and the lab's tools; like the rest of the system tier it is skipped without
 * them, and fails instead under KVM_NETAUDIT_REQUIRE_ALL=1.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCapture } from '../../src/probe/framing.js';
import { buildProbeScript } from '../../src/probe/script.js';
import { commandOfSection } from '../../src/probe/sections.js';
import { createLabHost, destroyLabHostsWithPrefix, labNamespaces, type LabHost, type LabHostSpec } from '../lab/host.js';
import { LAB_REQUIREMENTS, systemTierGate } from './systemLab.js';

const execFileAsync = promisify(execFile);
/** A prefix of this file's own, so parallel system test files never remove each other's hosts. */
const PREFIX = 'kna-d-t-';
const gate = systemTierGate('lab-host.test.ts', LAB_REQUIREMENTS);

const NODE_XML = `<node xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
  <network>
    <name>default</name>
    <uuid>7d1e8f2a-0c4b-4e55-9a51-3f1f0e6b2a01</uuid>
    <forward mode='nat'/>
    <bridge name='virbr0'/>
    <ip address='198.18.122.1' prefix='24'/>
  </network>
  <network>
    <name>old-lan</name>
    <uuid>7d1e8f2a-0c4b-4e55-9a51-3f1f0e6b2a02</uuid>
    <bridge name='virbr7'/>
  </network>
  <domain type='test'>
    <name>web01</name>
    <uuid>7d1e8f2a-0c4b-4e55-9a51-3f1f0e6b2a03</uuid>
    <memory>1048576</memory>
    <os><type>hvm</type></os>
    <devices>
      <interface type='bridge'>
        <mac address='52:54:00:aa:00:01'/>
        <source bridge='br0'/>
        <target dev='tap1i0'/>
      </interface>
    </devices>
    <test:runstate>1</test:runstate>
  </domain>
</node>
`;

const SPEC: LabHostSpec = {
  name: 'hv-lab-t',
  groups: ['lab'],
  uplinkInterfaces: ['eno*'],
  links: [
    { kind: 'bridge', name: 'br0', addresses: ['198.19.77.2/24'] },
    { kind: 'veth', name: 'eno1', peer: 'eno1-sw', master: 'br0' },
    { kind: 'veth', name: 'eno2', peer: 'eno2-sw', peerUp: false },
    { kind: 'tap', name: 'tap1i0', master: 'br0', mac: 'fe:54:00:aa:00:01' },
    { kind: 'tap', name: 'tap2i0', master: 'br0', carrier: false },
    { kind: 'macvtap', name: 'mvtap0', lower: 'eno2', mode: 'vepa' },
    { kind: 'vxlan', name: 'vxlan100', vni: 100, master: 'br0' },
  ],
  routes: [{ to: 'default', via: '198.19.77.1', dev: 'br0' }],
  nodeXml: NODE_XML,
  libvirtState: { autostartNetworks: ['default'], inactiveNetworks: ['old-lan'] },
};

interface IpLink {
  ifname: string;
  address: string;
  flags: string[];
  master?: string;
  linkinfo?: { info_kind?: string; info_data?: { mode?: string; id?: number } };
}

async function linksOf(host: LabHost): Promise<Map<string, IpLink>> {
  const { stdout, code } = await host.exec(['ip', '-j', '-d', 'link', 'show']);
  expect(code).toBe(0);
  return new Map((JSON.parse(stdout) as IpLink[]).map((l) => [l.ifname, l]));
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(gate.skip)('lab host (system)', () => {
  let workDir: string;
  let host: LabHost;

  beforeAll(async () => {
    gate.enforce();
    await destroyLabHostsWithPrefix(PREFIX);
    workDir = await mkdtemp(join(tmpdir(), PREFIX));
    host = await createLabHost(SPEC, { prefix: PREFIX, workDir });
  });

  afterAll(async () => {
    if (gate.message !== null) return; // failed for want of its prerequisites: nothing was built
    await host?.destroy();
    await destroyLabHostsWithPrefix(PREFIX);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('builds the links of the spec inside its own namespace', async () => {
    const links = await linksOf(host);
    expect(host.netns).toBe(`${PREFIX}hv-lab-t`);
    expect(links.get('br0')?.linkinfo?.info_kind).toBe('bridge');
    expect(links.get('eno1')?.master).toBe('br0');
    expect(links.get('eno1')?.linkinfo?.info_kind).toBe('veth');
    expect(links.get('tap1i0')?.address).toBe('fe:54:00:aa:00:01');
    expect(links.get('mvtap0')?.linkinfo?.info_data?.mode).toBe('vepa');
    expect(links.get('vxlan100')?.linkinfo?.info_data?.id).toBe(100);
    // and none of them in the test's own namespace
    const { stdout } = await execFileAsync('ip', ['-j', 'link', 'show']);
    expect((JSON.parse(stdout) as IpLink[]).map((l) => l.ifname)).not.toContain('tap1i0');
  });

  it('gives taps a carrier like a running guest, unless told not to, and follows the peer for NIC carrier', async () => {
    const links = await linksOf(host);
    expect(links.get('tap1i0')?.flags).toContain('LOWER_UP');
    expect(links.get('tap2i0')?.flags).toContain('NO-CARRIER');
    expect(links.get('eno1')?.flags).toContain('LOWER_UP');
    expect(links.get('eno2')?.flags).toContain('NO-CARRIER');
  });

  it('applies addresses and the default route', async () => {
    const addr = await host.exec(['ip', '-4', '-o', 'addr', 'show', 'dev', 'br0']);
    expect(addr.stdout).toContain('198.19.77.2/24');
    const route = await host.exec(['ip', 'route', 'show', 'default']);
    expect(route.stdout.trim()).toBe('default via 198.19.77.1 dev br0');
  });

  it('shows the libvirt state the node file cannot hold, through the real virsh at its usual path', async () => {
    const { stdout, code } = await host.exec(['sh', '-c', 'command -v virsh; virsh -q -r -c "$0" net-list --all', host.libvirtUri]);
    expect(code).toBe(0);
    const [path, ...rows] = stdout.trim().split('\n');
    expect(path).toMatch(/\/virsh$/);
    expect(path).not.toContain(workDir);
    expect(rows.map((r) => r.trim().split(/\s+/))).toEqual([
      ['default', 'active', 'yes', 'yes'],
      ['old-lan', 'inactive', 'no', 'yes'],
    ]);
    // Outside the lab, virsh is untouched: the wrapper lives in the lab's private mount namespace only.
    expect(await readFile('/proc/self/mountinfo', 'utf8')).not.toMatch(/\/virsh\b/);
  });

  it('runs the real probe to a capture whose sections all succeed', async () => {
    const nonce = 'ab'.repeat(16);
    const script = buildProbeScript({ libvirtUri: host.libvirtUri, sudo: false, nonce });
    const result = await host.exec(['sh', '-s'], { stdin: script });
    const capture = toCapture(result.stdout, nonce, false, (id) => commandOfSection(id, { libvirtUri: host.libvirtUri, sudo: false }));
    expect(result.code).toBe(0);
    expect(capture.sections.filter((s) => s.exit !== 0)).toEqual([]);
    expect(capture.sections.find((s) => s.id === 'brctl')?.stdout).toMatch(/br0\s+8000\.\S+\s+no\s+eno1/);
  });

  it('removes everything on destroy, and tolerates a second destroy', async () => {
    // Given a second host of its own, and the pid of its tap holder
    const other = await createLabHost({ ...SPEC, name: 'hv-lab-t2', libvirtState: undefined }, { prefix: PREFIX, workDir });
    const holderPids = (await execFileAsync('ip', ['netns', 'pids', other.netns])).stdout.trim().split('\n').filter(Boolean).map(Number);
    expect(holderPids.length).toBe(1);
    // When it is destroyed twice
    await other.destroy();
    await other.destroy();
    // Then the namespace, the holder and the work files are gone
    expect(await labNamespaces(PREFIX)).not.toContain(other.netns);
    expect(pidAlive(holderPids[0]!)).toBe(false);
    expect(existsSync(join(workDir, 'hv-lab-t2'))).toBe(false);
  });

  it('undoes a half-built host when virsh rejects its node file, with virsh\'s own words', async () => {
    const bad: LabHostSpec = { ...SPEC, name: 'hv-lab-bad', libvirtState: undefined, nodeXml: '<node><network><name>x</name><forward mode="nat"/></network></node>' };
    await expect(createLabHost(bad, { prefix: PREFIX, workDir })).rejects.toThrow(/virsh rejects.*no IP address/s);
    expect(await labNamespaces(PREFIX)).not.toContain(`${PREFIX}hv-lab-bad`);
  });

  it('removes leftover namespaces with its prefix, and only those', async () => {
    await execFileAsync('ip', ['netns', 'add', `${PREFIX}leftover`]);
    const removed = await destroyLabHostsWithPrefix(`${PREFIX}left`);
    expect(removed).toEqual([`${PREFIX}leftover`]);
    expect(await labNamespaces(PREFIX)).toEqual([host.netns]);
  });
});
