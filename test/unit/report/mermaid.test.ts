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
      vm('db1', [nic({ mac: 'm1', type: 'bridge', mode: 'bridged', via: 'bridge br0' })]),
      vm('db2', [nic({ mac: 'm2', type: 'bridge', mode: 'bridged', via: 'bridge br0' })]),
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
      vms: [vm('vm`md`\n%% comment', [nic({ via: 'network net"] --> evil["pwned' })]), vm('x;y|z{}', [nic({ mode: 'missing', via: 'bridge gone"' })])],
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
    const diagram = renderHostMermaid(host('hv1', { vms: [vm('orphan', [nic({ mode: 'missing', via: 'network gone' })])], networks: [] }));
    expect([...labels(diagram).values()]).toContain('network gone<br/>not defined');
    expect(diagram).toMatch(/class [a-z0-9,]+ problem/);
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
