/**
 * The runner over real SSH: the embedded demo fleet (ssh2 servers replaying real captures) audited through
 * the SSH connector with strict host-key checking, as `kvm-netaudit demo` does.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostConfig, RawCapture, RunEvent } from '../../../src/model.js';
import { startDemoFleet, loadDemoEntries, type DemoFleet } from '../../../src/demo/fleet.js';
import { generateEd25519KeyPair, startSshServer } from '../../../src/demo/sshServer.js';
import { runFleet } from '../../../src/runner/runFleet.js';
import { createSshConnector } from '../../../src/transport/ssh.js';
import { replayCapture } from '../../../src/transport/replay.js';
import { parseCapture } from '../../../src/parse/index.js';
import { classifyHost } from '../../../src/classify/index.js';
import { buildFleetReport } from '../../../src/report/build.js';
import { renderJson } from '../../../src/report/json.js';
import { expectValidReport } from '../../helpers/reportSchema.js';

let fleet: DemoFleet;

beforeAll(async () => {
  fleet = await startDemoFleet({ hosts: 0 });
});
afterAll(async () => {
  await fleet?.close();
});

function connector(knownHostsFile = fleet.knownHostsFile) {
  return createSshConnector({ hostKeyPolicy: 'strict', knownHostsOverride: knownHostsFile, connectTimeoutMs: 5_000 });
}

describe('runner over the embedded SSH fleet', () => {
  it('audits every demo host once: captured hosts ok with their modes, the locked one auth, the hung one timeout', async () => {
    // Given the bundled fleet and its two failing hosts
    const entries = await loadDemoEntries();
    const events: RunEvent[] = [];
    // When audited at a concurrency below the fleet size, with a short deadline
    const outcome = await runFleet(fleet.hosts, {
      connector: connector(),
      concurrency: 4,
      timeoutMs: 1_500,
      maxBytes: 32 << 20,
      onEvent: (e) => events.push(e),
    });
    // Then every host is there once, in order
    expect(outcome.hosts.map((h) => h.name)).toEqual(fleet.hosts.map((h) => h.name));
    const status = Object.fromEntries(outcome.hosts.map((h) => [h.name, h.error ? `${h.status}/${h.error.kind}` : h.status]));
    for (const { entry } of entries) expect(status[entry.name]).toBe('ok');
    expect(status['hv-locked-90']).toBe('failed/auth');
    expect(status['hv-hung-99']).toBe('failed/timeout');
    // and no more than 4 hosts were in flight at any moment
    let inFlight = 0;
    let peak = 0;
    for (const e of events) {
      if (e.type === 'host-connecting') peak = Math.max(peak, ++inFlight);
      if (e.type === 'host-done') inFlight--;
    }
    expect(peak).toBe(4);
    // and the stock NAT host reads as such
    const nat = outcome.hosts.find((h) => h.name === 'hv-nat-01')!;
    expect(nat.modes).toEqual(['nat']);
    expect(nat.vms.flatMap((vm) => vm.interfaces.map((i) => i.via))).toContain('network default');
    // and its report.json, failed hosts included, follows the published JSON Schema
    const { startedAt, finishedAt, complete } = outcome;
    expectValidReport(renderJson(buildFleetReport({ hosts: outcome.hosts, startedAt, finishedAt, complete, inventory: 'demo', concurrency: 4, version: 'test' })));
  });

  it('refuses a host whose key changed, and says how to fix it', async () => {
    // Given a known_hosts file where one host is recorded with another key
    const dir = await mkdtemp(path.join(tmpdir(), 'kna-it-'));
    try {
      const other = generateEd25519KeyPair().public.split(' ')[1];
      const lines = (await readFile(fleet.knownHostsFile, 'utf8')).trim().split('\n');
      const target = fleet.hosts[0]!;
      const changed = lines.map((l) => (l.startsWith(`[127.0.0.1]:${target.port} `) ? `[127.0.0.1]:${target.port} ssh-ed25519 ${other}` : l));
      const file = path.join(dir, 'known_hosts');
      await writeFile(file, `${changed.join('\n')}\n`);
      // When that host and a neighbour are audited
      const outcome = await runFleet(fleet.hosts.slice(0, 2), { connector: connector(file), concurrency: 2, timeoutMs: 5_000, maxBytes: 1 << 20 });
      // Then only the changed one fails, with kind hostkey
      expect(outcome.hosts[0]).toMatchObject({ status: 'failed', error: { kind: 'hostkey' } });
      expect(outcome.hosts[0]!.error!.message).toMatch(/known_hosts/);
      expect(outcome.hosts[1]!.status).toBe('ok');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a refused port as unreachable', async () => {
    // Given a port where a server listened a moment ago
    const gone = await startSshServer({ onExec: async (s) => s.exit(0) });
    const port = gone.port;
    await gone.close();
    const host: HostConfig = { ...fleet.hosts[0]!, name: 'gone', port };
    const outcome = await runFleet([host], { connector: connector(), concurrency: 1, timeoutMs: 5_000, maxBytes: 1 << 20 });
    expect(outcome.hosts[0]).toMatchObject({ status: 'failed', error: { kind: 'unreachable' } });
  });

  it('treats hostile remote output as data: forged markers, escape sequences and endless output', async () => {
    // Given one server whose "VM names" try to forge a section and colour the terminal, and one that never stops talking
    const key = generateEd25519KeyPair();
    const hostKeyPem = generateEd25519KeyPair().private;
    const [{ capture }] = await loadDemoEntries();
    const forged: RawCapture = {
      ...capture,
      sections: capture.sections.map((s) =>
        s.id === 'objects'
          ? { ...s, stdout: s.stdout.replace(/(<domain[^>]*>\s*<name>)([^<]+)<\/name>/, `$1$2\n@@KNA-${'0'.repeat(32)} BEGIN ip-link\n\u001b[31mred</name>`) }
          : s,
      ),
    };
    const hostile = await startSshServer({
      hostKeyPem,
      authorizedKey: key.public,
      onExec: async (s) => {
        s.write(replayCapture(forged, await s.stdin));
        s.exit(0);
      },
    });
    const endless = await startSshServer({
      hostKeyPem,
      authorizedKey: key.public,
      onExec: async (s) => {
        await s.stdin;
        const chunk = 'x'.repeat(64 * 1024);
        for (let i = 0; i < 2_000 && !s.signal.aborted; i++) await s.write(chunk);
        s.exit(0);
      },
    });
    const dir = await mkdtemp(path.join(tmpdir(), 'kna-it-'));
    try {
      const identityFile = path.join(dir, 'id');
      await writeFile(identityFile, key.private, { mode: 0o600 });
      const knownHostsFile = path.join(dir, 'known_hosts');
      await writeFile(
        knownHostsFile,
        [hostile, endless].map((s) => `[127.0.0.1]:${s.port} ${s.hostKey.type} ${s.hostKey.base64}`).join('\n') + '\n',
      );
      const base = { ...fleet.hosts[0]!, identityFile, knownHostsFile };
      const hosts = [
        { ...base, name: 'hostile', port: hostile.port },
        { ...base, name: 'endless', port: endless.port },
      ];
      // When audited with a 1 MiB output cap
      const t0 = Date.now();
      const outcome = await runFleet(hosts, { connector: connector(knownHostsFile), concurrency: 2, timeoutMs: 20_000, maxBytes: 1 << 20 });
      // Then the forged text stays inside the VM's name and nothing else moved
      const [h, e] = outcome.hosts;
      expect(h!.status).toBe('ok');
      const names = h!.vms.map((vm) => vm.name);
      expect(names.some((n) => n.includes('\u001b[31mred') && n.includes('BEGIN ip-link'))).toBe(true);
      expect(h!.vms.length).toBe(parseCapture(capture).domains.length);
      expect(h!.bridges.map((b) => b.name)).toEqual(classifyHost(parseCapture(capture), { uplinkInterfaces: [] }).bridges.map((b) => b.name));
      // and the endless host is cut off at the cap, reported, and did not hold the run
      expect(e).toMatchObject({ status: 'failed', error: { kind: 'command' } });
      expect(e!.error!.message).toMatch(/cut off at 1048576 bytes/);
      expect(Date.now() - t0).toBeLessThan(15_000);
    } finally {
      await Promise.all([hostile.close(), endless.close()]);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
