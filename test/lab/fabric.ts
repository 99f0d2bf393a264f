/**
 * The system tier's management network: one bridge in the ROOT network namespace, and for every test
 * host a veth pair whose root side is a port of that bridge and whose other side is `mgmt0` inside the
 * host's namespace. The CLI under test runs in the root namespace and reaches each host's sshd over it,
 * the way an operator's workstation reaches hypervisors over a management LAN.
 *
 * Only addresses in 198.18.0.0/15 (RFC 2544 benchmarking range) are used, and every link and namespace
 * this module touches carries the caller's prefix, so it never disturbs anything else on the machine.
 */
import { resolveTool, run, runQuietly } from './run.js';

/** Run `ip ARGS…` (Debian keeps ip in /usr/sbin, which a non-login PATH may lack). */
const ip = (...args: string[]) => run([resolveTool('ip'), ...args]);
const ipQuietly = (...args: string[]) => runQuietly([resolveTool('ip'), ...args]);

/** Options of {@link createFabric}. */
export interface FabricOptions {
  /** Name prefix of every link the fabric creates in the root namespace, e.g. `kna-s-`. */
  prefix: string;
  /**
   * First three octets of the management /24; must lie in 198.18.0.0/15.
   * @default '198.18.0'
   */
  subnet?: string;
}

/** One host's attachment to the management network. */
export interface FabricPort {
  /** The host's management address (on `mgmt0` inside its namespace), e.g. `198.18.0.11`. */
  address: string;
  /** The veth end left in the root namespace, a port of the fabric bridge. */
  rootLink: string;
  /** Name of the link inside the host's namespace. */
  hostLink: 'mgmt0';
}

/** The management network; `destroy` removes every link it created. */
export interface Fabric {
  /** The bridge in the root namespace, e.g. `kna-s-fab`. */
  bridge: string;
  /** The root namespace's address on the bridge (`<subnet>.1`). */
  gateway: string;
  /**
   * Connect a namespace to the fabric as `mgmt0` with address `<subnet>.<hostNumber>/24`.
   * @param hostNumber 2–254, unique per fabric.
   */
  attach(netns: string, hostNumber: number): Promise<FabricPort>;
  /** Remove the bridge and every veth attached to it. Safe to call twice. */
  destroy(): Promise<void>;
}

const SUBNET_PATTERN = /^198\.(18|19)\.(\d{1,3})$/;

function checkSubnet(subnet: string): void {
  const m = SUBNET_PATTERN.exec(subnet);
  if (!m || Number(m[2]) > 255) throw new Error(`fabric subnet ${subnet} is outside 198.18.0.0/15`);
}

function checkPrefix(prefix: string): void {
  // Linux link names are at most 15 bytes; the fabric appends up to 4 characters (`fab`, `f254`).
  if (!/^[a-z][a-z0-9-]{1,10}$/.test(prefix)) throw new Error(`link prefix ${JSON.stringify(prefix)} is not usable`);
}

/** Names of the root namespace's links that start with `prefix`. */
export async function linksWithPrefix(prefix: string): Promise<string[]> {
  const links = JSON.parse(await ip('-j', 'link', 'show')) as { ifname: string }[];
  return links.map((l) => l.ifname).filter((name) => name.startsWith(prefix));
}

/**
 * Remove what an earlier, interrupted run left in the root namespace: every link named `prefix*`.
 * (Deleting one end of a veth deletes its peer too, so the namespaces' `mgmt0` links go with them.)
 */
export async function removeFabricLeftovers(prefix: string): Promise<void> {
  checkPrefix(prefix);
  for (const name of await linksWithPrefix(prefix)) await ipQuietly('link', 'del', name);
}

/**
 * Create the management bridge `<prefix>fab` with `<subnet>.1/24` in the root namespace, after removing
 * leftovers of an earlier run with the same prefix.
 * @example
 *   const fabric = await createFabric({ prefix: 'kna-s-' });
 *   const port = await fabric.attach('kna-s-nat', 11); // port.address === '198.18.0.11'
 */
export async function createFabric(options: FabricOptions): Promise<Fabric> {
  const { prefix } = options;
  const subnet = options.subnet ?? '198.18.0';
  checkPrefix(prefix);
  checkSubnet(subnet);
  await removeFabricLeftovers(prefix);

  const bridge = `${prefix}fab`;
  const gateway = `${subnet}.1`;
  await ip('link', 'add', bridge, 'type', 'bridge');
  await ip('addr', 'add', `${gateway}/24`, 'dev', bridge);
  await ip('link', 'set', bridge, 'up');

  const rootLinks: string[] = [];
  let destroyed = false;

  return {
    bridge,
    gateway,
    async attach(netns, hostNumber) {
      if (!Number.isInteger(hostNumber) || hostNumber < 2 || hostNumber > 254) {
        throw new Error(`host number ${hostNumber} is not in 2..254`);
      }
      const rootLink = `${prefix}f${hostNumber}`;
      const address = `${subnet}.${hostNumber}`;
      // Create the pair with its far end already inside the namespace: no moment where `mgmt0`
      // exists in the root namespace (where it could clash with a real link).
      await ip('link', 'add', rootLink, 'type', 'veth', 'peer', 'name', 'mgmt0', 'netns', netns);
      rootLinks.push(rootLink);
      await ip('link', 'set', rootLink, 'master', bridge);
      await ip('link', 'set', rootLink, 'up');
      await ip('-n', netns, 'link', 'set', 'lo', 'up');
      await ip('-n', netns, 'addr', 'add', `${address}/24`, 'dev', 'mgmt0');
      await ip('-n', netns, 'link', 'set', 'mgmt0', 'up');
      return { address, rootLink, hostLink: 'mgmt0' };
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      for (const link of rootLinks) await ipQuietly('link', 'del', link);
      await ipQuietly('link', 'del', bridge);
    },
  };
}
