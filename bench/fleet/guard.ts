/**
 * Before the bench builds anything: refuse when its names or subnet are in use by something alive (another
 * fleet bench, or a link of someone else's on the management subnet), otherwise clear what an interrupted
 * run of ours left (by prefix), and take the lock. The lock lives under the prefix in $TMPDIR, so the
 * teardown's prefix sweep removes it too.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTool, run } from '../../test/lab/run.js';
import { ipv4ToNumber } from '../../test/lab/addresses.js';
import { removeLeftovers } from '../../test/system/systemLab.js';

const lockPath = (prefix: string) => join(tmpdir(), `${prefix}lock`);

/** The pid in the lock when that process is alive and still a fleet bench, else null. */
async function liveLockHolder(prefix: string): Promise<number | null> {
  const pid = Number((await readFile(lockPath(prefix), 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes('fleetBench') ? pid : null;
}

/** Links of the root namespace, not ours, that carry an address or a route in `<subnet>.0/24`. */
async function subnetUsers(prefix: string, subnet: string): Promise<string[]> {
  const ip = resolveTool('ip');
  const base = ipv4ToNumber(`${subnet}.0`)!;
  const inSubnet = (address: string) => {
    const value = ipv4ToNumber(address.split('/')[0]!);
    return value !== null && value >= base && value < base + 256;
  };
  const users = new Set<string>();
  const addrs = JSON.parse(await run([ip, '-j', '-4', 'addr', 'show'])) as { ifname: string; addr_info?: { local: string }[] }[];
  for (const link of addrs) {
    if (!link.ifname.startsWith(prefix) && (link.addr_info ?? []).some((a) => inSubnet(a.local))) users.add(link.ifname);
  }
  const routes = JSON.parse(await run([ip, '-j', '-4', 'route', 'show', 'table', 'all'])) as { dst?: string; dev?: string }[];
  for (const route of routes) {
    if (route.dst && route.dst !== 'default' && route.dev && !route.dev.startsWith(prefix) && inSubnet(route.dst)) users.add(route.dev);
  }
  return [...users];
}

/** Check, clear our leftovers, and take the lock; throws with the reason when the bench must not start. */
export async function claimBenchNames(prefix: string, subnet: string): Promise<void> {
  const holder = await liveLockHolder(prefix);
  if (holder !== null) throw new Error(`another fleet bench (pid ${holder}) is running with prefix ${prefix}: wait for it to end`);
  const users = await subnetUsers(prefix, subnet);
  if (users.length > 0) {
    throw new Error(`the management subnet ${subnet}.0/24 is in use on ${users.join(', ')} (not ours): refusing to start`);
  }
  await removeLeftovers(prefix);
  await writeFile(lockPath(prefix), `${process.pid}\n`);
}
