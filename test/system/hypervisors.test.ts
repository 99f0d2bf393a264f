/**
 * System tier, part two: hypervisors built like real ones, each in its own network namespace with its
 * own OpenSSH sshd, audited together in ONE run of the built CLI:
 * - the 12 demo-fleet hosts of scripts/demo-fleet, live: each shows the modes and warnings it was built
 *   for, and its live audit over SSH equals the audit of its committed capture (so the demo captures
 *   are real and current);
 * - sys-hostile: names full of shell metacharacters, quotes, tabs, Markdown, non-ASCII, UUID- and
 *   id-like names and an escape sequence: exact modes, nothing executed, names intact in the JSON and
 *   harmless in report.md;
 * - sys-big: 40 networks and 300 VMs, all classified, in one SSH exec and a handful of virsh processes.
 *
 * Needs root and the same Debian packages as audit.test.ts; skipped where they are missing (failing instead
 * under KVM_NETAUDIT_REQUIRE_ALL=1), or with KVM_NETAUDIT_SKIP_SYSTEM=1. Names: `kna-h-t-*` namespaces and
 * links, management subnet 198.18.1.0/24.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyHost } from '../../src/classify/index.js';
import type { FleetReport, HostReport, RawCapture } from '../../src/model.js';
import { parseCapture } from '../../src/parse/index.js';
import { escapeMarkdownInline } from '../../src/report/markdown-escape.js';
import { demoFleet } from '../../scripts/demo-fleet/index.js';
import type { DemoHostSpec } from '../../scripts/demo-fleet/lib.js';
import { ensureBuilt, REPO_ROOT, runCli } from '../helpers/cli.js';
import type { SystemHost } from './fleet.js';
import { BIG_NETWORK_COUNT, BIG_VM_COUNT, bigHost } from './hypervisors/big.js';
import { ESC_BRIDGE, hostileHost, MARKER_PREFIX } from './hypervisors/hostile.js';
import { startSystemLab, systemTierGate, type SystemLab, type SystemLabMember } from './systemLab.js';

const PREFIX = 'kna-h-t-';
const SUBNET = '198.18.1';
const gate = systemTierGate('hypervisors.test.ts');

/** A lab member of this file: a demo host (checked against its spec and capture) or one with expectations. */
type Member = SystemLabMember & ({ demo: DemoHostSpec } | { expected: SystemHost });

const DEMO_MEMBERS: Member[] = demoFleet.map((spec, index) => ({ spec, hostNumber: 11 + index, demo: spec }));
const HOSTILE: Member = { ...hostileHost, expected: hostileHost };
const BIG: Member = { ...bigHost, expected: bigHost };
const FLEET: Member[] = [...DEMO_MEMBERS, HOSTILE, BIG];

/** One audit of the whole fleet, and what it left behind. */
interface AuditRun {
  code: number | null;
  stderr: string;
  stdout: string;
  report: FleetReport;
  markdown: string;
  /** What sys-big's sshd logged during the run. */
  bigSshdLog: string;
  /** One line per virsh process started on sys-big during the run. */
  bigVirshCalls: string[];
}

function hostReport(report: FleetReport, name: string): HostReport {
  const found = report.hosts.find((h) => h.name === name);
  if (!found) throw new Error(`the report has no host ${name} (hosts: ${report.hosts.map((h) => h.name).join(', ')})`);
  return found;
}

/** JSON's view of a value: what report.json can hold (no undefined keys). */
const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The audit of a demo host's committed capture, classified in-process with its spec's uplink globs. */
function auditOfCapture(spec: DemoHostSpec) {
  const path = join(REPO_ROOT, 'fixtures', 'demo', 'captures', `${spec.name}.json`);
  const capture = JSON.parse(readFileSync(path, 'utf8')) as RawCapture;
  return classifyHost(parseCapture(capture), { uplinkInterfaces: spec.uplinkInterfaces });
}

/** Files the hostile names would have created if a shell had ever run them. */
function markerFiles(): string[] {
  const dir = MARKER_PREFIX.slice(0, MARKER_PREFIX.lastIndexOf('/'));
  const stem = MARKER_PREFIX.slice(dir.length + 1);
  const found = readdirSync(dir).filter((entry) => entry.startsWith(stem)).map((entry) => join(dir, entry));
  // The relative forms (`touch pwned`) would land in a shell's working directory: the CLI's or a home.
  for (const other of [REPO_ROOT, homedir(), '/root', '/']) {
    for (const entry of readdirSync(other)) if (entry.startsWith(stem)) found.push(join(other, entry));
  }
  return found;
}

/** Count the `|` of a Markdown line that separate cells (a backslash escapes the next character). */
function cellSeparators(line: string): number {
  let count = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === '|') count++;
  }
  return count;
}

/** Every table of a Markdown text, as its lines (consecutive lines starting with `|`). */
function markdownTables(markdown: string): string[][] {
  const tables: string[][] = [];
  let current: string[] = [];
  for (const line of [...markdown.split('\n'), '']) {
    if (line.startsWith('|')) current.push(line);
    else if (current.length > 0) {
      tables.push(current);
      current = [];
    }
  }
  return tables;
}

/** The part of a file written after `offset` bytes. */
async function readFrom(path: string, offset: number): Promise<string> {
  return (await readFile(path)).subarray(offset).toString('utf8');
}

async function sizeOf(path: string): Promise<number> {
  return (await readFile(path).catch(() => Buffer.alloc(0))).length;
}

describe.skipIf(gate.skip)('system: hypervisors built like real ones, audited in one CLI run', { timeout: 60_000 }, () => {
  let lab: SystemLab<Member> | undefined;
  let audit: AuditRun | undefined;

  /** The running lab host built for `member`. */
  function labHostOf(member: Member) {
    const found = lab?.hosts.find((h) => h.expected === member);
    if (!found) throw new Error(`${member.spec.name} is not running: see the error of beforeAll above`);
    return found;
  }

  function requireAudit(): AuditRun {
    if (!audit) throw new Error('the lab was not built or the CLI did not run: see the error of beforeAll above');
    return audit;
  }

  beforeAll(async () => {
    gate.enforce();
    const stale = markerFiles();
    if (stale.length > 0) {
      throw new Error(`marker files exist before the run (remove them, they prove nothing now): ${stale.join(', ')}`);
    }
    await ensureBuilt();
    // Two cores: two hosts at a time keeps the build well under a minute.
    lab = await startSystemLab(FLEET, PREFIX, { subnet: SUBNET, parallelism: 2 });

    const big = labHostOf(BIG);
    if (!big.virshCallLog) throw new Error('sys-big was built without its virsh call log');
    const sshdLogStart = await sizeOf(big.sshd.logPath);
    const virshLogStart = await sizeOf(big.virshCallLog);

    // When the built CLI audits the whole fleet, once, the way the README shows
    const out = join(lab.workDir, 'reports');
    const run = await runCli(
      ['audit', '-i', lab.inventoryPath, '--no-tui', '--json', '-', '--known-hosts', lab.knownHostsPath, '--out', out],
      180_000,
    );
    let report: FleetReport;
    try {
      report = JSON.parse(run.stdout) as FleetReport;
    } catch {
      throw new Error(`the CLI did not print a JSON report (exit ${run.code}).\nstderr:\n${run.stderr.slice(0, 4000)}`);
    }
    audit = {
      ...run,
      report,
      markdown: await readFile(join(out, 'report.md'), 'utf8'),
      bigSshdLog: await readFrom(big.sshd.logPath, sshdLogStart),
      bigVirshCalls: (await readFrom(big.virshCallLog, virshLogStart)).split('\n').filter(Boolean),
    };
  }, 300_000);

  afterAll(async () => {
    await lab?.destroy();
  });

  it('audits every host of the fleet and exits 0', () => {
    const { code, stderr, report } = requireAudit();
    expect(code, stderr).toBe(0);
    expect(report.run.complete).toBe(true);
    expect(report.hosts.map((h) => h.name)).toEqual(FLEET.map((m) => m.spec.name));
    for (const host of report.hosts) expect.soft(host.status, `${host.name}: ${JSON.stringify(host.error)}`).toBe('ok');
  });

  describe('the demo fleet, live', () => {
    it.each(DEMO_MEMBERS.map((m) => [m.spec.name, m] as const))('%s shows the modes and warnings it is built for', (_name, member) => {
      if (!('demo' in member)) throw new Error('not a demo member');
      // Given the demo host's spec, and its live audit over SSH
      const host = hostReport(requireAudit().report, member.spec.name);
      // Then its VM NICs show exactly the modes it claims
      expect(host.modes).toEqual([...member.demo.shows].sort());
      // And each warning kind it is built to raise is raised
      const kinds = host.warnings.map((w) => w.kind);
      for (const kind of member.demo.warns ?? []) expect(kinds, kind).toContain(kind);
    });

    it.each(DEMO_MEMBERS.map((m) => [m.spec.name, m] as const))(
      '%s audited live over SSH equals the audit of its committed capture',
      (_name, member) => {
        if (!('demo' in member)) throw new Error('not a demo member');
        // Given the committed capture, parsed and classified in-process
        const fromCapture = asJson(auditOfCapture(member.demo));
        // When compared with the live audit of the same host built from the same spec
        const live = hostReport(requireAudit().report, member.spec.name);
        // Then networks, bridges, VMs (with every NIC's mode, via and evidence) and modes are the same
        expect.soft(live.networks, 'networks').toEqual(fromCapture.networks);
        expect.soft(live.bridges, 'bridges').toEqual(fromCapture.bridges);
        expect.soft(live.vms, 'vms').toEqual(fromCapture.vms);
        expect(live.modes, 'modes').toEqual(fromCapture.modes);
      },
    );
  });

  /** The checks both expectation hosts share: networks, bridges, VM states, and every NIC exactly. */
  function expectAsWritten(expected: SystemHost) {
    const host = hostReport(requireAudit().report, expected.spec.name);
    expect.soft(host.networks.map((n) => n.name).sort(), 'network names').toEqual(expected.networks.map((n) => n.name).sort());
    for (const want of expected.networks) {
      expect.soft(host.networks.find((n) => n.name === want.name), `network ${JSON.stringify(want.name)}`).toMatchObject(want);
    }
    for (const want of expected.bridges) {
      const got = host.bridges.find((b) => b.name === want.name);
      expect.soft(got, `bridge ${JSON.stringify(want.name)} (bridges: ${JSON.stringify(host.bridges.map((b) => b.name))})`).toBeDefined();
      expect.soft(got?.uplinks.slice().sort(), `bridge ${JSON.stringify(want.name)} uplinks`).toEqual(want.uplinks.slice().sort());
    }
    expect.soft(Object.fromEntries(host.vms.map((vm) => [vm.name, vm.state])), 'VM states').toEqual(expected.vmStates);
    const byMac = (a: { mac: string | null }, b: { mac: string | null }) => String(a.mac).localeCompare(String(b.mac));
    const nics = host.vms.flatMap((vm) => vm.interfaces.map((nic) => ({ vm: vm.name, mac: nic.mac, mode: nic.mode, via: nic.via })));
    expect(nics.sort(byMac), 'VM NICs').toEqual(expected.nics.slice().sort(byMac));
    expect(host.modes).toEqual([...new Set(expected.nics.map((n) => n.mode))].sort());
    return host;
  }

  describe('sys-hostile', () => {
    it('classifies every NIC by the exact names it refers to', () => {
      // Given names with metacharacters, tabs, non-ASCII, a network named like another's UUID, VMs named
      // like a UUID and like an id
      // Then every network, bridge, VM and NIC is there with the right mode and via
      expectAsWritten(hostileHost);
    });

    it('ran none of the names: no marker file exists, on the machine or inside the namespace', async () => {
      // Given names that would `touch /tmp/pwned*` if any shell ever evaluated them
      requireAudit();
      // Then no such file exists here…
      expect(markerFiles()).toEqual([]);
      // …nor as seen from inside the host (its own mount namespace)
      const inside = await labHostOf(HOSTILE).host.exec(['sh', '-c', 'ls -a /tmp "$HOME" / 2>&1']);
      expect(inside.stdout).not.toContain('pwned');
    });

    it('keeps names intact in report.json, escape sequence included', () => {
      const { stdout, report } = requireAudit();
      const host = hostReport(report, hostileHost.spec.name);
      // Then the bridge named with a real ESC character is reported under that very name…
      const escBridge = host.bridges.find((b) => b.name === ESC_BRIDGE);
      expect(escBridge?.name.charCodeAt(2)).toBe(0x1b);
      expect(escBridge?.uplinks).toEqual(['eno1']);
      // …which JSON writes as \u001b, never raw
      expect(stdout).toContain(JSON.stringify(ESC_BRIDGE));
      expect(stdout).not.toContain('\x1b');
      // And every VM and network name is byte-for-byte the one in the node file
      expect(host.vms.map((vm) => vm.name).sort()).toEqual(Object.keys(hostileHost.vmStates).sort());
    });

    it('writes report.md without raw control characters, with every table cell intact', () => {
      const { markdown } = requireAudit();
      // Then no control character but the line feed is written raw
      const raw = [...markdown].filter((c) => /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(c));
      expect(raw.map((c) => `U+${c.codePointAt(0)!.toString(16).padStart(4, '0')}`)).toEqual([]);
      // And every row of every table has as many cells as its header (no `|` from a name splits a cell)
      const tables = markdownTables(markdown);
      expect(tables.length).toBeGreaterThan(3);
      for (const table of tables) {
        const columns = cellSeparators(table[0]!);
        for (const row of table) expect.soft(cellSeparators(row), row).toBe(columns);
      }
      // And the hostile names are in it, escaped
      for (const name of [...Object.keys(hostileHost.vmStates), ...hostileHost.networks.map((n) => n.name), ESC_BRIDGE]) {
        expect.soft(markdown, JSON.stringify(name)).toContain(escapeMarkdownInline(name));
      }
    });
  });

  describe('sys-big', () => {
    it(`reports all ${BIG_VM_COUNT} VMs and ${BIG_NETWORK_COUNT} networks with the right modes`, () => {
      const host = expectAsWritten(bigHost);
      expect(host.vms).toHaveLength(BIG_VM_COUNT);
      expect(host.networks).toHaveLength(BIG_NETWORK_COUNT);
    });

    it('is audited over one SSH connection with one exec (the probe)', () => {
      // Given what sys-big's sshd logged (LogLevel VERBOSE) while the CLI ran
      const log = requireAudit().bigSshdLog;
      // Then one client logged in once and started one session, a command, and nothing else
      expect(log.match(/Accepted publickey for root/g) ?? [], log).toHaveLength(1);
      const sessions = log.match(/Starting session: [^\n]*/g) ?? [];
      expect(sessions, log).toHaveLength(1);
      expect(sessions[0]).toMatch(/^Starting session: command for root from /);
    });

    it('starts two virsh processes for 300 VMs: one listing, one reading every dump from stdin', () => {
      const calls = requireAudit().bigVirshCalls;
      expect(calls.length, calls.join('\n')).toBe(2);
    });
  });
});
