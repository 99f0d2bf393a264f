/**
 * Building blocks for the node files (libvirt test-driver XML) and links of the system tier's extra
 * hypervisors. Unlike test/system/fleet.ts, every name goes through {@link xmlEscape}: these hosts are
 * built to carry quotes, `&`, `<`, tabs and non-ASCII in their names.
 */
import { createHash } from 'node:crypto';
import type { TapLinkSpec, VethLinkSpec } from '../../lab/spec.js';

/**
 * A UUID derived from a seed (shaped like a random v4 UUID), so node files are the same on every run;
 * the test driver would invent a random one for an object without `<uuid>`.
 */
export function stableUuid(seed: string): string {
  const hex = createHash('sha256').update(`kvm-netaudit system hypervisors/${seed}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Escape text for an XML attribute or element. Tabs and line breaks become character references,
 * because an XML parser turns a raw tab inside an attribute into a space. (ESC and other C0 controls
 * cannot appear in XML 1.0 at all, not even as references, so no libvirt object can be named with them.)
 */
export function xmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&apos;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;');
}

/** How `<test:runstate>` numbers the states the system tier uses (virDomainState). */
const RUNSTATE = { running: 1, paused: 3, 'shut off': 5 } as const;

export type GuestState = keyof typeof RUNSTATE;

/** A libvirt network of a node file. */
export interface NetworkOptions {
  name: string;
  uuid: string;
  /** `<forward mode>`; null: no `<forward>` (isolated). */
  forward: string | null;
  bridge: string;
  /** `ADDRESS/PREFIX` of the network's `<ip>`; the test driver insists on one for nat and route. */
  ip?: string;
}

export function networkXml(options: NetworkOptions): string {
  const forward = options.forward === null ? '' : `\n    <forward mode='${xmlEscape(options.forward)}'/>`;
  const [address, prefix] = options.ip?.split('/') ?? [];
  const ip = address && prefix ? `\n    <ip address='${address}' prefix='${prefix}'/>` : '';
  return `
  <network>
    <name>${xmlEscape(options.name)}</name>
    <uuid>${options.uuid}</uuid>${forward}
    <bridge name='${xmlEscape(options.bridge)}'/>${ip}
  </network>`;
}

/** A guest of a node file. */
export interface DomainOptions {
  name: string;
  uuid: string;
  state: GuestState;
  /** Exists only while it runs (`<test:transient/>`). */
  transient?: boolean;
  /** `<interface>` elements, from {@link networkInterface} / {@link bridgeInterface}. */
  interfaces: string[];
}

export function domainXml(options: DomainOptions): string {
  return `
  <domain type='test'>
    <name>${xmlEscape(options.name)}</name>
    <uuid>${options.uuid}</uuid>
    <memory unit='KiB'>1048576</memory>
    <vcpu>1</vcpu>
    <os><type arch='x86_64'>hvm</type></os>
    <devices>${options.interfaces.join('')}
    </devices>
    <test:runstate>${RUNSTATE[options.state]}</test:runstate>${options.transient ? '\n    <test:transient/>' : ''}
  </domain>`;
}

function targetXml(target: string | null): string {
  return target === null ? '' : `\n        <target dev='${xmlEscape(target)}'/>`;
}

/** `<interface type='network'>` on the network named `network` (exact name). */
export function networkInterface(mac: string, network: string, target: string | null): string {
  return `
      <interface type='network'>
        <mac address='${mac}'/>
        <source network='${xmlEscape(network)}'/>${targetXml(target)}
        <model type='virtio'/>
      </interface>`;
}

/** `<interface type='bridge'>` on the host bridge named `bridge`. */
export function bridgeInterface(mac: string, bridge: string, target: string | null): string {
  return `
      <interface type='bridge'>
        <mac address='${mac}'/>
        <source bridge='${xmlEscape(bridge)}'/>${targetXml(target)}
        <model type='virtio'/>
      </interface>`;
}

/** A whole node file. */
export function nodeXml(networks: readonly string[], domains: readonly string[]): string {
  return `<node xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
  <cpu><mhz>2600</mhz><model>x86_64</model><nodes>1</nodes><sockets>2</sockets><cores>16</cores><threads>1</threads></cpu>
  <memory>268435456</memory>${networks.join('')}${domains.join('')}
</node>
`;
}

/** A NIC stand-in: a veth named like the NIC, its peer (`<name>-sw`, the switch side) unattached. */
export function nicStandIn(name: string, master?: string): VethLinkSpec {
  return { kind: 'veth', name, peer: `${name}-sw`, ...(master === undefined ? {} : { master }) };
}

/** A running guest's tap on `bridge`, with the MAC libvirt gives it (the guest's, first byte 0xfe). */
export function guestTap(name: string, bridge: string, guestMac: string): TapLinkSpec {
  return { kind: 'tap', name, master: bridge, mac: `fe${guestMac.slice(2)}` };
}
