import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { FleetReportView, HostReport } from '../../../src/model.js';
import { buildFleetReport } from '../../../src/report/build.js';
import { escapeLabelValue, prometheusChunks } from '../../../src/report/prometheus.js';
import { gateTier, tool } from '../../helpers/prerequisites.js';
import { failedHost, host, nic, vm } from './sample.js';

const promtool = gateTier('unit tier (--format prom checked by Prometheus\'s promtool)', [tool('promtool')]);

/** A fleet with a NAT guest, a bridged guest, a failed host, a finding and names no one should have. */
function fleet(): FleetReportView {
  const hostile = 'web"01\\x\nnext\x1b[2J';
  const hosts: HostReport[] = [
    host('hv1', {
      vms: [
        vm('web', [nic()]),
        vm(hostile, [nic({ mac: '52:54:00:aa:bb:cc', target: 'vnet1', mode: 'bridged', attachment: { through: { kind: 'bridge', name: 'br0' }, network: null, bridge: 'br0', uplinks: ['eno1', 'eno2'], device: null } })]),
      ],
      bridges: [
        { name: 'virbr0', kind: 'linux', ports: ['vnet0'], uplinks: [], addresses: [] },
        { name: 'br0', kind: 'linux', ports: ['eno1', 'eno2', 'vnet1'], uplinks: ['eno1', 'eno2'], addresses: [] },
      ],
      warnings: [{ kind: 'tap-missing', subject: 'vm web', message: 'gone' } as HostReport['warnings'][number]],
      findings: [
        { rule: 'no-bridge', severity: 'high', subject: 'vm web', message: 'bridged' },
        { rule: 'no-bridge', severity: 'high', subject: 'vm x', message: 'bridged', status: 'waived' },
      ],
    }),
    failedHost('hv2'),
  ];
  return buildFleetReport({
    hosts,
    startedAt: new Date('2026-12-03T10:00:00.000Z'),
    finishedAt: new Date('2026-12-03T10:00:42.500Z'),
    inventory: 'inv.yaml',
    concurrency: 4,
    complete: true,
    version: '0',
  });
}

const text = (report: FleetReportView) => [...prometheusChunks(report)].join('');

describe('--format prom (the textfile collector file)', () => {
  it('gives one info sample per VM NIC and per network, with the labels the docs promise', () => {
    const out = text(fleet());
    const nics = out.split('\n').filter((line) => line.startsWith('kvm_netaudit_vm_interface_info{'));
    expect(nics).toHaveLength(2);
    expect(nics[0]).toBe(
      'kvm_netaudit_vm_interface_info{hypervisor="hv1",domain="web",interface="52:54:00:12:34:56",mac="52:54:00:12:34:56",target="vnet0",mode="nat",network="default",bridge="virbr0",uplink=""} 1',
    );
    expect(nics[1]).toContain('mode="bridged",network="",bridge="br0",uplink="eno1,eno2"');
    expect(out).toContain('kvm_netaudit_network_info{hypervisor="hv1",network="default",mode="nat",forward="nat",bridge="virbr0",uplink="",active="true"} 1');
  });

  it("counts each host's status, warnings and failing (not waived) findings by severity, and the run", () => {
    const out = text(fleet());
    expect(out).toContain('kvm_netaudit_host_info{hypervisor="hv2",status="failed",error_kind="unreachable"} 1');
    expect(out).toContain('kvm_netaudit_host_up{hypervisor="hv1"} 1\nkvm_netaudit_host_up{hypervisor="hv2"} 0\n');
    expect(out).toContain('kvm_netaudit_host_warnings{hypervisor="hv1"} 1');
    expect(out).toContain('kvm_netaudit_host_failing_findings{hypervisor="hv1",severity="high"} 1');
    expect(out).toContain('kvm_netaudit_host_failing_findings{hypervisor="hv2",severity="critical"} 0');
    expect(out).toContain('kvm_netaudit_hosts{status="failed"} 1');
    expect(out).toContain(`kvm_netaudit_last_run_timestamp_seconds ${Date.parse('2026-12-03T10:00:42.500Z') / 1000}`);
    expect(out).toContain('kvm_netaudit_last_run_duration_seconds 42.500');
    expect(out).toContain('kvm_netaudit_last_run_complete 1');
  });

  it('never writes one series twice, even for two NICs of a VM with no MAC and no target (node_exporter refuses that)', () => {
    const twins = host('hv3', { vms: [vm('twin', [nic({ id: 'nic0', mac: null, target: null }), nic({ id: 'nic1', mac: null, target: null })])] });
    const report = buildFleetReport({ hosts: [twins], startedAt: new Date(0), finishedAt: new Date(0), inventory: 'i', concurrency: 1, complete: true, version: '0' });
    const series = text(report).split('\n').filter((line) => line !== '' && !line.startsWith('#')).map((line) => line.slice(0, line.lastIndexOf(' ')));
    expect(new Set(series).size).toBe(series.length);
  });

  it('escapes what hosts send: quotes, backslashes, newlines, and control characters made visible', () => {
    expect(escapeLabelValue('a"b\\c\nd\x1be')).toBe('a\\"b\\\\c\\\\x0ad\\\\x1be');
    const out = text(fleet());
    // one line per sample: no name can start a line of its own
    expect(out.split('\n').every((line) => line === '' || line.startsWith('# ') || line.startsWith('kvm_netaudit_'))).toBe(true);
    expect(out).not.toContain('\x1b');
  });

  it.skipIf(promtool.skip)("passes Prometheus's own parser and linter (promtool check metrics)", () => {
    promtool.enforce();
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text(fleet()), encoding: 'utf8' });
    expect(`${result.stdout}${result.stderr}`.trim()).toBe('');
    expect(result.status).toBe(0);
  });
});
