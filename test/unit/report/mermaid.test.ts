// @vitest-environment jsdom
/**
 * The topology pictures, checked with Mermaid's own parser (`mermaid.parse`, the flowchart grammar that
 * GitHub's renderer uses). Mermaid needs a DOM for its sanitiser even to parse: jsdom provides it.
 */
import mermaid from 'mermaid';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HostReport } from '../../../src/model.js';
import { escapeMermaid, renderFleetMermaid, renderHostMermaid } from '../../../src/report/mermaid.js';
import { bridge, failedHost, fleetReport, host, network, nic, vm } from '../policy/fixtures.js';
import { demoFleet } from '../policy/fixtures.js';
import { attached } from '../helpers/attached.js';

beforeAll(() => {
  mermaid.initialize({ startOnLoad: false });
});

/** Parse with Mermaid; resolves to the diagram type, rejects with Mermaid's syntax error. */
async function parseDiagram(text: string): Promise<string> {
  const result = await mermaid.parse(text);
  if (!result) throw new Error('mermaid.parse returned false');
  return result.diagramType;
}

/** Node labels as written: `id["label"]` lines. */
function labels(diagram: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of diagram.matchAll(/^ {2}([a-z]+\d+)\["(.*)"\]$/gm)) found.set(match[1]!, match[2]!);
  return found;
}

function edges(diagram: string): [string, string][] {
  return [...diagram.matchAll(/^ {2}([a-z]+\d+) --> ([a-z]+\d+)$/gm)].map((m) => [m[1]!, m[2]!]);
}

describe('the Mermaid parser used here', () => {
  it('rejects a label broken by an unescaped quote (so the checks below can fail)', async () => {
    await expect(parseDiagram('flowchart LR\n  a["x" y"] --> b\n')).rejects.toThrow(/Parse error/);
  });
});

describe('renderHostMermaid', () => {
  const { hosts } = demoFleet();

  it.each(hosts.map((h) => [h.name, h] as [string, HostReport]))('draws %s as a flowchart Mermaid parses', async (_name, demoHost) => {
    await expect(parseDiagram(renderHostMermaid(demoHost))).resolves.toBe('flowchart-v2');
  });

  it('follows VM NICs through their network and bridge to the uplinks', () => {
    // Given hv-prod-02: NICs on network host-bridge (bridge br0, uplink bond0)
    const diagram = renderHostMermaid(hosts.find((h) => h.name === 'hv-prod-02')!);
    const nodes = labels(diagram);
    const idOf = (label: string) => [...nodes].find(([, text]) => text.startsWith(label))?.[0];
    // Then the path nic → network → bridge → uplink is drawn
    const path = [idOf('db02 (bridged)'), idOf('network host-bridge'), idOf('bridge br0'), idOf('uplink bond0')];
    expect(path.every(Boolean)).toBe(true);
    const drawn = edges(diagram);
    for (let i = 0; i < path.length - 1; i++) expect(drawn).toContainEqual([path[i], path[i + 1]]);
    // And the stopped default network is drawn, marked inactive
    expect([...nodes.values()]).toContain('network default<br/>nat, inactive');
  });

  it('collapses NICs on the same path into one node with a count, so a 300-VM host stays small', async () => {
    // Given 300 VMs on the default network and 2 bridged ones
    const vms = [
      ...Array.from({ length: 300 }, (_, i) => vm(`web${String(i).padStart(3, '0')}`, [nic({ mac: `52:54:00:00:${Math.floor(i / 256)}:${i % 256}` })])),
      vm('db1', [nic({ mac: 'm1', type: 'bridge', mode: 'bridged', ...attached('bridge', 'br0') })]),
      vm('db2', [nic({ mac: 'm2', type: 'bridge', mode: 'bridged', ...attached('bridge', 'br0') })]),
    ];
    const big = host('hv-big', { vms, bridges: [bridge({ name: 'virbr0', uplinks: [] }), bridge()] });
    // When drawn
    const diagram = renderHostMermaid(big);
    // Then one node holds the 300, naming three and counting the rest
    const texts = [...labels(diagram).values()];
    expect(texts).toContain('300 VM NICs (nat)<br/>web000, web001, web002 +297 more');
    expect(texts).toContain('2 VM NICs (bridged)<br/>db1, db2');
    expect(labels(diagram).size).toBeLessThan(10);
    await expect(parseDiagram(diagram)).resolves.toBe('flowchart-v2');
  });

  it('escapes hostile names so they can neither break the label nor the diagram', async () => {
    // Given names with quotes, brackets, arrows, a comment marker, markup and a line break
    const hostile = host('hv-"x"', {
      networks: [network({ name: 'net"] --> evil["pwned', bridge: 'br-<b>#1;' })],
      bridges: [bridge({ name: 'br-<b>#1;', uplinks: ['eth0%%'] })],
      vms: [vm('vm`md`\n%% comment', [nic(attached('network', 'net"] --> evil["pwned'))]), vm('x;y|z{}', [nic({ mode: 'missing', ...attached('bridge', 'gone"') })])],
    });
    // When drawn
    const diagram = renderHostMermaid(hostile);
    // Then Mermaid parses it, no node besides ours exists, and the raw specials appear only escaped
    await expect(parseDiagram(diagram)).resolves.toBe('flowchart-v2');
    expect(diagram).not.toContain('evil["');
    expect([...labels(diagram).keys()].every((id) => /^(nic|net|br|up|dev)\d+$/.test(id))).toBe(true);
    expect(escapeMermaid('a"b#c<d>\ne')).toBe('a#34;b#35;c#60;d#62; e');
  });

  it('marks references to missing networks and bridges', () => {
    const diagram = renderHostMermaid(host('hv1', { vms: [vm('orphan', [nic({ mode: 'missing', ...attached('network', 'gone') })])], networks: [] }));
    expect([...labels(diagram).values()]).toContain('network gone<br/>not defined');
    expect(diagram).toMatch(/class [a-z0-9,]+ problem/);
  });
});

describe('escapeMermaid against invisible and bidi characters', () => {
  // Bidi embeddings, overrides, isolates and marks (Trojan Source), zero-width characters, the word joiner, the
  // BOM, line and paragraph separators, and C0/C1 controls.
  const INVISIBLE = [
    ...[0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c],
    ...[0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0x2028, 0x2029, 0x00ad],
    ...[0x00, 0x07, 0x09, 0x1b, 0x7f, 0x85, 0x9b],
  ];

  /** Every way the label could still carry `code`: raw, or as an entity Mermaid or HTML would decode. */
  function encodings(code: number): RegExp {
    const hex = code.toString(16);
    return new RegExp(`${String.fromCodePoint(code).replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')}|#0*${code};|#x0*${hex};|&#`, 'iu');
  }

  it.each(INVISIBLE.map((code) => [`U+${code.toString(16).padStart(4, '0')}`, code]))('shows %s as a visible escape, in no decodable form', (_name, code) => {
    // Given a name with the character in the middle
    const escaped = escapeMermaid(`vm${String.fromCodePoint(code)}evil`);
    // Then the label has neither the character nor any entity for it, and starts and ends as the name did
    expect(escaped).not.toMatch(encodings(code));
    expect(escaped).toMatch(/^vm.*evil$/);
    expect(escaped).not.toContain(String.fromCodePoint(code));
  });

  it('writes the override as `\\u202e` (escaped backslash), as the Markdown report does', () => {
    expect(escapeMermaid('abc\u202Edef')).toBe('abc#92;u202edef');
    expect(escapeMermaid('a\tb\u001bc')).toBe('a#92;tb#92;x1bc');
  });

  it.each(['#8238;', '#x202e;', '#x202E;', '&#8238;', '&#x202E;', '&#x202e;', '&rlo;', '#35;8238;'])(
    'keeps the text %s from becoming an entity Mermaid or a browser would decode',
    (typed) => {
      const escaped = escapeMermaid(`vm${typed}x`);
      for (const entity of ['#8238;', '#x202e;', '&#8238;', '&#x202e;', '&rlo;', '&#']) expect(escaped.toLowerCase()).not.toContain(entity);
    },
  );

  it('draws hostile labels as typed: Mermaid parses and renders them, and no bidi character reaches the picture', async () => {
    // Given names carrying raw bidi controls and the entities for them typed as text
    const names = ['web\u202Eexe.txt', 'db#8238;01', 'app#x202e;02', 'x&#8238;y', 'z&#x202E;w', 'zw\u200Bsp\u2066ace'];
    const hostile = host('hv-\u202Ebidi', { vms: names.map((name, i) => vm(name, [nic({ mac: `52:54:00:00:00:0${i}`, ...attached('network', `n${i}`) })])) });
    const diagram = renderHostMermaid(hostile);
    // When Mermaid parses and draws it (jsdom has no layout: sizes are stubbed)
    await expect(parseDiagram(diagram)).resolves.toBe('flowchart-v2');
    const drawn = await drawnLabels(diagram);
    // Then the drawn text has no bidi or invisible character, and the typed entities are shown as typed
    const text = drawn.join('\n');
    expect(text).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\u2060\ufeff]/u);
    expect(drawn).toEqual(
      expect.arrayContaining(['web\\u202eexe.txt (nat)', 'db#8238;01 (nat)', 'app#x202e;02 (nat)', 'x&#8238;y (nat)', 'z&#x202E;w (nat)', 'zw\\u200bsp\\u2066ace (nat)']),
    );
    expect(diagram).not.toMatch(/#8238;|#x202e;|\u202e/i);
  });
});

/** Render with Mermaid into jsdom and read back the text of every node label, as a browser would show it. */
async function drawnLabels(diagram: string): Promise<string[]> {
  const proto = window.SVGElement.prototype as unknown as Record<string, unknown>;
  proto.getBBox ??= () => ({ x: 0, y: 0, width: 40, height: 20 });
  proto.getComputedTextLength ??= () => 40;
  const { svg } = await mermaid.render(`drawn${Date.now()}`, diagram);
  const container = document.createElement('div');
  container.innerHTML = svg;
  return [...container.querySelectorAll('.nodeLabel')].map((node) => node.textContent ?? '');
}

describe('renderHostMermaid on a big host', () => {
  it('names 3,000 VMs of one group in one node, each VM once however many NICs it has', () => {
    // Given 3,000 VMs with two NICs each on the default network, and a second VM named vm0
    const vms = Array.from({ length: 3_000 }, (_, i) => vm(`vm${i}`, [nic({ mac: `m${i}a` }), nic({ mac: `m${i}b` })]));
    vms.push(vm('vm0', [nic({ mac: 'dup' })]));
    // When
    const diagram = renderHostMermaid(host('hv-big', { vms }));
    // Then
    const texts = [...labels(diagram).values()];
    expect(texts).toContain('6001 VM NICs (nat)<br/>vm0, vm1, vm2 +2997 more');
    expect(labels(diagram).size).toBeLessThan(10);
  });
});

describe('renderFleetMermaid', () => {
  it('groups hosts by their mix of modes, with unaudited hosts apart, and Mermaid parses it', async () => {
    // Given the demo fleet plus two hosts with the same mix, and one that failed
    const { hosts } = demoFleet();
    const twins = [host('hv-a'), host('hv-b')];
    const report = fleetReport([...hosts, ...twins, failedHost('hv-dead')]);
    // When drawn
    const diagram = renderFleetMermaid(report);
    // Then it parses, one node per mix counts its hosts, and each mix links to its modes
    await expect(parseDiagram(diagram)).resolves.toBe('flowchart-v2');
    const nodes = labels(diagram);
    const natOnly = [...nodes].find(([, text]) => text.startsWith('nat: 3 hosts'));
    expect(natOnly?.[1]).toBe('nat: 3 hosts<br/>hv-nat-01, hv-a, hv-b');
    expect([...nodes.values()]).toContain('not audited: 1 host<br/>hv-dead');
    const natMode = [...nodes].find(([, text]) => text === 'nat')?.[0];
    expect(edges(diagram)).toContainEqual([natOnly?.[0], natMode]);
    expect([...nodes.values()][0]).toBe(`fleet: ${report.hosts.length} hosts`);
  });
});
