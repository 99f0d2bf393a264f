import { describe, expect, it } from 'vitest';
import type { ProbeSection, RawCapture } from '../../../src/model.js';
import { parseCapture, parserForSection } from '../../../src/parse/index.js';
import { commandOfSection } from '../../../src/probe/script.js';
import { EVIL_NAME, fixture, probeCapture } from './fixtures.js';

/** A copy of a real capture with some sections replaced (or removed, with `null`). */
function withSections(capture: RawCapture, changes: Record<string, Partial<ProbeSection> | null>): RawCapture {
  const sections = capture.sections.flatMap((s) => {
    if (!(s.id in changes)) return [s];
    const change = changes[s.id];
    return change === null || change === undefined ? [] : [{ ...s, ...change }];
  });
  return { ...capture, sections };
}

const kinds = (facts: ReturnType<typeof parseCapture>) => facts.warnings.map((w) => `${w.kind} ${w.subject}`);

describe('parseCapture on a whole real probe run', () => {
  const facts = parseCapture(probeCapture('ok'));

  it('has a parser for every section the probe emitted', () => {
    for (const section of probeCapture('ok').sections) expect(parserForSection(section.id), section.id).toBeDefined();
  });

  it('reads every network with its info and XML merged', () => {
    expect(facts.networks).toHaveLength(12);
    expect(facts.networks.find((n) => n.name === 'default')).toMatchObject({
      uuid: '0b1e5c1a-0000-4000-8000-000000000001',
      active: true,
      persistent: true,
      autostart: false,
      bridge: 'virbr0',
      forward: { mode: 'nat' },
    });
    expect(facts.networks.find((n) => n.name === 'lab net; $(id) & <x>')?.bridge).toBe('virbr9');
  });

  it('reads every domain with state from dominfo and interfaces from the XML', () => {
    const byName = new Map(facts.domains.map((d) => [d.name, d]));
    expect([...byName.keys()].sort()).toEqual(['db 02 "quoted" & <x>', 'misc03', 'transient04', 'web01']);
    expect(byName.get('db 02 "quoted" & <x>')).toMatchObject({ id: null, state: 'shut off', persistent: true });
    expect(byName.get('misc03')).toMatchObject({ id: 2, state: 'paused' });
    expect(byName.get('transient04')?.persistent).toBe(false);
    expect(byName.get('web01')?.interfaces).toHaveLength(6);
  });

  it('reads links with addresses, bridges and default routes from the same run', () => {
    expect(facts.links.find((l) => l.name === 'br0')?.addresses.map((a) => a.address)).toEqual(['198.18.10.1', '198.18.10.2']);
    expect(facts.links.some((l) => l.name === EVIL_NAME)).toBe(true);
    expect(facts.bridges.find((b) => b.name === 'br2')).toEqual({ name: 'br2', kind: 'linux', ports: [EVIL_NAME, 'patch1'] });
    expect(facts.defaultRouteDevs).toEqual(['br0', 'eth1', 'br1']);
  });

  it('has no warnings and no libvirt error', () => {
    expect(facts.warnings).toEqual([]);
    expect(facts.libvirtError).toBeNull();
  });
});

describe('parseCapture when something failed on the host', () => {
  it('warns about a missing brctl and reads bridges from bridge -j link and ip instead', () => {
    // Given a real run on a host where brctl is not installed
    const facts = parseCapture(probeCapture('no-brctl'));
    // Then one tool-missing warning, and all bridges are still known (br1 has no ports: only ip sees it)
    expect(kinds(facts)).toEqual(['tool-missing tool brctl']);
    expect(facts.bridges.map((b) => b.name).sort()).toEqual(['br0', 'br1', 'br2', 'br3', 'virbr0']);
    expect(facts.bridges.find((b) => b.name === 'br0')?.ports.sort()).toEqual(['patch0', 'uplink0', 'vnet0']);
  });

  it('keeps a domain that vanished between list and dumpxml as unread, beside the rest of its batch', () => {
    // Given a real run where one listed domain was gone when its batch ran (virsh exit 1)
    const capture = probeCapture('vanished');
    const listed = capture.sections.find((s) => s.id === 'dom-uuids')!.stdout.split('\n');
    const gone = listed.find((u) => !u.startsWith('d0e1a1b2'))!;
    // When parsed
    const facts = parseCapture(capture);
    // Then the batch failure is told, the vanished domain warned about once, and both domains are in the facts
    expect(kinds(facts)).toEqual(['section-failed section dom-batch-0', `object-vanished vm ${gone}`]);
    expect(facts.warnings[0]?.message).toContain(`failed to get domain '${gone}'`);
    expect(facts.domains.map((d) => [d.name, d.unread])).toEqual(
      listed.filter((u) => u !== '').map((u) => (u === gone ? [gone, 'listed by virsh but gone before its XML was read (undefined meanwhile?)'] : ['stays', null])),
    );
    expect(facts.domains.find((d) => d.uuid === gone)).toMatchObject({ state: 'unknown', interfaces: [], persistent: null });
    expect(facts.libvirtError).toBeNull();
  });

  it('reports libvirtd being down as libvirtError (the cause, not "failed to connect"), keeping host facts', () => {
    // Given a real run against a libvirt socket nobody listens on
    const facts = parseCapture(probeCapture('libvirt-down'));
    // Then
    expect(facts.libvirtError).toMatch(/^Failed to connect socket to '.*no-libvirtd\.sock': No such file or directory$/);
    expect(facts.networks).toEqual([]);
    expect(facts.domains).toEqual([]);
    expect(facts.links.length).toBeGreaterThan(0);
    // The listing sections' failures are the libvirt error: not repeated as warnings
    expect(facts.warnings).toEqual([]);
  });

  it('prefers the virsh error over a libxml2 warning printed before it', () => {
    const facts = parseCapture(probeCapture('missing-node-file'));
    expect(facts.libvirtError).toMatch(/^XML error: failed to parse xml document/);
  });

  it('reports a missing virsh as such', () => {
    const ok = probeCapture('ok');
    const tools = ok.sections.find((s) => s.id === 'tools')!.stdout.replace(/^virsh .*$/m, 'virsh -');
    const notFound = { exit: 127, stdout: '', stderr: 'sh: 1: virsh: not found' };
    const facts = parseCapture(withSections(ok, { tools: { stdout: tools }, 'net-uuids': notFound, 'dom-uuids': notFound, 'net-batch-0': null, 'dom-batch-0': null }));
    expect(facts.libvirtError).toBe('virsh not found on the host');
    expect(kinds(facts)).toContain('tool-missing tool virsh');
  });

  it('keeps the networks when only the domain list failed', () => {
    const facts = parseCapture(withSections(probeCapture('ok'), { 'dom-uuids': { exit: 1, stdout: '', stderr: 'error: access denied' }, 'dom-batch-0': null }));
    expect(facts.libvirtError).toBe('access denied');
    expect(facts.networks).toHaveLength(12);
    expect(facts.domains).toEqual([]);
  });
});

describe('parseCapture: one bad section costs that section only', () => {
  it('turns an unparsable section into section-unparsed and keeps every other fact', () => {
    // Given a real run whose ip-link output is garbage
    const facts = parseCapture(withSections(probeCapture('ok'), { 'ip-link': { stdout: '[{"ifindex": 1, "ifn' } }));
    // Then links are lost (no guessing from ip addr), nothing else is
    expect(kinds(facts)).toEqual(['section-unparsed section ip-link']);
    expect(facts.links).toEqual([]);
    expect(facts.networks).toHaveLength(12);
    expect(facts.domains).toHaveLength(4);
    expect(facts.defaultRouteDevs).toEqual(['br0', 'eth1', 'br1']);
    expect(facts.bridges.find((b) => b.name === 'br0')?.ports).toEqual(['patch0', 'uplink0', 'vnet0']);
  });

  it('turns a non-zero exit into section-failed with the first stderr line', () => {
    const facts = parseCapture(withSections(probeCapture('ok'), { 'ip-addr': { exit: 255, stdout: '', stderr: 'Cannot open netlink socket: Permission denied\nmore\n' } }));
    expect(facts.warnings).toEqual([{ kind: 'section-failed', subject: 'section ip-addr', message: 'exit 255: Cannot open netlink socket: Permission denied' }]);
    expect(facts.links.find((l) => l.name === 'br0')?.addresses).toEqual([]);
  });

  it('keeps the network whose XML is unreadable, named from net-info and marked unread', () => {
    // Given a real run where one network's XML is broken
    const ok = probeCapture('ok');
    const batch = ok.sections.find((s) => s.id === 'net-batch-0')!.stdout.replace("<network>\n  <name>routed</name>", '<network>\n  <name>routed</nam');
    // When parsed
    const facts = parseCapture(withSections(ok, { 'net-batch-0': { stdout: batch } }));
    // Then one warning, and the network is still there with what net-info told, its definition unread
    expect(kinds(facts)).toEqual(['object-unparsed network 0b1e5c1a-0000-4000-8000-000000000002']);
    expect(facts.networks).toHaveLength(12);
    const routed = facts.networks.find((n) => n.uuid === '0b1e5c1a-0000-4000-8000-000000000002');
    expect(routed).toMatchObject({ name: 'routed', active: true, forward: null, addresses: [] });
    expect(routed?.unread).toMatch(/^net-dumpxml unreadable: malformed XML/);
    expect(facts.networks.filter((n) => n.unread !== null)).toHaveLength(1);
  });

  it('reports a capture cut off by the output cap, and a section that never finished', () => {
    const ok = probeCapture('ok');
    const cut = withSections({ ...ok, truncated: true }, { 'ip-route': null, brctl: null, 'ip-addr': { exit: null, stdout: '[{"ifindex":1,' } });
    const facts = parseCapture(cut);
    expect(kinds(facts)).toEqual(['output-truncated probe', 'section-failed section ip-addr']);
    expect(facts.warnings[1]?.message).toMatch(/did not finish/);
    expect(facts.defaultRouteDevs).toEqual([]);
  });

  it('reads the oneline fallbacks of an iproute2 without -j to the same links', () => {
    // Given the same run as if ip had no -j: the probe's oneline sections instead of the JSON ones
    const ok = probeCapture('ok');
    const section = (id: string, file: string): ProbeSection => ({ id, command: commandOfSection(id, { libvirtUri: 'test:///x', sudo: false }), exit: 0, stdout: fixture(file), stderr: '' });
    const fallback: RawCapture = {
      ...ok,
      sections: [
        ...ok.sections.filter((s) => !s.id.startsWith('ip-')),
        section('ip-link-oneline', 'ip/ip-link-oneline.txt'),
        section('ip-addr-oneline', 'ip/ip-addr-oneline.txt'),
        section('ip-route-oneline', 'ip/ip-route-oneline.txt'),
      ],
    };
    // When parsed; Then the link facts match those of the JSON run, and the fallback is told once
    const json = parseCapture(ok);
    const facts = parseCapture(fallback);
    const view = (f: typeof facts) => f.links.map((l) => [l.name, l.kind, l.master, l.peerIndex, l.addresses.map((a) => a.address)]);
    expect(kinds(json)).toEqual([]);
    expect(kinds(facts)).toEqual(['tool-missing tool ip -j']);
    expect(facts.warnings[0]?.message).toMatch(/ip -o/);
    expect(view(facts)).toEqual(view(json));
    expect(facts.defaultRouteDevs).toEqual(json.defaultRouteDevs);
  });

  it('does not blame JSON support when ip is missing altogether', () => {
    // Given a host without ip: the tools list says so, and the probe's oneline fallbacks fail with 127
    const ok = probeCapture('ok');
    const tools = ok.sections.find((s) => s.id === 'tools')!;
    const missing = (id: string): ProbeSection => ({ id, command: id, exit: 127, stdout: '', stderr: 'sh: 1: ip: not found' });
    const noIp: RawCapture = {
      ...ok,
      sections: [
        ...ok.sections.filter((s) => !s.id.startsWith('ip-') && s.id !== 'tools'),
        { ...tools, stdout: tools.stdout.replace(/^ip .*$/m, 'ip -') },
        missing('ip-link-oneline'),
      ],
    };
    // When parsed
    const found = kinds(parseCapture(noIp));
    // Then the missing tool is told, and not a missing JSON mode
    expect(found).toContain('tool-missing tool ip');
    expect(found).not.toContain('tool-missing tool ip -j');
  });

  it('never throws, whatever the capture holds', () => {
    const hostile: RawCapture = {
      nonce: '0'.repeat(32),
      truncated: false,
      bytes: 0,
      sections: [
        { id: 'tools', command: '', exit: 0, stdout: 'not a tool list at all\n\n', stderr: '' },
        { id: 'net-uuids', command: '', exit: 0, stdout: 'nope', stderr: '' },
        { id: 'dom-uuids', command: '', exit: 0, stdout: '', stderr: '' },
        { id: 'brctl', command: '', exit: 0, stdout: '\u0000\u0001', stderr: '' },
        { id: 'something-new', command: '', exit: 0, stdout: 'x', stderr: '' },
      ],
    };
    const facts = parseCapture(hostile);
    expect(kinds(facts)).toEqual(['section-unparsed section tools', 'section-unparsed section net-uuids', 'section-unparsed section brctl']);
    expect(facts.libvirtError).toBe('the net-uuids section could not be read');
  });
});

describe('parseCapture on a capture cut off inside a virsh batch', () => {
  it('says the missing domains were cut off, not undefined', () => {
    // Given a real run whose output stopped in the middle of the domain batch
    const ok = probeCapture('ok');
    const batch = ok.sections.find((s) => s.id === 'dom-batch-0')!.stdout;
    const cutAt = batch.indexOf('<name>misc03</name>');
    const cut = withSections({ ...ok, truncated: true }, { 'dom-batch-0': { exit: null, stdout: batch.slice(0, cutAt) } });
    // When parsed
    const facts = parseCapture(cut);
    // Then the domains before the cut are read, the cut one is unreadable, later ones are reported as cut off:
    // all four are in the facts, each unread one warned about once
    const vanished = facts.warnings.filter((w) => w.kind === 'object-vanished');
    expect(facts.domains).toHaveLength(4);
    expect(facts.domains.filter((d) => d.unread === null).map((d) => d.name)).toEqual(['web01']);
    expect(kinds(facts)).toContain('object-unparsed vm d0e1a1b2-0000-4000-8000-000000000003');
    expect(vanished.length).toBe(2);
    expect(vanished.every((w) => /cut off/.test(w.message))).toBe(true);
    const cutOne = facts.domains.find((d) => d.uuid === 'd0e1a1b2-0000-4000-8000-000000000003');
    // dominfo came before the cut: its name and state are known, its interfaces are not
    expect(cutOne).toMatchObject({ name: 'misc03', state: 'paused', interfaces: [] });
    expect(cutOne?.unread).toMatch(/^dumpxml unreadable: /);
    expect(facts.domains.filter((d) => /cut off before its XML/.test(d.unread ?? ''))).toHaveLength(2);
  });
});
