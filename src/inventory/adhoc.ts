/**
 * Hosts given on the command line, and the machine kvm-netaudit runs on (`--local`), as inventories: each host
 * is what an inventory listing only its `name` and `address` (and `user`/`port` when the entry gives them) makes
 * of it. The same schema, checks and resolver as an inventory file, so OpenSSH's defaults, ssh_config (`ssh -G`)
 * and named keys mean the same; nothing about a host's defaults is written twice.
 */
import { hostname } from 'node:os';
import { InputError } from '../errors.js';
import type { Inventory } from '../model.js';
import type { HostEntry } from './hostEntry.js';
import { safeHostName } from './hostEntry.js';
import { formatPath, type InventoryIssue } from './issues.js';
import { checkAndResolve, type InventoryOptions } from './load.js';

/** What the command line says about every host it names (the inventory's `defaults:`, for the keys it has flags for). */
export interface AdHocSettings {
  /** `--libvirt-uri`; null: the inventory's default (qemu:///system). */
  libvirtUri: string | null;
  /** `--sudo`: virsh through `sudo -n`. */
  sudo: boolean;
}

/** How many host names the report's `inventory` label lists before it only counts the rest. */
export const LABEL_NAMES = 5;

/**
 * The inventory the entries make: `defaults:` from the flags, one host per entry.
 * @throws InputError (usage, exit 64) naming the entry or flag, should the schema refuse anything the entry
 *   parser let through.
 */
export function adHocInventory(entries: readonly HostEntry[], settings: AdHocSettings, options: InventoryOptions = {}): Inventory {
  const raw = {
    defaults: { ...(settings.libvirtUri !== null ? { libvirtUri: settings.libvirtUri } : {}), ...(settings.sudo ? { sudo: true } : {}) },
    hosts: entries.map((entry) => ({
      name: entry.name,
      address: entry.address,
      ...(entry.user !== null ? { user: entry.user } : {}),
      ...(entry.port !== null ? { port: entry.port } : {}),
    })),
  };
  const where = (path: readonly (string | number)[]): string => {
    const [section, index, ...key] = path;
    if (section === 'defaults') return index === 'libvirtUri' ? '--libvirt-uri' : index === 'sudo' ? '--sudo' : 'command line';
    const entry = typeof index === 'number' ? entries[index] : undefined;
    return entry ? `host "${entry.text}"${key.length > 0 ? ` (${formatPath(key)})` : ''}` : 'hosts';
  };
  const fail = (issues: readonly InventoryIssue[]): never => {
    throw new InputError('usage', issues.map((issue) => `${where(issue.path)}: ${issue.message}`));
  };
  // No entry names a path: the directory only anchors OpenSSH's defaults, which are absolute once `~` is expanded.
  const checked = checkAndResolve(raw, (index) => `"${entries[index]?.text}"`, options, process.cwd());
  if (checked.issues.length > 0) return fail(checked.issues);
  return { file: adHocLabel(entries.map((entry) => entry.name)), groups: [], hosts: checked.inventory!.hosts };
}

/**
 * How the reports name an ad-hoc run's inventory (`run.inventory`): its hosts, the first {@link LABEL_NAMES} by name.
 * @example adHocLabel(['hv1', 'hv2', 'hv3']) // '(ad-hoc: hv1, hv2, hv3)'
 * @example adHocLabel(names of 40 hosts) // '(ad-hoc: hv01, hv02, hv03, hv04, hv05 and 35 more)'
 */
export function adHocLabel(names: readonly string[]): string {
  const shown = names.slice(0, LABEL_NAMES).join(', ');
  return names.length > LABEL_NAMES ? `(ad-hoc: ${shown} and ${names.length - LABEL_NAMES} more)` : `(ad-hoc: ${shown})`;
}

/**
 * This machine's name in the reports: its host name (`os.hostname()`) made safe ({@link safeHostName}), else `localhost`.
 * @example localHostName('hv01.example.com') // 'hv01.example.com'
 */
export function localHostName(name: string = hostname()): string {
  return safeHostName(name) ?? 'localhost';
}

/**
 * The inventory of a `--local` run: this machine as one host, named after it, at address `localhost` (what the
 * report shows; the local transport connects to nothing). Labelled `(local: NAME)`.
 */
export function localInventory(settings: AdHocSettings, options: InventoryOptions & { hostName?: string } = {}): Inventory {
  const name = localHostName(options.hostName);
  const inventory = adHocInventory([{ text: '--local', name, address: 'localhost', user: null, port: null }], settings, options);
  return { ...inventory, file: `(local: ${name})` };
}
