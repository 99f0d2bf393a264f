/**
 * `virsh dumpxml` → a domain's identity and every `<devices><interface>` of any type (docs/report.md, Modes).
 * Plain `<hostdev>` devices are not network interfaces and are left out on purpose.
 */
import type { InterfaceFacts, InterfaceSource } from '../model.js';
import { ParseError } from './errors.js';
import { attr, child, childText, children, parseXmlDocument, pciAddressOf, refuseDeclarations, vlanTagsOf, type XmlElement } from './xml.js';

/** What the domain XML says; state, persistence and autostart come from the listing's sets. */
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
  // The compact document leaves out most of the text: what it leaves out must not hide a DOCTYPE.
  refuseDeclarations(xml);
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

/**
 * The parts of a domain document we read — the root tag, `<name>`, `<uuid>` and the `<interface>` elements —
 * as a document of their own; null when the text is not laid out as libvirt writes it, and the caller then
 * parses the whole document. virsh prints `<name>` and `<uuid>` first and one `<devices>` block with no
 * comments or CDATA; the interfaces are a fifth of a typical domain, and XML parsing was most of a host's
 * client CPU (see `npm run bench`). A document cut off before its `</domain>` is never compacted: the whole-
 * document parse then refuses it, rather than the interfaces before the cut passing for the whole VM.
 */
export function compactDomainXml(xml: string): string | null {
  if (!xml.trimEnd().endsWith('</domain>')) return null;
  const head = HEAD.exec(xml);
  if (!head) return null;
  const open = xml.indexOf('<devices>');
  const close = xml.indexOf('</devices>');
  if (open < 0 || close < open || xml.indexOf('<devices', open + 1) >= 0 || xml.indexOf('</devices>', close + 1) >= 0) return null;
  const devices = xml.slice(open + '<devices>'.length, close);
  if (devices.includes('<!') || devices.includes('<?')) return null;
  // A `<hostdev type='net'>` names host netdevs in `<interface>` children of its own: not devices of the domain.
  const kept: string[] = [];
  let from = 0;
  for (const [start, end] of elementSpans(devices, 'hostdev')) {
    kept.push(devices.slice(from, start));
    from = end;
  }
  kept.push(devices.slice(from));
  const rest = kept.join('');
  const interfaces = elementSpans(rest, 'interface').map(([start, end]) => rest.slice(start, end));
  return `${head[1]}<name>${head[2]}</name><uuid>${head[3]}</uuid><devices>${interfaces.join('')}</devices></domain>`;
}

/**
 * Where the `<tag …/>` and `<tag …>…</tag>` elements of `text` are, as `[start, end)` in order: what
 * `/<tag\b[^>]*\/>|<tag\b[^>]*>[\s\S]*?<\/tag>/g` matches, found in one pass. That regex scans the rest of the
 * text again for every opening tag left unclosed, so a domain of many unclosed `<interface>`s took seconds;
 * here the next `>` and the next closing tag are each looked up once and reused while still ahead.
 */
export function elementSpans(text: string, tag: string): [number, number][] {
  const open = `<${tag}`;
  const close = `</${tag}>`;
  const spans: [number, number][] = [];
  let gt = -1; // the next `>` at or after the current tag's name; -1 = not looked up yet
  let closing = -1; // the next closing tag after that `>`; -1 = not looked up yet, -2 = there is none
  for (let start = text.indexOf(open); start >= 0; ) {
    const afterName = start + open.length;
    if (isNameChar(text.charCodeAt(afterName))) {
      start = text.indexOf(open, start + 1);
      continue;
    }
    if (gt < afterName) gt = text.indexOf('>', afterName);
    if (gt < 0) break; // no `>` left: no later element can be complete either
    let end: number;
    if (text.charCodeAt(gt - 1) === 0x2f /* / */) {
      end = gt + 1;
    } else {
      if (closing !== -2 && closing <= gt) closing = text.indexOf(close, gt + 1);
      if (closing < 0) closing = -2;
      if (closing === -2) {
        // Unclosed: as the regex does, look for a later self-closing element from the next character on.
        start = text.indexOf(open, start + 1);
        continue;
      }
      end = closing + close.length;
    }
    spans.push([start, end]);
    start = text.indexOf(open, end);
  }
  return spans;
}

/** What `\b` after a tag name rules out: a letter, digit or `_` (so `<interfaces>` is not `<interface>`). */
function isNameChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
}
