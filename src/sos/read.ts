/**
 * `audit --from-sos PATH…`: sosreports read from disk (an extracted folder, or the `.tar.xz`/`.tar.gz` sos writes),
 * each made the capture its host's probe would have given (sos/layout.ts), one host per report, and a connector
 * that answers the probe with it, as `--replay` does. The runner, parsers and classifier cannot tell.
 *
 * Archives are unpacked by the system's `tar` (spawned without a shell) into a private temporary folder: Node has
 * gzip but no tar reader and no xz, and the project adds no dependency for it. Only the members read are unpacked
 * (a hypervisor's whole sosreport is hundreds of megabytes): tar lists the archive, then extracts those names, given
 * on a file. GNU tar drops leading `/` and refuses `..` members by default; the files read are then checked to stay
 * inside the report (sos archives hold symbolic links, e.g. `hostname` → sos_commands/host/hostname).
 */
import { execFile } from 'node:child_process';
import { lstat, mkdir, mkdtemp, open, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { InputError } from '../errors.js';
import { adHocInventory, safeHostName } from '../inventory/index.js';
import type { Connector, Inventory } from '../model.js';
import { newNonce } from '../probe/script.js';
import { replayTransport } from '../transport/replay.js';
import { TransportError, type RawCapture } from '../model.js';
import {
  isReadLibvirtFile,
  isReadSosFile,
  LIBVIRT_DOMAINS_DIR,
  LIBVIRT_NETWORKS_DIR,
  NETWORKING_DIR,
  ROOT_FILES,
  sosToCapture,
  VIRSH_DIR,
  type SosFiles,
} from './layout.js';

const run = promisify(execFile);

/** A file of a report larger than this is not read (a networks' XML or `ip` output is kilobytes). */
export const MAX_SOS_FILE_BYTES = 32 * 1024 * 1024;
/** How long listing, then unpacking, one archive may take (each). */
const TAR_TIMEOUT_MS = 120_000;
/** The most of tar's member list that is read (a whole sosreport lists some 100,000 names: a few megabytes). */
const MAX_LISTING_BYTES = 256 * 1024 * 1024;

const ARCHIVE = /\.(tar\.xz|txz|tar\.gz|tgz|tar)$/i;

/** The sosreports given, read: their hosts as an inventory, and a connector answering each host's probe. */
export interface SosReports {
  inventory: Inventory;
  connector: Connector;
}

export async function loadSosReports(paths: readonly string[]): Promise<SosReports> {
  const captures = new Map<string, RawCapture>();
  const entries: { text: string; name: string; address: string; user: null; port: null }[] = [];
  for (const given of paths) {
    const { files, folder } = await readSosPath(given);
    const { hostName, capture } = sosToCapture(files, newNonce());
    // Report text: made safe as inventory names are, and no longer than a DNS name.
    const base = safeHostName((hostName ?? folderHostName(folder)).slice(0, 253)) ?? 'sosreport';
    let name = base;
    for (let n = 2; captures.has(name); n += 1) name = `${base}-${n}`;
    captures.set(name, capture);
    entries.push({ text: given, name, address: name, user: null, port: null });
  }
  const inventory = adHocInventory(entries, { libvirtUri: null, sudo: false });
  return { inventory: { ...inventory, file: `(sos: ${entries.map((e) => e.name).join(', ')})` }, connector: sosConnector(captures) };
}

/** `sosreport-HOST-…` (sos's folder and archive name) → HOST, for a report without a hostname file. */
function folderHostName(folder: string): string {
  const base = path.basename(folder).replace(ARCHIVE, '');
  return /^sosreport-(.+?)(-\d{4}-\d{2}-\d{2}-[a-z0-9]+)?$/.exec(base)?.[1] ?? base;
}

function sosConnector(captures: ReadonlyMap<string, RawCapture>): Connector {
  return {
    async connect(host) {
      const capture = captures.get(host.name);
      if (!capture) throw new TransportError('unreachable', 'no sosreport for this host');
      return replayTransport(capture);
    },
    async close() {},
  };
}

/** One given path: a report folder, or an archive unpacked for the time it takes to read it. */
async function readSosPath(given: string): Promise<{ files: SosFiles; folder: string }> {
  const info = await stat(given).catch((error: Error) => {
    throw new InputError('usage', `--from-sos ${given}: ${error.message}`);
  });
  if (info.isDirectory()) return { files: await readSosFolder(given, given), folder: given };
  if (!ARCHIVE.test(given)) throw new InputError('usage', `--from-sos ${given}: not a folder nor a .tar.xz, .tar.gz or .tar archive`);
  const temp = await mkdtemp(path.join(tmpdir(), 'kvm-netaudit-sos-'));
  const tar = async (args: string[], what: string, maxBuffer: number) =>
    (
      await run('tar', args, { timeout: TAR_TIMEOUT_MS, maxBuffer }).catch((error: Error & { stderr?: string }) => {
        throw new InputError('usage', `--from-sos ${given}: tar could not ${what} it: ${(error.stderr || error.message).trim().split('\n')[0]}`);
      })
    ).stdout;
  try {
    const archive = path.resolve(given);
    const members = (await tar(['-tf', archive], 'list', MAX_LISTING_BYTES)).split('\n').filter(isReadMember);
    const list = path.join(temp, 'members');
    const into = path.join(temp, 'report');
    await writeFile(list, members.map((m) => `${m}\n`).join(''), { mode: 0o600 });
    await mkdir(into);
    if (members.length > 0) {
      await tar(['-xf', archive, '-C', into, '--no-same-owner', '--no-same-permissions', '--verbatim-files-from', '-T', list], 'unpack', 1024 * 1024);
    }
    const root = await reportRoot(into, given);
    return { files: await readSosFolder(root, given), folder: given };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** An archive member sos/layout.ts reads (or the file sos's `hostname` link points to), under one top folder or none. */
function isReadMember(member: string): boolean {
  const parts = member.replace(/^\.\//, '').split('/');
  const inReport = (rest: string[]): boolean => {
    const relative = rest.join('/');
    if ((ROOT_FILES as readonly string[]).includes(relative) || relative === HOST_NAME_TARGET) return true;
    const dir = rest.slice(0, -1).join('/');
    const name = rest[rest.length - 1]!;
    if (dir === LIBVIRT_DOMAINS_DIR || dir === LIBVIRT_NETWORKS_DIR) return isReadLibvirtFile(name);
    return (dir === VIRSH_DIR || dir === NETWORKING_DIR) && isReadSosFile(name);
  };
  return inReport(parts) || (parts.length > 1 && inReport(parts.slice(1)));
}

/** Where sos's `hostname` at the report's root links to (its host plugin's `hostname` output). */
const HOST_NAME_TARGET = 'sos_commands/host/hostname';

/** An archive holds one `sosreport-…` folder (or the report's files at its top). */
async function reportRoot(dir: string, given: string): Promise<string> {
  const names = await readdir(dir);
  if (names.includes('sos_commands')) return dir;
  const folders = [];
  for (const name of names) if ((await lstat(path.join(dir, name))).isDirectory()) folders.push(name);
  if (folders.length === 1) return path.join(dir, folders[0]!);
  throw new InputError('usage', `--from-sos ${given}: not a sosreport (no sos_commands/ at the top of the archive, nor in one folder)`);
}

/** The files sos/layout.ts reads, and only those. */
async function readSosFolder(root: string, given: string): Promise<SosFiles> {
  const realRoot = await realpath(root);
  const files = new Map<string, string>();
  const tryRead = async (relative: string) => {
    const text = await readInside(realRoot, relative);
    if (text !== null) files.set(relative, text);
  };
  for (const file of ROOT_FILES) await tryRead(file);
  for (const [dir, isRead] of [
    [VIRSH_DIR, isReadSosFile],
    [NETWORKING_DIR, isReadSosFile],
    [LIBVIRT_DOMAINS_DIR, isReadLibvirtFile],
    [LIBVIRT_NETWORKS_DIR, isReadLibvirtFile],
  ] as const) {
    const names = await readdir(path.join(realRoot, dir)).catch(() => [] as string[]);
    for (const name of names) if (isRead(name)) await tryRead(`${dir}/${name}`);
  }
  if (![...files.keys()].some((f) => f.startsWith('sos_commands/'))) {
    throw new InputError('usage', `--from-sos ${given}: not a sosreport (no sos_commands/${path.basename(VIRSH_DIR)} nor sos_commands/${path.basename(NETWORKING_DIR)} output)`);
  }
  return files;
}

/** A regular file's text, when it resolves inside the report and is not too large; null otherwise. */
async function readInside(realRoot: string, relative: string): Promise<string | null> {
  let real: string;
  try {
    real = await realpath(path.join(realRoot, relative));
  } catch {
    return null;
  }
  if (real !== realRoot && !real.startsWith(`${realRoot}${path.sep}`)) return null;
  const handle = await open(real, 'r').catch(() => null);
  if (handle === null) return null;
  try {
    const info = await handle.stat();
    if (!info.isFile()) return null;
    const size = Math.min(info.size, MAX_SOS_FILE_BYTES);
    const buffer = Buffer.alloc(size);
    const { bytesRead } = await handle.read(buffer, 0, size, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
