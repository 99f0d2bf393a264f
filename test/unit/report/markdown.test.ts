import { describe, expect, it } from 'vitest';
import type { FleetReport } from '../../../src/model.js';
import { buildFleetReport, renderMarkdown } from '../../../src/report/index.js';
import { failedHost, host, network, nic, vm } from './sample.js';

const HOSTILE = ['x | <script>alert(1)</script>', '```\n| injected | row |\n```', '[click](https://evil.example)', 'a\\|b', '![img](x)\n# heading', '\x1b[2J'];

function report(hosts = [host('hv01'), failedHost('hv02')], complete = true): FleetReport {
  return buildFleetReport({
    hosts,
    startedAt: new Date('2025-01-01T00:00:00Z'),
    finishedAt: new Date('2025-01-01T00:01:05Z'),
    inventory: 'inventory.yaml',
    concurrency: 4,
    complete,
    version: '0.1.0',
  });
}

/** Split a GFM table row on pipes that are not backslash-escaped. */
function cellsOf(row: string): string[] {
  const cells: string[] = [];
  let current = '';
  for (let i = 0; i < row.length; i++) {
    const char = row[i];
    if (char === '\\') {
      current += char + (row[i + 1] ?? '');
      i++;
    } else if (char === '|') {
      cells.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  cells.push(current);
  // A row starts and ends with a pipe: drop the empty edges.
  return cells.slice(1, -1);
}

/** Every table in the document: the header's cell count and each row's. */
function tables(markdown: string): { header: string[]; rows: string[][] }[] {
  const found: { header: string[]; rows: string[][] }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (/^\|(?:-+:?\|)+$|^\|(?:-{3}:?\|)+$/.test(lines[i + 1] ?? '') && (lines[i] ?? '').startsWith('|')) {
      const rows: string[][] = [];
      let j = i + 2;
      while ((lines[j] ?? '').startsWith('|')) rows.push(cellsOf(lines[j++] ?? ''));
      found.push({ header: cellsOf(lines[i] ?? ''), rows });
      i = j;
    }
  }
  return found;
}

describe('renderMarkdown', () => {
  it('has a title, a run line, a summary, a host table and a section per host', () => {
    const markdown = renderMarkdown(report());
    expect(markdown.startsWith('# kvm-netaudit report\n')).toBe(true);
    expect(markdown).toContain('Run 2025-01-01T00:00:00.000Z → 2025-01-01T00:01:05.000Z (1 min 5 s)');
    expect(markdown).toMatch(/^## Summary$/m);
    expect(markdown).toMatch(/^\| Host \| Status \| Error \| VM NICs \| Modes \| Verdict \|$/m);
    expect(markdown).toMatch(/^## Host hv01$/m);
    expect(markdown).toMatch(/^## Host hv02$/m);
    expect(markdown).toMatch(/^\| Name \| Mode \| Forward \| Bridge \| Addresses \| DHCP \| Active \| Autostart \|$/m);
    expect(markdown).toMatch(/^\| VM \| State \| MAC \| Type \| Source \| Mode \| Via \|$/m);
    expect(markdown).toMatch(/^\| Name \| Kind \| Ports \| Uplinks \|$/m);
    expect(markdown.endsWith('\n')).toBe(true);
  });

  it('shows the fleet counts and NIC modes in the summary', () => {
    const hosts = [host('a', { vms: [vm('v', [nic(), nic({ mode: 'bridged' }), nic({ mode: 'bridged' })])] }), failedHost('b')];
    const markdown = renderMarkdown(report(hosts));
    expect(markdown).toMatch(/^\| 2 \| 1 \| 0 \| 1 \|$/m);
    expect(markdown).toMatch(/^\| nat \| 1 \|$/m);
    expect(markdown).toMatch(/^\| bridged \| 2 \|$/m);
    expect(markdown).toContain('**1 host could not be audited.**');
  });

  it('says loudly that an incomplete run is incomplete', () => {
    expect(renderMarkdown(report(undefined, false))).toMatch(/^> \*\*INCOMPLETE RUN/m);
    expect(renderMarkdown(report(undefined, true))).not.toContain('INCOMPLETE');
  });

  it('joins evidence chains with arrows', () => {
    const markdown = renderMarkdown(report([host('a', { vms: [vm('web', [nic({ evidence: ['vnet3', 'bridge br0', 'uplink bond0 ⇒ bridged'] })])] })]));
    expect(markdown).toContain('vnet3 → bridge br0 → uplink bond0 ⇒ bridged');
  });

  it('keeps every table row at its header column count with hostile names everywhere', () => {
    // Given names, states, messages and evidence from a hostile host
    const hostile = host(HOSTILE[0] ?? '', {
      address: HOSTILE[1] ?? '',
      groups: HOSTILE,
      status: 'partial',
      error: { kind: 'parse', message: HOSTILE.join(' ') },
      networks: HOSTILE.map((name) => network({ name, bridge: name, forward: name, addresses: [name], evidence: [name] })),
      bridges: HOSTILE.map((name) => ({ name, kind: 'linux', ports: [name, name], uplinks: [name], addresses: [] })),
      vms: HOSTILE.map((name) => vm(name, [nic({ mac: name, type: name, source: name, via: name, evidence: [name, name] })], { state: name })),
      verdict: HOSTILE.join(' '),
      warnings: HOSTILE.map((name) => ({ kind: name, subject: name, message: name })),
      findings: HOSTILE.map((name) => ({ rule: name, severity: 'high', subject: name, message: name })),
    });
    // When the report is rendered
    const markdown = renderMarkdown(report([hostile, failedHost('ok-host')]));
    const found = tables(markdown);
    // Then every table (summary, hosts, networks, bridges, interfaces, findings…) keeps its shape
    expect(found.length).toBeGreaterThanOrEqual(7);
    for (const { header, rows } of found) {
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row).toHaveLength(header.length);
    }
    // And the per-host tables have one row per hostile item
    const interfaces = found.find(({ header }) => header[0]?.trim() === 'VM');
    expect(interfaces?.rows).toHaveLength(HOSTILE.length);
  });

  it('lets no host string open HTML, a link, an image, a code fence or a heading', () => {
    const hostile = host(HOSTILE[0] ?? '', {
      vms: HOSTILE.map((name) => vm(name, [nic({ source: name })])),
      warnings: HOSTILE.map((name) => ({ kind: 'x', subject: name, message: name })),
    });
    const markdown = renderMarkdown(report([hostile]));
    expect(markdown).not.toMatch(/(?<!\\)<script/);
    expect(markdown).not.toMatch(/(?<!\\)\]\(/);
    expect(markdown).not.toMatch(/(?<!\\)!(?<!\\)\[/);
    expect(markdown).not.toContain('```');
    expect(markdown).not.toMatch(/^# heading/m);
    expect(markdown).not.toContain('\x1b');
    // The only headings are the renderer's own
    for (const line of markdown.split('\n').filter((l) => l.startsWith('#'))) {
      expect(line).toMatch(/^(# kvm-netaudit report|## (Summary|Hosts|Host .+)|### (Networks|Bridges|VM interfaces|Evidence|Warnings|Findings))$/);
    }
  });

  it('shows a failed host with its error and without empty fact tables', () => {
    const markdown = renderMarkdown(report([failedHost('down')]));
    expect(markdown).toContain('- **Error:** unreachable: connect ECONNREFUSED 198.18.0.9:22');
    expect(markdown).toMatch(/^\| down \| ❌ failed \| unreachable: connect ECONNREFUSED 198\.18\.0\.9:22 \| 0 \| — \|/m);
    expect(markdown).not.toContain('### Networks');
  });
});
