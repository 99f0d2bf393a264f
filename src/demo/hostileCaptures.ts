/**
 * Probe captures that lie: what the fault fleet's hostile hosts answer with. Each is built from a real capture
 * (or from scratch, for the huge ones) by changing just the part under test, so everything else about the
 * host stays ordinary. Pure functions.
 */
import type { ProbeSection, RawCapture } from '../model.js';
import { listingOutput, objectOutput } from '../probe/libvirtLists.js';

/** Stands for bytes that are not UTF-8 (0xFF 0xFE): a capture is text, so the server substitutes them on the wire. */
export const INVALID_UTF8_MARK = '\uE000';

/** The capture's text as the server sends it, with every INVALID_UTF8_MARK turned into bytes no decoder accepts. */
export function encodeWithInvalidUtf8(text: string): Buffer {
  const parts = text.split(INVALID_UTF8_MARK);
  const invalid = Buffer.from([0xff, 0xfe]);
  return Buffer.concat(parts.flatMap((part, i) => (i === 0 ? [Buffer.from(part)] : [invalid, Buffer.from(part)])));
}

/** A nested entity declaration that would expand to gigabytes if anything expanded it ("billion laughs"). */
export function entityBombXml(name: string): string {
  const levels = ['<!ENTITY l0 "lol">'];
  for (let i = 1; i < 10; i++) levels.push(`<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`);
  return `<?xml version="1.0"?>\n<!DOCTYPE domain [\n${levels.join('\n')}\n]>\n<domain type='kvm'><name>${name}</name><description>&l9;</description></domain>\n`;
}

/** Replace the live XML of the first domain the capture's objects sections dump. */
export function withFirstDomainXml(capture: RawCapture, replace: (xml: string) => string): RawCapture {
  const marker = `@@KNA-${capture.nonce}:dom:`;
  const first = capture.sections.find((s) => s.id === 'objects' && s.stdout.includes(marker));
  if (!first) throw new Error('the capture dumps no domain');
  return mapSection(capture, first.id, (stdout) => {
    const xmlStart = stdout.indexOf(':xml', stdout.indexOf(marker)) + ':xml'.length;
    const next = stdout.indexOf(marker, xmlStart);
    const xmlEnd = next < 0 ? stdout.length : next;
    const newline = stdout[xmlStart] === '\n' ? 1 : 0;
    return stdout.slice(0, xmlStart + newline) + replace(stdout.slice(xmlStart + newline, xmlEnd)) + stdout.slice(xmlEnd);
  });
}

/** Cut a document in half: what a virsh killed mid-dump leaves. */
export function cutInHalf(xml: string): string {
  return xml.slice(0, Math.floor(xml.length / 2));
}

/** `count` more domain UUIDs listed than the host has (and none of them dumped). */
export function withListedDomains(capture: RawCapture, count: number): RawCapture {
  const uuids: string[] = [];
  for (let i = 0; i < count; i++) uuids.push(uuidOf(0xf10d, i));
  const marker = `@@KNA-${capture.nonce}:set:dom-all `;
  return mapSection(capture, 'libvirt-lists', (stdout) => stdout.replace(marker, `${marker}${uuids.map((uuid) => `${uuid}\n`).join('')}`));
}

/** Two VLANs each naming the other as its lower device, one of them a port of a bridge. */
export function withVlanLoop(capture: RawCapture): RawCapture {
  return mapJsonLinks(capture, (links) => {
    const next = nextIndex(links);
    return [
      ...links,
      { ifindex: next, ifname: 'br-loop', flags: ['UP'], operstate: 'UP', link_type: 'ether', linkinfo: { info_kind: 'bridge' } },
      vlan(next + 1, 'vlan-a', 'vlan-b', 10, 'br-loop'),
      vlan(next + 2, 'vlan-b', 'vlan-a', 20, null),
      vlan(next + 3, 'vlan-self', 'vlan-self', 30, 'br-loop'),
    ];
  });
}

/** Link names with terminal escapes, bidi controls and bytes that are not UTF-8, as a hostile kernel could report. */
export function withControlBytes(capture: RawCapture): RawCapture {
  return mapJsonLinks(capture, (links) => {
    const next = nextIndex(links);
    return [
      ...links,
      { ifindex: next, ifname: `evil\u001b[2J\u001b]0;pwned\u0007${INVALID_UTF8_MARK}`, flags: ['UP'], operstate: 'UP', link_type: 'ether', master: 'virbr0' },
      { ifindex: next + 1, ifname: `rtl\u202egpj.exe${INVALID_UTF8_MARK}`, flags: ['UP'], operstate: 'UP', link_type: 'ether', master: 'virbr0' },
    ];
  });
}

/**
 * A large hypervisor built from scratch: one NAT network and `vms` running guests with one NIC each on it,
 * all dumped by one virsh process as the probe does, with their taps on the network's bridge.
 */
export function bigHostCapture(nonce: string, vms: number): RawCapture {
  const netUuid = uuidOf(0xb16, 0);
  const domUuids = Array.from({ length: vms }, (_, i) => uuidOf(0xb17, i));
  const section = (id: string, stdout: string): ProbeSection => ({ id, command: id, exit: 0, stdout, stderr: '' });
  const sections: ProbeSection[] = [
    section('tools', 'virsh /usr/bin/virsh\nip /usr/bin/ip\nbrctl /usr/sbin/brctl\nbridge /usr/sbin/bridge\n'),
    section('libvirt-lists-stderr', ''),
    section(
      'libvirt-lists',
      `Compiled against library: libvirt 9.0.0\n${listingOutput(nonce, {
        'net-all': [netUuid],
        'net-active': [netUuid],
        'net-persistent': [netUuid],
        'net-autostart': [netUuid],
        'dom-all': domUuids,
        'dom-running': domUuids,
        'dom-persistent': domUuids,
      })}`,
    ),
  ];
  const objects = [
    objectOutput(
      nonce,
      'net',
      netUuid,
      'xml',
      `<network><name>default</name><uuid>${netUuid}</uuid><forward mode='nat'/><bridge name='virbr0'/><ip address='198.18.0.1' prefix='16'/></network>\n`,
    ),
    ...domUuids.map((uuid, n) => {
      const xml =
        `<domain type='kvm' id='${n + 1}'>\n  <name>vm${n}</name>\n  <uuid>${uuid}</uuid>\n${TYPICAL_DOMAIN_BODY}  <devices>\n${TYPICAL_DEVICES}` +
        `    <interface type='network'>\n      <mac address='${macOf(n)}'/>\n      <source network='default'/>\n      <target dev='vnet${n}'/>\n      <model type='virtio'/>\n    </interface>\n` +
        `  </devices>\n</domain>\n`;
      return objectOutput(nonce, 'dom', uuid, 'xml', xml);
    }),
  ];
  sections.push(section('objects', objects.join('')));
  const links = [
    { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP'], operstate: 'UNKNOWN', link_type: 'loopback' },
    { ifindex: 2, ifname: 'eno1', flags: ['UP', 'LOWER_UP'], operstate: 'UP', link_type: 'ether', parentbus: 'pci', parentdev: '0000:01:00.0' },
    { ifindex: 3, ifname: 'virbr0', flags: ['UP', 'LOWER_UP'], operstate: 'UP', link_type: 'ether', linkinfo: { info_kind: 'bridge' } },
    ...domUuids.map((_, n) => ({
      ifindex: 4 + n,
      ifname: `vnet${n}`,
      flags: ['UP', 'LOWER_UP'],
      master: 'virbr0',
      operstate: 'UNKNOWN',
      link_type: 'ether',
      linkinfo: { info_kind: 'tun', info_slave_kind: 'bridge' },
    })),
  ];
  sections.push(
    section('ip-link', JSON.stringify(links)),
    section('ip-addr', JSON.stringify([{ ifindex: 3, ifname: 'virbr0', addr_info: [{ family: 'inet', local: '198.18.0.1', prefixlen: 16 }] }])),
    section('ip-route', JSON.stringify([{ dst: 'default', gateway: '198.19.0.1', dev: 'eno1' }])),
    section('brctl', `bridge name\tbridge id\t\tSTP enabled\tinterfaces\nvirbr0\t\t8000.525400000001\tyes\t\t${domUuids.map((_, n) => `vnet${n}`).join('\n\t\t\t\t\t\t\t')}\n`),
  );
  return { nonce, sections, truncated: false, bytes: sections.reduce((sum, s) => sum + s.stdout.length, 0) };
}

/** What a real guest's XML carries besides its NICs (about 3 KB in all), so the big host costs what a real one does. */
const TYPICAL_DOMAIN_BODY = [
  "  <memory unit='KiB'>4194304</memory>",
  "  <currentMemory unit='KiB'>4194304</currentMemory>",
  "  <vcpu placement='static'>2</vcpu>",
  "  <resource>\n    <partition>/machine</partition>\n  </resource>",
  "  <os>\n    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>\n    <boot dev='hd'/>\n  </os>",
  '  <features>\n    <acpi/>\n    <apic/>\n    <vmport state=\'off\'/>\n  </features>',
  "  <cpu mode='host-passthrough' check='none' migratable='on'/>",
  "  <clock offset='utc'>\n    <timer name='rtc' tickpolicy='catchup'/>\n    <timer name='pit' tickpolicy='delay'/>\n    <timer name='hpet' present='no'/>\n  </clock>",
  '  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>restart</on_reboot>\n  <on_crash>destroy</on_crash>',
  '',
].join('\n');
const TYPICAL_DEVICES = [
  '    <emulator>/usr/bin/qemu-system-x86_64</emulator>',
  "    <disk type='file' device='disk'>\n      <driver name='qemu' type='qcow2' discard='unmap'/>\n      <source file='/var/lib/libvirt/images/guest.qcow2' index='1'/>\n      <backingStore/>\n      <target dev='vda' bus='virtio'/>\n      <alias name='virtio-disk0'/>\n      <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>\n    </disk>",
  ...Array.from({ length: 8 }, (_, i) => `    <controller type='pci' index='${i + 1}' model='pcie-root-port'>\n      <model name='pcie-root-port'/>\n      <target chassis='${i + 1}' port='0x${(16 + i).toString(16)}'/>\n      <alias name='pci.${i + 1}'/>\n      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x${i}'/>\n    </controller>`),
  "    <serial type='pty'>\n      <source path='/dev/pts/3'/>\n      <target type='isa-serial' port='0'>\n        <model name='isa-serial'/>\n      </target>\n      <alias name='serial0'/>\n    </serial>",
  "    <channel type='unix'>\n      <source mode='bind' path='/run/libvirt/qemu/channel/1-guest/org.qemu.guest_agent.0'/>\n      <target type='virtio' name='org.qemu.guest_agent.0' state='connected'/>\n    </channel>",
  "    <graphics type='vnc' port='5900' autoport='yes' listen='127.0.0.1'>\n      <listen type='address' address='127.0.0.1'/>\n    </graphics>",
  "    <memballoon model='virtio'>\n      <alias name='balloon0'/>\n    </memballoon>",
  '',
].join('\n');

type JsonLink = Record<string, unknown>;

function vlan(ifindex: number, name: string, lower: string, id: number, master: string | null): JsonLink {
  return {
    ifindex,
    ifname: name,
    link: lower,
    flags: ['UP'],
    operstate: 'UP',
    link_type: 'ether',
    ...(master ? { master } : {}),
    linkinfo: { info_kind: 'vlan', info_data: { protocol: '802.1Q', id }, ...(master ? { info_slave_kind: 'bridge' } : {}) },
  };
}

function mapSection(capture: RawCapture, id: string, change: (stdout: string) => string): RawCapture {
  if (!capture.sections.some((s) => s.id === id)) throw new Error(`the capture has no ${id} section to change`);
  return { ...capture, sections: capture.sections.map((s) => (s.id === id ? { ...s, stdout: change(s.stdout) } : s)) };
}

function mapJsonLinks(capture: RawCapture, change: (links: JsonLink[]) => JsonLink[]): RawCapture {
  return mapSection(capture, 'ip-link', (stdout) => JSON.stringify(change(JSON.parse(stdout) as JsonLink[])));
}

function nextIndex(links: JsonLink[]): number {
  return Math.max(0, ...links.map((l) => Number(l.ifindex) || 0)) + 1;
}

function uuidOf(prefix: number, n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `${prefix.toString(16).padStart(8, '0')}-0000-4000-8000-${hex}`;
}

function macOf(n: number): string {
  const bytes = [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff].map((b) => b.toString(16).padStart(2, '0'));
  return `52:54:00:${bytes.join(':')}`;
}
