/**
 * `virsh dumpxml` → a domain's identity and every `<devices><interface>` of any type (DESIGN §4).
 * Plain `<hostdev>` devices are not network interfaces and are left out on purpose.
 */
import type { InterfaceFacts, InterfaceSource } from '../model.js';
import { ParseError } from './errors.js';
import { attr, child, childText, children, parseXmlDocument, pciAddressOf, vlanTagsOf, type XmlElement } from './xml.js';

/** What the domain XML says; state, persistence and autostart come from `dominfo`. */
export interface DomainXmlFacts {
  name: string;
  uuid: string;
  /** The `id` attribute of a running domain; null when shut off. */
  id: number | null;
  interfaces: InterfaceFacts[];
}

/**
 * Parse one domain's XML.
 * @throws ParseError when it is not a `<domain>` document with a `<name>`.
 */
export function parseDomainXml(xml: string): DomainXmlFacts {
  return parseDomainXmlFully(compactDomainXml(xml) ?? xml);
}

/** The whole-document parse, also the reference the compact path is tested against. */
export function parseDomainXmlFully(xml: string): DomainXmlFacts {
  const domain = parseXmlDocument(xml, 'domain');
  const name = childText(domain, 'name');
  if (name === null) throw new ParseError('domain XML has no <name>');
  const id = attr(domain, 'id');
  return {
    name,
    uuid: childText(domain, 'uuid') ?.trim() ?? '',
    id: id !== null && /^\d+$/.test(id) ? Number(id) : null,
    interfaces: children(child(domain, 'devices'), 'interface').map(interfaceFacts),
  };
}

function interfaceFacts(element: XmlElement): InterfaceFacts {
  return {
    // libvirt requires a type; an element without one is reported as it is (empty), never guessed.
    type: attr(element, 'type') ?? '',
    mac: attr(child(element, 'mac'), 'address'),
    model: attr(child(element, 'model'), 'type'),
    target: attr(child(element, 'target'), 'dev'),
    source: sourceFacts(child(element, 'source')),
    virtualportType: attr(child(element, 'virtualport'), 'type'),
    linkState: attr(child(element, 'link'), 'state'),
    vlanTags: vlanTagsOf(element),
    backendType: attr(child(element, 'backend'), 'type'),
  };
}

function sourceFacts(source: XmlElement | undefined): InterfaceSource {
  return {
    network: attr(source, 'network'),
    bridge: attr(source, 'bridge'),
    dev: attr(source, 'dev'),
    mode: attr(source, 'mode'),
    portgroup: attr(source, 'portgroup'),
    path: attr(source, 'path'),
    // The `address` ATTRIBUTE is a socket tunnel's host; the `<address>` CHILD is a hostdev's PCI address.
    address: attr(source, 'address'),
    port: attr(source, 'port'),
    pciAddress: pciAddressOf(child(source, 'address')),
  };
}

const HEAD = /^\s*(?:<\?xml[^>]*\?>\s*)?(<domain\b[^>]*[^/>]>|<domain>)\s*<name>([^<]*)<\/name>\s*<uuid>([^<]*)<\/uuid>/;
const INTERFACE = /<interface\b[^>]*\/>|<interface\b[^>]*>[\s\S]*?<\/interface>/g;
const HOSTDEV = /<hostdev\b[^>]*\/>|<hostdev\b[^>]*>[\s\S]*?<\/hostdev>/g;

/**
 * The parts of a domain document we read — the root tag, `<name>`, `<uuid>` and the `<interface>` elements —
 * as a document of their own; null when the text is not laid out as libvirt writes it, and the caller then
 * parses the whole document. virsh prints `<name>` and `<uuid>` first and one `<devices>` block with no
 * comments or CDATA; the interfaces are a fifth of a typical domain, and XML parsing was most of a host's
 * client CPU (see `npm run bench`).
 */
export function compactDomainXml(xml: string): string | null {
  const head = HEAD.exec(xml);
  if (!head) return null;
  const open = xml.indexOf('<devices>');
  const close = xml.indexOf('</devices>');
  if (open < 0 || close < open || xml.indexOf('<devices', open + 1) >= 0 || xml.indexOf('</devices>', close + 1) >= 0) return null;
  const devices = xml.slice(open + '<devices>'.length, close);
  if (devices.includes('<!') || devices.includes('<?')) return null;
  // A `<hostdev type='net'>` names host netdevs in `<interface>` children of its own: not devices of the domain.
  const interfaces = devices.replace(HOSTDEV, '').match(INTERFACE) ?? [];
  return `${head[1]}<name>${head[2]}</name><uuid>${head[3]}</uuid><devices>${interfaces.join('')}</devices></domain>`;
}
