import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReport } from '../../../src/io/reportFiles.js';
import { parseReport, ReportReadError } from '../../../src/report/index.js';

/** The smallest report a schemaVersion 1 writer could have produced. */
const MINIMAL = {
  schemaVersion: 1,
  run: { startedAt: '2025-11-01T08:00:00.000Z' },
  hosts: [{ name: 'hv1', status: 'ok', vms: [{ name: 'web', interfaces: [{ mac: 'm1', mode: 'nat', via: 'network default' }] }] }],
};

function messageOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ReportReadError);
    expect((error as ReportReadError).exitCode).toBe(64);
    return (error as Error).message;
  }
  throw new Error('expected a ReportReadError');
}

describe('reading an old report', () => {
  it('reads a schemaVersion 1 report that lacks later keys, filling neutral defaults', () => {
    // When the minimal report is read
    const report = parseReport(JSON.stringify(MINIMAL), 'old.json');
    // Then absent keys are empty rather than undefined
    const host = report.hosts[0]!;
    expect(host).toMatchObject({ name: 'hv1', status: 'ok', groups: [], networks: [], bridges: [], findings: [], error: null });
    expect(host.vms[0]?.interfaces[0]).toMatchObject({ mac: 'm1', mode: 'nat', via: 'network default', target: null, evidence: [] });
    expect(report.run).toMatchObject({ startedAt: '2025-11-01T08:00:00.000Z', inventory: '', complete: true });
  });

  it('fills the keys added since the first version with what they mean when absent', () => {
    // When the minimal report (written before any of them existed) is read
    const report = parseReport(JSON.stringify(MINIMAL), 'old.json');
    // Then each later key has its neutral value: nothing unread, the guest link up, no portgroup or VLAN
    const host = report.hosts[0]!;
    expect(host.defaultRouteDevs).toEqual([]);
    expect(host.vms[0]).toMatchObject({ persistent: null, unread: null });
    expect(host.vms[0]?.interfaces[0]).toMatchObject({ linkState: 'up', portgroup: null, vlanTags: [], virtualport: null, device: null });
    expect(report.summary).toEqual({ hosts: 1, ok: 0, partial: 0, failed: 0, modes: {}, unread: { vms: 0, networks: 0 }, findings: {}, waived: 0 });
  });

  it('gives each interface of a report written before `id` the id this version writes, and an empty attachment', () => {
    // Given an old VM with a NIC with a MAC, one with only a target, one with neither
    const old = structuredClone(MINIMAL) as { hosts: { vms: { interfaces: Record<string, unknown>[] }[] }[] };
    old.hosts[0]!.vms[0]!.interfaces.push({ mac: null, target: 'vnet3', mode: 'user', via: 'slirp' }, { mode: 'unknown' });
    // When read
    const nics = parseReport(JSON.stringify(old), 'old.json').hosts[0]!.vms[0]!.interfaces;
    // Then the ids are as the classifier gives them, and the attachment is empty while `via` stays as written
    expect(nics.map((n) => n.id)).toEqual(['m1', 'vnet3', 'nic2']);
    expect(nics[0]).toMatchObject({ via: 'network default', attachment: { through: null, network: null, bridge: null, uplinks: [], device: null } });
  });

  it('keeps the id and the attachment a report carries', () => {
    const current = structuredClone(MINIMAL) as { hosts: { vms: { interfaces: Record<string, unknown>[] }[] }[] };
    current.hosts[0]!.vms[0]!.interfaces[0] = {
      id: 'm1',
      mac: 'm1',
      mode: 'nat',
      via: 'network default',
      attachment: { through: { kind: 'network', name: 'default' }, network: 'default', bridge: 'virbr0', uplinks: [], device: null },
    };
    const nic = parseReport(JSON.stringify(current), 'new.json').hosts[0]!.vms[0]!.interfaces[0]!;
    expect(nic).toMatchObject({ id: 'm1', attachment: { through: { kind: 'network', name: 'default' }, network: 'default', bridge: 'virbr0' } });
    // A kind a later version-1 writer may add is kept as written, like a mode
    (current.hosts[0]!.vms[0]!.interfaces[0]!.attachment as { through: { kind: string } }).through.kind = 'future-kind';
    expect(parseReport(JSON.stringify(current), 'later.json').hosts[0]!.vms[0]!.interfaces[0]!.attachment.through).toEqual({ kind: 'future-kind', name: 'default' });
  });

  it('refuses an id that is not text', () => {
    const odd = structuredClone(MINIMAL) as { hosts: { vms: { interfaces: Record<string, unknown>[] }[] }[] };
    odd.hosts[0]!.vms[0]!.interfaces[0]!.id = 7;
    expect(messageOf(() => parseReport(JSON.stringify(odd), 'odd.json'))).toMatch(/hosts\[0\]\.vms\[0\]\.interfaces\[0\]\.id: /);
  });

  it('keeps modes and error kinds it does not know, and ignores keys it does not know (a later version-1 writer may add them)', () => {
    // Given a report with a mode, an error kind and keys this version has never heard of
    const later = structuredClone(MINIMAL) as typeof MINIMAL & { hosts: Record<string, unknown>[] };
    later.hosts[0]!.uptimeSeconds = 12;
    later.hosts[0]!.error = { kind: 'quota', message: 'over quota' };
    later.hosts[0]!.modes = ['future-mode'];
    (later.hosts[0]!.vms as { interfaces: { mode: string }[] }[])[0]!.interfaces[0]!.mode = 'future-mode';
    (later as unknown as { summary: unknown }).summary = { modes: { 'future-mode': 1 } };
    // When read
    const report = parseReport(JSON.stringify(later), 'new.json');
    // Then the values are kept as written, for the diff to show, and the unknown key is dropped
    const host = report.hosts[0] as unknown as Record<string, unknown>;
    expect((host.vms as { interfaces: { mode: string }[] }[])[0]?.interfaces[0]?.mode).toBe('future-mode');
    expect(host.modes).toEqual(['future-mode']);
    expect(host.error).toEqual({ kind: 'quota', message: 'over quota' });
    expect(report.summary.modes).toEqual({ 'future-mode': 1 });
    expect(host).not.toHaveProperty('uptimeSeconds');
  });

  it('still refuses values outside the vocabularies that do not grow (status, severity)', () => {
    const badStatus = { ...MINIMAL, hosts: [{ ...MINIMAL.hosts[0], status: 'fine' }] };
    expect(messageOf(() => parseReport(JSON.stringify(badStatus), 'odd.json'))).toMatch(/^odd\.json: not a valid schemaVersion 1 report: hosts\[0\]\.status: /);
  });

  it('refuses a newer schemaVersion with a message that says what to do', () => {
    expect(messageOf(() => parseReport(JSON.stringify({ ...MINIMAL, schemaVersion: 2 }), 'next.json'))).toBe(
      'next.json: schemaVersion 2 is newer than this kvm-netaudit reads (up to 1): compare it with a newer kvm-netaudit',
    );
  });

  it('refuses files that are not reports, naming the file and the broken key', () => {
    expect(messageOf(() => parseReport('{"schemaVersion": 1,', 'cut.json'))).toMatch(/^cut\.json: not a kvm-netaudit report: /);
    expect(messageOf(() => parseReport('{"hosts": []}', 'other.json'))).toBe(
      'other.json: not a kvm-netaudit report (no schemaVersion); expected the report.json of an audit',
    );
    const broken = { ...MINIMAL, hosts: [{ status: 'ok' }] };
    expect(messageOf(() => parseReport(JSON.stringify(broken), 'broken.json'))).toMatch(/^broken\.json: not a valid schemaVersion 1 report: hosts\[0\]\.name: /);
  });

  it('reads from a file, and says when the file is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kna-read-'));
    try {
      const file = join(dir, 'report.json');
      writeFileSync(file, JSON.stringify(MINIMAL));
      expect(readReport(file).hosts.map((h) => h.name)).toEqual(['hv1']);
      expect(messageOf(() => readReport(join(dir, 'missing.json')))).toBe(`${join(dir, 'missing.json')}: cannot read the report: no such file`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
