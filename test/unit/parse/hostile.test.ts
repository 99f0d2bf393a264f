/**
 * A host's output is hostile until parsed: huge lists, definitions that cannot be read, names full of control
 * characters. None of it may cost the host its report, hide a VM, or stall the run.
 */
import { describe, expect, it } from 'vitest';
import type { ProbeSection, RawCapture } from '../../../src/model.js';
import { compactDomainXml, elementSpans, parseDomainXml } from '../../../src/parse/domainXml.js';
import { MAX_LINKS, MAX_OBJECTS_PER_KIND, mergeBridges, mergeLinks, parseCapture, parseIpLink, parseIpLinkOneline } from '../../../src/parse/index.js';
import { part, probeCapture, withListing } from './fixtures.js';

const ok = probeCapture('ok');
const uuidOf = (i: number) => `f0e1a1b2-0000-4000-8000-${i.toString(16).padStart(12, '0')}`; // none of them the fixture's own
const section = (id: string, stdout: string, exit: number | null = 0): ProbeSection => ({ id, command: id, exit, stdout, stderr: '' });

/** The real capture, listing these domains (shut off, but those named running) and dumping `objects`. */
function withDomains(uuids: string[], objects: string, running: string[] = []): RawCapture {
  const shutoff = uuids.filter((uuid) => !running.includes(uuid));
  return withListing(ok, { 'dom-all': uuids, 'dom-running': running, 'dom-shutoff': shutoff, 'dom-paused': [], 'dom-other': [] }, objects);
}

function domainXml(name: string, uuid: string): string {
  return `<domain type='kvm'>\n  <name>${name}</name>\n  <uuid>${uuid}</uuid>\n  <devices>\n    <interface type='network'>\n      <source network='default'/>\n    </interface>\n  </devices>\n</domain>\n`;
}

const domainPart = (name: string, uuid: string, xml = domainXml(name, uuid)) => part(ok, 'dom', uuid, 'xml', xml);

const BILLION_LAUGHS = [
  '<?xml version="1.0"?>',
  '<!DOCTYPE domain [',
  '  <!ENTITY lol "lol">',
  ...Array.from({ length: 9 }, (_, i) => `  <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
  ']>',
  "<domain type='kvm'><name>&lol9;</name><uuid>u</uuid><devices/></domain>",
].join('\n');

describe('a host that lists more objects than the cap', () => {
  it('assembles only the first 10,000 of 40,000 listed VMs, each once, and says so', () => {
    // Given a host listing 40,000 domains, every UUID twice, and dumping only the first three
    const listed = Array.from({ length: 40_000 }, (_, i) => uuidOf(i));
    const batch = listed.slice(0, 3).map((uuid, i) => domainPart(`web-${i}`, uuid)).join('');
    // When parsed
    const facts = parseCapture(withDomains([...listed, ...listed], batch));
    // Then the first 10,000 in listed order are there exactly once: three read, the rest kept as unread
    expect(MAX_OBJECTS_PER_KIND).toBe(10_000);
    expect(facts.domains.map((d) => d.uuid)).toEqual(listed.slice(0, 10_000));
    expect(facts.domains.slice(0, 3).map((d) => [d.name, d.unread])).toEqual([
      ['web-0', null],
      ['web-1', null],
      ['web-2', null],
    ]);
    expect(facts.domains.slice(3).every((d) => d.name === d.uuid && d.state === 'shut off' && d.unread !== null)).toBe(true);
    // And one object-cap warning names the cap and how many were listed; one object-vanished per unread VM
    const capped = facts.warnings.filter((w) => w.kind === 'object-cap');
    expect(capped).toEqual([{ kind: 'object-cap', subject: 'vm list', message: expect.stringMatching(/^40000 VMs listed by virsh; only the first 10000 /) }]);
    expect(facts.warnings.filter((w) => w.kind === 'object-vanished')).toHaveLength(10_000 - 3);
    expect(facts.warnings).toHaveLength(1 + 10_000 - 3);
  });

  it('caps the network list the same way, naming it `network list`', () => {
    // Given 10,001 listed networks and none of them dumped
    const listed = Array.from({ length: MAX_OBJECTS_PER_KIND + 1 }, (_, i) => uuidOf(i));
    const facts = parseCapture(withListing(ok, { 'net-all': listed }));
    // Then 10,000 networks, none of them guessed isolated: their definitions are unread
    expect(facts.networks).toHaveLength(MAX_OBJECTS_PER_KIND);
    expect(facts.networks.every((n) => n.forward === null && n.unread !== null)).toBe(true);
    expect(facts.warnings.filter((w) => w.kind === 'object-cap').map((w) => w.subject)).toEqual(['network list']);
  });
});

describe('a VM whose definition cannot be read stays in the facts', () => {
  it('keeps a VM whose XML is a billion-laughs bomb, refused, named by its UUID, with its state from the listing', () => {
    // Given a domain whose dumpxml declares nested entities, beside a normal one
    const bomb = uuidOf(1);
    const fine = uuidOf(2);
    const batch = domainPart('bomb', bomb, BILLION_LAUGHS) + domainPart('fine', fine);
    // When parsed
    const facts = parseCapture(withDomains([bomb, fine], batch, [bomb]));
    // Then both VMs are there; the bomb is unread, with the reason, and warned about once
    expect(facts.domains.map((d) => [d.name, d.state, d.unread])).toEqual([
      [bomb, 'running', 'dumpxml unreadable: XML with a DOCTYPE or ENTITY declaration is refused'],
      ['fine', 'shut off', null],
    ]);
    expect(facts.domains[0]?.interfaces).toEqual([]);
    expect(facts.warnings).toEqual([
      { kind: 'object-unparsed', subject: `vm ${bomb}`, message: 'dumpxml unreadable: XML with a DOCTYPE or ENTITY declaration is refused' },
    ]);
  });

  it('refuses a DOCTYPE anywhere in a domain document, also where the compact path would not look', () => {
    // Given a domain laid out as virsh writes it, with a DOCTYPE between <uuid> and <devices>
    const xml = domainXml('sneaky', 'u').replace('  <devices>', '  <!DOCTYPE x [<!ENTITY a "b">]>\n  <devices>');
    // When parsed; Then it is refused
    expect(() => parseDomainXml(xml)).toThrow(/DOCTYPE or ENTITY declaration is refused/);
  });

  it('keeps a VM whose XML was cut off after </devices> as unread, not as a VM with those NICs', () => {
    // Given a domain XML that stops before its closing </domain>
    const cut = uuidOf(1);
    const xml = domainXml('cut', cut).replace('</domain>\n', '');
    // When parsed
    const facts = parseCapture(withDomains([cut], domainPart('cut', cut, xml)));
    // Then the VM is there, unread, and says the XML is malformed
    expect(compactDomainXml(xml)).toBeNull();
    expect(facts.domains).toHaveLength(1);
    expect(facts.domains[0]).toMatchObject({ name: cut, uuid: cut, interfaces: [], unread: expect.stringMatching(/^dumpxml unreadable: malformed XML/) });
    expect(facts.warnings.map((w) => `${w.kind} ${w.subject}`)).toEqual([`object-unparsed vm ${cut}`]);
  });

  it('names an unread VM by its UUID, and its state unknown when no state set lists it', () => {
    // Given a listed domain whose XML was cut off, and that no state set lists
    const lost = uuidOf(7);
    const capture = withListing(ok, { 'dom-all': [lost], 'dom-running': [], 'dom-paused': [], 'dom-shutoff': [], 'dom-other': [], 'dom-persistent': [] }, part(ok, 'dom', lost, 'xml', '<domain><name>lo'));
    // When parsed
    const facts = parseCapture(capture);
    // Then it is kept under its UUID with an unknown state, and warned about once
    expect(facts.domains).toEqual([
      {
        name: lost,
        uuid: lost,
        id: null,
        state: 'unknown',
        persistent: false,
        autostart: false,
        interfaces: [],
        persistentInterfaces: null,
        unread: expect.stringMatching(/^dumpxml unreadable: /),
      },
    ]);
    expect(facts.warnings.map((w) => w.kind)).toEqual(['object-unparsed']);
  });
});

describe('the compact reading of domain XML', () => {
  /** The regex the compact path used before: the reference for what it must find. */
  const reference = (text: string, tag: string) =>
    [...text.matchAll(new RegExp(`<${tag}\\b[^>]*\\/>|<${tag}\\b[^>]*>[\\s\\S]*?<\\/${tag}>`, 'g'))].map((m) => [m.index, m.index + m[0].length]);

  it('finds the same elements as the regex it replaces, unclosed and self-closing ones mixed', () => {
    const texts = [
      "<interface type='a'><source/></interface><interfaces/><interface type='b'/>",
      "<interface type='a'><interface type='b'/><interface type='c'>x</interface>",
      "<interface type='open'>never closed<interface type='user'/> <interface/>",
      "<interface type='x'>a</interface></interface><interface>b</interface>",
      '<interface',
      "<interface_x/><interface\n type='nl'/>",
    ];
    for (const text of texts) expect(elementSpans(text, 'interface')).toEqual(reference(text, 'interface'));
  });

  it('reads past 50,000 unclosed <interface> tags to the real ones', () => {
    // Given a devices block of unclosed tags followed by one real interface (the old regex rescanned it per tag)
    const xml = `<domain type='kvm'><name>x</name><uuid>u</uuid><devices>${"<interface type='bridge'>".repeat(50_000)}<interface type='user'/></devices></domain>`;
    // When parsed; Then only the complete interface is read
    expect(elementSpans(xml, 'interface')).toEqual([[xml.lastIndexOf('<interface'), xml.indexOf('</devices>')]]);
    expect(parseDomainXml(xml).interfaces.map((i) => i.type)).toEqual(['user']);
  });
});

describe('ip output with hostile names', () => {
  const link = (index: number, name: string, extra = '') => `{"ifindex":${index},"ifname":"${name}","flags":["UP"],"link_type":"ether"${extra}}`;

  it('keeps names with ESC, bidi controls, raw control characters and U+FFFD, and caps the links at 20,000', () => {
    // Given ip -j output with invalid UTF-8 (decoded to U+FFFD), raw control characters inside strings, and
    // more links than the cap
    const invalidUtf8 = Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe]).toString('utf8');
    const hostile = ['evil\u001b[31m', 'rtl\u202egnp.exe', invalidUtf8, 'nul\u0000cr\r', 'nl\nx'];
    const filler = Array.from({ length: MAX_LINKS }, (_, i) => link(100 + i, `tap${i}`));
    const json = `[${[...hostile.map((name, i) => link(i + 1, name)), ...filler].join(',')}]`;
    const rest = ok.sections.filter((s) => s.id !== 'ip-link' && s.id !== 'ip-addr');
    // When parsed
    const facts = parseCapture({ ...ok, sections: [...rest, section('ip-link', json)] });
    // Then the names are kept as written, the first 20,000 links only, and the cap is told
    expect(invalidUtf8).toBe('bad\ufffd\ufffd');
    expect(facts.links.slice(0, 5).map((l) => l.name)).toEqual(hostile);
    expect(facts.links).toHaveLength(MAX_LINKS);
    expect(facts.links.at(-1)?.name).toBe(`tap${MAX_LINKS - hostile.length - 1}`);
    expect(facts.warnings).toEqual([
      { kind: 'object-cap', subject: 'link list', message: expect.stringMatching(/^20005 links listed by ip; only the first 20000 /) },
    ]);
  });

  it('costs only the ip-link section when its output is not JSON at all', () => {
    // Given ip -j link output that is binary noise
    const rest = ok.sections.filter((s) => s.id !== 'ip-link');
    const facts = parseCapture({ ...ok, sections: [...rest, section('ip-link', '\u001b[2J\ufffd\u0000[{"ifindex"')] });
    // Then that section is unparsed, the VMs and networks are all still read
    expect(facts.warnings.map((w) => `${w.kind} ${w.subject}`)).toEqual(['section-unparsed section ip-link']);
    expect(facts.domains.every((d) => d.unread === null)).toBe(true);
    expect(facts.domains).toHaveLength(4);
  });

  it('reads two VLANs that name each other as lower device (a loop), without following it', () => {
    // Given vlan100 on vlan200 and vlan200 on vlan100, as a hostile or broken host may print them
    const vlan = (index: number, name: string, lower: string, id: number) =>
      link(index, name, `,"link":"${lower}","linkinfo":{"info_kind":"vlan","info_data":{"protocol":"802.1Q","id":${id}}}`);
    const json = `[${vlan(5, 'vlan100', 'vlan200', 100)},${vlan(6, 'vlan200', 'vlan100', 200)}]`;
    // When parsed
    const links = parseIpLink(json);
    // Then each names the other, by name and index
    expect(links.map((l) => [l.name, l.kind, l.vlanId, l.lower, l.peerIndex])).toEqual([
      ['vlan100', 'vlan', 100, 'vlan200', 6],
      ['vlan200', 'vlan', 200, 'vlan100', 5],
    ]);
  });

  it('gives an address list to one link only when several links claim the same ifindex', () => {
    // Given three links printed with ifindex 7, and one ip addr entry for index 7
    const links = parseIpLink(`[${link(7, 'a')},${link(7, 'b')},${link(7, 'c')}]`);
    const addresses = [{ index: 7, name: 'a', addresses: [{ family: 'ipv4' as const, address: '192.0.2.1', prefix: 24 }] }];
    // When merged; Then the first link has the address, the others do not get a copy
    expect(mergeLinks(links, addresses).map((l) => l.addresses.length)).toEqual([1, 0, 0]);
  });

  it('reads a oneline label made of thousands of @ as one name', () => {
    // Given a link whose label is 5,000 `a@` pairs, beside a normal link
    const label = `${'a@'.repeat(5_000)}b`;
    const text = `1: lo: <LOOPBACK,UP> mtu 65536 state UNKNOWN\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n2: ${label}: <UP> mtu 1500 state UP\\    link/ether 52:54:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n`;
    // When parsed; Then the label is the name (no link is named after any of its parts)
    expect(parseIpLinkOneline(text).map((l) => [l.name, l.lower])).toEqual([
      ['lo', null],
      [label, null],
    ]);
  });
});

describe('bridges seen by two tools', () => {
  it('lists a port once when brctl and ip both show it, even when brctl repeats it', () => {
    const tool = [{ name: 'br0', kind: 'linux' as const, ports: ['vnet0', 'vnet0', 'eno1'] }];
    const links = [{ name: 'br0', kind: 'linux' as const, ports: ['eno1', 'vnet1', 'vnet0'] }];
    expect(mergeBridges(tool, links)).toEqual([{ name: 'br0', kind: 'linux', ports: ['vnet0', 'eno1', 'vnet1'] }]);
  });
});
