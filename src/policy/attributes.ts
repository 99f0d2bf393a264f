/**
 * The facts a policy condition can test, per subject kind: the one list that the loader validates
 * conditions against, the evaluator reads, and docs/policy.md documents.
 */
import { MODES } from '../model.js';
import { ERROR_KINDS, HOST_STATUSES } from '../report/schema.js';
import type { SubjectKind } from './types.js';

/** `text`: one name (or none); `list`: several names; `boolean`: yes / no (or unknown). */
export type AttributeType = 'text' | 'list' | 'boolean';

export interface AttributeSpec {
  type: AttributeType;
  description: string;
  /** The only values it can take: a condition naming another one is a typo, and an error. */
  values?: readonly string[];
}

const FORWARD_MODES = ['nat', 'route', 'open', 'bridge', 'vepa', 'private', 'passthrough', 'hostdev', 'none'] as const;

/** Every attribute of every subject kind. */
export const ATTRIBUTES: Readonly<Record<SubjectKind, Readonly<Record<string, AttributeSpec>>>> = {
  host: {
    name: { type: 'text', description: 'the host name from the inventory' },
    groups: { type: 'list', description: 'its inventory groups' },
    status: { type: 'text', description: 'ok, partial or failed (could not be audited)', values: HOST_STATUSES },
    error: { type: 'text', description: 'why it failed or is partial (unreachable, timeout, auth, …); none when ok', values: ERROR_KINDS },
    modes: { type: 'list', description: 'the modes its VM interfaces use', values: MODES },
  },
  network: {
    name: { type: 'text', description: 'the libvirt network name' },
    mode: { type: 'text', description: 'its networking mode (docs/report.md lists them)', values: MODES },
    forward: { type: 'text', description: 'its forward mode: nat, route, open, bridge, vepa, private, passthrough, hostdev, none', values: FORWARD_MODES },
    bridge: { type: 'text', description: 'its bridge device (virbr0…), none for macvtap/hostdev networks' },
    active: { type: 'boolean', description: 'running now' },
    autostart: { type: 'boolean', description: 'started when libvirtd starts' },
    persistent: { type: 'boolean', description: 'defined (not transient)' },
    dhcp: { type: 'boolean', description: 'serves DHCP (has a DHCP range)' },
    inUse: { type: 'boolean', description: 'some VM interface on the host uses it (any VM state)' },
  },
  bridge: {
    name: { type: 'text', description: 'the bridge device name' },
    kind: { type: 'text', description: 'linux or ovs', values: ['linux', 'ovs'] },
    ports: { type: 'list', description: 'its ports' },
    uplinks: { type: 'list', description: 'its uplink ports (NICs, bonds, VLANs, tunnels, patches)' },
    hasUplink: { type: 'boolean', description: 'has at least one uplink' },
  },
  'vm-interface': {
    vm: { type: 'text', description: 'the VM name' },
    state: { type: 'text', description: 'the VM state as virsh prints it: running, paused, shut off, …' },
    mac: { type: 'text', description: 'the MAC address' },
    linkState: { type: 'text', description: 'the guest link: up or down (<link state>)', values: ['up', 'down'] },
    portgroup: { type: 'text', description: 'the network portgroup in effect; none when there is none' },
    vlans: { type: 'list', description: 'the VLAN tags in effect (the NIC\'s, its portgroup\'s or its network\'s)' },
    type: { type: 'text', description: 'the <interface type> (network, bridge, direct, hostdev, user, …)' },
    mode: { type: 'text', description: 'its networking mode (docs/report.md lists them)', values: MODES },
    via: { type: 'text', description: 'what the mode goes through, as the report writes it: "network default", "bridge br0", "dev eno2"' },
    network: { type: 'text', description: 'the libvirt network it uses (also one the host lacks, for mode missing); none when it uses no network' },
    bridge: { type: 'text', description: 'the bridge it ends up on (its own, or its network\'s); none when no bridge' },
    uplinks: { type: 'list', description: 'the uplinks of that bridge' },
    device: { type: 'list', description: 'the host devices a macvtap/hostdev interface may sit on (its macvtap link or PCI address, or its network\'s pool)' },
    onDefaultRouteDevice: {
      type: 'boolean',
      description: 'a macvtap interface on a device that carries the host\'s default route (false for other modes)',
    },
    cutOff: {
      type: 'boolean',
      description: 'a NIC of a running or paused guest whose host device is missing, down or off its bridge (warnings tap-missing, tap-down, tap-detached)',
    },
    drift: { type: 'boolean', description: 'the NIC connects elsewhere (or not at all) at the guest\'s next boot (warning config-drift)' },
  },
};

/** The attribute names of a subject kind, for messages. */
export function attributeNames(kind: SubjectKind): string[] {
  return Object.keys(ATTRIBUTES[kind]);
}

/** The spec of `name` on `kind`, if it exists (never an Object.prototype key). */
export function attributeSpec(kind: SubjectKind, name: string): AttributeSpec | undefined {
  return Object.hasOwn(ATTRIBUTES[kind], name) ? ATTRIBUTES[kind][name] : undefined;
}
