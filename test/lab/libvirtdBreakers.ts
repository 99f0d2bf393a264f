/**
 * Scenario helpers ("breakers") for a real-libvirtd lab host (libvirtd.ts): each one puts the host in a
 * state real hypervisors get into, with the same commands an operator (or libvirt itself) would run, and
 * returns exactly what it did (which guest, NIC, tap, network, link), so a test can assert on the audit.
 *
 * They change the running host for good (no undo): a test file runs them one after the other on one
 * host, and each outcome names its own subjects. Defaults fit the standard host KVM_LAB
 * (libvirtdSpec.ts); every breaker takes its target as arguments too.
 */
import type { LibvirtdHost } from './libvirtd.js';
import { expectedNic, interfaceXml, labUuid, type ExpectedLvNic, type LvNicSpec } from './libvirtdSpec.js';

/** A guest NIC a breaker acted on. */
export interface AffectedNic {
  vm: string;
  mac: string;
  /** Its tap (`vnetN`) or macvtap (`macvtapN`) as libvirt named it, when it had one. */
  tap: string | null;
}

/** What a breaker did. */
export interface BreakerOutcome {
  /** Which breaker, e.g. `network-restarted`. */
  breaker: string;
  /** One sentence: what was done, with names. */
  did: string;
  /** Guest NICs it acted on (or cut off). */
  nics: AffectedNic[];
  /** The libvirt network it acted on, if any. */
  network: string | null;
  /** Host links it acted on, if any (a forward device, a macvtap's lower device). */
  links: string[];
  /** NICs of guests it added, with the mode and `via` the audit must give them. */
  addedNics: ExpectedLvNic[];
  /** Guests it added, with the state the audit must show. */
  addedVms: Record<string, string>;
  /**
   * Names a warning about this breakage would mention in its subject or message: guest names, MACs,
   * taps, the network, links. (See warningsMentioning in test/system/libvirtd.test.ts.)
   */
  mentions: string[];
}

/** One row of `virsh domiflist`. */
export interface DomainInterface {
  /** `vnet0`, `macvtap1`, or null (a shut-off guest has none). */
  tap: string | null;
  type: string;
  source: string;
  model: string;
  mac: string;
}

/** The guest's interfaces as libvirt has them now (the live definition of a running guest). */
export async function domainInterfaces(host: LibvirtdHost, vm: string): Promise<DomainInterface[]> {
  const out = await host.virsh(['domiflist', vm]);
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length === 5)
    .map(([tap, type, source, model, mac]) => ({ tap: tap === '-' ? null : tap!, type: type!, source: source!, model: model!, mac: mac! }));
}

/** The tap of one NIC of a running guest; throws when it has none. */
export async function tapOf(host: LibvirtdHost, vm: string, mac: string): Promise<string> {
  const nic = (await domainInterfaces(host, vm)).find((i) => i.mac === mac);
  if (!nic?.tap) throw new Error(`${host.name}: ${vm} has no tap for ${mac} (is it running?)`);
  return nic.tap;
}

/** Names of the ports of a bridge inside the host. */
export async function bridgePorts(host: LibvirtdHost, bridge: string): Promise<string[]> {
  const result = await host.exec(['ip', '-j', 'link', 'show', 'master', bridge]);
  if (result.code !== 0) throw new Error(`${host.name}: ip link show master ${bridge}: ${result.stderr.trim()}`);
  return (JSON.parse(result.stdout || '[]') as { ifname: string }[]).map((l) => l.ifname);
}

async function ip(host: LibvirtdHost, args: string[]): Promise<void> {
  const result = await host.exec(['ip', ...args]);
  if (result.code !== 0) throw new Error(`${host.name}: ip ${args.join(' ')} failed: ${result.stderr.trim()}`);
}

function outcome(partial: Partial<BreakerOutcome> & Pick<BreakerOutcome, 'breaker' | 'did'>): BreakerOutcome {
  const nics = partial.nics ?? [];
  const mentions = [
    ...nics.flatMap((n) => [n.vm, n.mac, ...(n.tap ? [n.tap] : [])]),
    ...(partial.network ? [partial.network] : []),
    ...(partial.links ?? []),
    ...(partial.addedNics ?? []).flatMap((n) => [n.vm, n.mac]),
  ];
  return { nics, network: null, links: [], addedNics: [], addedVms: {}, ...partial, mentions: [...new Set(mentions)] };
}

/**
 * `virsh net-destroy NET; virsh net-start NET` while guests use it: libvirt recreates the bridge WITHOUT
 * the running guests' taps, which stay up but unplugged. Returns the taps that were cut off.
 */
export async function restartNetwork(host: LibvirtdHost, network = 'default'): Promise<BreakerOutcome> {
  const bridge = (await host.virsh(['net-info', network])).match(/^Bridge:\s+(\S+)/m)?.[1];
  if (!bridge) throw new Error(`${host.name}: network ${network} has no bridge`);
  const before = new Set(await bridgePorts(host, bridge));
  const running = (await host.virsh(['list', '--name'])).split('\n').map((l) => l.trim()).filter(Boolean);
  const nics: AffectedNic[] = [];
  for (const vm of running) {
    for (const nic of await domainInterfaces(host, vm)) {
      if (nic.tap && before.has(nic.tap)) nics.push({ vm, mac: nic.mac, tap: nic.tap });
    }
  }
  if (nics.length === 0) throw new Error(`${host.name}: no running guest is on network ${network}: nothing to cut off`);
  await host.virsh(['net-destroy', network]);
  await host.virsh(['net-start', network]);
  const after = new Set(await bridgePorts(host, bridge));
  const still = nics.filter((n) => after.has(n.tap!));
  if (still.length > 0) throw new Error(`${host.name}: ${still.map((n) => n.tap).join(', ')} came back on ${bridge}: libvirt behaves differently here`);
  return outcome({
    breaker: 'network-restarted',
    did: `restarted network ${network} (net-destroy, net-start): ${bridge} came back without ${nics.map((n) => `${n.vm}'s ${n.tap}`).join(', ')}`,
    nics,
    network,
    links: [bridge],
  });
}

/** `ip link set TAP nomaster`: one running guest's tap taken off its bridge by hand. */
export async function detachTap(host: LibvirtdHost, vm = 'vm-multi', mac = '52:54:00:6c:01:01'): Promise<BreakerOutcome> {
  const tap = await tapOf(host, vm, mac);
  const master = JSON.parse((await host.exec(['ip', '-j', 'link', 'show', 'dev', tap])).stdout || '[]')[0]?.master as string | undefined;
  await ip(host, ['link', 'set', 'dev', tap, 'nomaster']);
  return outcome({
    breaker: 'tap-detached',
    did: `took ${vm}'s tap ${tap} (${mac}) off ${master ?? 'its bridge'}`,
    nics: [{ vm, mac, tap }],
    links: master ? [master] : [],
  });
}

/** `ip link set TAP down`: one running guest's tap set administratively down. */
export async function setTapDown(host: LibvirtdHost, vm = 'vm-multi', mac = '52:54:00:6c:01:03'): Promise<BreakerOutcome> {
  const tap = await tapOf(host, vm, mac);
  await ip(host, ['link', 'set', 'dev', tap, 'down']);
  return outcome({ breaker: 'tap-down', did: `set ${vm}'s tap ${tap} (${mac}) down`, nics: [{ vm, mac, tap }] });
}

/**
 * `ip link del TAP`: one running guest's tap deleted (QEMU keeps running; its live XML still names the
 * tap as `<target dev>`).
 */
export async function deleteTap(host: LibvirtdHost, vm = 'vm-multi', mac = '52:54:00:6c:01:02'): Promise<BreakerOutcome> {
  const tap = await tapOf(host, vm, mac);
  await ip(host, ['link', 'del', 'dev', tap]);
  return outcome({ breaker: 'tap-missing', did: `deleted ${vm}'s tap ${tap} (${mac})`, nics: [{ vm, mac, tap }] });
}

/**
 * Live vs persistent drift of a running guest: `virsh detach-interface VM TYPE --mac MAC --config`
 * removes the NIC from the persistent definition only, so `dumpxml --inactive` lacks it and `dumpxml`
 * (what runs) still has it.
 */
export async function driftGuestConfig(host: LibvirtdHost, vm = 'vm-bridge', mac = '52:54:00:6c:02:01'): Promise<BreakerOutcome> {
  const nic = (await domainInterfaces(host, vm)).find((i) => i.mac === mac);
  if (!nic) throw new Error(`${host.name}: ${vm} has no NIC ${mac}`);
  // detach-interface wants the type of the definition: a NIC on a network shows its actual type live.
  const inactive = await host.virsh(['dumpxml', '--inactive', vm]);
  const type = new RegExp(`<interface type='([a-z]+)'>\\s*<mac address='${mac}'/>`).exec(inactive)?.[1] ?? nic.type;
  await host.virsh(['detach-interface', vm, type, '--mac', mac, '--config']);
  const live = await host.virsh(['dumpxml', vm]);
  const persistent = await host.virsh(['dumpxml', '--inactive', vm]);
  if (!live.includes(mac) || persistent.includes(mac)) throw new Error(`${host.name}: ${vm}: detach-interface --config did not make the definitions differ`);
  return outcome({
    breaker: 'config-drift',
    did: `removed ${vm}'s ${type} NIC ${mac} (${nic.tap ?? 'no tap'}) from its persistent definition only`,
    nics: [{ vm, mac, tap: nic.tap }],
  });
}

/**
 * An active network whose persistent definition differs from the running one: `virsh net-define` of
 * its live XML with `<forward mode='nat'/>` added (an isolated network that would come back as NAT).
 */
export async function driftNetworkDefinition(host: LibvirtdHost, network = 'isolated'): Promise<BreakerOutcome> {
  const live = await host.virsh(['net-dumpxml', network]);
  if (/<forward\b/.test(live)) throw new Error(`${host.name}: network ${network} already forwards; pick an isolated one`);
  const changed = live.replace(/(<\/uuid>)/, `$1\n  <forward mode='nat'/>`);
  if (changed === live) throw new Error(`${host.name}: network ${network}'s XML has no <uuid>`);
  const file = await host.writeFile(`net-${network}-drifted.xml`, changed);
  await host.virsh(['net-define', file]);
  const nowLive = await host.virsh(['net-dumpxml', network]);
  const nowPersistent = await host.virsh(['net-dumpxml', '--inactive', network]);
  if (/<forward\b/.test(nowLive) || !/<forward mode='nat'/.test(nowPersistent)) {
    throw new Error(`${host.name}: net-define of active ${network} did not leave live and persistent definitions different`);
  }
  return outcome({
    breaker: 'network-config-drift',
    did: `redefined active network ${network} with <forward mode='nat'/>: it runs isolated, its persistent definition is NAT`,
    network,
  });
}

/**
 * A NAT network whose `<forward dev>` is set down (`ip link set DEV down`): here that device also carries
 * the default route, which goes with it, so the network has no way out.
 */
export async function natForwardDevDown(host: LibvirtdHost, network = 'nat-wan'): Promise<BreakerOutcome> {
  const xml = await host.virsh(['net-dumpxml', network]);
  // libvirt writes the live element as <forward dev='…' mode='nat'>: read the attributes in any order.
  const forward = /<forward\b[^>]*>/.exec(xml)?.[0] ?? '';
  const dev = /\bmode='nat'/.test(forward) ? /\bdev='([^']+)'/.exec(forward)?.[1] : undefined;
  if (!dev) throw new Error(`${host.name}: network ${network} is not NAT with a forward dev`);
  await ip(host, ['link', 'set', 'dev', dev, 'down']);
  const routes = (await host.exec(['ip', '-j', 'route', 'show', 'default'])).stdout;
  return outcome({
    breaker: 'nat-forward-dev-down',
    did: `set ${network}'s forward dev ${dev} down (default routes left: ${routes.trim() === '[]' || routes.trim() === '' ? 'none' : routes.trim()})`,
    network,
    links: [dev],
  });
}

/**
 * A (transient, running) guest whose only NIC is a macvtap in bridge mode on `dev`: it can reach the
 * outside but not the host itself.
 */
export async function macvtapOnlyGuest(host: LibvirtdHost, vm = 'vm-lonely', mac = '52:54:00:6c:06:01', dev = 'eno3'): Promise<BreakerOutcome> {
  const nic: LvNicSpec = { kind: 'direct', mac, dev, mode: 'bridge' };
  // Written here rather than through domainXml: the guest is not part of the host's spec.
  const xml = [
    `<domain type='${host.domainType}'>`,
    `  <name>${vm}</name>`,
    `  <uuid>${labUuid(`${host.name}/dom/${vm}`)}</uuid>`,
    `  <memory unit='MiB'>32</memory>`,
    `  <vcpu>1</vcpu>`,
    `  <os><type arch='x86_64'>hvm</type><boot dev='hd'/></os>`,
    `  <devices>`,
    interfaceXml(nic),
    `    <memballoon model='none'/>`,
    `  </devices>`,
    `</domain>`,
    '',
  ].join('\n');
  const file = await host.writeFile(`dom-${vm}.xml`, xml);
  // Running, not paused: libvirt raises a macvtap only while the guest's CPUs run.
  await host.virsh(['create', file]);
  const tap = await tapOf(host, vm, mac);
  return outcome({
    breaker: 'macvtap-only-guest',
    did: `started transient guest ${vm} whose only NIC (${mac}) is macvtap ${tap} in bridge mode on ${dev}`,
    nics: [{ vm, mac, tap }],
    links: [dev],
    addedNics: [expectedNic(host.spec, vm, nic)],
    addedVms: { [vm]: 'running' },
  });
}

/**
 * Restart libvirtd (by pid) with everything running: guests and networks survive; the run folder's
 * `autostarted` markers keep it from autostarting anything again. On reconnecting, libvirt re-attaches
 * the taps of guests on its networks that it finds off their bridge; `reattached` lists them.
 */
export async function restartLibvirtd(host: LibvirtdHost): Promise<BreakerOutcome & { reattached: AffectedNic[] }> {
  const running = (await host.virsh(['list', '--name'])).split('\n').map((l) => l.trim()).filter(Boolean);
  const portsOf = async () => {
    const links = JSON.parse((await host.exec(['ip', '-j', 'link', 'show'])).stdout || '[]') as { ifname: string; master?: string }[];
    return new Map(links.map((l) => [l.ifname, l.master ?? null]));
  };
  const before = await portsOf();
  const pid = host.libvirtdPid;
  await host.restartLibvirtd();
  // libvirtd answers before its per-guest reconnect threads are done: wait (bounded) until the guests'
  // ports have not changed for a second.
  const signature = (ports: Map<string, string | null>) => JSON.stringify([...ports].filter(([name]) => /^(vnet|macvtap)\d+$/.test(name)).sort());
  let after = await portsOf();
  let stableSince = Date.now();
  for (const deadline = Date.now() + 10_000; Date.now() < deadline && Date.now() - stableSince < 1_000; ) {
    await new Promise((r) => setTimeout(r, 200));
    const next = await portsOf();
    if (signature(next) !== signature(after)) stableSince = Date.now();
    after = next;
  }
  const reattached: AffectedNic[] = [];
  for (const vm of running) {
    for (const nic of await domainInterfaces(host, vm)) {
      if (nic.tap && before.get(nic.tap) === null && typeof after.get(nic.tap) === 'string') reattached.push({ vm, mac: nic.mac, tap: nic.tap });
    }
  }
  return {
    ...outcome({ breaker: 'libvirtd-restarted', did: `restarted libvirtd (pid ${pid} → ${host.libvirtdPid}) with ${running.length} guests running` }),
    reattached,
  };
}
