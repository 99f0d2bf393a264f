import { describe, expect, it } from 'vitest';
import type { HostReport, RunEvent } from '../../../src/model.js';
import { runFleet, WATCHDOG_GRACE_MS } from '../../../src/runner/runFleet.js';
import { fakeConnector, fixture, host, type Behaviour } from '../../helpers/fakeFleet.js';

/** `gc()` exists because vitest runs these forks with --expose-gc (vitest.config.ts). */
const forceGc = (globalThis as { gc?: () => void }).gc;

function fleetOf(count: number, behaviourOf: (i: number) => Behaviour): Record<string, Behaviour> {
  const table: Record<string, Behaviour> = {};
  for (let i = 0; i < count; i++) table[`h${String(i).padStart(3, '0')}`] = behaviourOf(i);
  return table;
}

describe('runFleet deadlines', () => {
  it('runs with gc() available (the GC tests below would prove nothing without it)', () => {
    expect(typeof forceGc).toBe('function');
  });

  it('times out every hung host on time even when the garbage collector runs mid-run', async () => {
    // Given 100 hosts that never answer, all in flight at once, and a GC forced while they wait
    const table = fleetOf(100, () => ({ kind: 'hang' }));
    const { connector } = fakeConnector(table);
    let probing = 0;
    const onEvent = (event: RunEvent) => {
      if (event.type === 'host-probing' && ++probing === 100) setTimeout(() => forceGc!(), 20);
    };
    // When the fleet is audited with a 400 ms deadline
    const started = performance.now();
    const outcome = await runFleet(Object.keys(table).map(host), { concurrency: 100, timeoutMs: 400, maxBytes: 1 << 20, connector, onEvent });
    const elapsed = performance.now() - started;
    // Then every host timed out, by its own deadline (well before the watchdog's grace would rescue it)
    expect(outcome.hosts.every((h) => h.status === 'failed' && h.error?.kind === 'timeout')).toBe(true);
    expect(outcome.hosts.every((h) => h.error!.message.includes('0.4 s (--timeout)'))).toBe(true);
    expect(elapsed).toBeLessThan(400 + 1_000);
  });

  it('ends a host whose transport ignores the abort, by the watchdog, deadline plus grace', async () => {
    // Given one host whose transport never settles whatever it is told, beside a healthy one
    const { connector } = fakeConnector({ deaf: { kind: 'deaf' }, ok: { kind: 'capture', capture: fixture('ok') } });
    // When audited with a 300 ms deadline
    const started = performance.now();
    const outcome = await runFleet([host('deaf'), host('ok')], { concurrency: 2, timeoutMs: 300, maxBytes: 1 << 20, connector });
    const elapsed = performance.now() - started;
    // Then the deaf host is reported as timed out, no later than its deadline plus the grace (and a sweep)
    const [deaf, ok] = outcome.hosts;
    expect(deaf).toMatchObject({ status: 'failed', error: { kind: 'timeout' } });
    expect(deaf!.error!.message).toMatch(/^no answer within 0.3 s \(--timeout\): the connection did not close within 2 s of being ended$/);
    expect(ok!.status).toBe('ok');
    expect(elapsed).toBeGreaterThanOrEqual(300 + WATCHDOG_GRACE_MS - 50);
    expect(elapsed).toBeLessThan(300 + WATCHDOG_GRACE_MS + 1_000);
  });

  it('closes a connection that opens only after the watchdog gave up on it, and never reports the host twice', async () => {
    // Given a host whose connector ignores the abort and connects 3 s late
    const { connector, stats } = fakeConnector({ late: { kind: 'late-connect', delayMs: 300 + WATCHDOG_GRACE_MS + 500 } });
    const events: RunEvent[] = [];
    // When audited with a 300 ms deadline
    const outcome = await runFleet([host('late')], { concurrency: 1, timeoutMs: 300, maxBytes: 1 << 20, connector, onEvent: (e) => events.push(e) });
    // Then it timed out by the watchdog, and when the connection finally opens it is closed, with no event after host-done
    expect(outcome.hosts[0]).toMatchObject({ status: 'failed', error: { kind: 'timeout' } });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(stats.closed).toEqual(['late']);
    expect(events.map((e) => e.type)).toEqual(['run-started', 'host-connecting', 'host-done', 'run-finished']);
  });
});

describe('runFleet isolation: one host failure stays that host', () => {
  it('fails only the host whose policy evaluation throws, with kind internal and the message', async () => {
    // Given three healthy hosts and a policy that throws on one of them
    const table = fleetOf(3, () => ({ kind: 'capture', capture: fixture('ok') }));
    const { connector } = fakeConnector(table);
    const evaluate = (report: HostReport) => {
      if (report.name === 'h001') throw new Error('policy bug');
      return [];
    };
    // When audited
    const outcome = await runFleet(Object.keys(table).map(host), { concurrency: 2, timeoutMs: 2_000, maxBytes: 1 << 20, connector, evaluate });
    // Then only h001 failed, internally, saying why; the others are ok
    expect(outcome.hosts.map((h) => h.status)).toEqual(['ok', 'failed', 'ok']);
    expect(outcome.hosts[1]!.error).toEqual({ kind: 'internal', message: 'internal error while evaluating the policy: policy bug' });
  });

  it('fails only the host whose connector throws something that is not a TransportError', async () => {
    // Given a connector with a bug for one host
    const { connector } = fakeConnector({ a: { kind: 'capture', capture: fixture('ok') }, b: { kind: 'capture', capture: fixture('ok') } });
    const buggy = {
      ...connector,
      connect: (h: Parameters<typeof connector.connect>[0], o: Parameters<typeof connector.connect>[1]) => {
        if (h.name === 'b') throw new TypeError('cannot read properties of undefined');
        return connector.connect(h, o);
      },
    };
    // When audited
    const outcome = await runFleet([host('a'), host('b')], { concurrency: 2, timeoutMs: 2_000, maxBytes: 1 << 20, connector: buggy });
    // Then b failed internally and a is ok
    expect(outcome.hosts[0]!.status).toBe('ok');
    expect(outcome.hosts[1]).toMatchObject({ status: 'failed', error: { kind: 'internal' } });
  });

  it('audits a host whose channel closed without an exit status, with a warning saying so', async () => {
    // Given a host whose complete probe output arrives but no exit-status
    const { connector } = fakeConnector({ quiet: { kind: 'capture', capture: fixture('ok'), exitCode: null } });
    // When audited
    const [report] = (await runFleet([host('quiet')], { concurrency: 1, timeoutMs: 2_000, maxBytes: 1 << 20, connector })).hosts;
    // Then it is audited, and the warning tells the operator
    expect(report!.status).toBe('ok');
    expect(report!.networks.length).toBeGreaterThan(0);
    expect(report!.warnings.map((w) => w.kind)).toContain('exit-status-missing');
  });
});
