import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_SHARDS, selectionDigest, shardHosts, shardOf } from '../../../src/inventory/shard.js';

/** 1,000 names shaped like a real fleet's: sites, racks, numbers. */
const FLEET = Array.from({ length: 1000 }, (_, i) => `hv-${['fra', 'ams', 'lon', 'nyc'][i % 4]}${Math.floor(i / 40)}-${String(i).padStart(4, '0')}`);
const COUNTS = [1, 2, 3, 4, 7, 10, 16, 100];

/** A fixed shuffle (a linear congruential generator), so a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('shardOf', () => {
  it('is the first 32 bits of the SHA-256 of the name, modulo N, plus 1 (what the docs tell operators to compute)', () => {
    for (const name of ['hv01', 'hv-nat-01', 'kvm-lab-broken', 'ünïcode-host']) {
      const expected = (createHash('sha256').update(name, 'utf8').digest().readUInt32BE(0) % 7) + 1;
      expect(shardOf(name, 7)).toBe(expected);
    }
    // The example in docs/cli.md and in the module's JSDoc
    expect(shardOf('hv01', 3)).toBe(2);
  });

  it('gives the same slice every time, always from 1 to N', () => {
    for (const count of COUNTS) {
      for (const name of FLEET.slice(0, 50)) {
        const shard = shardOf(name, count);
        expect(shard).toBeGreaterThanOrEqual(1);
        expect(shard).toBeLessThanOrEqual(count);
        expect(shardOf(name, count)).toBe(shard);
      }
    }
  });

  it('refuses a count it cannot deal into', () => {
    expect(() => shardOf('hv01', 0)).toThrow(RangeError);
    expect(() => shardOf('hv01', MAX_SHARDS + 1)).toThrow(RangeError);
    expect(() => shardOf('hv01', 1.5)).toThrow(RangeError);
  });
});

describe('shardHosts', () => {
  const hosts = FLEET.map((name) => ({ name }));

  it.each(COUNTS)('puts every host in exactly one of %i slices', (count) => {
    // Given the fleet, when it is cut into `count` slices
    const slices = Array.from({ length: count }, (_, k) => shardHosts(hosts, { index: k + 1, count }).hosts.map((h) => h.name));
    // Then every host is in one slice, and no host in two
    const all = slices.flat();
    expect(all).toHaveLength(FLEET.length);
    expect(new Set(all)).toEqual(new Set(FLEET));
  });

  it('keeps a host in its slice when the inventory is reordered, or other hosts come and go', () => {
    const before = new Map(FLEET.map((name) => [name, shardOf(name, 5)]));
    // Given the same hosts in another order, with 100 removed and 50 added
    const changed = [...shuffled(FLEET, 42).slice(100), ...Array.from({ length: 50 }, (_, i) => `new-host-${i}`)].map((name) => ({ name }));
    for (let index = 1; index <= 5; index++) {
      // Then each remaining host is still in the slice it was in
      for (const host of shardHosts(changed, { index, count: 5 }).hosts) {
        if (before.has(host.name)) expect(before.get(host.name)).toBe(index);
      }
    }
  });

  it('keeps inventory order within a slice and records each host\'s position among all selected hosts', () => {
    const { hosts: picked, positions } = shardHosts(hosts, { index: 2, count: 3 });
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    picked.forEach((host, i) => expect(hosts[positions[i]!]).toBe(host));
  });

  /** χ² critical values at p = 0.001 for N − 1 degrees of freedom: a fair hash exceeds them once in 1,000 fleets. */
  const CHI_SQUARE_999: Record<number, number> = { 2: 10.83, 3: 13.82, 5: 18.47, 10: 27.88 };

  it.each([2, 3, 5, 10])('deals 1,000 names into %i roughly equal slices', (count) => {
    const sizes = Array.from({ length: count }, (_, k) => shardHosts(hosts, { index: k + 1, count }).hosts.length);
    const mean = FLEET.length / count;
    const chiSquare = sizes.reduce((sum, size) => sum + (size - mean) ** 2 / mean, 0);
    expect(chiSquare).toBeLessThan(CHI_SQUARE_999[count]!);
    for (const size of sizes) expect(Math.abs(size - mean)).toBeLessThan(mean * 0.4);
  });

  it('gives an empty slice when the fleet is smaller than N, and a 1/1 slice is the whole fleet', () => {
    const small = [{ name: 'hv01' }];
    const slices = Array.from({ length: 4 }, (_, k) => shardHosts(small, { index: k + 1, count: 4 }).hosts.length);
    expect(slices.filter((n) => n === 0)).toHaveLength(3);
    expect(shardHosts(hosts, { index: 1, count: 1 }).hosts).toEqual(hosts);
  });
});

describe('selectionDigest', () => {
  it('fingerprints the selected names in order: another host, or another order, is another selection', () => {
    const digest = selectionDigest(['hv01', 'hv02']);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(selectionDigest(['hv01', 'hv02'])).toBe(digest);
    expect(selectionDigest(['hv02', 'hv01'])).not.toBe(digest);
    expect(selectionDigest(['hv01', 'hv02', 'hv03'])).not.toBe(digest);
    // names are separated, so joining them differently is no collision
    expect(selectionDigest(['hv0', '1hv02'])).not.toBe(digest);
  });
});
