/**
 * `--shard K/N`: a deterministic slice of the selected hosts, so that N machines can each audit one slice and
 * `kvm-netaudit merge` can put the slices back together (docs/cli.md, "Fleets too big for one machine").
 *
 * A host's shard depends on its name and N only: the first 32 bits of the SHA-256 of its UTF-8 name, big-endian,
 * modulo N, plus one. So it does not move when the inventory is reordered, or when other hosts are added or
 * removed; only a different N deals the hosts out anew. An operator can check it with coreutils:
 * `echo $(( 0x$(printf %s hv01 | sha256sum | cut -c1-8) % 3 + 1 ))` prints hv01's shard of 3.
 *
 * A hash and not a round robin over the inventory: a round robin moves half the fleet to other shards when one
 * host is added near the top, and the shards' reports then no longer line up with last week's. 32 bits modulo
 * N ≤ 10,000 is biased by less than 1 in 400,000, far below what a fleet's names vary by anyway. Pure.
 */
import { createHash } from 'node:crypto';

/** The most shards a fleet can be cut into: beyond it a shard would hold a fraction of a host of any real fleet. */
export const MAX_SHARDS = 10_000;

/** One slice: `index` of `count`, 1-based as `--shard=K/N` in Jest and Playwright. */
export interface Shard {
  /** K, from 1 to `count`. */
  index: number;
  /** N, from 1 to MAX_SHARDS. */
  count: number;
}

/**
 * The shard (1 to `count`) a host belongs to.
 * @example shardOf('hv01', 3) // 2, on every machine, in every inventory
 */
export function shardOf(name: string, count: number): number {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS) throw new RangeError(`shard count ${count} is not 1 to ${MAX_SHARDS}`);
  const digest = createHash('sha256').update(name, 'utf8').digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

/**
 * The hosts of one shard, in the order given (inventory order), and each one's position among all of `hosts`
 * (0-based): the report records the positions, so that merge restores the order an un-sharded run has.
 */
export function shardHosts<T extends { name: string }>(hosts: readonly T[], shard: Shard): { hosts: T[]; positions: number[] } {
  const picked: T[] = [];
  const positions: number[] = [];
  hosts.forEach((host, position) => {
    if (shardOf(host.name, shard.count) !== shard.index) return;
    picked.push(host);
    positions.push(position);
  });
  return { hosts: picked, positions };
}

/**
 * A fingerprint of the hosts a fleet run selected, before sharding: `sha256:` and the hex digest of their names in
 * inventory order, one per line. Every shard of one fleet carries the same one, so merge can tell shards of another
 * inventory (or another `--limit`, or another order) from a missing shard, and check a complete set adds up.
 */
export function selectionDigest(names: Iterable<string>): string {
  const hash = createHash('sha256');
  for (const name of names) hash.update(`${name}\n`, 'utf8');
  return `sha256:${hash.digest('hex')}`;
}
