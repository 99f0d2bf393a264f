/**
 * What virt-manager and Cockpit call a NIC's or a network's networking, so an operator can match the report's
 * modes with the tools they click in (docs/report.md, "Names in virt-manager and Cockpit"). One label per kind:
 * virt-manager's wording where it has one (its NIC source list and its network's forward description), Cockpit's
 * where virt-manager has none, libvirt's documentation where neither does. Names inside labels are host text:
 * every renderer escapes the label as a whole. Pure.
 */
import type { InterfaceAudit, NetworkAudit } from './schema.js';

/**
 * A network's forward mode as virt-manager describes it: `NAT`, `Routed network`, `Isolated network`, `Open network`,
 * `Bridge network`…, with ` (OpenVSwitch)` for an Open vSwitch network as its NIC source list adds. Null when the
 * definition was not read: there is nothing to describe.
 * @example networkModeName({ forward: 'route', virtualport: null, unread: null }) // 'Routed network'
 */
export function networkModeName(network: Pick<NetworkAudit, 'forward' | 'virtualport'> & { unread?: string | null }): string | null {
  if (typeof network.unread === 'string') return null;
  const described = describeForward(network.forward);
  return network.virtualport === 'openvswitch' ? `${described} (OpenVSwitch)` : described;
}

/**
 * virt-manager's wording (virtinst `Network.pretty_forward_desc`, without the `to DEV` it adds for `<forward dev>`:
 * the report shows that device on its own). It words every other forward mode as the mode, capitalised, + ` network`;
 * an isolated network's "internal and host routing only" is left out, the mode says so.
 */
function describeForward(forward: string): string {
  switch (forward) {
    case 'nat':
      return 'NAT';
    case 'route':
      return 'Routed network';
    case 'none':
      return 'Isolated network';
    default:
      return `${forward.charAt(0).toUpperCase()}${forward.slice(1)} network`;
  }
}

/** NIC types and what the tools call them (a `'name'` follows when the NIC names something). */
const INTERFACE_TYPE_NAMES: Readonly<Record<string, string>> = {
  // virt-manager's NIC source list
  network: 'Virtual network',
  bridge: 'Bridge device',
  direct: 'Macvtap device',
  user: 'Usermode networking',
  // virt-manager's Add Hardware page ("PCI Host Device")
  hostdev: 'PCI host device',
  // Cockpit's interface types, which follow libvirt's documentation
  ethernet: 'Generic ethernet connection',
  // libvirt's documentation (the section titles of its <interface> types): neither tool names these
  vdpa: 'vDPA device',
  vhostuser: 'vhost-user interface',
  mcast: 'Multicast tunnel',
  udp: 'UDP unicast tunnel',
  server: 'TCP tunnel server',
  client: 'TCP tunnel client',
  null: 'Null network interface',
  vds: 'VMWare Distributed Switch',
};

/** Types whose label names nothing more: user-mode networking is one stack, whatever its backend. */
const UNNAMED_TYPES = new Set(['user', 'null']);

/**
 * A VM NIC as virt-manager's source list (or Cockpit, or libvirt's documentation) shows it:
 * `Virtual network 'default': NAT`, `Bridge device 'br0'`, `Macvtap device 'eno1'`, `Usermode networking`.
 * By the NIC's own type and source as written, as those tools show it; `network` is the NIC's network from the
 * report (the forward description is added when it was read).
 * @example interfaceModeName(nic, defaultNetwork) // "Virtual network 'default': NAT"
 */
export function interfaceModeName(
  nic: Pick<InterfaceAudit, 'type' | 'source' | 'attachment'>,
  network: (Pick<NetworkAudit, 'name' | 'forward' | 'virtualport'> & { unread?: string | null }) | undefined,
): string {
  const typeName = Object.hasOwn(INTERFACE_TYPE_NAMES, nic.type) ? INTERFACE_TYPE_NAMES[nic.type]! : `Interface type '${nic.type}'`;
  // An ethernet NIC's source is rarely written: its tap is what it goes through.
  const name = UNNAMED_TYPES.has(nic.type) ? null : (nic.source ?? nic.attachment.through?.name ?? null);
  const label = name === null || name === '' ? typeName : `${typeName} '${name}'`;
  if (nic.type !== 'network' || network === undefined || network.name !== nic.attachment.network) return label;
  const described = networkModeName(network);
  // virt-manager prints `'default' : NAT`; the stray space before the colon is left out here.
  return described === null ? label : `${label}: ${described}`;
}
