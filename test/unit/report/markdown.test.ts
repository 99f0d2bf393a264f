import { describe, expect, it } from 'vitest';
import type { FleetReport } from '../../../src/model.js';
import { buildFleetReport, renderMarkdown } from '../../../src/report/index.js';
import { attached } from '../helpers/attached.js';
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

/** Prose and tables only: the Mermaid pictures have tests of their own. */
const TEXT_ONLY = { diagrams: false } as const;

describe('renderMarkdown', () => {
  it('has a title, a run line, a summary, a host table and a section per host', () => {
    const markdown = renderMarkdown(report(), TEXT_ONLY);
    expect(markdown.startsWith('# kvm-netaudit report\n')).toBe(true);
    expect(markdown).toContain('Run 2025-01-01T00:00:00.000Z → 2025-01-01T00:01:05.000Z (1 min 5 s)');
    expect(markdown).toMatch(/^## Summary$/m);
    expect(markdown).toMatch(/^\| Host \| Status \| Error \| VM NICs \| Modes \| Verdict \|$/m);
    expect(markdown).toMatch(/^## Host hv01$/m);
    expect(markdown).toMatch(/^## Host hv02$/m);
    expect(markdown).toMatch(
      /^\| Name \| Mode \| Known as \| Forward \| Bridge \| Addresses \| DHCP \| NAT \| Portgroups \| VLAN \| Pool \| Active \| Autostart \| Persistent \|$/m,
    );
    expect(markdown).toMatch(
      /^\| VM \| State \| MAC \| Type \| Source \| Model \| Target \| Link \| Portgroup \| VLAN \| Virtualport \| Mode \| Via \|$/m,
    );
    expect(markdown).toMatch(/^\| Name \| Kind \| Ports \| Uplinks \| Addresses \|$/m);
    expect(markdown).toMatch(/^### How the VMs connect$/m);
    expect(markdown.endsWith('\n')).toBe(true);
  });

  it('shows the fleet counts and NIC modes in the summary', () => {
    const hosts = [host('a', { vms: [vm('v', [nic(), nic({ mode: 'bridged' }), nic({ mode: 'bridged' })])] }), failedHost('b')];
    const markdown = renderMarkdown(report(hosts), TEXT_ONLY);
    expect(markdown).toMatch(/^\| 2 \| 1 \| 0 \| 1 \|$/m);
    expect(markdown).toMatch(/^\| nat \| 1 \|$/m);
    expect(markdown).toMatch(/^\| bridged \| 2 \|$/m);
    expect(markdown).toContain('**1 host could not be audited.**');
  });

  it('says loudly that an incomplete run is incomplete', () => {
    expect(renderMarkdown(report(undefined, false), TEXT_ONLY)).toMatch(/^> \*\*INCOMPLETE RUN/m);
    expect(renderMarkdown(report(undefined, true), TEXT_ONLY)).not.toContain('INCOMPLETE');
  });

  it('joins evidence chains with arrows, the conclusion after a space', () => {
    const evidence = ['web/52:54:00:00:00:01', 'bridge br0', 'uplink bond0 [eno1, eno2]', '⇒ bridged'];
    const markdown = renderMarkdown(report([host('a', { vms: [vm('web', [nic({ mode: 'bridged', type: 'bridge', source: 'br0', ...attached('bridge', 'br0'), evidence })])] })]), TEXT_ONLY);
    expect(markdown).toContain('  - evidence: bridge br0 → uplink bond0 \\[eno1, eno2\\] ⇒ bridged');
    expect(markdown).toContain("- network **default** (nat): forward mode='nat' → bridge virbr0");
  });

  it('keeps every table row at its header column count with hostile names everywhere', () => {
    // Given names, states, messages and evidence from a hostile host
    const hostile = host(HOSTILE[0] ?? '', {
      address: HOSTILE[1] ?? '',
      groups: HOSTILE,
      status: 'partial',
      error: { kind: 'parse', message: HOSTILE.join(' ') },
      networks: HOSTILE.map((name) =>
        network({
          name,
          bridge: name,
          forward: name,
          addresses: [name],
          evidence: [name],
          forwardDev: name,
          nat: { addresses: { start: name, end: `${name}2` }, ports: { start: 1024, end: 65535 }, ipv6: true },
          portgroups: [{ name, default: true, vlanTags: [42], virtualport: name }],
          virtualport: name,
          pool: [name, name],
        }),
      ),
      bridges: HOSTILE.map((name) => ({ name, kind: 'linux', ports: [name, name], uplinks: [name], addresses: [name] })),
      vms: HOSTILE.map((name) =>
        vm(
          name,
          [nic({ mac: name, type: name, source: name, model: name, target: name, linkState: name, portgroup: name, virtualport: name, mode: 'bridged', ...attached('bridge', name), evidence: [name, name] })],
          { state: name, persistent: false },
        ),
      ),
      verdict: HOSTILE.join(' '),
      warnings: HOSTILE.map((name) => ({ kind: name, subject: name, message: name })),
      findings: HOSTILE.map((name) => ({ rule: name, severity: 'high', subject: name, message: name })),
    });
    // When the report is rendered
    const markdown = renderMarkdown(report([hostile, failedHost('ok-host')]), TEXT_ONLY);
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
      networks: HOSTILE.map((name) => network({ name, portgroups: [{ name, default: false, vlanTags: [], virtualport: name }], pool: [name], forwardDev: name })),
      vms: HOSTILE.map((name) => vm(name, [nic({ source: name, portgroup: name, linkState: name, virtualport: name, ...attached('network', name), evidence: [name, name] })])),
      warnings: HOSTILE.map((name) => ({ kind: 'x', subject: name, message: name })),
    });
    const markdown = renderMarkdown(report([hostile]), TEXT_ONLY);
    expect(markdown).not.toMatch(/(?<!\\)<script/);
    expect(markdown).not.toMatch(/(?<!\\)\]\(/);
    expect(markdown).not.toMatch(/(?<!\\)!(?<!\\)\[/);
    expect(markdown).not.toContain('```');
    expect(markdown).not.toMatch(/^# heading/m);
    expect(markdown).not.toContain('\x1b');
    // The only headings are the renderer's own
    for (const line of markdown.split('\n').filter((l) => l.startsWith('#'))) {
      expect(line).toMatch(/^(# kvm-netaudit report|## (Summary|Hosts|Host .+)|### (How the VMs connect|Networks|Bridges|VM interfaces|Evidence|Warnings|Findings))$/);
    }
  });

  it('shows a failed host with its error and without empty fact tables', () => {
    const markdown = renderMarkdown(report([failedHost('down')]), TEXT_ONLY);
    expect(markdown).toContain('- **Error:** unreachable: connect ECONNREFUSED 198.18.0.9:22');
    expect(markdown).toMatch(/^\| down \| ❌ failed \| unreachable: connect ECONNREFUSED 198\.18\.0\.9:22 \| 0 \| — \|/m);
    expect(markdown).not.toContain('### Networks');
  });
});

/** The rows of the first table whose header has `column`, as trimmed cells. */
function tableWith(markdown: string, column: string): { header: string[]; rows: string[][] } {
  const found = tables(markdown).find(({ header }) => header.some((cell) => cell.trim() === column));
  if (!found) throw new Error(`no table with a ${column} column`);
  const trim = (cells: string[]) => cells.map((cell) => cell.trim());
  return { header: trim(found.header), rows: found.rows.map(trim) };
}

/** The cell of `row` under `column`. */
function cell(table: { header: string[] }, row: string[] | undefined, column: string): string | undefined {
  return row?.[table.header.indexOf(column)];
}

/** The "How the VMs connect" block of the first host section. */
function connections(markdown: string): string[] {
  const start = markdown.indexOf('### How the VMs connect\n\n');
  const end = markdown.indexOf('\n\n### Networks', start);
  return markdown.slice(start, end).split('\n').slice(2);
}

const bridged = (mac: string) =>
  nic({ mac, mode: 'bridged', ...attached('bridge', 'br0', { uplinks: ['bond0'] }), source: 'br0', type: 'bridge', evidence: [`x/${mac}`, 'bridge br0', 'uplink bond0 [eno1, eno2]', '⇒ bridged'] });
const natted = (mac: string) => nic({ mac, evidence: [`x/${mac}`, 'network default (forward nat)', 'bridge virbr0', '⇒ nat'] });
const mac = (n: number) => `52:54:00:00:${String(Math.floor(n / 100)).padStart(2, '0')}:${String(n % 100).padStart(2, '0')}`;
const lanBridges = [
  { name: 'br0', kind: 'linux' as const, ports: ['bond0', 'vnet1'], uplinks: ['bond0'], addresses: [] },
  { name: 'virbr0', kind: 'linux' as const, ports: [], uplinks: [], addresses: ['192.168.122.1/24'] },
];

describe('renderMarkdown: how the VMs connect', () => {
  it('groups NICs by path, largest first, each with its uplinks and one shared evidence chain', () => {
    // Given three NICs bridged through br0 (uplink bond0) and one on the NAT network
    const hv = host('hv01', {
      bridges: lanBridges,
      vms: [vm('web01', [bridged(mac(1)), natted(mac(2))]), vm('web02', [bridged(mac(3))]), vm('db01', [bridged(mac(4))])],
    });
    // When rendered
    const lines = connections(renderMarkdown(report([hv]), TEXT_ONLY));
    // Then one line per path, the bigger first, naming every NIC on it, each followed by its evidence
    expect(lines).toEqual([
      `- **bridged** (Bridge device 'br0') via bridge br0 (uplink bond0) — 3 NICs: web01 (${mac(1)}), web02 (${mac(3)}), db01 (${mac(4)})`,
      '  - evidence: bridge br0 → uplink bond0 \\[eno1, eno2\\] ⇒ bridged',
      `- **nat** (Virtual network 'default': NAT) via network default (bridge virbr0) — 1 NIC: web01 (${mac(2)})`,
      '  - evidence: network default (forward nat) → bridge virbr0 ⇒ nat',
    ]);
  });

  it('keeps a 300-VM host readable: a few NICs named per path, the rest counted, the NIC table complete', () => {
    // Given 300 bridged VMs and 20 on NAT
    const vms = [
      ...Array.from({ length: 300 }, (_, i) => vm(`web${i}`, [bridged(mac(i))])),
      ...Array.from({ length: 20 }, (_, i) => vm(`app${i}`, [natted(mac(500 + i))])),
    ];
    // When rendered
    const markdown = renderMarkdown(report([host('big', { bridges: lanBridges, vms })]), TEXT_ONLY);
    const lines = connections(markdown);
    // Then the summary is two paths with two evidence lines, counting what it does not name
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^- \*\*bridged\*\* \(Bridge device 'br0'\) via bridge br0 \(uplink bond0\) — 300 NICs: web0 \(.*\) and 292 more$/);
    expect(lines[0]?.match(/\(52:54/g)).toHaveLength(8);
    expect(lines[2]).toMatch(/— 20 NICs: .* and 12 more$/);
    expect(markdown.match(/evidence: /g)).toHaveLength(2);
    // And the per-NIC table still has every NIC
    expect(tableWith(markdown, 'Virtualport').rows).toHaveLength(320);
  });

  it("names each path as virt-manager does, and keeps apart NICs that share a bridge but not a network", () => {
    // Given two networks on one host bridge, whose NICs' evidence reads the same after the network step
    const onNetwork = (name: string, id: string) =>
      nic({ mac: id, source: name, mode: 'bridged', ...attached('network', name, { bridge: 'br0', uplinks: ['bond0'] }), evidence: [`x/${id}`, 'bridge br0', '⇒ bridged'] });
    const hv = host('hv', {
      networks: [network({ name: 'lan-a', forward: 'bridge', mode: 'bridged', bridge: 'br0', nat: null }), network({ name: 'lan-b', forward: 'bridge', mode: 'bridged', bridge: 'br0', nat: null })],
      bridges: lanBridges,
      vms: [vm('a', [onNetwork('lan-a', 'm1')]), vm('b', [onNetwork('lan-b', 'm2')])],
    });
    const lines = connections(renderMarkdown(report([hv]), TEXT_ONLY)).filter((line) => line.startsWith('- '));
    expect(lines).toEqual([
      "- **bridged** (Virtual network 'lan-a': Bridge network) via network lan-a (bridge br0; uplink bond0) — 1 NIC: a (m1)",
      "- **bridged** (Virtual network 'lan-b': Bridge network) via network lan-b (bridge br0; uplink bond0) — 1 NIC: b (m2)",
    ]);
  });

  it('counts the paths beyond the first twenty instead of listing them', () => {
    const vms = Array.from({ length: 25 }, (_, i) =>
      vm(`vm${i}`, [nic({ mode: 'host-only', type: 'bridge', source: `b${i}`, ...attached('bridge', `b${i}`), evidence: [`vm${i}/x`, `bridge b${i}`, 'no uplink (no ports)', '⇒ host-only'] })]),
    );
    const lines = connections(renderMarkdown(report([host('many', { vms })]), TEXT_ONLY));
    expect(lines.filter((line) => line.startsWith('- **host-only**'))).toHaveLength(20);
    expect(lines.at(-1)).toBe('- … and 5 more paths with 5 NICs: see VM interfaces below');
  });

  it('names the VMs that have no network interface', () => {
    const lines = connections(renderMarkdown(report([host('hv', { vms: [vm('web', [natted(mac(1))]), vm('batch', []), vm('tpl', [])] })]), TEXT_ONLY));
    expect(lines.at(-1)).toBe('- 2 VMs have no network interface: batch, tpl');
  });

  it('escapes host strings in the summary', () => {
    const evil = '[x](https://evil.example) | <b>';
    const hv = host('hv', { vms: [vm(evil, [nic({ mac: evil, type: 'bridge', source: evil, ...attached('bridge', evil), mode: 'host-only', evidence: [evil, `bridge ${evil}`, '⇒ host-only'] })])] });
    const lines = connections(renderMarkdown(report([hv]), TEXT_ONLY));
    expect(lines.join('\n')).not.toMatch(/(?<!\\)[[\]<>|]/);
    expect(lines[0]).toContain('via bridge \\[x\\]');
    // And the name in virt-manager's words carries the name escaped too
    expect(lines[0]).toContain("(Bridge device '\\[x\\](https\\://evil.example) \\| \\<b\\>')");
  });
});

describe('renderMarkdown: network, bridge and interface details', () => {
  it('shows forward device, NAT, portgroups, VLAN tags, pool and persistence of each network', () => {
    // Given a NAT network with every detail, and a transient macvtap network with a device pool
    const nat = network({
      forwardDev: 'eth1',
      nat: { addresses: { start: '203.0.113.10', end: '203.0.113.20' }, ports: { start: 1024, end: 65535 }, ipv6: true },
      portgroups: [
        { name: 'web', default: true, vlanTags: [42], virtualport: null },
        { name: 'db', default: false, vlanTags: [43, 44], virtualport: '802.1Qbg' },
      ],
      vlanTags: [7],
    });
    const pool = network({
      name: 'dmz',
      forward: 'vepa',
      mode: 'macvtap',
      bridge: null,
      nat: null,
      pool: ['eno3', 'eno4'],
      persistent: false,
      virtualport: '802.1Qbg',
      addresses: ['2001:db8::1/64'],
      dhcp: [],
    });
    // When rendered
    const networks = tableWith(renderMarkdown(report([host('hv', { networks: [nat, pool] })]), TEXT_ONLY), 'Portgroups');
    const [natRow, poolRow] = networks.rows;
    // Then
    expect(cell(networks, natRow, 'Forward')).toBe('nat, dev eth1');
    expect([cell(networks, natRow, 'Known as'), cell(networks, poolRow, 'Known as')]).toEqual(['NAT', 'Vepa network']);
    expect(cell(networks, natRow, 'NAT')).toBe('addresses 203.0.113.10–203.0.113.20, ports 1024–65535, IPv6 too');
    expect(cell(networks, natRow, 'Portgroups')).toBe('web (default, VLAN 42), db (VLAN 43, 44, 802.1Qbg)');
    expect(cell(networks, natRow, 'VLAN')).toBe('7');
    expect(cell(networks, natRow, 'Persistent')).toBe('yes');
    expect(cell(networks, poolRow, 'Forward')).toBe('vepa, virtualport 802.1Qbg');
    expect(cell(networks, poolRow, 'NAT')).toBe('—');
    expect(cell(networks, poolRow, 'Pool')).toBe('eno3, eno4');
    expect(cell(networks, poolRow, 'Addresses')).toBe('2001:db8::1/64');
    expect(cell(networks, poolRow, 'Persistent')).toBe('no');
  });

  it('says a NAT network with no <nat> settings uses the defaults, IPv4 only', () => {
    const networks = tableWith(renderMarkdown(report([host('hv')]), TEXT_ONLY), 'NAT');
    expect(cell(networks, networks.rows[0], 'NAT')).toBe('IPv4 only');
  });

  it('shows link state, portgroup, VLAN tags, virtualport, model and target per NIC, and marks transient VMs', () => {
    const nics = [
      nic({ mac: mac(1), linkState: 'down', portgroup: 'web', vlanTags: [42, 43], virtualport: 'openvswitch', model: 'e1000', target: 'vnet7' }),
      nic({ mac: mac(2) }),
    ];
    const markdown = renderMarkdown(report([host('hv', { vms: [vm('web01', nics, { persistent: false }), vm('db01', [], { state: 'shut off' })] })]), TEXT_ONLY);
    const table = tableWith(markdown, 'Virtualport');
    const [down, plain, empty] = table.rows;
    expect([cell(table, down, 'Link'), cell(table, down, 'Portgroup'), cell(table, down, 'VLAN'), cell(table, down, 'Virtualport')]).toEqual([
      '**down**',
      'web',
      '42, 43',
      'openvswitch',
    ]);
    expect([cell(table, down, 'Model'), cell(table, down, 'Target'), cell(table, down, 'State')]).toEqual(['e1000', 'vnet7', 'running, transient']);
    expect([cell(table, plain, 'Link'), cell(table, plain, 'Portgroup'), cell(table, plain, 'VLAN')]).toEqual(['up', '—', '—']);
    expect([cell(table, empty, 'State'), cell(table, empty, 'Mode')]).toEqual(['shut off', '_no interfaces_']);
  });

  it('collapses a busy bridge port list and shows bridge addresses', () => {
    const ports = ['bond0', ...Array.from({ length: 40 }, (_, i) => `vnet${i}`)];
    const markdown = renderMarkdown(report([host('hv', { bridges: [{ name: 'br0', kind: 'linux', ports, uplinks: ['bond0'], addresses: ['198.18.0.2/24'] }] })]), TEXT_ONLY);
    const bridges = tableWith(markdown, 'Uplinks');
    expect(cell(bridges, bridges.rows[0], 'Ports')).toBe('bond0, vnet0, vnet1, vnet2, vnet3, vnet4, vnet5, vnet6, vnet7, vnet8, vnet9, vnet10 and 29 more');
    expect(cell(bridges, bridges.rows[0], 'Addresses')).toBe('198.18.0.2/24');
  });

  it('lists warnings grouped by kind, collapsing a kind past twenty', () => {
    const warnings = [
      ...Array.from({ length: 30 }, (_, i) => ({ kind: 'uplink-down', subject: `link eno${i}`, message: `eno${i} has no carrier (operstate DOWN)` })),
      { kind: 'tool-missing', subject: 'tool brctl', message: 'brctl not found on the host' },
      { kind: 'uplink-down', subject: 'link late', message: 'late has no carrier' },
    ];
    const markdown = renderMarkdown(report([host('hv', { warnings })]), TEXT_ONLY);
    const block = markdown.slice(markdown.indexOf('### Warnings'), markdown.indexOf('### Findings')).trim().split('\n').slice(2);
    expect(block).toHaveLength(22);
    expect(block[0]).toBe('- **uplink-down** link eno0: eno0 has no carrier (operstate DOWN)');
    expect(block[20]).toBe('- … and 11 more **uplink-down** warnings (all are in report.json)');
    expect(block[21]).toBe('- **tool-missing** tool brctl: brctl not found on the host');
  });
});

describe('renderMarkdown: pictures, compliance and drift', () => {
  it('draws the fleet by mode mix and each host topology as Mermaid blocks, and nothing else opens a fence', () => {
    const hostile = host('x ``` | <b>', { vms: [vm('```js', [nic({ source: '```', ...attached('network', '```') })])] });
    const markdown = renderMarkdown(report([hostile, host('plain')]));
    const fences = markdown.split('\n').filter((line) => line.startsWith('```'));
    // one fleet picture and one per host, each opened with ```mermaid and closed with ```
    expect(fences).toEqual(['```mermaid', '```', '```mermaid', '```', '```mermaid', '```']);
    expect(markdown.match(/^flowchart LR$/gm)).toHaveLength(3);
  });

  it('adds a compliance section and a drift section when given', () => {
    const evaluation = {
      rules: [{ id: 'no-bridged', description: 'no bridged guests', severity: 'high' as const, subject: 'vm-interface' as const, origin: 'p.yaml:3' }],
      findings: new Map(),
      waived: [],
      expiredWaivers: [],
      unusedWaivers: [],
      checks: [
        {
          host: 'hv',
          rule: 'no-bridged',
          severity: 'high' as const,
          subject: 'vm web 52:54:00:00:00:01',
          status: 'fail' as const,
          finding: { rule: 'no-bridged', severity: 'high' as const, subject: 'vm web 52:54:00:00:00:01', message: 'mode is bridged', status: 'fail' as const, evidence: ['web', 'bridge br0', '⇒ bridged'] },
          reason: null,
        },
      ],
    };
    const markdown = renderMarkdown(report([host('hv')]), { compliance: { evaluation, sources: ['p.yaml'] }, diagrams: false });
    expect(markdown).toContain('## Compliance');
    expect(markdown).toMatch(/\| `no-bridged` no bridged guests \| high \| ❌ 1 \|/);
    expect(markdown).toContain('- **high** `no-bridged` on **hv** vm web 52:54:00:00:00:01: mode is bridged\n  - evidence: web → bridge br0 ⇒ bridged');
  });
});

describe('renderMarkdown: VMs and networks that could not be read', () => {
  const CUT_OFF = 'listed by virsh, but the probe output was cut off before its XML';
  const unreadNetwork = () =>
    network({ name: 'lost', forward: 'unknown', mode: 'unknown', nat: null, addresses: [], dhcp: [], unread: 'net-dumpxml unreadable: <!DOCTYPE | refused>' });

  it('counts unread VMs and networks in the summary, which the NIC modes cannot show', () => {
    // Given a host with one unread VM (no NICs to count) and one unread network
    const hv = host('hv', { networks: [network(), unreadNetwork()], vms: [vm('web', [nic()]), vm('db', [], { unread: CUT_OFF })] });
    // When rendered
    const markdown = renderMarkdown(report([hv]), TEXT_ONLY);
    // Then the summary says so before the mode table
    const summary = markdown.slice(markdown.indexOf('## Summary'), markdown.indexOf('## Hosts'));
    expect(summary).toContain("**1 VM and 1 network could not be read:** their networking is unknown and is not counted below (see each host's section).");
  });

  it('shows an unread VM with its state and why, never as a VM without interfaces', () => {
    // Given a VM whose XML was refused, with a hostile reason, beside one without NICs
    const why = 'dumpxml unreadable: <script>|x|</script>';
    const hv = host('hv', { vms: [vm('db01', [], { state: 'paused', unread: why }), vm('tpl', [])] });
    // When rendered
    const markdown = renderMarkdown(report([hv]), TEXT_ONLY);
    // Then the NIC table has one row for it, its state, mode unknown and the escaped reason
    const table = tableWith(markdown, 'Virtualport');
    const [unread, bare] = table.rows;
    expect([cell(table, unread, 'VM'), cell(table, unread, 'State'), cell(table, unread, 'Mode'), cell(table, unread, 'Via')]).toEqual([
      'db01',
      'paused',
      '**unknown**',
      '**not read:** dumpxml unreadable: \\<script\\>\\|x\\|\\</script\\>',
    ]);
    expect(cell(table, bare, 'Mode')).toBe('_no interfaces_');
    // And "How the VMs connect" names it apart from the VMs that truly have no interface
    const lines = connections(markdown);
    expect(lines).toEqual([
      '- **1 VM could not be read** (networking unknown): db01 (paused; not read: dumpxml unreadable: \\<script\\>\\|x\\|\\</script\\>)',
      '- 1 VM has no network interface: tpl',
    ]);
  });

  it('shows an unread network as unknown, with why in its Forward cell', () => {
    const markdown = renderMarkdown(report([host('hv', { networks: [unreadNetwork()] })]), TEXT_ONLY);
    const networks = tableWith(markdown, 'Portgroups');
    expect([cell(networks, networks.rows[0], 'Mode'), cell(networks, networks.rows[0], 'Forward')]).toEqual([
      'unknown',
      'unknown (**not read:** net-dumpxml unreadable: \\<\\!DOCTYPE \\| refused\\>)',
    ]);
    expect(markdown).toContain('**1 network could not be read** (mode unknown): the Forward column says why.');
  });
});
