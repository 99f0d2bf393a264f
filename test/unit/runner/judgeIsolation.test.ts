import { describe, expect, it, vi } from 'vitest';
import type { HostFacts } from '../../../src/model.js';
import { runFleet } from '../../../src/runner/runFleet.js';
import { fakeConnector, fixture, host } from '../../helpers/fakeFleet.js';

// A classifier with a bug that only one host's data triggers (the way a VLAN loop once overflowed the stack).
vi.mock('../../../src/classify/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/classify/index.js')>();
  return {
    ...real,
    classifyHost: (facts: HostFacts, options: Parameters<typeof real.classifyHost>[1]) => {
      if (options.uplinkInterfaces.includes('overflow')) {
        const recurse = (depth: number): number => recurse(depth + 1) + 1;
        recurse(0);
      }
      return real.classifyHost(facts, options);
    },
  };
});

describe('runFleet isolation of the classifier', () => {
  it('fails only the host whose classification overflows the stack, and audits the others', async () => {
    // Given two healthy hosts and one whose data sends the classifier into endless recursion
    const { connector } = fakeConnector({
      a: { kind: 'capture', capture: fixture('ok') },
      loop: { kind: 'capture', capture: fixture('ok') },
      c: { kind: 'capture', capture: fixture('ok') },
    });
    const hosts = [host('a'), { ...host('loop'), uplinkInterfaces: ['overflow'] }, host('c')];
    // When audited
    const outcome = await runFleet(hosts, { concurrency: 3, timeoutMs: 2_000, maxBytes: 1 << 20, connector });
    // Then the run completes, the loop host failed internally with a message saying why, the others are ok
    expect(outcome.hosts.map((h) => h.status)).toEqual(['ok', 'failed', 'ok']);
    expect(outcome.hosts[1]!.error).toEqual({
      kind: 'internal',
      message: 'internal error while classifying the probe output: the host data nests too deeply (call stack exceeded)',
    });
  });
});
