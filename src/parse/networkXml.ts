/**
 * `virsh net-dumpxml` → the parts of a libvirt network that decide its mode (docs/report.md, Modes): the `<forward>`
 * element with its device pools and NAT ranges, the bridge, addresses with DHCP, portgroups and VLANs.
 */
import type { ForwardFacts, NetworkAddress, NetworkFacts, PortgroupFacts } from '../model.js';
import { ParseError } from './errors.js';
import { attr, child, childText, children, intAttr, parseXmlDocument, pciAddressOf, vlanTagsOf, type XmlElement } from './xml.js';

/** What the network XML says; active/autostart/persistent come from the listing's sets, the rest from the assembly. */
export type NetworkXmlFacts = Omit<NetworkFacts, 'active' | 'autostart' | 'persistent' | 'persistentDefinition' | 'unread'>;

/**
 * Parse one network's XML.
 * @throws ParseError when it is not a `<network>` document with a `<name>`.
 */
export function parseNetworkXml(xml: string): NetworkXmlFacts {
  const network = parseXmlDocument(xml, 'network');
  const name = childText(network, 'name');
  if (name === null) throw new ParseError('network XML has no <name>');
  const forward = child(network, 'forward');
  return {
    name,
    uuid: childText(network, 'uuid') ?.trim() ?? '',
    bridge: attr(child(network, 'bridge'), 'name'),
    forward: forward ? forwardFacts(forward) : null,
    virtualportType: attr(child(network, 'virtualport'), 'type'),
    addresses: children(network, 'ip').flatMap(addressFacts),
    portgroups: children(network, 'portgroup').map(portgroupFacts),
    vlanTags: vlanTagsOf(network),
    // Written on the live XML only, and only when non-zero.
    connections: intAttr(network, 'connections') ?? 0,
  };
}

function forwardFacts(forward: XmlElement): ForwardFacts {
  const nat = child(forward, 'nat');
  const natPort = child(nat, 'port');
  const natAddress = child(nat, 'address');
  const portStart = intAttr(natPort, 'start');
  const portEnd = intAttr(natPort, 'end');
  const addressStart = attr(natAddress, 'start');
  return {
    mode: attr(forward, 'mode'),
    dev: attr(forward, 'dev'),
    interfaces: devsOf(children(forward, 'interface')),
    pfs: devsOf(children(forward, 'pf')),
    pciAddresses: children(forward, 'address')
      .map(pciAddressOf)
      .filter((a): a is string => a !== null),
    natPorts: portStart !== null ? { start: portStart, end: portEnd ?? portStart } : null,
    // libvirt allows a single address: `end` defaults to `start`.
    natAddresses: addressStart !== null ? { start: addressStart, end: attr(natAddress, 'end') ?? addressStart } : null,
    natIpv6: attr(nat, 'ipv6') === 'yes',
  };
}

function devsOf(elements: XmlElement[]): string[] {
  return elements.map((e) => attr(e, 'dev')).filter((dev): dev is string => dev !== null && dev !== '');
}

function addressFacts(ip: XmlElement): NetworkAddress[] {
  const address = attr(ip, 'address');
  if (address === null) return []; // an <ip> without address is invalid for libvirt: nothing to report
  const family = attr(ip, 'family') === 'ipv6' || address.includes(':') ? 'ipv6' : 'ipv4';
  const dhcp = child(ip, 'dhcp');
  return [
    {
      family,
      address,
      prefix: intAttr(ip, 'prefix') ?? prefixOfNetmask(attr(ip, 'netmask')),
      dhcpRanges: children(dhcp, 'range').flatMap((range) => {
        const start = attr(range, 'start');
        const end = attr(range, 'end');
        return start !== null && end !== null ? [{ start, end }] : [];
      }),
      dhcpHosts: children(dhcp, 'host').length,
    },
  ];
}

function portgroupFacts(portgroup: XmlElement): PortgroupFacts {
  return {
    name: attr(portgroup, 'name') ?? '',
    isDefault: attr(portgroup, 'default') === 'yes',
    vlanTags: vlanTagsOf(portgroup),
    virtualportType: attr(child(portgroup, 'virtualport'), 'type'),
  };
}

/** `255.255.255.0` → 24; null for a missing or non-contiguous mask. */
export function prefixOfNetmask(netmask: string | null): number | null {
  const octets = netmask?.trim().split('.');
  if (!octets || octets.length !== 4 || !octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255)) return null;
  const bits = octets.map((o) => Number(o).toString(2).padStart(8, '0')).join('');
  if (!/^1*0*$/.test(bits)) return null;
  const firstZero = bits.indexOf('0');
  return firstZero === -1 ? 32 : firstZero;
}
