/**
 * Every section the probe prints, declared once (osquery's table specs are the model): its id, the command behind
 * it, the parser that reads its output and where the parsed facts go. The probe script (script.ts) names sections
 * only through `sectionId`, the parser (parse/index.ts) runs the table, and reports show each section's command
 * from it: a section added here and not there, or there and not here, does not compile (or fails the unit test
 * that every declared section is in the script).
 */
import type { BridgeFacts, LinkFacts, RawCapture } from '../model.js';
import { parseBrctlShow, parseBridgeLinkJson } from '../parse/bridges.js';
import { parseIpAddr, parseIpLink, parseIpRoute, type LinkAddresses } from '../parse/iproute.js';
import { parseIpAddrOneline, parseIpLinkOneline, parseIpRouteOneline } from '../parse/iprouteOneline.js';
import { parseToolList } from '../parse/tools.js';
import { parseLibvirtLists, type LibvirtLists } from '../parse/virshLists.js';
import { splitObjects, type ObjectOutput } from './framing.js';
import { OBJECT_COMMANDS } from './libvirtLists.js';
import { shellQuote } from './shell.js';

/** What the sections gave, before assembly; null = that section was absent, failed or unparsable. */
export interface ParsedSections {
  tools: Map<string, string | null> | null;
  lists: LibvirtLists | null;
  /** `net:uuid` / `dom:uuid` → what the objects process printed for it. */
  objects: Map<string, ObjectOutput>;
  links: LinkFacts[] | null;
  addresses: LinkAddresses[] | null;
  defaultRouteDevs: string[] | null;
  /** brctl show, or the `bridge -j link` fallback. */
  toolBridges: BridgeFacts[] | null;
}

/** Where the probe runs: what the virsh sections' command lines depend on. */
export interface ProbeTarget {
  libvirtUri: string;
  sudo: boolean;
}

/** One probe section. */
interface SectionSpec {
  /**
   * The shell words the probe runs for a plain section (fixed text, nothing from a host); null for the virsh
   * sections, whose shape the script spells out itself (script.ts).
   */
  argv: string | null;
  /** The command line shown in reports and saved captures. */
  command(target: ProbeTarget): string;
  /** Still parse a failed section's output: a virsh that died half-way still printed the objects before. */
  readsFailedOutput: boolean;
  /** Parse the section's stdout and keep the result in `into`. Throws when the output cannot be read. */
  read(stdout: string, capture: RawCapture, into: ParsedSections): void;
}

/** A section whose parser gives a T and whose store keeps that T: the pairing is type-checked here, once. */
function spec<T>(fields: {
  argv?: string;
  command?: (target: ProbeTarget) => string;
  readsFailedOutput?: boolean;
  parse: (stdout: string, capture: RawCapture) => T;
  store: (into: ParsedSections, value: T) => void;
}): SectionSpec {
  const argv = fields.argv ?? null;
  return {
    argv,
    command: fields.command ?? (() => argv ?? ''),
    readsFailedOutput: fields.readsFailedOutput ?? false,
    read: (stdout, capture, into) => fields.store(into, fields.parse(stdout, capture)),
  };
}

function virshCommand(target: ProbeTarget): string {
  return `${target.sudo ? 'sudo -n ' : ''}virsh -q -r -c ${shellQuote(target.libvirtUri)}`;
}

const addObjects = (target: Map<string, ObjectOutput>, objects: Map<string, ObjectOutput>) =>
  objects.forEach((v, k) => target.set(k, { ...target.get(k), ...v }));

/** The listing's error output: its own section, since the probe keeps the listing's stdout for its loop. */
const listingErrors = (capture: RawCapture) => capture.sections.find((s) => s.id === 'libvirt-lists-stderr')?.stdout ?? '';

/** The probe's sections, in the order it prints them (the `ip -o` ones only when `ip -j` is unsupported). */
export const PROBE_SECTIONS = {
  tools: spec({
    command: () => 'command -v virsh ip brctl bridge',
    parse: parseToolList,
    store: (p, v) => void (p.tools = v),
  }),
  // Printed first, while the listing runs (its stderr streams through); read by the libvirt-lists entry.
  'libvirt-lists-stderr': spec({
    command: (t) => `the error output of: ${virshCommand(t)} 'version --daemon; net-list --all --uuid; …'`,
    parse: () => null,
    store: () => undefined,
  }),
  'libvirt-lists': spec({
    command: (t) => `${virshCommand(t)} 'version --daemon; net-list --all --uuid; net-list --uuid; …' (every network and domain, as sets by state)`,
    readsFailedOutput: true,
    parse: (stdout, capture) => parseLibvirtLists(stdout, listingErrors(capture), capture.nonce),
    store: (p, v) => void (p.lists = v),
  }),
  objects: spec({
    command: (t) =>
      `${virshCommand(t)} < commands on stdin: ${[...new Set(OBJECT_COMMANDS.map((c) => c.command))].join(', ')}, per object (one virsh process for all of them)`,
    readsFailedOutput: true,
    parse: (stdout, capture) => splitObjects(stdout, capture.nonce),
    store: (p, v) => addObjects(p.objects, v),
  }),
  'ip-link': spec({ argv: 'ip -j -d link show', parse: parseIpLink, store: (p, v) => void (p.links = v) }),
  'ip-addr': spec({ argv: 'ip -j addr show', parse: parseIpAddr, store: (p, v) => void (p.addresses = v) }),
  'ip-route': spec({ argv: 'ip -j route show default', parse: parseIpRoute, store: (p, v) => void (p.defaultRouteDevs = v) }),
  'ip-link-oneline': spec({ argv: 'ip -o -d link show', parse: parseIpLinkOneline, store: (p, v) => void (p.links = v) }),
  'ip-addr-oneline': spec({ argv: 'ip -o addr show', parse: parseIpAddrOneline, store: (p, v) => void (p.addresses = v) }),
  'ip-route-oneline': spec({ argv: 'ip -o route show default', parse: parseIpRouteOneline, store: (p, v) => void (p.defaultRouteDevs = v) }),
  brctl: spec({ argv: 'brctl show', parse: parseBrctlShow, store: (p, v) => void (p.toolBridges = v) }),
  'bridge-link': spec({ argv: 'bridge -j link show', parse: parseBridgeLinkJson, store: (p, v) => void (p.toolBridges = v) }),
} as const satisfies Record<string, SectionSpec>;

export type SectionId = keyof typeof PROBE_SECTIONS;

export const SECTION_IDS = Object.keys(PROBE_SECTIONS) as SectionId[];

/** A section id, checked by the compiler: the script and the judge name sections only through this. */
export function sectionId<K extends SectionId>(id: K): K {
  return id;
}

/** The declared section for an id read back from a host's output; undefined for one this version does not know. */
export function sectionSpec(id: string): SectionSpec | undefined {
  return Object.hasOwn(PROBE_SECTIONS, id) ? PROBE_SECTIONS[id as SectionId] : undefined;
}

/** The probe line that runs a plain section: `section ID ARGV…` (see the `section` function in the script). */
export function sectionLine(id: SectionId): string {
  const { argv } = PROBE_SECTIONS[id];
  if (argv === null) throw new Error(`section ${id} has no plain command line`);
  return `section ${id} ${argv}`;
}

/** The command line behind a section id, for reports and `--save-captures`. */
export function commandOfSection(id: string, target: ProbeTarget): string {
  return sectionSpec(id)?.command(target) ?? id;
}
