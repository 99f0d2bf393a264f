/**
 * A sosreport's files → the RawCapture the probe would have given (docs/cli.md, "Auditing sosreports"), so the
 * parsers, the classifier and the reports run unchanged. Pure: the files are read by sos/read.ts.
 *
 * What sos collects, and where (sos/report/plugins/virsh.py, libvirt.py, networking.py, host.py):
 * - virsh: `virsh -r list --all`, `net-list --all` (older sos: `net-list`, active networks only), and per
 *   object `net-dumpxml NAME`, `dumpxml NAME`, `dominfo NAME`, each in sos_commands/virsh/ under its command line
 *   mangled as sos names files (`virsh_-r_dumpxml_vm1`).
 * - networking: `ip -s -d link`, `ip -o addr`, `ip route show table all` in sos_commands/networking/; older sos also
 *   `brctl show`.
 * - host: `hostname` (the report's root holds a link to it).
 * - libvirt: the persistent definitions libvirtd keeps, `/etc/libvirt/qemu/NAME.xml` and
 *   `/etc/libvirt/qemu/networks/NAME.xml`, copied as they are: what `dumpxml --inactive` prints, for the drift check.
 *
 * What sos does not collect is unknown, never guessed: without the libvirt plugin's copies, the persistent
 * definitions of running VMs and active networks; without dominfo, which VMs are persistent or autostart. Each costs
 * its facts through the listing's own error path (parse/virshLists.ts), so the report says why, as for a live host
 * whose virsh failed.
 */
import { createHash } from 'node:crypto';
import type { ProbeSection, RawCapture } from '../model.js';
import { LIBVIRT_SET_NAMES, listingOutput, objectOutput, type LibvirtSetName } from '../probe/libvirtLists.js';
import { sectionId, type SectionId } from '../probe/sections.js';

/** A sosreport's files that this module reads: path relative to the report's root → text. */
export type SosFiles = ReadonlyMap<string, string>;

export const VIRSH_DIR = 'sos_commands/virsh';
export const NETWORKING_DIR = 'sos_commands/networking';

/** Where sos's libvirt plugin copies libvirtd's persistent definitions of domains, and of networks. */
export const LIBVIRT_DOMAINS_DIR = 'etc/libvirt/qemu';
export const LIBVIRT_NETWORKS_DIR = 'etc/libvirt/qemu/networks';

/** The files of those two folders that are read. */
export function isReadLibvirtFile(name: string): boolean {
  return name.endsWith('.xml');
}

/** The files at the report's root that are read: the host name (sos's link, else /etc/hostname) and sos's version. */
export const ROOT_FILES = ['hostname', 'etc/hostname', 'version.txt'] as const;

/** The files of sos_commands/virsh and sos_commands/networking that are read (the others are never opened). */
export function isReadSosFile(name: string): boolean {
  return /^virsh_-r_(list_--all|net-list(_--all)?|net-dumpxml_.+|dumpxml_.+|dominfo_.+)$/.test(name) || (Object.values(NET_FILES) as string[]).includes(name);
}

const NET_FILES = {
  link: 'ip_-s_-d_link',
  addr: 'ip_-o_addr',
  route: 'ip_route_show_table_all',
  brctl: 'brctl_show',
} as const;

/**
 * sos's file name for a command's output (its `_mangle_command`): `/usr/bin/` or `/sbin/` dropped, every run of
 * characters other than word characters, `-`, `.` and `/` made one `_`, `/` made `.`, then ` ._-` trimmed at both ends.
 * @example sosCommandFile('virsh -r dumpxml vm 1') // 'virsh_-r_dumpxml_vm_1'
 */
export function sosCommandFile(command: string): string {
  return command
    .replace(/^\/(usr\/|)(bin|sbin)\//, '')
    .replace(/[^\p{L}\p{N}_\-./]+/gu, '_')
    .replace(/\//g, '.')
    .replace(/^[ ._-]+|[ ._-]+$/g, '')
    .slice(0, 255);
}

/** One sosreport, as a capture. */
export interface SosCapture {
  /** The host name the report recorded (first line of `hostname`, else `etc/hostname`); null when neither is there. */
  hostName: string | null;
  /** sos's version (`version.txt`), for the section command lines; null when unknown. */
  sosVersion: string | null;
  capture: RawCapture;
}

/**
 * Build the probe's capture from a sosreport's files.
 * @param nonce the capture's nonce (32 hex characters; random per read, so no file's text can forge a marker)
 */
export function sosToCapture(files: SosFiles, nonce: string): SosCapture {
  const hostName = firstLine(files.get('hostname')) ?? firstLine(files.get('etc/hostname'));
  const sosVersion = /^sosreport:\s*(\S+)/m.exec(files.get('version.txt') ?? '')?.[1] ?? null;
  const sections: ProbeSection[] = [...libvirtSections(files, nonce), ...networkingSections(files)];
  const bytes = sections.reduce((sum, s) => sum + Buffer.byteLength(s.stdout) + Buffer.byteLength(s.stderr), 0);
  return { hostName, sosVersion, capture: { nonce, sections, truncated: false, bytes } };
}

function firstLine(text: string | undefined): string | null {
  const line = text?.split('\n')[0]?.trim();
  return line ? line : null;
}

function virshFile(files: SosFiles, command: string): string | undefined {
  return files.get(`${VIRSH_DIR}/${sosCommandFile(`virsh -r ${command}`)}`);
}

/** `virsh list`/`net-list` tables: the header's column names, and each row's words (a last column may hold spaces). */
export function readVirshTable(text: string): { columns: string[]; rows: string[][] } {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.trim().split(/\s+/) ?? [];
  const rows = lines.filter((l, i) => i > 0 && !/^-+$/.test(l.trim())).map((l) => l.trim().split(/\s+/));
  return { columns: header, rows };
}

/** A stand-in UUID for an object sos listed but printed no XML or dominfo for: kept, unread, never dropped. */
function nameUuid(kind: string, name: string): string {
  const h = createHash('sha1').update(`kvm-netaudit sos ${kind} ${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const UUID_IN_XML = /<uuid>\s*([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\s*<\/uuid>/;

interface Listed {
  uuid: string;
  xml: string | undefined;
}

function listedObject(kind: 'net' | 'dom', name: string, xml: string | undefined, dominfoUuid: string | null): Listed {
  const uuid = (UUID_IN_XML.exec(xml ?? '')?.[1] ?? dominfoUuid ?? nameUuid(kind, name)).toLowerCase();
  return { uuid, xml };
}

/** `dominfo`'s `Key: value` lines. */
function dominfoFields(text: string | undefined): Map<string, string> | null {
  if (text === undefined) return null;
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z ()]+):\s*(.*)$/.exec(line);
    if (m) fields.set(m[1]!.trim(), m[2]!.trim());
  }
  return fields;
}

const DOMAIN_STATE_SETS: Record<string, LibvirtSetName> = { running: 'dom-running', paused: 'dom-paused', 'shut off': 'dom-shutoff' };

/**
 * The listing (`libvirt-lists`, with its error part) and the objects section, from sos's virsh files. A set sos
 * gives no way to know is reported failed with why, through the error markers the parser already reads.
 */
function libvirtSections(files: SosFiles, nonce: string): ProbeSection[] {
  const sets: Partial<Record<LibvirtSetName, string[]>> = {};
  const failed = new Map<LibvirtSetName, string>();
  let objects = '';
  const hasVirsh = [...files.keys()].some((p) => p.startsWith(`${VIRSH_DIR}/`));
  if (!hasVirsh) {
    for (const name of LIBVIRT_SET_NAMES) failed.set(name, `not in the sosreport: ${VIRSH_DIR}/ is missing (sos's virsh plugin did not run)`);
  } else {
    objects += networkSets(files, nonce, sets, failed);
    objects += domainSets(files, nonce, sets, failed);
  }
  const errors = [...failed].map(([name, why]) => `@@KNA-${nonce}:set:${name} error: ${why}\n`).join('');
  const listed = Object.fromEntries(Object.entries(sets).filter(([name]) => !failed.has(name as LibvirtSetName)));
  const command = (what: string) => `sos: ${what} (${VIRSH_DIR}/)`;
  const sections: ProbeSection[] = [
    { id: sectionId('libvirt-lists-stderr'), command: command('virsh -r list --all, net-list, dominfo'), exit: 0, stdout: errors, stderr: '' },
    {
      id: sectionId('libvirt-lists'),
      command: command('virsh -r list --all, net-list, dominfo'),
      exit: hasVirsh ? 0 : 1,
      stdout: hasVirsh ? listingOutput(nonce, listed) : '',
      stderr: '',
    },
  ];
  if (hasVirsh) {
    sections.push({ id: sectionId('objects'), command: command('virsh -r net-dumpxml NAME, dumpxml NAME'), exit: 0, stdout: `${objects}@@KNA-${nonce}:end\n`, stderr: '' });
  }
  return sections;
}

/** Networks from `net-list --all` (else `net-list`, active ones only) and their `net-dumpxml`; the objects text. */
function networkSets(files: SosFiles, nonce: string, sets: Partial<Record<LibvirtSetName, string[]>>, failed: Map<LibvirtSetName, string>): string {
  // Older sos (4.0, Debian 12's) ran `net-list` without --all: its inactive networks are not in the report
  // (docs/cli.md says so).
  const table = virshFile(files, 'net-list --all') ?? virshFile(files, 'net-list');
  if (table === undefined) {
    for (const name of ['net-all', 'net-active', 'net-persistent', 'net-autostart'] as const) failed.set(name, 'not in the sosreport: no virsh net-list output');
    return '';
  }
  const { columns, rows } = readVirshTable(table);
  const col = (row: string[], name: string) => row[columns.indexOf(name)] ?? '';
  let text = '';
  const members = { 'net-all': [] as string[], 'net-active': [] as string[], 'net-persistent': [] as string[], 'net-autostart': [] as string[] };
  const livePersistent: { name: string; uuid: string }[] = [];
  for (const row of rows) {
    const name = col(row, 'Name');
    const net = listedObject('net', name, virshFile(files, `net-dumpxml ${name}`), null);
    members['net-all'].push(net.uuid);
    if (col(row, 'State') === 'active') members['net-active'].push(net.uuid);
    if (col(row, 'Persistent') === 'yes') members['net-persistent'].push(net.uuid);
    if (col(row, 'Autostart') === 'yes') members['net-autostart'].push(net.uuid);
    if (col(row, 'State') === 'active' && col(row, 'Persistent') === 'yes') livePersistent.push({ name, uuid: net.uuid });
    if (net.xml !== undefined) text += objectOutput(nonce, 'net', net.uuid, 'xml', net.xml);
  }
  Object.assign(sets, members);
  return text + persistentDefinitions(files, nonce, 'net', LIBVIRT_NETWORKS_DIR, livePersistent, sets, failed);
}

/** Domains from `list --all`, their states from its State column, persistence and autostart from `dominfo`. */
function domainSets(files: SosFiles, nonce: string, sets: Partial<Record<LibvirtSetName, string[]>>, failed: Map<LibvirtSetName, string>): string {
  const table = virshFile(files, 'list --all');
  if (table === undefined) {
    for (const name of LIBVIRT_SET_NAMES) if (name.startsWith('dom-')) failed.set(name, 'not in the sosreport: no virsh list --all output');
    return '';
  }
  const { columns, rows } = readVirshTable(table);
  const nameAt = columns.indexOf('Name');
  const stateAt = columns.indexOf('State');
  let text = '';
  const add = (set: LibvirtSetName, uuid: string) => (sets[set] ??= []).push(uuid);
  for (const name of ['dom-all', 'dom-running', 'dom-paused', 'dom-shutoff', 'dom-other', 'dom-persistent', 'dom-autostart'] as const) sets[name] = [];
  let dominfoMissing = 0;
  const livePersistent: { name: string; uuid: string }[] = [];
  for (const row of rows) {
    const name = row[nameAt] ?? '';
    const state = row.slice(stateAt).join(' ');
    const info = dominfoFields(virshFile(files, `dominfo ${name}`));
    const dom = listedObject('dom', name, virshFile(files, `dumpxml ${name}`), info?.get('UUID') ?? null);
    add('dom-all', dom.uuid);
    const stateSet = DOMAIN_STATE_SETS[state];
    add(stateSet ?? 'dom-other', dom.uuid);
    if (!stateSet) text += objectOutput(nonce, 'dom', dom.uuid, 'state', `${state}\n`);
    if (info === null) dominfoMissing += 1;
    if (info?.get('Persistent') === 'yes') add('dom-persistent', dom.uuid);
    if (info?.get('Autostart') === 'enable') add('dom-autostart', dom.uuid);
    if ((state === 'running' || state === 'paused') && info?.get('Persistent') === 'yes') livePersistent.push({ name, uuid: dom.uuid });
    if (dom.xml !== undefined) text += objectOutput(nonce, 'dom', dom.uuid, 'xml', dom.xml);
  }
  if (dominfoMissing > 0) {
    const why = `not in the sosreport: no virsh dominfo for ${dominfoMissing} of ${rows.length} VMs`;
    failed.set('dom-persistent', why);
    failed.set('dom-autostart', why);
    failed.set('dom-live-persistent', why);
    return text;
  }
  return text + persistentDefinitions(files, nonce, 'dom', LIBVIRT_DOMAINS_DIR, livePersistent, sets, failed);
}

/**
 * The live-and-persistent set (`net-live-persistent`, `dom-live-persistent`) and each member's persistent definition,
 * from libvirtd's own files as sos's libvirt plugin copied them (`dir/NAME.xml`). When one is missing the set is
 * failed, with why: the drift check then says it could not run, rather than finding no drift.
 */
function persistentDefinitions(
  files: SosFiles,
  nonce: string,
  kind: 'net' | 'dom',
  dir: string,
  members: readonly { name: string; uuid: string }[],
  sets: Partial<Record<LibvirtSetName, string[]>>,
  failed: Map<LibvirtSetName, string>,
): string {
  const set: LibvirtSetName = kind === 'net' ? 'net-live-persistent' : 'dom-live-persistent';
  const missing = members.filter((m) => !files.has(`${dir}/${m.name}.xml`));
  if (missing.length > 0) {
    const collected = [...files.keys()].some((p) => p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes('/'));
    failed.set(
      set,
      collected
        ? `not in the sosreport: ${missing.map((m) => `${dir}/${m.name}.xml`).slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}`
        : `not in the sosreport: no ${dir}/ (sos's libvirt plugin did not run, or found no persistent definitions)`,
    );
    return '';
  }
  sets[set] = members.map((m) => m.uuid);
  return members.map((m) => objectOutput(nonce, kind, m.uuid, 'inactive', files.get(`${dir}/${m.name}.xml`)!)).join('');
}

/**
 * `ip -s -d link` (sos's) as `ip -o -d link` prints it: each link's lines joined by `\`, its counters (`RX:`/`TX:`
 * headers and the lines of numbers under them) left out, so parse/iprouteOneline.ts reads it unchanged.
 */
export function ipLinkAsOneline(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (/^\d+: /.test(line)) out.push(line.trimEnd());
    else if (line.trim() === '' || /^\s+(RX|TX)\b/.test(line) || /^[\s\d]+$/.test(line)) continue;
    else if (out.length > 0) out[out.length - 1] += `\\    ${line.trim()}`;
  }
  return out.map((l) => `${l}\n`).join('');
}

/** The main table's default routes of `ip route show table all` (other tables print `table NAME`). */
export function mainDefaultRoutes(text: string): string {
  return text
    .split('\n')
    .filter((l) => /^default\b/.test(l) && !/\btable (?!main\b)\S+/.test(l))
    .map((l) => `${l}\n`)
    .join('');
}

/** The `ip` sections, and `brctl show` when an older sos collected it; a file sos did not write is a failed section. */
function networkingSections(files: SosFiles): ProbeSection[] {
  const section = (id: SectionId, file: string, convert: (text: string) => string, what: string): ProbeSection => {
    const text = files.get(`${NETWORKING_DIR}/${file}`);
    const command = `sos: ${what} (${NETWORKING_DIR}/${file})`;
    return text === undefined
      ? { id, command, exit: 1, stdout: '', stderr: `error: not in the sosreport: ${NETWORKING_DIR}/${file}\n` }
      : { id, command, exit: 0, stdout: convert(text), stderr: '' };
  };
  const same = (text: string) => text;
  const sections = [
    section(sectionId('ip-link-oneline'), NET_FILES.link, ipLinkAsOneline, 'ip -s -d link'),
    section(sectionId('ip-addr-oneline'), NET_FILES.addr, same, 'ip -o addr'),
    section(sectionId('ip-route-oneline'), NET_FILES.route, mainDefaultRoutes, 'ip route show table all'),
  ];
  if (files.has(`${NETWORKING_DIR}/${NET_FILES.brctl}`)) sections.push(section(sectionId('brctl'), NET_FILES.brctl, same, 'brctl show'));
  return sections;
}
