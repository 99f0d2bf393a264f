/**
 * Safe, small XML reading for libvirt documents: fast-xml-parser (v5) with attributes kept apart from
 * children, no value coercion (a name like `0123` stays a string), and no DOCTYPE at all, so no entity
 * of any kind (internal or external) can be declared and expanded. libvirt never writes a DOCTYPE.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ParseError } from './errors.js';
import { isRecord } from '../util/records.js';

/** An element as fast-xml-parser returns it: children by tag name, attributes under `$`, text under `#text`. */
export type XmlElement = { readonly [key: string]: unknown };

const ATTRIBUTES = '$';
const TEXT = '#text';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: ATTRIBUTES,
  textNodeName: TEXT,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Entities are decoded by `decodeEntities` below, only in the values we read: the parser's own entity
  // handling (needed with `htmlEntities` for `&#39;`) made parsing half again as slow.
  processEntities: false,
  htmlEntities: false,
});

const ENTITY = /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Decode the five XML entities and numeric character references in one pass (so `&amp;#39;` stays `&#39;`).
 * Named entities from a DOCTYPE cannot occur: documents with one are refused.
 */
export function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(ENTITY, (whole, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED[name]!;
    const code = hex !== undefined ? parseInt(hex, 16) : Number(dec);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
  });
}

const DECLARATION = /<!DOCTYPE|<!ENTITY/i;

/**
 * Refuse a document that declares a DOCTYPE or an entity anywhere (billion laughs, external entities): one
 * linear scan, before any parser sees it.
 * @throws ParseError when it does.
 */
export function refuseDeclarations(xml: string): void {
  if (DECLARATION.test(xml)) throw new ParseError('XML with a DOCTYPE or ENTITY declaration is refused');
}

/**
 * Parse an XML document and return its root element, which must be called `rootName`.
 * @throws ParseError when the text is not well-formed XML, declares a DOCTYPE, or has another root.
 */
export function parseXmlDocument(xml: string, rootName: string): XmlElement {
  refuseDeclarations(xml);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new ParseError(`malformed XML: ${valid.err.msg} (line ${valid.err.line})`);
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch (error) {
    throw new ParseError(`malformed XML: ${(error as Error).message}`);
  }
  const root = isRecord(doc) ? doc[rootName] : undefined;
  if (root === undefined) throw new ParseError(`no <${rootName}> element`);
  const element = asElement(root);
  if (!element) throw new ParseError(`more than one <${rootName}> element`);
  return element;
}

/** All child elements called `name` (an element that occurs once still comes back as a one-item list). */
export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  if (!element || !Object.hasOwn(element, name)) return [];
  const value = element[name];
  const items = Array.isArray(value) ? value : [value];
  return items.map(asElement).filter((e): e is XmlElement => e !== null);
}

/** The first child element called `name`. */
export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return children(element, name)[0];
}

/** An attribute's value, or null when absent. */
export function attr(element: XmlElement | undefined, name: string): string | null {
  const attributes = element?.[ATTRIBUTES];
  if (!isRecord(attributes) || !Object.hasOwn(attributes, name)) return null;
  const value = attributes[name];
  return typeof value === 'string' ? decodeEntities(value) : null;
}

/** The element's own text, or null when it has none. */
export function text(element: XmlElement | undefined): string | null {
  const value = element?.[TEXT];
  return typeof value === 'string' ? decodeEntities(value) : null;
}

/**
 * The text of the first child called `name`, exactly as written (a libvirt name may hold spaces and is
 * matched by exact string elsewhere); null when absent or blank.
 */
export function childText(element: XmlElement | undefined, name: string): string | null {
  const value = text(child(element, name));
  return value !== null && value.trim() !== '' ? value : null;
}

/**
 * A PCI `<address>` as `dddd:bb:ss.f`; null when it is not a PCI address or a field is missing/invalid.
 * libvirt accepts the numbers in hex (`0x03`) or decimal.
 */
export function pciAddressOf(address: XmlElement | undefined): string | null {
  const type = attr(address, 'type');
  if (!address || (type !== null && type !== 'pci')) return null;
  const field = (name: string, fallback: number | null) => {
    const raw = attr(address, name);
    if (raw === null) return fallback;
    const value = /^0x[0-9a-f]+$/i.test(raw) ? parseInt(raw, 16) : /^\d+$/.test(raw) ? parseInt(raw, 10) : NaN;
    return Number.isSafeInteger(value) ? value : null;
  };
  const [domain, bus, slot, fn] = [field('domain', 0), field('bus', null), field('slot', null), field('function', null)];
  if (domain === null || bus === null || slot === null || fn === null) return null;
  const hex = (value: number, width: number) => value.toString(16).padStart(width, '0');
  return `${hex(domain, 4)}:${hex(bus, 2)}:${hex(slot, 2)}.${hex(fn, 1)}`;
}

/** A non-negative integer attribute, or null. */
export function intAttr(element: XmlElement | undefined, name: string): number | null {
  const raw = attr(element, name)?.trim();
  return raw && /^\d+$/.test(raw) ? Number(raw) : null;
}

/** VLAN tag ids of a `<vlan>` child (`<vlan><tag id='42'/></vlan>`). */
export function vlanTagsOf(element: XmlElement | undefined): number[] {
  return children(child(element, 'vlan'), 'tag')
    .map((tag) => intAttr(tag, 'id'))
    .filter((id): id is number => id !== null);
}

/** Elements without attributes or children come back from the parser as plain strings (or ''): wrap them. */
function asElement(value: unknown): XmlElement | null {
  if (isRecord(value)) return value;
  if (typeof value === 'string') return { [TEXT]: value };
  return null;
}
