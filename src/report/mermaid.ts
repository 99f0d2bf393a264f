/**
 * Topology pictures for report.md, as Mermaid flowcharts (GitHub and GitLab draw them). Pure.
 *
 * - Per host: VM NICs → networks → bridges → uplinks (or the devices a macvtap network hands out). NICs
 *   that take the same path collapse into one node with a count, so a 300-VM host stays readable.
 * - Per fleet: hosts grouped by their mix of modes, each mix linked to the modes in it.
 * Devices (a macvtap NIC's `dev eno2`, a pool's entries, `pci …`) are one node each, however reached.
 *
 * Node ids are generated (`nic1`, `net2`…), never taken from names; every label is quoted, invisible and
 * bidi characters are shown as escapes (`\u202e`), and every other character outside a small safe set is
 * written as a Mermaid entity (`#35;`), so no name from a host can end a label, start a comment, inject
 * markup or reorder what the picture shows.
 */
import type { FleetReportView, HostReport, Mode, NetworkAudit } from '../model.js';
import { headlinesOf } from './headline.js';
import { viaOf } from './nic.js';
import type { Through } from './schema.js';

/** Names listed in a collapsed node before "+N more". */
const MAX_NAMES = 3;

/** Modes by what they mean for the guest, for node styles. */
const MODE_CLASS: Partial<Record<Mode, 'lan' | 'internal' | 'problem'>> = {
  bridged: 'lan',
  macvtap: 'lan',
  hostdev: 'lan',
  ovs: 'lan',
  vdpa: 'lan',
  nat: 'internal',
  routed: 'internal',
  open: 'internal',
  isolated: 'internal',
  'host-only': 'internal',
  missing: 'problem',
  unknown: 'problem',
};

const CLASS_DEFS = [
  'classDef lan fill:#fde2c8,stroke:#c46b14',
  'classDef internal fill:#d6ecd2,stroke:#3b7d32',
  'classDef problem fill:#f8d0d0,stroke:#b02a2a',
  'classDef device fill:#e4e4f4,stroke:#555599',
];

/** Collects nodes and edges with generated ids, each node once. */
class Graph {
  private readonly ids = new Map<string, string>();
  private readonly lines: string[] = [];
  private readonly edges = new Set<string>();
  private readonly classes = new Map<string, string[]>();

  /** The id of the node for `key`, creating it with `label` (and a style class) the first time. */
  node(key: string, prefix: string, label: string, cssClass?: string): string {
    const existing = this.ids.get(key);
    if (existing) return existing;
    const id = `${prefix}${this.ids.size + 1}`;
    this.ids.set(key, id);
    this.lines.push(`  ${id}["${label}"]`);
    if (cssClass) {
      const ids = this.classes.get(cssClass);
      if (ids) ids.push(id);
      else this.classes.set(cssClass, [id]);
    }
    return id;
  }

  edge(from: string, to: string): void {
    this.edges.add(`  ${from} --> ${to}`);
  }

  render(title: string): string {
    const classLines = [...this.classes].map(([cssClass, ids]) => `  class ${ids.join(',')} ${cssClass}`);
    return ['flowchart LR', `  %% ${title}`, ...this.lines, ...this.edges, ...CLASS_DEFS.map((def) => `  ${def}`), ...classLines, ''].join('\n');
  }
}

/**
 * The host's topology: one node per group of VM NICs that share a mode and what they go through, then the networks,
 * bridges and uplinks they go through. Networks no NIC uses are drawn too (with their bridge).
 * @example
 * renderHostMermaid(host)
 * // flowchart LR
 * //   nic1["3 VM NICs (nat)<br/>web01, web02, build01"]
 * //   net2["network default<br/>nat"] …
 */
export function renderHostMermaid(host: HostReport): string {
  const graph = new Graph();
  const networks = new Map(host.networks.map((network) => [network.name, network]));
  const bridges = new Map(host.bridges.map((bridge) => [bridge.name, bridge]));

  const bridgeNode = (name: string): string => {
    const bridge = bridges.get(name);
    const detail = bridge ? (bridge.kind === 'ovs' ? 'Open vSwitch' : bridge.uplinks.length === 0 ? 'no uplink' : '') : 'not on the host';
    const id = graph.node(`bridge:${name}`, 'br', label([`bridge ${name}`, detail]), bridge ? undefined : 'problem');
    for (const uplink of bridge?.uplinks ?? []) graph.edge(id, graph.node(`uplink:${uplink}`, 'up', label([`uplink ${uplink}`]), 'device'));
    return id;
  };
  const deviceNode = (text: string): string => graph.node(`via:${text}`, 'dev', label([text]), 'device');
  const networkNode = (name: string): string => {
    const network = networks.get(name);
    if (!network) return graph.node(`network:${name}`, 'net', label([`network ${name}`, 'not defined']), 'problem');
    const state = network.active === false ? ', inactive' : '';
    const id = graph.node(`network:${name}`, 'net', label([`network ${name}`, `${network.mode}${state}`]), MODE_CLASS[network.mode]);
    if (network.bridge) graph.edge(id, bridgeNode(network.bridge));
    const pool = poolOf(network).map(deviceText);
    if (pool.length <= MAX_NAMES + 1) {
      for (const device of pool) graph.edge(id, deviceNode(device));
    } else {
      // A big SR-IOV pool is one node: 64 VFs would drown the picture.
      graph.edge(id, graph.node(`pool:${name}`, 'dev', label([`pool of ${pool.length} devices`, listNames(pool)]), 'device'));
    }
    return id;
  };

  for (const group of nicGroups(host)) {
    const count = group.nics;
    const heading = count === 1 ? `${group.vms[0] ?? 'VM'} (${group.mode})` : `${count} VM NICs (${group.mode})`;
    const names = count === 1 ? [] : [listNames(group.vms)];
    const nicId = graph.node(`nics:${group.key}`, 'nic', label([heading, ...names]), MODE_CLASS[group.mode]);
    const { through } = group;
    if (through?.kind === 'network' && through.name !== null) graph.edge(nicId, networkNode(through.name));
    else if (through?.kind === 'bridge' && through.name !== null) graph.edge(nicId, bridgeNode(through.name));
    else if (through) graph.edge(nicId, deviceNode(viaOf(through)));
  }
  for (const network of host.networks) networkNode(network.name);
  return graph.render(`host ${escapeMermaid(host.name)}`);
}

interface NicGroup {
  key: string;
  mode: Mode;
  /** What every NIC of the group goes through. */
  through: Through | null;
  nics: number;
  /** Distinct VM names, in report order. */
  vms: string[];
  /** The same names, to test membership without scanning `vms` (one group may hold thousands). */
  seen: Set<string>;
}

/** NICs grouped by mode and what they go through, in first-seen order. */
function nicGroups(host: HostReport): NicGroup[] {
  const groups = new Map<string, NicGroup>();
  for (const vm of host.vms) {
    for (const nic of vm.interfaces) {
      const { through } = nic.attachment;
      // JSON keeps the parts apart whatever the names hold.
      const key = JSON.stringify([nic.mode, through?.kind ?? null, through?.name ?? null]);
      let group = groups.get(key);
      if (!group) {
        group = { key, mode: nic.mode, through, nics: 0, vms: [], seen: new Set() };
        groups.set(key, group);
      }
      group.nics++;
      if (!group.seen.has(vm.name)) {
        group.seen.add(vm.name);
        group.vms.push(vm.name);
      }
    }
  }
  return [...groups.values()];
}

/**
 * The fleet by mode mix: `bridged + nat: 3 hosts`, linked to each mode it contains; hosts that could not
 * be audited and hosts without VM NICs get a node of their own.
 */
export function renderFleetMermaid(report: Pick<FleetReportView, 'hosts'>): string {
  const graph = new Graph();
  const fleet = graph.node('fleet', 'fleet', label([`fleet: ${hostCount(report.hosts.length)}`]));
  const mixes = new Map<string, { modes: Mode[]; hosts: string[] }>();
  const failed: string[] = [];
  for (const host of headlinesOf(report.hosts)) {
    if (host.status === 'failed') {
      failed.push(host.name);
      continue;
    }
    const key = host.modes.join(' + ');
    const mix = mixes.get(key) ?? { modes: host.modes, hosts: [] };
    mix.hosts.push(host.name);
    mixes.set(key, mix);
  }
  const ordered = [...mixes.entries()].sort((a, b) => b[1].hosts.length - a[1].hosts.length || a[0].localeCompare(b[0]));
  for (const [key, mix] of ordered) {
    const heading = mix.modes.length === 0 ? 'no VM NICs' : key;
    const mixId = graph.node(`mix:${key}`, 'mix', label([`${heading}: ${hostCount(mix.hosts.length)}`, listNames(mix.hosts)]));
    graph.edge(fleet, mixId);
    for (const mode of mix.modes) graph.edge(mixId, graph.node(`mode:${mode}`, 'mode', label([mode]), MODE_CLASS[mode]));
  }
  if (failed.length > 0) {
    graph.edge(fleet, graph.node('failed', 'mix', label([`not audited: ${hostCount(failed.length)}`, listNames(failed)]), 'problem'));
  }
  return graph.render('fleet by mode mix');
}

function hostCount(n: number): string {
  return `${n} host${n === 1 ? '' : 's'}`;
}

const PCI_ADDRESS = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i;

/** A pool entry written as a NIC's `via` would name it (nic.ts): `pci 0000:41:10.0`, `dev eno2`. */
function deviceText(device: string): string {
  return viaOf({ kind: PCI_ADDRESS.test(device) ? 'pci' : 'dev', name: device });
}

/** `web01, web02, web03 +4 more`. */
function listNames(names: readonly string[]): string {
  const shown = names.slice(0, MAX_NAMES).join(', ');
  return names.length > MAX_NAMES ? `${shown} +${names.length - MAX_NAMES} more` : shown;
}

/** A network's device pool; reports read back from JSON written before `pool` existed lack it. */
function poolOf(network: NetworkAudit): string[] {
  const pool = network.pool as string[] | undefined;
  return Array.isArray(pool) ? pool : [];
}

/** Lines of a node label, each escaped, joined with Mermaid's line break; empty lines dropped. */
function label(lines: readonly string[]): string {
  return lines
    .filter((line) => line !== '')
    .map(escapeMermaid)
    .join('<br/>');
}

/** Safe inside a quoted Mermaid label as written. */
const SAFE = /[A-Za-z0-9 .,:_/()+=-]/;
const ALL_SAFE = /^[A-Za-z0-9 .,:_/()+=-]*$/;

/**
 * Characters that change how a label reads without showing themselves: C0 and C1 controls, format
 * characters (bidi embeddings, overrides, isolates and marks, which reorder the text around them as in
 * Trojan Source, CVE-2021-42574; zero-width spaces and joiners; the word joiner; the BOM; soft hyphens),
 * and lone surrogates.
 */
const INVISIBLE = /^[\p{Cc}\p{Cf}\p{Cs}]$/u;

const LINE_BREAKS = /[\r\n\u0085\u2028\u2029]+/g;

/**
 * Escape text for a quoted Mermaid label.
 *
 * 1. Line breaks become spaces; invisible characters (see INVISIBLE) become visible escapes such as
 *    `\u202e`, as in the Markdown report. They must go before encoding: Mermaid turns its entities
 *    (`#8238;`) back into characters when it draws, so encoding a bidi override would only delay it.
 * 2. Every character outside a small safe set becomes a decimal entity (`"` → `#34;`). That includes `#`,
 *    `&` and `;`, so text that merely spells an entity (`#8238;`, `&#x202E;`) is drawn as typed, never
 *    decoded into the character it names.
 * @example escapeMermaid('a"b\u202ec') // 'a#34;b#92;u202ec'
 */
export function escapeMermaid(text: string): string {
  if (ALL_SAFE.test(text)) return text; // most names: nothing to do
  let out = '';
  for (const char of text.replace(LINE_BREAKS, ' ')) {
    const visible = INVISIBLE.test(char) ? visibleEscape(char) : char;
    for (const shown of visible) out += SAFE.test(shown) ? shown : `#${shown.codePointAt(0)};`;
  }
  return out;
}

/** `\t`, `\x1b`, `\u202e`, `\u{e0041}`: how an invisible character is shown. */
function visibleEscape(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (char === '\t') return '\\t';
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\u{${code.toString(16)}}`;
}
