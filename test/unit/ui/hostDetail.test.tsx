import { cleanup, render } from 'ink-testing-library';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { classifyHost } from '../../../src/classify/index.js';
import { loadDemoEntries } from '../../../src/demo/fleet.js';
import type { HostReport, RawCapture, RunEvent } from '../../../src/model.js';
import { parseCapture } from '../../../src/parse/index.js';
import { hostDetailBody } from '../../../src/ui/detailLayout.js';
import { layoutDetailFrame } from '../../../src/ui/detailFrame.js';
import { initialFleetState, reduceFleet, type FleetState, type HostRow } from '../../../src/ui/fleetState.js';
import { FrameView } from '../../../src/ui/FrameView.js';
import { eagerLines, rawCaptureLines, type LazyLines } from '../../../src/ui/rawLayout.js';
import { displayWidth } from '../../../src/ui/textWidth.js';
import { topologyBranches, topologyLines } from '../../../src/ui/topologyLayout.js';
import { connecting, done, hostReport, network, nic, normaliseFrame, runStartedWith, T0, vm } from './builders.js';

afterEach(() => cleanup());

let captures: Map<string, { report: HostReport; capture: RawCapture }>;
beforeAll(async () => {
  // Real probe output of the demo fleet, parsed and classified as a run would.
  captures = new Map();
  for (const { entry, capture } of await loadDemoEntries()) {
    const audit = classifyHost(parseCapture(capture), { uplinkInterfaces: entry.uplinkInterfaces });
    const report: HostReport = { ...audit, name: entry.name, address: '127.0.0.1', groups: entry.groups, status: 'ok', error: null, durationMs: 533, findings: [] };
    captures.set(entry.name, { report, capture });
  }
});

function stateWith(report: HostReport, extra: RunEvent[] = []): FleetState {
  return [runStartedWith([{ name: report.name, groups: report.groups }]), done(report, T0 + 533), ...extra].reduce(reduceFleet, initialFleetState());
}

function rowOf(state: FleetState, name: string): HostRow {
  return state.rows[state.index.get(name) ?? -1]!;
}

/** The host view as the terminal shows it (colours off), `rows` high. */
function detailFrame(state: FleetState, name: string, opts: { nic?: number; scroll?: number; rows?: number; columns?: number; body?: LazyLines; raw?: boolean } = {}): string {
  const row = rowOf(state, name);
  const columns = opts.columns ?? 100;
  const detail = hostDetailBody(row, { columns, selectedNic: opts.nic ?? 0 });
  const frame = layoutDetailFrame({
    state,
    row,
    now: T0 + 1000,
    rows: opts.rows ?? 200,
    columns,
    body: opts.body ?? eagerLines(detail.lines),
    raw: opts.raw ?? false,
    focus: opts.body ? undefined : detail.nicAnchors[opts.nic ?? 0],
    scroll: opts.scroll ?? 0,
  });
  const { lastFrame } = render(<FrameView lines={frame.lines} colors={false} />);
  return normaliseFrame(lastFrame());
}

describe('host detail view on real demo hosts', () => {
  it('shows the verdict, networks, bridges with uplinks and every VM NIC of hv-prod-02', () => {
    const { report } = captures.get('hv-prod-02')!;
    const frame = detailFrame(stateWith(report), 'hv-prod-02');
    expect(frame).toMatch(/^kvm-netaudit › hv-prod-02  ✓ ok/);
    expect(frame).toContain(`verdict  ${report.verdict.slice(0, 60)}`);
    // networks: mode, forward, bridge, state, addresses and DHCP
    expect(frame).toMatch(/^ {2}default\s+nat\s+nat\s+virbr0\s+inactive, no autostart\s+198\.18\.122\.1\/24\s+198\.18\.122\.2–/m);
    expect(frame).toContain('      nat to the outgoing address, ports 1024–65535');
    expect(frame).toMatch(/^ {2}host-bridge\s+bridged\s+bridge\s+br0\s+active, autostart\s+-\s+-\s/m);
    // and, where the terminal is wide enough, each network's name in virt-manager's words
    const body = hostDetailBody(rowOf(stateWith(report), 'hv-prod-02'), { columns: 160, selectedNic: 0 });
    const wide = body.lines.map((line) => line.segments.map((segment) => segment.text).join('').trimEnd()).join('\n');
    expect(wide).toMatch(/^ {2}NAME\s+MODE\s+FORWARD\s+BRIDGE\s+STATE\s+ADDRESSES\s+DHCP\s+KNOWN AS$/m);
    expect(wide).toMatch(/^ {2}default\s+nat\s+nat\s+virbr0\s.*\sNAT$/m);
    expect(wide).toMatch(/^ {2}host-bridge\s+bridged\s+bridge\s+br0\s+active, autostart\s+-\s+-\s+Bridge network$/m);
    // bridges: uplinks and ports
    expect(frame).toMatch(/^ {2}br0\s+linux\s+bond0\s+198\.19\.2\.12\/24, 2001:db8:2::12\/64\s+3: bond0, tap201i0, tap202i0$/m);
    // every VM with its state, every NIC with mode, via, MAC, model, target and link state
    for (const vmAudit of report.vms) {
      expect(frame).toContain(`  ${vmAudit.name}  ${vmAudit.state}`);
      for (const n of vmAudit.interfaces) expect(frame).toMatch(new RegExp(`${n.mode}\\s+${n.via}\\s+${n.mac}\\s+${n.model}\\s+${n.target}\\s+up`));
    }
    // and the warnings
    expect(frame).toContain('network-inactive  vm tmpl-debian12 52:54:00:02:05:01: network default is defined but not active');
  });

  it('draws the topology: one branch per path, from the NIC to the uplink', () => {
    const { report } = captures.get('hv-prod-02')!;
    const lines = topologyLines(report, 200).map((l) => l.segments.map((s) => s.text).join(''));
    // db01 sits on br0 directly, db02 through the network host-bridge: two paths to the same uplink
    expect(lines.find((l) => l.includes('db01 52:54:00:02:01:01'))).toMatch(/db01 52:54:00:02:01:01\s+───▶ bridge br0 ─▶ uplink bond0 \(uplinkInterfaces\)  ⇒ bridged$/);
    expect(lines.find((l) => l.includes('db02 52:54:00:02:02:01'))).toMatch(/───▶ network host-bridge \(forward bridge\) ─▶ bridge br0 ─▶ uplink bond0 \(uplinkInterfaces\)  ⇒ bridged$/);
    expect(lines.find((l) => l.includes('tmpl-debian12'))).toMatch(/───▶ network default \(forward nat, inactive\) ─▶ bridge virbr0  ⇒ nat$/);
    expect(lines).toHaveLength(report.vms.flatMap((v) => v.interfaces).length);
  });

  it('groups the NICs that share a path under one branch', () => {
    const { report } = captures.get('hv-nat-01')!;
    const lines = topologyLines(report, 120).map((l) => l.segments.map((s) => s.text).join(''));
    expect(lines).toHaveLength(3);
    // Each NIC named by its id, as evidence and warnings name it
    expect(lines[0]).toMatch(/^ {2}web01 52:54:00:01:01:01\s+─┬─▶ network default \(forward nat\) ─▶ bridge virbr0  ⇒ nat$/);
    expect(lines[1]).toMatch(/^ {2}web02 52:54:00:01:02:01\s+─┤$/);
    expect(lines[2]).toMatch(/^ {2}build01 52:54:00:01:03:01\s+─┘$/);
  });

  it('collapses busy paths: hv-big-09 draws at most 4 lines per path for its 30 NICs', () => {
    const { report } = captures.get('hv-big-09')!;
    const branches = topologyBranches(report);
    const nics = report.vms.flatMap((v) => v.interfaces).length;
    expect(branches.reduce((n, b) => n + b.nics.length, 0)).toBe(nics);
    const lines = topologyLines(report, 120).map((l) => l.segments.map((s) => s.text).join(''));
    expect(lines.length).toBeLessThanOrEqual(4 * branches.length);
    expect(lines.length).toBeLessThan(nics);
    for (const branch of branches.filter((b) => b.nics.length > 4)) {
      expect(lines.some((l) => new RegExp(`… ${branch.nics.length - 3} more\\s+─┘$`).test(l))).toBe(true);
    }
  });

  it('shows the name in virt-manager and the evidence chain of the selected NIC, under it, and follows the selection down the page', () => {
    const { report } = captures.get('hv-prod-02')!;
    const state = stateWith(report);
    const last = report.vms.flatMap((v) => v.interfaces).length - 1;
    // Given a host view 20 lines high with the last NIC selected
    const frame = detailFrame(state, 'hv-prod-02', { nic: last, rows: 20 });
    const lines = frame.split('\n');
    // Then the window has scrolled to it: the selected NIC (marked ›) and its evidence are on screen
    expect(lines.length).toBeLessThanOrEqual(19);
    const selected = lines.findIndex((l) => l.startsWith('  › '));
    expect(lines[selected]).toMatch(/nat\s+network default\s+52:54:00:02:05:01/);
    // Its warning right under it, then its name in virt-manager and its evidence
    expect(lines[selected + 1]).toBe('      ! network-inactive: network default is defined but not active');
    expect(lines[selected + 2]).toBe("      known as  Virtual network 'default': NAT");
    const evidence = `${lines[selected + 3]} ${lines[selected + 4]?.trim()}`;
    expect(evidence).toBe('      evidence  tmpl-debian12/52:54:00:02:05:01 → network default (forward nat, inactive) → bridge virbr0 ⇒ nat');
    expect(lines.at(-1)).toMatch(/^lines \d+–\d+ of \d+/);
    // And only one evidence chain is shown
    expect(frame.match(/evidence {2}/g)).toHaveLength(1);
    expect(frame.match(/known as {2}/g)).toHaveLength(1);
  });

  it('says under each NIC of a broken real-libvirtd host that it is cut off', () => {
    const { report } = captures.get('kvm-lab-broken')!;
    const frame = detailFrame(stateWith(report), 'kvm-lab-broken', { rows: 200 });
    expect(frame).toMatch(/\n {6}! tap-detached: its host device vnet0 is not a port of virbr0/);
    expect(frame).toMatch(/\n {6}! tap-missing: its host device vnet2 does not exist/);
    expect(frame).toMatch(/\n {6}! tap-down: its host device vnet3 is set down/);
  });

  it('lists the raw probe sections with command, exit status and output', () => {
    const { report, capture } = captures.get('hv-nat-01')!;
    const body = rawCaptureLines(capture, 100);
    const frame = detailFrame(stateWith(report), 'hv-nat-01', { body, raw: true, rows: 30 });
    expect(frame).toMatch(/^kvm-netaudit › hv-nat-01 {2}✓ ok {2}· raw probe output$/m);
    expect(frame).toMatch(new RegExp(`^${capture.sections.length} sections · [\\d,]+ bytes$`, 'm'));
    expect(frame).toMatch(/^── tools · exit 0 · \d+ chars · command -v virsh ip brctl bridge$/m);
    expect(frame).toContain('  virsh /usr/bin/virsh');
    // A section far down is reachable by scrolling
    const lastSection = capture.sections.at(-1)!;
    const scrolled = detailFrame(stateWith(report), 'hv-nat-01', { body, raw: true, rows: 30, scroll: body.length });
    expect(scrolled).toContain(`── ${lastSection.id} · exit ${lastSection.exit}`);
    expect(rawCaptureLines(undefined, 80).lineAt(0).segments[0]?.text).toMatch(/not kept/);
  });
});

describe('host detail view on hand-built hosts', () => {
  it('shows NAT ranges, portgroups, VLANs, the device pool, link state, portgroup and transient VMs', () => {
    const report = hostReport('hv-x', {
      networks: [
        { ...network('natnet', 'nat'), nat: { addresses: { start: '198.18.9.1', end: '198.18.9.4' }, ports: { start: 1024, end: 2048 }, ipv6: true }, forwardDev: 'eno1' },
        { ...network('ovsnet', 'ovs'), forward: 'bridge', portgroups: [{ name: 'web', default: true, vlanTags: [10], virtualport: null }, { name: 'db', default: false, vlanTags: [20, 21], virtualport: 'openvswitch' }], vlanTags: [5], virtualport: 'openvswitch' },
        { ...network('pool', 'macvtap'), forward: 'passthrough', pool: ['eno2', 'eno3'] },
      ],
      vms: [
        vm('web', [], { persistent: false, interfaces: [nic('ovs', '52:54:00:aa:00:01', { linkState: 'down', portgroup: 'web', vlanTags: [10], virtualport: 'openvswitch', evidence: ['web/52:54:00:aa:00:01', 'network ovsnet', '⇒ ovs'] })] }),
      ],
      findings: [{ rule: 'dmz-no-bridged', severity: 'high', subject: 'vm web', message: 'bridged in dmz' }],
    });
    const frame = detailFrame(stateWith(report), 'hv-x');
    expect(frame).toContain('      nat to 198.18.9.1–198.18.9.4, ports 1024–2048, IPv6 too');
    expect(frame).toContain('      forward dev eno1');
    expect(frame).toContain('      portgroups web (default, vlan 10), db (vlan 20,21, openvswitch)');
    expect(frame).toContain('      vlan 5');
    expect(frame).toContain('      pool eno2, eno3');
    expect(frame).toContain('  web  running · transient');
    expect(frame).toMatch(/ovs\s+network default\s+52:54:00:aa:00:01\s+virtio\s+vnet0\s+down\s+portgroup web · vlan 10/);
    expect(frame).toContain('      evidence  web/52:54:00:aa:00:01 → network ovsnet ⇒ ovs');
    expect(frame).toContain('  high  dmz-no-bridged  vm web: bridged in dmz');
  });

  it('says what it knows about a host still in flight, and keeps the previous result while it is re-audited', () => {
    const report = hostReport('hv-y', { verdict: 'all NAT', vms: [vm('a', ['nat'])] });
    const inFlight = [runStartedWith([{ name: 'hv-y', groups: [] }]), connecting('hv-y')].reduce(reduceFleet, initialFleetState());
    expect(detailFrame(inFlight, 'hv-y')).toContain('now      being audited: details appear when it is done');
    const again = stateWith(report, [connecting('hv-y', T0 + 5000)]);
    const frame = detailFrame(again, 'hv-y');
    expect(frame).toContain('now      being audited again: showing the previous result');
    expect(frame).toContain('verdict  all NAT');
  });

  it('keeps hostile strings from the host inert, and every line within the width', () => {
    const evil = '\x1b]0;owned\x07\x1b[2J';
    const report = hostReport('hv-z', {
      verdict: `verdict ${evil}`,
      networks: [{ ...network(`net${evil}`, 'nat'), bridge: `br${evil}` }],
      bridges: [{ name: `br${evil}`, kind: 'linux', ports: [`p${evil}`], uplinks: [], addresses: [] }],
      vms: [vm(`vm${evil}\n`, [], { interfaces: [nic('bridged', `mac${evil}`, { type: 'bridge', source: `src${evil}`, evidence: [`x${evil}`, '⇒ bridged'] })] })],
      warnings: [{ kind: 'k', subject: `s${evil}`, message: `m${evil}\r\n` }],
    });
    const frame = detailFrame(stateWith(report), 'hv-z', { columns: 60 });
    expect(frame).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    expect(frame).toContain('net\\x1b]0;owned\\x07');
    // the selected NIC's name in virt-manager's words carries its source, escaped like the rest
    expect(frame).toContain("known as  Bridge device 'src\\x1b]0;owned");
    for (const line of frame.split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(60);
  });
});
