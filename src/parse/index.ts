/**
 * RawCapture → HostFacts. A small registry says which parser reads which probe section; parseCapture runs
 * them, turns every failure into a warning that costs that section (or that one network/VM) only, and
 * assembles the facts. Pure: no I/O.
 */
import type { BridgeFacts, DomainFacts, HostFacts, LinkFacts, NetworkFacts, ProbeSection, RawCapture, Warning } from '../model.js';
import { splitBatch } from '../probe/framing.js';
import { bridgesFromLinks, mergeBridges, parseBrctlShow, parseBridgeLinkJson } from './bridges.js';
import { parseDomainXml } from './domainXml.js';
import { mergeLinks, parseIpAddr, parseIpLink, parseIpRoute, type LinkAddresses } from './iproute.js';
import { parseIpAddrOneline, parseIpLinkOneline, parseIpRouteOneline } from './iprouteOneline.js';
import { MAX_LINKS, MAX_OBJECTS_PER_KIND } from './limits.js';
import { parseNetworkXml } from './networkXml.js';
import { parseToolList, errorCause } from './tools.js';
import { parseDomInfo, parseNetInfo, parseUuidList } from './virshInfo.js';

export { ParseError } from './errors.js';
export { MAX_LINKS, MAX_OBJECTS_PER_KIND } from './limits.js';
export { parseNetworkXml } from './networkXml.js';
export { parseDomainXml } from './domainXml.js';
export { parseNetInfo, parseDomInfo, parseUuidList } from './virshInfo.js';
export { parseIpLink, parseIpAddr, parseIpRoute, mergeLinks } from './iproute.js';
export { parseIpLinkOneline, parseIpAddrOneline, parseIpRouteOneline } from './iprouteOneline.js';
export { parseBrctlShow, parseBridgeLinkJson, bridgesFromLinks, mergeBridges } from './bridges.js';

type VirshObjects = Map<string, { info: string; xml: string }>;

/** What the sections gave, before assembly; null = that section was absent, failed or unparsable. */
export interface ParsedSections {
  tools: Map<string, string | null> | null;
  netUuids: string[] | null;
  domUuids: string[] | null;
  netObjects: VirshObjects;
  domObjects: VirshObjects;
  links: LinkFacts[] | null;
  addresses: LinkAddresses[] | null;
  defaultRouteDevs: string[] | null;
  /** brctl show, or the `bridge -j link` fallback. */
  toolBridges: BridgeFacts[] | null;
}

/** One registry entry: which section ids it reads, and how its parsed value is kept. */
export interface SectionParser {
  /** A section id, or a pattern for numbered ones (`net-batch-0`, `net-batch-1`, …). */
  id: string | RegExp;
  /** Still parse a failed section's output: one vanished VM makes a whole virsh batch exit 1. */
  readsFailedOutput: boolean;
  run(stdout: string, capture: RawCapture, into: ParsedSections): void;
}

function entry<T>(
  id: string | RegExp,
  parse: (stdout: string, capture: RawCapture) => T,
  store: (into: ParsedSections, value: T) => void,
  readsFailedOutput = false,
): SectionParser {
  return { id, readsFailedOutput, run: (stdout, capture, into) => store(into, parse(stdout, capture)) };
}

const addObjects = (target: VirshObjects, objects: VirshObjects) => objects.forEach((v, k) => target.set(k, v));

/** Section id → parser, for every section the probe (src/probe/script.ts) emits. */
export const SECTION_PARSERS: readonly SectionParser[] = [
  entry('tools', parseToolList, (p, v) => void (p.tools = v)),
  entry('virsh-version', () => null, () => undefined), // informational only: kept in the capture
  entry('net-uuids', parseUuidList, (p, v) => void (p.netUuids = v)),
  entry('dom-uuids', parseUuidList, (p, v) => void (p.domUuids = v)),
  entry(/^net-batch-\d+$/, (s, c) => splitBatch(s, c.nonce), (p, v) => addObjects(p.netObjects, v), true),
  entry(/^dom-batch-\d+$/, (s, c) => splitBatch(s, c.nonce), (p, v) => addObjects(p.domObjects, v), true),
  entry('ip-link', parseIpLink, (p, v) => void (p.links = v)),
  entry('ip-link-oneline', parseIpLinkOneline, (p, v) => void (p.links = v)),
  entry('ip-addr', parseIpAddr, (p, v) => void (p.addresses = v)),
  entry('ip-addr-oneline', parseIpAddrOneline, (p, v) => void (p.addresses = v)),
  entry('ip-route', parseIpRoute, (p, v) => void (p.defaultRouteDevs = v)),
  entry('ip-route-oneline', parseIpRouteOneline, (p, v) => void (p.defaultRouteDevs = v)),
  entry('brctl', parseBrctlShow, (p, v) => void (p.toolBridges = v)),
  entry('bridge-link', parseBridgeLinkJson, (p, v) => void (p.toolBridges = v)),
];

/** The registry entry for a section id, if any. */
export function parserForSection(id: string): SectionParser | undefined {
  return SECTION_PARSERS.find((p) => (typeof p.id === 'string' ? p.id === id : p.id.test(id)));
}

/**
 * Parse a whole probe capture. Never throws: failed sections → `section-failed`, unparsable ones →
 * `section-unparsed`, missing tools → `tool-missing`, networks/VMs listed but gone from the batch →
 * `object-vanished`, unreadable ones → `object-unparsed` (both kept in the facts, with `unread` saying why:
 * nothing listed is dropped), more networks, VMs or links than a host may bring (limits.ts) →
 * `object-cap`; a failed network or domain list (virsh missing, libvirtd down, permission denied) →
 * `libvirtError`.
 */
export function parseCapture(capture: RawCapture): HostFacts {
  const steps = parseCaptureInSlices(capture);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * `parseCapture`, giving the event loop back between slices of objects: a host with thousands of VMs must not
 * hold up every other host's timers and I/O while its XML is read (the fault tier measures the longest stall).
 */
export async function parseCaptureYielding(capture: RawCapture): Promise<HostFacts> {
  const steps = parseCaptureInSlices(capture);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** How many networks or VMs are read between two chances for the event loop (each costs up to ~0.25 ms). */
const OBJECTS_PER_SLICE = 100;

/** The parse itself, pausing (yield) after every slice of objects; the drivers above decide what a pause does. */
function* parseCaptureInSlices(capture: RawCapture): Generator<void, HostFacts, void> {
  const warnings: Warning[] = [];
  const parsed: ParsedSections = {
    tools: null,
    netUuids: null,
    domUuids: null,
    netObjects: new Map(),
    domObjects: new Map(),
    links: null,
    addresses: null,
    defaultRouteDevs: null,
    toolBridges: null,
  };
  if (capture.truncated) {
    warnings.push({ kind: 'output-truncated', subject: 'probe', message: `output cut off after ${capture.bytes} bytes; later sections are missing` });
  }
  for (const section of capture.sections) runSection(section, capture, parsed, warnings);

  warnings.push(...missingToolWarnings(parsed.tools), ...fallbackWarnings(capture.sections, parsed.tools));
  const libvirtError = libvirtErrorOf(capture.sections, parsed);
  const listedLinks = capped(parsed.links ?? [], MAX_LINKS, 'link list', 'links listed by ip', warnings);
  const links = parsed.addresses ? mergeLinks(listedLinks, parsed.addresses) : listedLinks;
  const toolBridges = capped(parsed.toolBridges ?? [], MAX_LINKS, 'bridge list', 'bridges listed by brctl or bridge', warnings);
  const defaultRouteDevs = capped(parsed.defaultRouteDevs ?? [], MAX_LINKS, 'default route list', 'default-route devices listed by ip', warnings);
  // Whatever was read is kept: a host whose domain list failed still shows its networks.
  const cutOff = capture.truncated || capture.sections.some((s) => s.exit === null);
  const networks = yield* inSlices(capped(parsed.netUuids ?? [], MAX_OBJECTS_PER_KIND, 'network list', 'networks listed by virsh', warnings), (uuid) =>
    assembleNetwork(uuid, parsed.netObjects, cutOff, warnings),
  );
  const domains = yield* inSlices(capped(parsed.domUuids ?? [], MAX_OBJECTS_PER_KIND, 'vm list', 'VMs listed by virsh', warnings), (uuid) =>
    assembleDomain(uuid, parsed.domObjects, cutOff, warnings),
  );
  return {
    networks,
    links,
    bridges: mergeBridges(toolBridges, bridgesFromLinks(links)),
    domains,
    defaultRouteDevs,
    // libvirtError already says why the virsh listing sections failed: told once, not three times.
    warnings: libvirtError ? warnings.filter((w) => !isExplainedByLibvirtError(w)) : warnings,
    libvirtError,
  };
}

const LIBVIRT_LISTING_SECTIONS = ['virsh-version', 'net-uuids', 'dom-uuids'].map((id) => `section ${id}`);

function isExplainedByLibvirtError(warning: Warning): boolean {
  return warning.kind === 'section-failed' && LIBVIRT_LISTING_SECTIONS.includes(warning.subject);
}

function runSection(section: ProbeSection, capture: RawCapture, parsed: ParsedSections, warnings: Warning[]): void {
  const parser = parserForSection(section.id);
  if (!parser) return; // a section this version does not know: kept in the capture, not an error
  const subject = `section ${section.id}`;
  if (section.exit !== 0) {
    const why = section.exit === null ? 'did not finish (output cut off)' : `exit ${section.exit}`;
    // The first stderr line that says why (for virsh: the cause after "failed to connect to the hypervisor").
    const cause = errorCause(section.stderr);
    warnings.push({ kind: 'section-failed', subject, message: cause ? `${why}: ${cause}` : why });
    if (!parser.readsFailedOutput) return;
  }
  try {
    parser.run(section.stdout, capture, parsed);
  } catch (error) {
    warnings.push({ kind: 'section-unparsed', subject, message: error instanceof Error ? error.message : String(error) });
  }
}

const TOOL_EFFECT: Record<string, string> = {
  virsh: 'no libvirt networks or domains can be read',
  ip: 'no links, addresses or routes can be read',
  brctl: 'bridges are read from `bridge -j link` and ip instead',
  bridge: 'only needed when brctl is missing too',
};

function missingToolWarnings(tools: Map<string, string | null> | null): Warning[] {
  if (!tools) return [];
  return [...tools]
    .filter(([, path]) => path === null)
    .map(([tool]) => ({ kind: 'tool-missing', subject: `tool ${tool}`, message: `${tool} not found on the host: ${TOOL_EFFECT[tool] ?? 'not used'}` }));
}

/** The sections the probe runs instead of `ip -j …` when that iproute2 cannot print JSON. */
const ONELINE_FALLBACKS = ['ip-link-oneline', 'ip-addr-oneline', 'ip-route-oneline'];

/**
 * The probe fell back to `ip -o` text: said once, since it is a fact about the host's tools. Not when `ip` is
 * missing altogether: the probe then tried the fallback too, and the tools warning already says so.
 */
function fallbackWarnings(sections: ProbeSection[], tools: Map<string, string | null> | null): Warning[] {
  if (tools?.get('ip') === null) return [];
  if (!sections.some((s) => ONELINE_FALLBACKS.includes(s.id))) return [];
  return [
    {
      kind: 'tool-missing',
      subject: 'tool ip -j',
      message: 'this iproute2 cannot print JSON (ip -j): links, addresses and routes were read from `ip -o` text output instead',
    },
  ];
}

/** Why the libvirt facts are unusable, or null when the network and domain lists were read. */
function libvirtErrorOf(sections: ProbeSection[], parsed: ParsedSections): string | null {
  if (parsed.tools?.has('virsh') && parsed.tools.get('virsh') === null) return 'virsh not found on the host';
  for (const id of ['net-uuids', 'dom-uuids'] as const) {
    const section = sections.find((s) => s.id === id);
    if (!section) return `the probe output has no ${id} section`;
    if (section.exit !== 0) {
      return errorCause(section.stderr) ?? `virsh failed listing ${id === 'net-uuids' ? 'networks' : 'domains'} (exit ${section.exit ?? 'none'})`;
    }
    if ((id === 'net-uuids' ? parsed.netUuids : parsed.domUuids) === null) return `the ${id} section could not be read`;
  }
  return null;
}

/** Keep the first `cap` items; beyond it, an `object-cap` warning says how many there were (see limits.ts). */
function capped<T>(items: T[], cap: number, subject: string, what: string, warnings: Warning[]): T[] {
  if (items.length <= cap) return items;
  warnings.push({
    kind: 'object-cap',
    subject,
    message: `${items.length} ${what}; only the first ${cap} are audited (at most ${cap} per host)`,
  });
  return items.slice(0, cap);
}

/** A parser's complaint is host text: long enough to say why, never a megabyte of someone's tag name. */
const MAX_REASON_LENGTH = 300;

function reasonOf(what: string, error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  const text = `${what}: ${detail}`;
  return text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH - 1)}…` : text;
}

/** A listed object's definition, parsed; or, when it cannot be, why (its one warning is added here). */
type Definition<T> = { facts: T; unread: null } | { facts: null; unread: string };

/**
 * Parse one listed object's XML. Its XML may be missing — undefined between the list and the dump (virsh
 * printed nothing for it), or never received when the output was cut off: `object-vanished` — or unreadable
 * (refused DOCTYPE, cut off mid-document, malformed): `object-unparsed`. One warning per object either way.
 */
function readDefinition<T>(
  xml: string | undefined,
  parse: (xml: string) => T,
  subject: string,
  what: string,
  cutOff: boolean,
  warnings: Warning[],
): Definition<T> {
  if (xml === undefined || xml.trim() === '') {
    const message = cutOff
      ? 'listed by virsh, but the probe output was cut off before its XML'
      : 'listed by virsh but gone before its XML was read (undefined meanwhile?)';
    warnings.push({ kind: 'object-vanished', subject, message });
    return { facts: null, unread: message };
  }
  try {
    return { facts: parse(xml), unread: null };
  } catch (error) {
    const message = reasonOf(what, error);
    warnings.push({ kind: 'object-unparsed', subject, message });
    return { facts: null, unread: message };
  }
}

/** The info table of an object whose XML could not be read: whatever it says helps, its failure adds nothing. */
function infoIfReadable<T>(info: string | undefined, parse: (text: string) => T): T | null {
  if (info === undefined) return null;
  try {
    return parse(info);
  } catch {
    return null;
  }
}

/** A name from net-info/dominfo, or the UUID when there is none: an unread object is still named. */
function nameOr(name: string | null | undefined, uuid: string): string {
  return name !== null && name !== undefined && name.trim() !== '' ? name : uuid;
}

/** `items.map(assemble)`, pausing after every OBJECTS_PER_SLICE items. */
function* inSlices<T, R>(items: readonly T[], assemble: (item: T) => R): Generator<void, R[], void> {
  const out: R[] = [];
  for (const item of items) {
    out.push(assemble(item));
    if (out.length % OBJECTS_PER_SLICE === 0) yield;
  }
  return out;
}

/**
 * Every listed network (deduplicated, up to the cap) comes out exactly once, in the listed order: read, or
 * with `unread` saying why not. The listed UUID is its identity: the XML cannot make two networks one.
 */
function assembleNetwork(uuid: string, objects: VirshObjects, cutOff: boolean, warnings: Warning[]): NetworkFacts {
  const object = objects.get(uuid);
  const subject = `network ${uuid}`;
  const definition = readDefinition(object?.xml, parseNetworkXml, subject, 'net-dumpxml unreadable', cutOff, warnings);
  if (definition.facts === null) {
    const state = infoIfReadable(object?.info, parseNetInfo);
    return {
      name: nameOr(state?.name, uuid),
      uuid,
      active: state?.active ?? null,
      autostart: state?.autostart ?? null,
      persistent: state?.persistent ?? null,
      bridge: state?.bridge ?? null,
      forward: null,
      virtualportType: null,
      addresses: [],
      portgroups: [],
      vlanTags: [],
      unread: definition.unread,
    };
  }
  const facts = definition.facts;
  let state;
  try {
    state = parseNetInfo(object?.info ?? '');
  } catch (error) {
    warnings.push({ kind: 'object-unparsed', subject: `network ${facts.name}`, message: reasonOf('net-info unreadable; active/autostart/persistent unknown', error) });
  }
  return {
    ...facts,
    uuid,
    active: state?.active ?? null,
    autostart: state?.autostart ?? null,
    persistent: state?.persistent ?? null,
    bridge: facts.bridge ?? state?.bridge ?? null,
    unread: null,
  };
}

/** As assembleNetwork, for a domain: a VM whose XML cannot be read is kept, with no interfaces and `unread`. */
function assembleDomain(uuid: string, objects: VirshObjects, cutOff: boolean, warnings: Warning[]): DomainFacts {
  const object = objects.get(uuid);
  const subject = `vm ${uuid}`;
  const definition = readDefinition(object?.xml, parseDomainXml, subject, 'dumpxml unreadable', cutOff, warnings);
  if (definition.facts === null) {
    const state = infoIfReadable(object?.info, parseDomInfo);
    return {
      name: nameOr(state?.name, uuid),
      uuid,
      id: state?.id ?? null,
      state: state?.state ?? 'unknown',
      persistent: state?.persistent ?? null,
      autostart: state?.autostart ?? null,
      interfaces: [],
      unread: definition.unread,
    };
  }
  const facts = definition.facts;
  let state;
  try {
    state = parseDomInfo(object?.info ?? '');
  } catch (error) {
    warnings.push({ kind: 'object-unparsed', subject: `vm ${facts.name}`, message: reasonOf('dominfo unreadable; state unknown', error) });
  }
  return {
    name: facts.name,
    uuid,
    id: state ? state.id : facts.id,
    state: state?.state ?? 'unknown',
    persistent: state?.persistent ?? null,
    autostart: state?.autostart ?? null,
    interfaces: facts.interfaces,
    unread: null,
  };
}
