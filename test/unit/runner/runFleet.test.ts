import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/model.js';
import { TransportError } from '../../../src/model.js';
import { runFleet } from '../../../src/runner/runFleet.js';
import { fakeConnector, fixture, host, type Behaviour } from '../../helpers/fakeFleet.js';

const base = { concurrency: 4, timeoutMs: 2_000, maxBytes: 1 << 20 };

describe('runFleet', () => {
  it('reports every host exactly once, in inventory order, whatever happened to it', async () => {
    // Given an ok host, a host that refuses our key, a host whose libvirt is down and one that never answers
    const { connector } = fakeConnector({
      ok: { kind: 'capture', capture: fixture('ok') },
      locked: { kind: 'refuse', error: new TransportError('auth', 'all authentication methods failed') },
      down: { kind: 'capture', capture: fixture('libvirt-down') },
      hung: { kind: 'hang' },
    });
    const hosts = ['ok', 'locked', 'down', 'hung'].map(host);
    // When the fleet is audited with a short deadline
    const outcome = await runFleet(hosts, { ...base, connector, timeoutMs: 300 });
    // Then each host has one outcome, with the right status and error kind
    expect(outcome.hosts.map((h) => h.name)).toEqual(['ok', 'locked', 'down', 'hung']);
    const byName = Object.fromEntries(outcome.hosts.map((h) => [h.name, h]));
    expect(byName.ok!.status).toBe('ok');
    expect(byName.ok!.networks.length).toBeGreaterThan(0);
    expect(byName.locked).toMatchObject({ status: 'failed', error: { kind: 'auth' } });
    expect(byName.down).toMatchObject({ status: 'failed', error: { kind: 'libvirt' } });
    expect(byName.hung).toMatchObject({ status: 'failed', error: { kind: 'timeout' } });
    expect(byName.hung!.error!.message).toContain('0.3 s');
    expect(outcome.complete).toBe(true);
  });

  it('never has more hosts in flight than the concurrency allows', async () => {
    const table: Record<string, Behaviour> = {};
    for (let i = 0; i < 20; i++) table[`h${i}`] = { kind: 'capture', capture: fixture('ok'), delayMs: 20 };
    const { connector, stats } = fakeConnector(table);
    const outcome = await runFleet(Object.keys(table).map(host), { ...base, connector, concurrency: 3 });
    expect(outcome.hosts.every((h) => h.status === 'ok')).toBe(true);
    expect(stats.maxInFlight).toBe(3);
    expect(stats.closed).toHaveLength(20);
  });

  it('on stop closes open connections, reports queued hosts as not audited, and marks the run incomplete', async () => {
    const table: Record<string, Behaviour> = {};
    for (let i = 0; i < 6; i++) table[`h${i}`] = { kind: 'hang' };
    const { connector, stats } = fakeConnector(table);
    const stop = new AbortController();
    const events: RunEvent[] = [];
    setTimeout(() => stop.abort(new Error('user')), 100);
    const outcome = await runFleet(Object.keys(table).map(host), {
      ...base,
      connector,
      concurrency: 2,
      signal: stop.signal,
      onEvent: (e) => events.push(e),
    });
    expect(outcome.complete).toBe(false);
    expect(outcome.hosts).toHaveLength(6);
    expect(outcome.hosts.every((h) => h.status === 'failed' && h.error?.kind === 'cancelled')).toBe(true);
    expect(outcome.hosts.filter((h) => /not audited/.test(h.error!.message))).toHaveLength(4);
    expect(stats.closed.sort()).toEqual(['h0', 'h1']);
    expect(events.some((e) => e.type === 'run-stopping')).toBe(true);
  });

  it('emits run-started, then connecting → probing → done for each host, then run-finished with the report', async () => {
    const { connector } = fakeConnector({ a: { kind: 'capture', capture: fixture('ok') } });
    const events: RunEvent[] = [];
    await runFleet([host('a')], { ...base, connector, onEvent: (e) => events.push(e) });
    expect(events.map((e) => e.type)).toEqual(['run-started', 'host-connecting', 'host-probing', 'host-done', 'run-finished']);
  });

  it('reports a host whose output was cut off as partial, with what it did get', async () => {
    const { connector } = fakeConnector({ big: { kind: 'capture', capture: fixture('ok'), truncate: true } });
    const [report] = (await runFleet([host('big')], { ...base, connector })).hosts;
    expect(report!.status).toBe('partial');
    expect(report!.warnings.some((w) => w.kind === 'output-truncated')).toBe(true);
  });
});
