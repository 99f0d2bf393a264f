/**
 * What the probe's one listing virsh process prints: every network and domain UUID, grouped into sets by state.
 * The sets replace per-object `net-info` and `dominfo`: libvirtd logs an error for every `net-info` of a network
 * without a bridge (networkGetBridgeName), and an audit must leave the audited host's logs clean.
 *
 * Declared once here: the probe script prints each set after its marker, and the parser reads them back by the
 * same names, so a set added to one cannot be missing from the other.
 */

/**
 * Set name → the virsh command that lists it (UUIDs only: no remote text is ever re-read as a word), and what is
 * unknown when it fails.
 */
export const LIBVIRT_SETS = {
  'net-all': { command: 'net-list --all --uuid', lost: 'the networks could not be listed' },
  'net-active': { command: 'net-list --uuid', lost: 'which networks are active is unknown' },
  'net-persistent': { command: 'net-list --all --persistent --uuid', lost: 'which networks are persistent is unknown' },
  'net-autostart': { command: 'net-list --all --autostart --uuid', lost: 'which networks autostart is unknown' },
  // Active and persistent (virsh ANDs the two filters): the networks whose next-start definition may differ.
  'net-live-persistent': { command: 'net-list --persistent --uuid', lost: 'the persistent definitions of active networks were not read' },
  'dom-all': { command: 'list --all --uuid', lost: 'the VMs could not be listed' },
  'dom-running': { command: 'list --all --state-running --uuid', lost: 'which VMs run is unknown' },
  'dom-paused': { command: 'list --all --state-paused --uuid', lost: 'which VMs are paused is unknown' },
  'dom-shutoff': { command: 'list --all --state-shutoff --uuid', lost: 'which VMs are shut off is unknown' },
  // Idle, in shutdown, crashed, pmsuspended…: the probe asks `domstate` for these.
  'dom-other': { command: 'list --all --state-other --uuid', lost: 'which VMs are in other states is unknown' },
  'dom-persistent': { command: 'list --all --persistent --uuid', lost: 'which VMs are persistent is unknown' },
  'dom-autostart': { command: 'list --all --autostart --uuid', lost: 'which VMs autostart is unknown' },
  // Running or paused, and persistent: the domains whose next-boot definition may differ.
  'dom-live-persistent': { command: 'list --persistent --uuid', lost: 'the persistent definitions of running VMs were not read' },
} as const satisfies Record<string, { command: string; lost: string }>;

export type LibvirtSetName = keyof typeof LIBVIRT_SETS;

export const LIBVIRT_SET_NAMES = Object.keys(LIBVIRT_SETS) as LibvirtSetName[];

/** What the objects process prints for one network or domain, after its marker. */
export const OBJECT_PARTS = ['xml', 'inactive', 'state'] as const;
export type ObjectPart = (typeof OBJECT_PARTS)[number];

/**
 * The set whose members get a part, and the virsh command that prints it (`UUID` is replaced by the member's
 * UUID). Every listed object gets its live XML; live persistent ones also their persistent XML, for drift;
 * domains in an "other" state their state word.
 */
export const OBJECT_COMMANDS: readonly { set: LibvirtSetName; kind: 'net' | 'dom'; part: ObjectPart; command: string }[] = [
  { set: 'net-all', kind: 'net', part: 'xml', command: 'net-dumpxml UUID' },
  { set: 'net-live-persistent', kind: 'net', part: 'inactive', command: 'net-dumpxml --inactive UUID' },
  { set: 'dom-all', kind: 'dom', part: 'xml', command: 'dumpxml UUID' },
  { set: 'dom-live-persistent', kind: 'dom', part: 'inactive', command: 'dumpxml --inactive UUID' },
  { set: 'dom-other', kind: 'dom', part: 'state', command: 'domstate UUID' },
];

/**
 * The listing virsh's stdout for these sets, as the probe would print it (synthetic captures: the fault fleet,
 * tests). Sets not given print empty.
 */
export function listingOutput(nonce: string, sets: Partial<Record<LibvirtSetName, readonly string[]>>): string {
  return LIBVIRT_SET_NAMES.map((name) => `@@KNA-${nonce}:set:${name} ${(sets[name] ?? []).map((uuid) => `${uuid}\n`).join('')}`).join('');
}

/** The objects virsh's stdout for one part of one object, as the probe would print it. */
export function objectOutput(nonce: string, kind: 'net' | 'dom', uuid: string, part: ObjectPart, text: string): string {
  return `@@KNA-${nonce}:${kind}:${uuid}:${part}${text}`;
}
