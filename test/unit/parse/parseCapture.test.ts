import { describe, expect, it } from 'vitest';
import type { ProbeSection, RawCapture } from '../../../src/model.js';
import { parseCapture } from '../../../src/parse/index.js';
import { commandOfSection, sectionSpec } from '../../../src/probe/sections.js';
import { EVIL_NAME, fixture, part, probeCapture, withListing } from './fixtures.js';

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
    for (const section of probeCapture('ok').sections) expect(sectionSpec(section.id), section.id).toBeDefined();
  });

  it('reads every network with its states from the listing and its definition from the XML', () => {
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

  it('reads every domain with its state from the listing and its interfaces from the XML', () => {
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

  it('keeps a domain that vanished between the listing and its dumpxml as unread, beside the others', () => {
    // Given a real run where one listed domain was gone when the objects process asked for it
    const capture = probeCapture('vanished');
    const listed = capture.sections.find((s) => s.id === 'libvirt-lists')!.stdout;
    const dumped = capture.sections.find((s) => s.id === 'objects')!.stdout;
    const gone = [...listed.matchAll(/[0-9a-f]{8}-[0-9a-f-]{27}/g)].map((m) => m[0]).find((u) => !u.startsWith('d0e1a1b2') && !u.startsWith('0b1e5c1a') && !dumped.includes(`${u}:xml<`))!;
    // When parsed
    const facts = parseCapture(capture);
    // Then the vanished domain is warned about once, both domains are in the facts, and the objects process
    // (which lived to its end) is not blamed
    expect(kinds(facts)).toEqual([`object-vanished vm ${gone}`]);
    expect(facts.domains.map((d) => [d.name, d.unread])).toEqual(
      facts.domains.map((d) => (d.uuid === gone ? [gone, 'listed by virsh but gone before its XML was read (undefined meanwhile?)'] : ['stays', null])),
    );
    expect(facts.domains).toHaveLength(2);
    expect(facts.domains.find((d) => d.uuid === gone)).toMatchObject({ state: 'running', interfaces: [] });
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
    const stderr = { ...notFound, stderr: '' , stdout: 'sh: 1: virsh: not found' };
    const facts = parseCapture(withSections(ok, { tools: { stdout: tools }, 'libvirt-lists': notFound, 'libvirt-lists-stderr': stderr, 'objects': null }));
    expect(facts.libvirtError).toBe('virsh not found on the host');
    expect(kinds(facts)).toContain('tool-missing tool virsh');
  });

  it('keeps the domains when only the network sets failed (a host whose network daemon is down), and says so', () => {
    // Given a run where every net-list printed an error, each after its own marker on stderr
    const ok = probeCapture('ok');
    const errors = ['net-all', 'net-active', 'net-persistent', 'net-autostart', 'net-live-persistent']
      .map((set) => `error: @@KNA-${ok.nonce}:set:${set} \nerror: failed to list networks\nerror: Failed to connect socket to '/run/libvirt/virtnetworkd-sock': No such file or directory\n`)
      .join('');
    const listing = withListing(ok, { 'net-all': [], 'net-active': [], 'net-persistent': [], 'net-autostart': [], 'net-live-persistent': [] });
    // When parsed
    const facts = parseCapture(withSections(listing, { 'libvirt-lists-stderr': { stdout: errors } }));
    // Then the host has no libvirt error, its domains are read, and each failed set is one warning with the cause
    expect(facts.libvirtError).toBeNull();
    expect(facts.domains).toHaveLength(4);
    expect(facts.networks).toEqual([]);
    expect(kinds(facts)).toEqual([
      'section-failed virsh net-list --all --uuid',
      'section-failed virsh net-list --uuid',
      'section-failed virsh net-list --all --persistent --uuid',
      'section-failed virsh net-list --all --autostart --uuid',
      'section-failed virsh net-list --persistent --uuid',
    ]);
    expect(facts.warnings[0]?.message).toBe("the networks could not be listed: failed to list networks: Failed to connect socket to '/run/libvirt/virtnetworkd-sock': No such file or directory");
  });

  it('makes a state unknown, not false, when its set failed, and reports both lists failing as the libvirt error', () => {
    // Given a run whose net-active listing failed
    const ok = probeCapture('ok');
    const oneFailed = withSections(ok, { 'libvirt-lists-stderr': { stdout: `error: @@KNA-${ok.nonce}:set:net-active \nerror: internal error\n` } });
    // Then every network's activity is unknown, the rest is read
    const facts = parseCapture(oneFailed);
    expect(facts.networks.map((n) => n.active)).toEqual(facts.networks.map(() => null));
    expect(facts.networks.find((n) => n.name === 'default')).toMatchObject({ persistent: true, connections: null });
    expect(kinds(facts)).toEqual(['section-failed virsh net-list --uuid']);
    // And when both object lists fail, that is the host's libvirt error
    const bothFailed = withSections(withListing(ok, { 'net-all': [], 'dom-all': [] }), {
      'libvirt-lists-stderr': { stdout: `error: @@KNA-${ok.nonce}:set:net-all \nerror: access denied\nerror: @@KNA-${ok.nonce}:set:dom-all \nerror: access denied\n` },
    });
    expect(parseCapture(bothFailed).libvirtError).toBe('access denied');
  });

  it('blames every set on an error that cannot be pinned on one (a virsh without echo --err)', () => {
    // Given an old virsh: no stderr markers, its complaint about --err, and one real error
    const ok = probeCapture('ok');
    const errors = "error: command 'echo' doesn't support option --err\n".repeat(3) + 'error: internal error: network driver gone\n';
    const facts = parseCapture(withSections(ok, { 'libvirt-lists-stderr': { stdout: errors } }));
    expect(facts.libvirtError).toBe('internal error: network driver gone');
    // And with no real error, the complaints about --err alone cost nothing
    const quiet = parseCapture(withSections(ok, { 'libvirt-lists-stderr': { stdout: "error: command 'echo' doesn't support option --err\n" } }));
    expect(quiet.warnings).toEqual([]);
    expect(quiet.domains).toHaveLength(4);
  });

  it('says which sets a listing virsh that ended early never printed', () => {
    // Given a listing cut after the domain list (virsh killed: exit 143)
    const ok = probeCapture('ok');
    const listing = ok.sections.find((s) => s.id === 'libvirt-lists')!;
    const cut = listing.stdout.slice(0, listing.stdout.indexOf(`@@KNA-${ok.nonce}:set:dom-running`));
    const facts = parseCapture(withSections(ok, { 'libvirt-lists': { stdout: cut, exit: 143 } }));
    // Then the domains are there with unknown states, and each missing set is told once
    expect(facts.domains).toHaveLength(4);
    expect(facts.domains.every((d) => d.state === 'unknown' && d.persistent === null)).toBe(true);
    expect(kinds(facts)).toContain('section-failed virsh list --all --state-running --uuid');
    expect(facts.warnings.find((w) => w.subject === 'virsh list --all --state-running --uuid')?.message).toBe('which VMs run is unknown: virsh ended before listing it (exit 143)');
  });

  it("reads a state word from domstate for a VM in none of the usual states, and a running VM's persistent interfaces", () => {
    // Given a listing that puts web01 in the "other" set, with its domstate, and a persistent definition beside its live one
    const ok = probeCapture('ok');
    const web01 = 'd0e1a1b2-0000-4000-8000-000000000001';
    const listed = parseCapture(ok).domains.map((d) => d.uuid);
    const live = parseCapture(ok).domains.find((d) => d.uuid === web01)!;
    const persistentXml = `<domain type='test'><name>web01</name><uuid>${web01}</uuid><devices><interface type='bridge'><mac address='52:54:00:00:00:99'/><source bridge='br9'/></interface></devices></domain>`;
    const capture = withListing(
      ok,
      { 'dom-running': [], 'dom-shutoff': listed.filter((u) => u !== web01 && u !== 'd0e1a1b2-0000-4000-8000-000000000003'), 'dom-other': [web01] },
      part(ok, 'dom', web01, 'state', 'in shutdown\n') + part(ok, 'dom', web01, 'inactive', persistentXml),
    );
    // When parsed
    const facts = parseCapture(capture);
    const web = facts.domains.find((d) => d.uuid === web01)!;
    // Then
    expect(web.state).toBe('in shutdown');
    expect(web.interfaces).toEqual(live.interfaces);
    expect(web.persistentInterfaces?.map((n) => [n.mac, n.source.bridge])).toEqual([['52:54:00:00:00:99', 'br9']]);
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

  it('keeps the network whose XML is unreadable, named by its UUID and marked unread', () => {
    // Given a real run where one network's XML is broken
    const ok = probeCapture('ok');
    const batch = ok.sections.find((s) => s.id === 'objects')!.stdout.replace("<network>\n  <name>routed</name>", '<network>\n  <name>routed</nam');
    // When parsed
    const facts = parseCapture(withSections(ok, { 'objects': { stdout: batch } }));
    // Then one warning, and the network is still there with what the listing told, its definition unread
    expect(kinds(facts)).toEqual(['object-unparsed network 0b1e5c1a-0000-4000-8000-000000000002']);
    expect(facts.networks).toHaveLength(12);
    const routed = facts.networks.find((n) => n.uuid === '0b1e5c1a-0000-4000-8000-000000000002');
    expect(routed).toMatchObject({ name: '0b1e5c1a-0000-4000-8000-000000000002', active: true, forward: null, addresses: [] });
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
        { id: 'libvirt-lists-stderr', command: '', exit: 0, stdout: '\u0000', stderr: '' },
        { id: 'libvirt-lists', command: '', exit: 0, stdout: `@@KNA-${'0'.repeat(32)}:set:net-all nope`, stderr: '' },
        { id: 'objects', command: '', exit: 0, stdout: `@@KNA-${'0'.repeat(32)}:dom:x:xml<`, stderr: '' },
        { id: 'brctl', command: '', exit: 0, stdout: '\u0000\u0001', stderr: '' },
        { id: 'something-new', command: '', exit: 0, stdout: 'x', stderr: '' },
      ],
    };
    const facts = parseCapture(hostile);
    expect(kinds(facts)).toEqual(['section-unparsed section tools', 'section-unparsed section libvirt-lists', 'section-unparsed section brctl']);
    expect(facts.libvirtError).toBe('the libvirt-lists section could not be read');
  });
});

describe('parseCapture when the objects virsh dies half-way', () => {
  it('keeps what it printed and reports the rest as unread, saying virsh ended before printing them', () => {
    // Given a real run whose objects virsh was killed (exit 137) after the first domain's XML: no closing marker
    const ok = probeCapture('ok');
    const stdout = ok.sections.find((s) => s.id === 'objects')!.stdout;
    const domainXmls = [...stdout.matchAll(new RegExp(`@@KNA-${ok.nonce}:dom:[0-9a-f-]{36}:xml`, 'g'))].map((m) => m.index);
    const facts = parseCapture(withSections(ok, { objects: { exit: 137, stdout: stdout.slice(0, domainXmls[1]) } }));
    // Then every listed VM is there; the one printed is read, the others unread with why, each warned once
    expect(facts.domains).toHaveLength(4);
    expect(facts.domains.filter((d) => d.unread === null)).toHaveLength(1);
    const unread = facts.domains.filter((d) => d.unread !== null);
    expect(unread.map((d) => d.unread)).toEqual(unread.map(() => 'listed by virsh, but the objects virsh ended before printing it (exit 137)'));
    expect(facts.warnings.filter((w) => w.kind === 'object-vanished')).toHaveLength(3);
  });
});

describe('parseCapture on a capture cut off inside the objects process', () => {
  it('says the missing domains were cut off, not undefined', () => {
    // Given a real run whose output stopped in the middle of the domain dumps
    const ok = probeCapture('ok');
    const batch = ok.sections.find((s) => s.id === 'objects')!.stdout;
    const cutAt = batch.indexOf('<name>misc03</name>');
    const cut = withSections({ ...ok, truncated: true }, { 'objects': { exit: null, stdout: batch.slice(0, cutAt) } });
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
    // The listing came before the cut: its state is known, its name and interfaces are not
    expect(cutOne).toMatchObject({ name: 'd0e1a1b2-0000-4000-8000-000000000003', state: 'paused', interfaces: [] });
    expect(cutOne?.unread).toMatch(/^dumpxml unreadable: /);
    expect(facts.domains.filter((d) => /cut off before its XML/.test(d.unread ?? ''))).toHaveLength(2);
  });
});
