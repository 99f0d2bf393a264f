/**
 * RawCapture → HostFacts. The probe's section table (probe/sections.ts) says which parser reads which section;
 * parseCapture runs them, turns every failure into a warning that costs that section (or that one network/VM) only, and
 * assembles the facts. Pure: no I/O.
 */
import type { DomainFacts, HostFacts, NetworkDefinition, NetworkFacts, ProbeSection, RawCapture, Warning } from '../model.js';
import type { ObjectOutput } from '../probe/framing.js';
import { LIBVIRT_SET_NAMES, LIBVIRT_SETS, type LibvirtSetName } from '../probe/libvirtLists.js';
import { sectionId, sectionSpec, type ParsedSections } from '../probe/sections.js';
import { bridgesFromLinks, mergeBridges } from './bridges.js';
import { parseDomainXml } from './domainXml.js';
import { mergeLinks } from './iproute.js';
import { MAX_LINKS, MAX_OBJECTS_PER_KIND } from './limits.js';
import { parseNetworkXml } from './networkXml.js';
import { errorCause } from './tools.js';
import type { LibvirtLists } from './virshLists.js';

export { ParseError } from './errors.js';
export { MAX_LINKS, MAX_OBJECTS_PER_KIND } from './limits.js';
export { parseNetworkXml } from './networkXml.js';
export { parseDomainXml } from './domainXml.js';
export { parseLibvirtLists } from './virshLists.js';
export { parseIpLink, parseIpAddr, parseIpRoute, mergeLinks } from './iproute.js';
export { parseIpLinkOneline, parseIpAddrOneline, parseIpRouteOneline } from './iprouteOneline.js';
export { parseBrctlShow, parseBridgeLinkJson, bridgesFromLinks, mergeBridges } from './bridges.js';

const LISTING = sectionId('libvirt-lists');
const LISTING_ERRORS = sectionId('libvirt-lists-stderr');
const OBJECTS = sectionId('objects');

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
    lists: null,
    objects: new Map(),
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
  const sets = setReader(parsed.lists, capture.sections, libvirtError, warnings);
  const listedLinks = capped(parsed.links ?? [], MAX_LINKS, 'link list', 'links listed by ip', warnings);
  const links = parsed.addresses ? mergeLinks(listedLinks, parsed.addresses) : listedLinks;
  const toolBridges = capped(parsed.toolBridges ?? [], MAX_LINKS, 'bridge list', 'bridges listed by brctl or bridge', warnings);
  const defaultRouteDevs = capped(parsed.defaultRouteDevs ?? [], MAX_LINKS, 'default route list', 'default-route devices listed by ip', warnings);
  // Whatever was read is kept: a host whose domain list failed still shows its networks.
  const missing = whyXmlMissing(capture);
  const networks = yield* inSlices(capped(sets.members('net-all'), MAX_OBJECTS_PER_KIND, 'network list', 'networks listed by virsh', warnings), (uuid) =>
    assembleNetwork(uuid, parsed.objects.get(`net:${uuid}`), sets, missing, warnings),
  );
  const domains = yield* inSlices(capped(sets.members('dom-all'), MAX_OBJECTS_PER_KIND, 'vm list', 'VMs listed by virsh', warnings), (uuid) =>
    assembleDomain(uuid, parsed.objects.get(`dom:${uuid}`), sets, missing, warnings),
  );
  return {
    networks,
    links,
    bridges: mergeBridges(toolBridges, bridgesFromLinks(links)),
    domains,
    defaultRouteDevs,
    // libvirtError, or the warnings of the sets that failed, say why the listing failed: told once, not twice.
    warnings: warnings.filter((w) => !isListingSectionFailure(w)),
    libvirtError,
  };
}

const LISTING_SUBJECTS = [LISTING, LISTING_ERRORS].map((id) => `section ${id}`);

function isListingSectionFailure(warning: Warning): boolean {
  return warning.kind === 'section-failed' && LISTING_SUBJECTS.includes(warning.subject);
}

function runSection(section: ProbeSection, capture: RawCapture, parsed: ParsedSections, warnings: Warning[]): void {
  const parser = sectionSpec(section.id);
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
    parser.read(section.stdout, capture, parsed);
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
const ONELINE_FALLBACKS: readonly string[] = [sectionId('ip-link-oneline'), sectionId('ip-addr-oneline'), sectionId('ip-route-oneline')];

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
      // Also a sosreport's case (sos/layout.ts): sos collects `ip` text output only.
      message: 'links, addresses and routes were read from `ip -o` text output: this iproute2 cannot print JSON (ip -j), or the capture holds only text (a sosreport)',
    },
  ];
}

/** Why the libvirt facts are unusable, or null when the network or the domain list was read. */
function libvirtErrorOf(sections: ProbeSection[], parsed: ParsedSections): string | null {
  if (parsed.tools?.has('virsh') && parsed.tools.get('virsh') === null) return 'virsh not found on the host';
  const listing = sections.find((s) => s.id === LISTING);
  if (!listing) return `the probe output has no ${LISTING} section (a capture made by an older kvm-netaudit?)`;
  const lists = parsed.lists;
  if (lists === null) return `the ${LISTING} section could not be read`;
  if (lists.sets.has('net-all') || lists.sets.has('dom-all')) return null;
  const errors = sections.find((s) => s.id === LISTING_ERRORS)?.stdout ?? '';
  return lists.failed.get('dom-all') ?? lists.failed.get('net-all') ?? errorCause(errors) ?? `virsh failed listing networks and domains (exit ${listing.exit ?? 'none'})`;
}

/** Reads the listing's sets: members of a set, or whether one object is in it (null: the set was not listed). */
interface SetReader {
  members(name: 'net-all' | 'dom-all'): string[];
  has(name: LibvirtSetName, uuid: string): boolean | null;
}

/**
 * The sets as the assembly reads them. A set that failed, or that a virsh which ended early never printed, costs
 * the facts it would have given (one warning each), except when libvirtError already says why nothing was listed.
 */
function setReader(lists: LibvirtLists | null, sections: ProbeSection[], libvirtError: string | null, warnings: Warning[]): SetReader {
  const sets = lists?.sets ?? new Map<LibvirtSetName, Set<string>>();
  if (lists !== null && libvirtError === null) {
    const exit = sections.find((s) => s.id === LISTING)?.exit;
    for (const name of LIBVIRT_SET_NAMES) {
      if (sets.has(name)) continue;
      const cause = lists.failed.get(name) ?? `virsh ended before listing it (exit ${exit ?? 'none'})`;
      warnings.push({ kind: 'section-failed', subject: `virsh ${LIBVIRT_SETS[name].command}`, message: `${LIBVIRT_SETS[name].lost}: ${cause}` });
    }
  }
  return {
    members: (name) => [...(sets.get(name) ?? [])],
    has: (name, uuid) => {
      const set = sets.get(name);
      return set === undefined ? null : set.has(uuid);
    },
  };
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
 * Why a listed object's XML is not in the capture: the output was cut off; the objects virsh ended before its
 * closing marker (crashed, killed: the objects it never printed are unread, never silently missing); or virsh
 * printed nothing for it (undefined between the listing and the dump).
 */
function whyXmlMissing(capture: RawCapture): string {
  if (capture.truncated || capture.sections.some((s) => s.exit === null)) return 'listed by virsh, but the probe output was cut off before its XML';
  const objects = capture.sections.find((s) => s.id === OBJECTS);
  if (objects && !objects.stdout.includes(`@@KNA-${capture.nonce}:end`)) {
    return `listed by virsh, but the objects virsh ended before printing it (exit ${objects.exit ?? 'none'})`;
  }
  return 'listed by virsh but gone before its XML was read (undefined meanwhile?)';
}

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
  missing: string,
  warnings: Warning[],
): Definition<T> {
  if (xml === undefined || xml.trim() === '') {
    const message = missing;
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
 * with `unread` saying why not (named by its UUID). The listed UUID is its identity: the XML cannot make two
 * networks one. Its states come from the listing's sets.
 */
function assembleNetwork(uuid: string, object: ObjectOutput | undefined, sets: SetReader, missing: string, warnings: Warning[]): NetworkFacts {
  const subject = `network ${uuid}`;
  const definition = readDefinition(object?.xml, parseNetworkXml, subject, 'net-dumpxml unreadable', missing, warnings);
  const active = sets.has('net-active', uuid);
  const states = { active, autostart: sets.has('net-autostart', uuid), persistent: sets.has('net-persistent', uuid) };
  if (definition.facts === null) {
    return {
      name: uuid,
      uuid,
      ...states,
      bridge: null,
      forward: null,
      virtualportType: null,
      addresses: [],
      portgroups: [],
      vlanTags: [],
      connections: null,
      persistentDefinition: null,
      unread: definition.unread,
    };
  }
  const facts = definition.facts;
  const persistent = persistentPart(object?.inactive, parseNetworkXml, `network ${facts.name}`, warnings);
  return {
    ...facts,
    uuid,
    ...states,
    connections: active === true ? facts.connections : null,
    persistentDefinition: persistent === null ? null : networkDefinition(persistent),
    unread: null,
  };
}

function networkDefinition(facts: NetworkDefinition): NetworkDefinition {
  const { bridge, forward, virtualportType, addresses, portgroups, vlanTags } = facts;
  return { bridge, forward, virtualportType, addresses, portgroups, vlanTags };
}

/**
 * The persistent definition printed beside a live one, parsed; null when there is none (not live and persistent,
 * or a driver that cannot print it). An unreadable one is a warning: the drift check then has nothing to compare.
 */
function persistentPart<T>(xml: string | undefined, parse: (xml: string) => T, subject: string, warnings: Warning[]): T | null {
  if (xml === undefined || xml.trim() === '') return null;
  try {
    return parse(xml);
  } catch (error) {
    warnings.push({ kind: 'object-unparsed', subject, message: reasonOf('persistent definition unreadable', error) });
    return null;
  }
}

/** The longest state word virsh prints (`pmsuspended`) with room to spare: anything longer is not one. */
const MAX_STATE_LENGTH = 40;

/** running, paused, shut off from the sets; `domstate`'s word for the others; `unknown` when nothing says. */
function domainState(uuid: string, object: ObjectOutput | undefined, sets: SetReader): string {
  if (sets.has('dom-running', uuid)) return 'running';
  if (sets.has('dom-paused', uuid)) return 'paused';
  if (sets.has('dom-shutoff', uuid)) return 'shut off';
  if (sets.has('dom-other', uuid)) {
    const word = (object?.state ?? '').trim();
    return word !== '' && word.length <= MAX_STATE_LENGTH && !word.includes('\n') ? word : 'other';
  }
  return 'unknown';
}

/** As assembleNetwork, for a domain: a VM whose XML cannot be read is kept, with no interfaces and `unread`. */
function assembleDomain(uuid: string, object: ObjectOutput | undefined, sets: SetReader, missing: string, warnings: Warning[]): DomainFacts {
  const subject = `vm ${uuid}`;
  const definition = readDefinition(object?.xml, parseDomainXml, subject, 'dumpxml unreadable', missing, warnings);
  const states = {
    state: domainState(uuid, object, sets),
    persistent: sets.has('dom-persistent', uuid),
    autostart: sets.has('dom-autostart', uuid),
  };
  if (definition.facts === null) {
    return { name: uuid, uuid, id: null, ...states, interfaces: [], persistentInterfaces: null, unread: definition.unread };
  }
  const facts = definition.facts;
  const persistent = persistentPart(object?.inactive, parseDomainXml, `vm ${facts.name}`, warnings);
  return {
    name: facts.name,
    uuid,
    id: facts.id,
    ...states,
    interfaces: facts.interfaces,
    persistentInterfaces: persistent?.interfaces ?? null,
    unread: null,
  };
}
