/**
 * A sosreport's files → the probe's RawCapture (src/sos/layout.ts), on reports made by the real `sos report` against
 * libvirt's test driver (scripts/make-sos-fixtures.sh), and the same host's live probe capture beside them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCapture, parseIpLink, parseIpLinkOneline } from '../../../src/parse/index.js';
import { ipLinkAsOneline, mainDefaultRoutes, readVirshTable, sosCommandFile, sosToCapture, type SosFiles } from '../../../src/sos/layout.js';
import type { RawCapture } from '../../../src/model.js';

const FIXTURES = path.join(import.meta.dirname, '..', '..', 'fixtures', 'sos');
const NONCE = 'ab'.repeat(16);

/** Every file of a fixture report, by its path inside the report. */
function sosFiles(name: string): Map<string, string> {
  const root = path.join(FIXTURES, name);
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir))) {
      const relative = dir === '' ? entry : `${dir}/${entry}`;
      if (statSync(path.join(root, relative)).isDirectory()) walk(relative);
      else files.set(relative, readFileSync(path.join(root, relative), 'utf8'));
    }
  };
  walk('');
  return files;
}

const liveCapture = (): RawCapture => JSON.parse(readFileSync(path.join(FIXTURES, 'live', 'sos-hv01.json'), 'utf8')) as RawCapture;

describe('sos file names', () => {
  it('names a command output as sos does (its _mangle_command)', () => {
    expect(sosCommandFile('virsh -r dumpxml vm-nat')).toBe('virsh_-r_dumpxml_vm-nat');
    expect(sosCommandFile('virsh -r net-list --all')).toBe('virsh_-r_net-list_--all');
    expect(sosCommandFile('/usr/sbin/ip -s -d link')).toBe('ip_-s_-d_link');
    expect(sosCommandFile('virsh -r dumpxml db:01/a')).toBe('virsh_-r_dumpxml_db_01.a');
  });
});

describe('virsh tables', () => {
  it('reads list --all with a two-word state', () => {
    // Given sos's `virsh -r list --all`
    const { columns, rows } = readVirshTable(sosFiles('sos-hv01').get('sos_commands/virsh/virsh_-r_list_--all')!);
    // Then
    expect(columns).toEqual(['Id', 'Name', 'State']);
    expect(rows).toEqual([
      ['1', 'vm-nat', 'running'],
      ['-', 'vm-lan', 'shut', 'off'],
    ]);
  });
});

describe('ip output as sos collects it', () => {
  it('reads ip -s -d link as the probe reads ip -j -d link from the same host', () => {
    // Given sos's `ip -s -d link` and the live probe's `ip -j -d link` of the same namespace
    const sos = parseIpLinkOneline(ipLinkAsOneline(sosFiles('sos-hv01').get('sos_commands/networking/ip_-s_-d_link')!));
    const live = parseIpLink(liveCapture().sections.find((s) => s.id === 'ip-link')!.stdout);
    // Then every link has the same name, kind, master, MAC and state
    const shape = (links: typeof sos) =>
      links.map((l) => ({ name: l.name, kind: l.kind, slaveKind: l.slaveKind, master: l.master, mac: l.mac, up: l.up, operstate: l.operstate, peer: l.peerIndex }));
    expect(shape(sos)).toEqual(shape(live));
    expect(sos.map((l) => l.name)).toContain('testnet0');
  });

  it('keeps only the main table default routes of ip route show table all', () => {
    const text = 'default via 198.51.100.1 dev br0 linkdown \ndefault via 10.0.0.1 dev eth9 table 100 \n10.0.0.0/8 dev eth9\nlocal 127.0.0.1 dev lo table local\n';
    expect(mainDefaultRoutes(text)).toBe('default via 198.51.100.1 dev br0 linkdown \n');
  });
});

describe('sosreport → capture → facts', () => {
  it('gives the networks, VMs and their states sos listed, by UUID', () => {
    // Given the sosreport of a test-driver host
    const { hostName, sosVersion, capture } = sosToCapture(sosFiles('sos-hv01'), NONCE);
    // When its capture is parsed as a probe's
    const facts = parseCapture(capture);
    // Then
    expect(hostName).toBe('sos-hv01');
    expect(sosVersion).toMatch(/^\d/);
    expect(facts.libvirtError).toBeNull();
    expect(facts.networks.map((n) => [n.name, n.uuid, n.active, n.autostart, n.persistent])).toEqual([
      ['backplane', '5a9c3a4e-7f0d-4b8e-9a51-0c1d2e3f4a03', true, false, true],
      ['default', '5a9c3a4e-7f0d-4b8e-9a51-0c1d2e3f4a01', true, false, true],
      ['lan', '5a9c3a4e-7f0d-4b8e-9a51-0c1d2e3f4a02', true, false, true],
    ]);
    expect(facts.domains.map((d) => [d.name, d.state, d.persistent, d.autostart, d.interfaces.length])).toEqual([
      ['vm-nat', 'running', true, false, 1],
      ['vm-lan', 'shut off', true, false, 1],
    ]);
    expect(facts.links.map((l) => l.name)).toEqual(expect.arrayContaining(['br0', 'eno1', 'virbr0', 'testnet0']));
    expect(facts.defaultRouteDevs).toEqual(['br0']);
  });

  it("reads the persistent definitions of running VMs and active networks from libvirtd's files, as sos copied them", () => {
    const facts = parseCapture(sosToCapture(sosFiles('sos-hv01'), NONCE).capture);
    expect(facts.warnings.filter((w) => w.kind === 'section-failed')).toEqual([]);
    // vm-nat runs: its next-boot definition is read; vm-lan is shut off: its one definition is the live one
    expect(facts.domains.map((d) => [d.name, d.persistentInterfaces?.length ?? null])).toEqual([
      ['vm-nat', 1],
      ['vm-lan', null],
    ]);
    expect(facts.networks.every((n) => n.persistentDefinition !== null)).toBe(true);
  });

  it("without sos's libvirt plugin, the persistent definitions are unknown, and the warnings say why", () => {
    // Given a report without etc/libvirt/qemu/
    const files = new Map([...sosFiles('sos-hv01')].filter(([p]) => !p.startsWith('etc/')));
    // When
    const facts = parseCapture(sosToCapture(files, NONCE).capture);
    // Then
    const failed = facts.warnings.filter((w) => w.kind === 'section-failed');
    expect(failed.map((w) => w.subject)).toEqual(['virsh net-list --persistent --uuid', 'virsh list --persistent --uuid']);
    expect(failed[0]!.message).toContain("sos's libvirt plugin did not run");
    expect(facts.domains.every((d) => d.persistentInterfaces === null)).toBe(true);
    expect(facts.networks.every((n) => n.persistentDefinition === null)).toBe(true);
  });

  it('one persistent definition missing: the set is unknown, the file named', () => {
    const files = new Map([...sosFiles('sos-hv01')].filter(([p]) => p !== 'etc/libvirt/qemu/vm-nat.xml'));
    const facts = parseCapture(sosToCapture(files, NONCE).capture);
    expect(facts.warnings).toContainEqual(
      expect.objectContaining({ subject: 'virsh list --persistent --uuid', message: expect.stringContaining('etc/libvirt/qemu/vm-nat.xml') }),
    );
  });

  it('without dominfo, which VMs are persistent or autostart is unknown, not false', () => {
    // Given a report whose dominfo files are gone
    const files = new Map([...sosFiles('sos-hv01')].filter(([p]) => !p.includes('dominfo')));
    // When
    const facts = parseCapture(sosToCapture(files, NONCE).capture);
    // Then
    expect(facts.domains.map((d) => [d.name, d.persistent, d.autostart])).toEqual([
      ['vm-nat', null, null],
      ['vm-lan', null, null],
    ]);
    expect(facts.warnings.some((w) => w.message.includes('no virsh dominfo for 2 of 2 VMs'))).toBe(true);
  });

  it('a VM listed without its dumpxml stays in the facts, unread', () => {
    const files = new Map([...sosFiles('sos-hv01')].filter(([p]) => !p.endsWith('virsh_-r_dumpxml_vm-lan')));
    const facts = parseCapture(sosToCapture(files, NONCE).capture);
    const vm = facts.domains.find((d) => d.uuid === '6b1d4f5a-8a1e-4c9f-8b62-1d2e3f4a5b02');
    expect(vm?.unread).not.toBeNull();
    expect(vm?.state).toBe('shut off');
  });

  it('a report without the virsh plugin: libvirt is unknown, the links are still read', () => {
    // Given sos run with the networking and host plugins only
    const facts = parseCapture(sosToCapture(sosFiles('sos-net01'), NONCE).capture);
    // Then
    expect(facts.libvirtError).toContain("sos's virsh plugin did not run");
    expect(facts.networks).toEqual([]);
    expect(facts.links.map((l) => l.name)).toContain('br0');
  });

  it('an ip output sos did not write is a failed section, never an empty host', () => {
    const files: SosFiles = new Map([...sosFiles('sos-hv01')].filter(([p]) => !p.endsWith('ip_-s_-d_link')));
    const facts = parseCapture(sosToCapture(files, NONCE).capture);
    expect(facts.warnings).toContainEqual(
      expect.objectContaining({ kind: 'section-failed', subject: 'section ip-link-oneline', message: expect.stringContaining('not in the sosreport') }),
    );
  });
});
