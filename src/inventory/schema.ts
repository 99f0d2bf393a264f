/**
 * The inventory's shape (docs/inventory.md) as zod schemas. Every object is strict: an unknown key is an
 * error, because a misspelt `identityfile:` silently ignored would audit with the wrong key.
 * Messages are written for the operator, who sees them after `file:line: key.path:`.
 */
import * as z from 'zod';
import { isValidLibvirtUri } from '../probe/script.js';
import { TRANSPORTS } from '../model.js';
import { globCheck } from '../util/globSchema.js';

const text = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}, not an empty string` });

const envName = z
  .string({ error: 'expected the name of an environment variable' })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected the name of an environment variable (letters, digits, _)' });

const port = z.int({ error: 'expected a number from 1 to 65535' }).min(1, { error: 'expected a number from 1 to 65535' }).max(65535, {
  error: 'expected a number from 1 to 65535',
});

const bool = z.boolean({ error: 'expected true or false' });

const libvirtUri = z
  .string({ error: 'expected a libvirt URI such as qemu:///system' })
  .refine(isValidLibvirtUri, { error: 'expected a libvirt URI such as qemu:///system (scheme://…, no quotes or spaces)' });

/** Connection keys a jump host shares with hypervisors. `null` means "unset here" (stops inheritance). */
const connectionShape = {
  user: text('a user name').optional(),
  port: port.optional(),
  identityFile: text('a path to a private key').nullable().optional(),
  passphraseEnv: envName.nullable().optional(),
  agent: bool.optional(),
  passwordEnv: envName.nullable().optional(),
  knownHostsFile: text('a path to a known_hosts file').optional(),
  // true: OpenSSH's own files (~/.ssh/config, /etc/ssh/ssh_config); false: none; a path: that file only.
  sshConfig: z.union([bool, text('true, false or the path of an ssh_config file')], { error: 'expected true, false or the path of an ssh_config file' }).optional(),
};

/** Keys that `defaults`, a group or a host may set; host wins over group wins over defaults. */
const settingsShape = {
  ...connectionShape,
  libvirtUri: libvirtUri.optional(),
  sudo: bool.optional(),
  uplinkInterfaces: z
    .array(
      text('an interface name glob').check(globCheck),
      { error: 'expected a list of interface name globs' },
    )
    .optional(),
  jump: text('the name of an entry of jumpHosts').nullable().optional(),
  transport: z.enum(TRANSPORTS, { error: `expected one of ${TRANSPORTS.join(', ')}` }).optional(),
};

export const settingsSchema = z.strictObject(settingsShape, { error: 'expected a mapping of settings' });

export const jumpHostSchema = z.strictObject(
  {
    address: text('a host name or IP address'),
    ...connectionShape,
    // A jump host may itself be reached through another: a chain of any length (references.ts refuses a loop).
    jump: text('the name of an entry of jumpHosts').nullable().optional(),
  },
  { error: 'expected a mapping with at least address:' },
);

export const hostSchema = z.strictObject(
  {
    name: text('a host name'),
    address: text('a host name or IP address'),
    groups: z.array(text('a group name'), { error: 'expected a list of group names' }).optional(),
    ...settingsShape,
  },
  { error: 'expected a mapping with at least name: and address:' },
);

export const inventorySchema = z.strictObject(
  {
    defaults: settingsSchema.optional(),
    // `prod:` with nothing under it is a group that only names its members.
    groups: z.record(z.string(), settingsSchema.nullable(), { error: 'expected a mapping of group name → settings' }).optional(),
    jumpHosts: z.record(z.string(), jumpHostSchema, { error: 'expected a mapping of jump host name → settings' }).optional(),
    hosts: z
      .array(hostSchema, { error: 'expected a list of hosts' })
      .min(1, { error: 'the inventory lists no hosts: add at least one under hosts:' }),
  },
  { error: 'expected a mapping with a hosts: list (and optionally defaults:, groups:, jumpHosts:)' },
);

export type RawSettings = z.infer<typeof settingsSchema>;
export type RawJumpHost = z.infer<typeof jumpHostSchema>;
export type RawHost = z.infer<typeof hostSchema>;
export type RawInventory = z.infer<typeof inventorySchema>;

/** The keys each kind of mapping accepts, for "did you mean" hints on unknown keys. */
export const ALLOWED_KEYS = {
  inventory: Object.keys(inventorySchema.shape),
  settings: Object.keys(settingsSchema.shape),
  jumpHost: Object.keys(jumpHostSchema.shape),
  host: Object.keys(hostSchema.shape),
} as const;
