import { describe, expect, it } from 'vitest';
import { parseReport } from '../../../src/report/read.js';
import type { HostReport } from '../../../src/model.js';
import { buildFleetReport, renderJson } from '../../../src/report/index.js';
import { expectValidReport } from '../../helpers/reportSchema.js';
import { failedHost, host, network, nic, sampleFleetReport, sampleRunOf, vm } from './sample.js';

/**
 * The keys of the first report.json, plus those added since (new keys may be added, docs/report.md): `$schema`, `summary.partial`,
 * `summary.unread`, `summary.waived`; per network `forwardDev`, `nat`, `portgroups`, `vlanTags`, `virtualport`,
 * `pool`, `unread`; per VM `persistent`, `unread`; per interface `linkState`, `portgroup`, `vlanTags`,
 * `virtualport`, `device`; per host `defaultRouteDevs`; per finding, when a policy set them, `status`, `evidence`,
 * `justification`, `waiver`. Written out here on purpose: report/schema.ts must not change them unnoticed.
 */
const DOCUMENTED = {
  root: ['$schema', 'schemaVersion', 'tool', 'run', 'summary', 'hosts'],
  tool: ['name', 'version'],
  run: ['startedAt', 'finishedAt', 'inventory', 'concurrency', 'complete'],
  summary: ['hosts', 'ok', 'partial', 'failed', 'modes', 'unread', 'findings', 'waived'],
  host: ['name', 'address', 'groups', 'status', 'error', 'durationMs', 'networks', 'bridges', 'vms', 'modes', 'verdict', 'warnings', 'defaultRouteDevs', 'findings'],
  error: ['kind', 'message'],
  network: [
    'name', 'uuid', 'active', 'autostart', 'persistent', 'bridge', 'forward', 'mode', 'addresses', 'dhcp',
    'forwardDev', 'nat', 'portgroups', 'vlanTags', 'virtualport', 'pool', 'evidence', 'unread',
  ],
  dhcp: ['start', 'end'],
  nat: ['addresses', 'ports', 'ipv6'],
  range: ['start', 'end'],
  portgroup: ['name', 'default', 'vlanTags', 'virtualport'],
  bridge: ['name', 'kind', 'ports', 'uplinks', 'addresses'],
  vm: ['name', 'uuid', 'state', 'persistent', 'interfaces', 'unread'],
  interface: ['id', 'mac', 'type', 'source', 'target', 'model', 'mode', 'via', 'attachment', 'linkState', 'portgroup', 'vlanTags', 'virtualport', 'device', 'evidence'],
  attachment: ['through', 'network', 'bridge', 'uplinks', 'device'],
  through: ['kind', 'name'],
  warning: ['kind', 'subject', 'message'],
  finding: ['rule', 'severity', 'subject', 'message'],
  policyFinding: ['rule', 'severity', 'subject', 'message', 'status', 'evidence', 'justification', 'waiver'],
  waiver: ['rule', 'subject', 'justification', 'expires', 'owner', 'origin', 'expired'],
};

type Json = Record<string, unknown>;

function sampleReport() {
  // In-memory extras (as a runner might attach) must not leak into the file.
  const natNetwork = {
    ...network({
      nat: { addresses: { start: '203.0.113.10', end: '203.0.113.20' }, ports: { start: 1024, end: 65535 }, ipv6: true },
      portgroups: [{ name: 'web', default: true, vlanTags: [42], virtualport: null }],
      vlanTags: [7],
      forwardDev: 'eth1',
    }),
    cachedRoute: 'in memory only',
  };
  const withExtras = {
    ...host('hv01', { networks: [natNetwork], vms: [vm('web01', [nic({ portgroup: 'web', vlanTags: [42], linkState: 'down' })], { persistent: false })] }),
    internalState: 'secret',
    warnings: [{ kind: 'link-down', subject: 'link eno2', message: 'down', extra: 1 }],
  };
  withExtras.findings = [{ rule: 'no-bridged-dmz', severity: 'high', subject: 'vm x', message: 'bridged' }];
  return sampleRunOf([withExtras, failedHost('hv02')]);
}

describe('renderJson', () => {
  it('writes exactly the documented keys at every level, in order', () => {
    // Given a report with one audited and one failed host, and extra in-memory properties
    const report = sampleReport();
    // When it is rendered and read back
    const json = JSON.parse(renderJson(report)) as Json;
    // Then every object has exactly the documented keys
    expect(Object.keys(json)).toEqual(DOCUMENTED.root);
    expect(Object.keys(json.tool as Json)).toEqual(DOCUMENTED.tool);
    expect(Object.keys(json.run as Json)).toEqual(DOCUMENTED.run);
    expect(Object.keys(json.summary as Json)).toEqual(DOCUMENTED.summary);
    const [audited, failed] = json.hosts as Json[];
    for (const h of [audited, failed]) expect(Object.keys(h ?? {})).toEqual(DOCUMENTED.host);
    expect(Object.keys(failed?.error as Json)).toEqual(DOCUMENTED.error);
    expect(audited?.error).toBeNull();
    const firstNetwork = (audited?.networks as Json[])[0] ?? {};
    expect(Object.keys(firstNetwork)).toEqual(DOCUMENTED.network);
    expect(Object.keys((firstNetwork.dhcp as Json[])[0] ?? {})).toEqual(DOCUMENTED.dhcp);
    const nat = firstNetwork.nat as Json;
    expect(Object.keys(nat)).toEqual(DOCUMENTED.nat);
    expect(Object.keys(nat.addresses as Json)).toEqual(DOCUMENTED.range);
    expect(Object.keys(nat.ports as Json)).toEqual(DOCUMENTED.range);
    expect(Object.keys((firstNetwork.portgroups as Json[])[0] ?? {})).toEqual(DOCUMENTED.portgroup);
    expect(Object.keys((audited?.bridges as Json[])[0] ?? {})).toEqual(DOCUMENTED.bridge);
    const firstVm = (audited?.vms as Json[])[0] ?? {};
    expect(Object.keys(firstVm)).toEqual(DOCUMENTED.vm);
    const firstNic = (firstVm.interfaces as Json[])[0] ?? {};
    expect(Object.keys(firstNic)).toEqual(DOCUMENTED.interface);
    expect(Object.keys(firstNic.attachment as Json)).toEqual(DOCUMENTED.attachment);
    expect(Object.keys((firstNic.attachment as Json).through as Json)).toEqual(DOCUMENTED.through);
    expect(Object.keys((audited?.warnings as Json[])[0] ?? {})).toEqual(DOCUMENTED.warning);
    expect(Object.keys((audited?.findings as Json[])[0] ?? {})).toEqual(DOCUMENTED.finding);
    // and the file follows the published JSON Schema
    expectValidReport(json);
  });

  it('writes the policy extras of a finding, in order, only when a policy set them', () => {
    // Given a host with a plain finding and a waived one with evidence and its waiver
    const json = JSON.parse(renderJson(sampleFleetReport())) as { hosts: { findings: Json[] }[] };
    const [plain, waived] = json.hosts[0]!.findings;
    // Then the plain one has the four keys, the waived one all of them, its waiver in the documented order
    expect(Object.keys(plain ?? {})).toEqual(DOCUMENTED.finding);
    expect(Object.keys(waived ?? {})).toEqual(DOCUMENTED.policyFinding);
    expect(Object.keys(waived?.waiver as Json)).toEqual(DOCUMENTED.waiver);
    expectValidReport(json);
  });

  it('writes every kind of host (audited, partial with unread parts, failed) as the published JSON Schema says', () => {
    const report = sampleFleetReport();
    expect(report.hosts.map((h) => h.status)).toEqual(['ok', 'partial', 'failed']);
    expectValidReport(renderJson(report));
  });

  it('writes a key a hand-assembled host lacks as its neutral default, so the file still has every key', () => {
    // Given a host as a report assembled by hand (or by an older caller) might hold it: no newer keys
    const { defaultRouteDevs: _routes, ...older } = host('hv01', { vms: [vm('web01', [nic()])] });
    const { unread: _unread, persistent: _persistent, ...olderVm } = older.vms[0]!;
    const lacking = { ...older, vms: [olderVm] } as unknown as HostReport;
    const report = buildFleetReport({ hosts: [lacking], startedAt: new Date(0), finishedAt: new Date(0), inventory: 'i', concurrency: 1, complete: true, version: '0' });
    // When rendered
    const json = JSON.parse(renderJson(report)) as { hosts: { defaultRouteDevs: unknown; vms: Json[] }[] };
    // Then the keys are there, with the values a reader would assume
    expect(json.hosts[0]?.defaultRouteDevs).toEqual([]);
    expect(json.hosts[0]?.vms[0]).toMatchObject({ persistent: null, unread: null });
    expect(Object.keys(json.hosts[0]?.vms[0] ?? {})).toEqual(DOCUMENTED.vm);
    expectValidReport(json);
  });

  it('keeps the values', () => {
    const report = sampleReport();
    const json = JSON.parse(renderJson(report)) as { schemaVersion: number; summary: unknown; hosts: { name: string; modes: string[] }[] };
    expect(json.schemaVersion).toBe(1);
    expect(json.summary).toEqual(report.summary);
    expect(json.hosts.map((h) => h.name)).toEqual(['hv01', 'hv02']);
    expect(json.hosts[0]?.modes).toEqual(report.hosts[0]?.modes);
  });

  it('keeps the values of the network, VM and interface details', () => {
    // Given the sample's NAT network with a portgroup, and a transient VM whose NIC is on that portgroup
    const report = sampleReport();
    const [memoryHost] = report.hosts;
    // When rendered and read back
    const json = JSON.parse(renderJson(report)) as { hosts: { networks: Json[]; vms: Json[] }[] };
    const [audited, failed] = json.hosts;
    // Then the details are the in-memory values, and nothing more
    const { cachedRoute: _dropped, ...documentedNetwork } = memoryHost!.networks[0] as unknown as Json;
    expect(audited?.networks[0]).toEqual(documentedNetwork);
    expect(audited?.vms[0]).toMatchObject({ persistent: false });
    expect((audited?.vms[0]?.interfaces as Json[])[0]).toMatchObject({ linkState: 'down', portgroup: 'web', vlanTags: [42], virtualport: null });
    expect(failed?.networks).toEqual([]);
  });

  it('writes null NAT settings for a network that does not masquerade', () => {
    const report = sampleReport();
    report.hosts[0]!.networks = [network({ forward: 'route', mode: 'routed', nat: null })];
    const json = JSON.parse(renderJson(report)) as { hosts: { networks: Json[] }[] };
    expect(json.hosts[0]?.networks[0]?.nat).toBeNull();
    expect(Object.keys(json.hosts[0]?.networks[0] ?? {})).toEqual(DOCUMENTED.network);
    expectValidReport(json);
  });

  it('indents with two spaces and ends with a newline', () => {
    const text = renderJson(sampleReport());
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n').slice(1, 3)).toEqual(['  "$schema": "kvm-netaudit/report.v1.schema.json",', '  "schemaVersion": 1,']);
  });

  it('writes why a VM or network could not be read, and counts them in the summary', () => {
    // Given a host with a VM and a network whose definitions could not be read
    const report = sampleReport();
    const why = 'dumpxml unreadable: XML with a DOCTYPE or ENTITY declaration is refused';
    report.hosts[0]!.vms.push(vm('db01', [], { state: 'unknown', unread: why }));
    report.hosts[0]!.networks.push(network({ name: 'lost', mode: 'unknown', forward: 'unknown', nat: null, unread: 'listed by virsh, but the probe output was cut off before its XML' }));
    const rebuilt = buildFleetReport({ ...report.run, hosts: report.hosts, startedAt: new Date(report.run.startedAt), finishedAt: new Date(report.run.finishedAt), version: '0.1.0' });
    // When rendered and read back
    const json = JSON.parse(renderJson(rebuilt)) as { summary: Json; hosts: { vms: Json[]; networks: Json[] }[] };
    // Then the reason is there, null for what was read, and the summary counts the unread ones
    expect(json.hosts[0]?.vms.map((v) => [v.name, v.unread])).toEqual([
      ['web01', null],
      ['db01', why],
    ]);
    expect(json.hosts[0]?.networks.map((n) => [n.name, n.mode, n.unread])).toEqual([
      ['default', 'nat', null],
      ['lost', 'unknown', 'listed by virsh, but the probe output was cut off before its XML'],
    ]);
    expect(json.summary.unread).toEqual({ vms: 1, networks: 1 });
    expectValidReport(json);
  });

  it('is read back with `unread`, and a report written before the key reads as all read', () => {
    // Given a written report with an unread VM, and the same report as an older version wrote it (no unread keys)
    const report = sampleReport();
    report.hosts[0]!.vms.push(vm('db01', [], { unread: 'gone' }));
    const text = renderJson(report);
    const older = JSON.parse(text) as { summary: Json; hosts: { vms: Json[]; networks: Json[] }[] };
    delete older.summary.unread;
    for (const h of older.hosts) for (const object of [...h.vms, ...h.networks]) delete object.unread;
    // When read
    const current = parseReport(text, 'report.json');
    const old = parseReport(JSON.stringify(older), 'old.json');
    // Then
    expect(current.hosts[0]?.vms.map((v) => v.unread)).toEqual([null, 'gone']);
    expect(current.hosts[0]?.networks.map((n) => n.unread)).toEqual([null]);
    expect(old.hosts[0]?.vms.map((v) => v.unread)).toEqual([null, null]);
    expect(old.hosts[0]?.networks.map((n) => n.unread)).toEqual([null]);
    expect(old.summary.unread).toEqual({ vms: 0, networks: 0 });
  });

  it('is read back as the very report that was written (one schema writes and reads it)', () => {
    // Given a report with every kind of host and every optional part
    const report = sampleFleetReport();
    // When written and read back
    const read = parseReport(renderJson(report), 'report.json');
    // Then nothing was lost or added on the way
    expect(read).toEqual(report);
  });
});
