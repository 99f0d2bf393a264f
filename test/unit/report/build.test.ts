import { describe, expect, it } from 'vitest';
import { buildFleetReport } from '../../../src/report/index.js';
import { failedHost, host, nic, vm } from './sample.js';

const startedAt = new Date('2025-01-02T03:04:05.000Z');
const finishedAt = new Date('2025-01-02T03:05:06.500Z');

describe('buildFleetReport', () => {
  it('counts hosts by status', () => {
    // Given two ok hosts, one partial and one failed
    const hosts = [host('a'), host('b'), host('c', { status: 'partial' }), failedHost('d')];
    // When the report is built
    const report = buildFleetReport({ hosts, startedAt, finishedAt, inventory: 'inv.yaml', concurrency: 4, complete: true, version: '1.2.3' });
    // Then the summary counts each status
    expect(report.summary).toMatchObject({ hosts: 4, ok: 2, partial: 1, failed: 1 });
  });

  it('counts VM interfaces per mode across the fleet, in vocabulary order, omitting absent modes', () => {
    // Given NICs of three modes spread over two hosts, and a VM with no NIC
    const hosts = [
      host('a', { vms: [vm('x', [nic({ mode: 'bridged' }), nic()]), vm('y', [])] }),
      host('b', { vms: [vm('z', [nic(), nic({ mode: 'macvtap' }), nic({ mode: 'bridged' })])] }),
    ];
    // When the report is built
    const report = buildFleetReport({ hosts, startedAt, finishedAt, inventory: 'inv.yaml', concurrency: 1, complete: true, version: '0' });
    // Then each mode is counted once per interface
    expect(report.summary.modes).toEqual({ nat: 2, bridged: 2, macvtap: 1 });
    expect(Object.keys(report.summary.modes)).toEqual(['nat', 'bridged', 'macvtap']);
  });

  it('counts findings per severity', () => {
    const finding = (severity: 'high' | 'low') => ({ rule: 'r', severity, subject: 's', message: 'm' });
    const hosts = [host('a', { findings: [finding('high'), finding('low')] }), host('b', { findings: [finding('high')] })];
    const report = buildFleetReport({ hosts, startedAt, finishedAt, inventory: 'inv.yaml', concurrency: 1, complete: true, version: '0' });
    expect(report.summary.findings).toEqual({ high: 2, low: 1 });
  });

  it('records the run and the tool', () => {
    const report = buildFleetReport({ hosts: [], startedAt, finishedAt, inventory: 'fleet.yaml', concurrency: 16, complete: false, version: '9.9.9' });
    expect(report.schemaVersion).toBe(1);
    expect(report.tool).toEqual({ name: 'kvm-netaudit', version: '9.9.9' });
    expect(report.run).toEqual({
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      inventory: 'fleet.yaml',
      concurrency: 16,
      complete: false,
    });
    expect(report.summary).toEqual({ hosts: 0, ok: 0, partial: 0, failed: 0, modes: {}, unread: { vms: 0, networks: 0 }, findings: {}, waived: 0 });
  });
});
