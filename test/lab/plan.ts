/**
 * From a lab host spec to the exact `ip` commands that build its namespace. Pure: checked and unit-tested
 * without root; test/lab/host.ts runs the commands.
 */
import { createHash } from 'node:crypto';
import { isAllowedLabAddress, parseLabCidr } from './addresses.js';
import type { LabHostSpec, LabLinkSpec } from './spec.js';

/** Linux's own limit for link names (IFNAMSIZ less the terminating NUL). */
const IFNAMSIZ_BYTES = 15;
/**
 * Bytes the kernel refuses in a link name (dev_valid_name): `/`, `:`, NUL and what its isspace() calls
 * space, which includes 0xA0 (so a UTF-8 character holding that byte, such as `à`, is refused too).
 */
const KERNEL_FORBIDDEN_BYTES = new Set([0x00, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x2f, 0x3a, 0xa0]);
const HOST_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
const PREFIX = /^[a-z][a-z0-9-]{0,15}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** The commands that build a lab host, and the taps a process must hold open afterwards. */
export interface LabPlan {
  netns: string;
  /** argv lists, run in order; every one must succeed. */
  commands: string[][];
  /** Taps to give a carrier (see tapHolder.ts). */
  carrierTaps: string[];
}

/** Check a namespace/link prefix such as `kna-d-`. */
export function checkPrefix(prefix: string): void {
  if (!PREFIX.test(prefix)) throw new Error(`lab prefix ${JSON.stringify(prefix)} is not usable`);
}

/**
 * A reproducible, locally administered unicast MAC for a link (so captures regenerate identically).
 * @example labMac('hv-nat-01', 'virbr0') // '02:…' (always the same)
 */
export function labMac(host: string, link: string): string {
  const bytes = createHash('sha256').update(`${host}/${link}`).digest();
  bytes[0] = (bytes[0]! & 0xfc) | 0x02;
  return [...bytes.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * True when the kernel accepts `name` as a link name and `ip` cannot mistake it for an option. Quotes,
 * `$`, backticks, `;`, `|`, control characters and non-ASCII bytes are all allowed: real hosts have them,
 * and the lab passes names as argv entries, never through a shell.
 * @example isUsableLinkName('br\x1b[31m') // true
 */
export function isUsableLinkName(name: string): boolean {
  const bytes = Buffer.from(name, 'utf8');
  return (
    bytes.length >= 1 &&
    bytes.length <= IFNAMSIZ_BYTES &&
    name !== '.' &&
    name !== '..' &&
    !name.startsWith('-') &&
    !bytes.some((byte) => KERNEL_FORBIDDEN_BYTES.has(byte))
  );
}

/** The names of every link the spec creates, veth peers included. */
export function linkNames(spec: LabHostSpec): string[] {
  return spec.links.flatMap((link) => (link.kind === 'veth' ? [link.name, link.peer] : [link.name]));
}

function checkSpec(spec: LabHostSpec): void {
  const where = `lab host ${spec.name}`;
  if (!HOST_NAME.test(spec.name)) throw new Error(`${where}: name must be lower-case letters, digits and dashes`);
  const seen = new Set<string>();
  const bridges = new Set(spec.links.filter((l) => l.kind === 'bridge').map((l) => l.name));
  const ported = new Set<string>();
  for (const name of linkNames(spec)) {
    if (!isUsableLinkName(name)) throw new Error(`${where}: link name ${JSON.stringify(name)} is not usable`);
    if (seen.has(name) || name === 'lo') throw new Error(`${where}: link ${name} is declared twice`);
    seen.add(name);
  }
  const declared = new Set<string>();
  for (const link of spec.links) {
    const at = `${where}, link ${link.name}`;
    const masters: [string, string | undefined][] = [];
    if (link.kind === 'veth') masters.push([link.name, link.master], [link.peer, link.peerMaster]);
    if (link.kind === 'tap' || link.kind === 'vxlan') masters.push([link.name, link.master]);
    for (const [port, master] of masters) {
      if (master === undefined) continue;
      if (!bridges.has(master)) throw new Error(`${at}: master ${master} is not a bridge of this host`);
      ported.add(port);
    }
    if (link.kind === 'macvtap' || link.kind === 'macvlan') {
      if (!declared.has(link.lower)) throw new Error(`${at}: lower ${link.lower} must be declared before it`);
      if (bridges.has(link.lower)) throw new Error(`${at}: a macvtap cannot sit on a bridge`);
    }
    if (link.kind === 'vxlan' && link.local !== undefined && !isAllowedLabAddress(link.local)) {
      throw new Error(`${at}: local ${link.local} is not a lab address`);
    }
    for (const mac of [link.mac, link.kind === 'veth' ? link.peerMac : undefined]) {
      if (mac !== undefined && !MAC.test(mac)) throw new Error(`${at}: MAC ${mac} is not lower-case aa:bb:cc:dd:ee:ff`);
    }
    for (const cidr of link.addresses ?? []) parseLabCidr(cidr, at);
    declared.add(link.name);
    if (link.kind === 'veth') declared.add(link.peer);
  }
  for (const link of spec.links) {
    if ((link.kind === 'macvtap' || link.kind === 'macvlan') && ported.has(link.lower)) {
      // The kernel refuses it (EBUSY); say so before half a host is built.
      throw new Error(`${where}, link ${link.name}: lower ${link.lower} is a bridge port`);
    }
  }
  for (const route of spec.routes ?? []) {
    const at = `${where}, route to ${route.to}`;
    if (route.to !== 'default') parseLabCidr(route.to, at);
    if (route.via !== undefined && !isAllowedLabAddress(route.via)) throw new Error(`${at}: via ${route.via} is not a lab address`);
    if (!seen.has(route.dev)) throw new Error(`${at}: dev ${route.dev} is not a link of this host`);
  }
}

function createCommand(host: string, link: LabLinkSpec): string[][] {
  const mac = link.mac ?? labMac(host, link.name);
  switch (link.kind) {
    case 'bridge':
      return [['link', 'add', link.name, 'address', mac, 'type', 'bridge', ...(link.stp ? ['stp_state', '1'] : [])]];
    case 'veth':
      return [
        ['link', 'add', link.name, 'address', mac, 'type', 'veth', 'peer', 'name', link.peer,
          'address', link.peerMac ?? labMac(host, link.peer)],
      ];
    case 'tap':
      // `ip tuntap add` takes no address: set it right after, before anything can read it.
      return [
        ['tuntap', 'add', 'dev', link.name, 'mode', 'tap'],
        ['link', 'set', 'dev', link.name, 'address', mac],
      ];
    case 'macvtap':
    case 'macvlan':
      return [['link', 'add', 'link', link.lower, 'name', link.name, 'address', mac, 'type', link.kind, 'mode', link.mode]];
    case 'vxlan':
      return [
        ['link', 'add', link.name, 'address', mac, 'type', 'vxlan', 'id', String(link.vni),
          'dstport', String(link.dstport ?? 4789), 'nolearning', ...(link.local ? ['local', link.local] : [])],
      ];
  }
}

/**
 * Check a spec and list the commands that build it in namespace `<prefix><name>`.
 * Order: namespace and sysctls, links in spec order (reproducible ifindexes), MTUs, bridge ports,
 * addresses, admin state, routes. IPv6 is off on new links (no link-local addresses whose DAD state
 * would differ from run to run) except on links that are given an IPv6 address.
 * @param tools the `ip` and `sysctl` executables (absolute paths when PATH may lack sbin).
 */
export function planLabHost(spec: LabHostSpec, prefix: string, tools: { ip: string; sysctl: string } = { ip: 'ip', sysctl: 'sysctl' }): LabPlan {
  const { ip, sysctl } = tools;
  checkPrefix(prefix);
  checkSpec(spec);
  const netns = `${prefix}${spec.name}`;
  const inNs = (...args: string[]) => [ip, '-n', netns, ...args];
  const commands: string[][] = [
    [ip, 'netns', 'add', netns],
    [ip, 'netns', 'exec', netns, sysctl, '-qw', 'net.ipv6.conf.default.disable_ipv6=1'],
    inNs('link', 'set', 'lo', 'up'),
  ];
  for (const link of spec.links) for (const args of createCommand(spec.name, link)) commands.push(inNs(...args));
  // MTUs before bridge ports: a port whose MTU differs from its bridge's would change the bridge's.
  for (const link of spec.links) {
    if (link.mtu !== undefined) commands.push(inNs('link', 'set', 'dev', link.name, 'mtu', String(link.mtu)));
  }
  for (const link of spec.links) {
    if ((link.kind === 'veth' || link.kind === 'tap' || link.kind === 'vxlan') && link.master) {
      commands.push(inNs('link', 'set', 'dev', link.name, 'master', link.master));
    }
    if (link.kind === 'veth' && link.peerMaster) commands.push(inNs('link', 'set', 'dev', link.peer, 'master', link.peerMaster));
  }
  for (const link of spec.links) {
    const cidrs = (link.addresses ?? []).map((text) => parseLabCidr(text, link.name));
    if (cidrs.some((c) => c.family === 'ipv6')) {
      // Only the given address: no link-local, and no DAD (its "tentative" phase would vary between runs).
      commands.push(inNs('link', 'set', 'dev', link.name, 'addrgenmode', 'none'));
      commands.push([ip, 'netns', 'exec', netns, sysctl, '-qw', `net/ipv6/conf/${link.name}/disable_ipv6=0`]);
    }
    for (const c of cidrs) {
      commands.push(inNs('addr', 'add', `${c.address}/${c.prefix}`, 'dev', link.name, ...(c.family === 'ipv6' ? ['nodad'] : [])));
    }
  }
  for (const link of spec.links) {
    commands.push(inNs('link', 'set', 'dev', link.name, link.up === false ? 'down' : 'up'));
    if (link.kind === 'veth') commands.push(inNs('link', 'set', 'dev', link.peer, link.peerUp === false ? 'down' : 'up'));
  }
  for (const route of spec.routes ?? []) {
    commands.push(inNs('route', 'add', route.to, ...(route.via ? ['via', route.via] : []), 'dev', route.dev));
  }
  const carrierTaps = spec.links.filter((l) => l.kind === 'tap' && l.carrier !== false).map((l) => l.name);
  return { netns, commands, carrierTaps };
}
