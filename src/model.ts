/**
 * The shared vocabulary of kvm-netaudit: every type that crosses a module boundary lives here,
 * so the data flow of DESIGN §2 can be read in one file:
 *
 *   HostConfig ─transport─▶ RawCapture ─parse─▶ HostFacts ─classify─▶ HostAudit ─runner─▶ HostReport ─▶ FleetReport
 *
 * Pure data only: no functions, no classes except the error type transports throw.
 */

// ───────────────────────────── modes (DESIGN §4) ─────────────────────────────

/** Every libvirt network and every VM interface gets exactly one of these. */
export const MODES = [
  'nat',
  'routed',
  'open',
  'isolated',
  'bridged',
  'host-only',
  'ovs',
  'macvtap',
  'hostdev',
  'vdpa',
  'user',
  'vhostuser',
  'ethernet',
  'socket',
  'none',
  'vds',
  'missing',
  'unknown',
] as const;
export type Mode = (typeof MODES)[number];

// ───────────────────────────── inventory (DESIGN §8) ─────────────────────────────

export type HostKeyPolicy = 'strict' | 'accept-new' | 'off';

/** A bastion that hosts are reached through (one shared connection per bastion). */
export interface JumpHostConfig {
  name: string;
  address: string;
  port: number;
  user: string;
  identityFile: string | null;
  passphraseEnv: string | null;
  agent: boolean;
  passwordEnv: string | null;
  knownHostsFile: string;
}

/** One hypervisor after defaults → groups → host have been merged. */
export interface HostConfig {
  name: string;
  address: string;
  port: number;
  user: string;
  groups: string[];
  /** Path of a private key file (already `~`-expanded). */
  identityFile: string | null;
  /** Name of the environment variable holding the key's passphrase. */
  passphraseEnv: string | null;
  /** Authenticate with the ssh-agent at SSH_AUTH_SOCK. */
  agent: boolean;
  /** Name of the environment variable holding the password (never the password itself). */
  passwordEnv: string | null;
  knownHostsFile: string;
  /** Validated libvirt URI, e.g. `qemu:///system`. */
  libvirtUri: string;
  /** Run virsh through `sudo -n`. */
  sudo: boolean;
  /** Globs of interface names to count as bridge uplinks besides detected NICs. */
  uplinkInterfaces: string[];
  jump: JumpHostConfig | null;
}

export interface Inventory {
  /** Path of the file it was read from (for messages and the report). */
  file: string;
  /** The groups it declares (`groups:`), whether or not a host is in them. */
  groups: string[];
  hosts: HostConfig[];
}

// ───────────────────────────── transport ─────────────────────────────

/** Why a host could not be audited (report `error.kind`). */
export type ErrorKind =
  | 'unreachable'
  | 'timeout'
  | 'auth'
  | 'hostkey'
  | 'libvirt'
  | 'command'
  | 'parse'
  | 'cancelled'
  | 'internal';

/** Thrown by transports; the runner turns it into a `failed` host outcome. */
export class TransportError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export interface ExecOptions {
  /** Aborting closes the channel and the connection. */
  signal?: AbortSignal;
  /** Output beyond this many bytes (stdout + stderr) is cut off and `truncated` is set. */
  maxBytes: number;
  /**
   * The run's fleet-wide budget for output held in memory, shared by every host in flight; none when absent. A
   * failed exec gives its bytes back itself; a successful one leaves `ExecResult.bytes` reserved for the caller
   * to give back when it is done with the output.
   */
  budget?: OutputBudget;
}

/** Bytes of output buffered across the whole fleet at once (concurrency × max-output would be gigabytes). */
export interface OutputBudget {
  /** Reserve `bytes`; false (and nothing reserved) when that would pass the limit. */
  take(bytes: number): boolean;
  /** Give back bytes reserved earlier. */
  give(bytes: number): void;
  readonly limit: number;
  readonly inUse: number;
}

/** What one exec channel returned. */
export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  /** Bytes received, stdout and stderr together (what the cap counts). */
  bytes: number;
  /** What cut the output off: the host's own cap, or the fleet-wide budget; null when it was not cut. */
  cutOffBy: 'host-cap' | 'fleet-budget' | null;
}

/** An open connection to one host. */
export interface Transport {
  exec(script: string, options: ExecOptions): Promise<ExecResult>;
  close(): void;
}

/** Opens transports; holds shared resources (jump-host connections) until `close`. */
export interface Connector {
  connect(host: HostConfig, options: { signal?: AbortSignal }): Promise<Transport>;
  close(): Promise<void>;
}

// ───────────────────────────── probe (DESIGN §5) ─────────────────────────────

/** One framed section of the probe's output: a command's stdout, stderr and exit status. */
export interface ProbeSection {
  /** Section id from the probe registry, e.g. `net-uuids`, `net-batch-0`, `ip-link`. */
  id: string;
  /** Human-readable command line that produced it. */
  command: string;
  /** Exit status; null when the section never finished (output cut off or aborted). */
  exit: number | null;
  stdout: string;
  stderr: string;
}

/** The unit of evidence: everything one probe run returned. Can be saved and replayed. */
export interface RawCapture {
  /** The run's nonce: virsh batch sections mark each object with it (see probe/framing.ts). */
  nonce: string;
  sections: ProbeSection[];
  /** The output cap was hit; later sections are missing. */
  truncated: boolean;
  /** Total bytes received. */
  bytes: number;
}

// ───────────────────────────── facts (parsed, typed) ─────────────────────────────

export interface DhcpRange {
  start: string;
  end: string;
}

export interface NetworkAddress {
  family: 'ipv4' | 'ipv6';
  address: string;
  /** Prefix length (netmask converted), null if neither prefix nor netmask given. */
  prefix: number | null;
  dhcpRanges: DhcpRange[];
  dhcpHosts: number;
}

export interface PortgroupFacts {
  name: string;
  isDefault: boolean;
  vlanTags: number[];
  virtualportType: string | null;
}

/** The `<forward>` element of a network. */
export interface ForwardFacts {
  /** The raw `mode` attribute; null when the attribute is absent (libvirt then means nat). */
  mode: string | null;
  dev: string | null;
  /** `<interface dev>` pool entries. */
  interfaces: string[];
  /** `<pf dev>` entries. */
  pfs: string[];
  /** `<address type='pci'>` pool entries, as `dddd:bb:ss.f`. */
  pciAddresses: string[];
  natPorts: { start: number; end: number } | null;
  natAddresses: { start: string; end: string } | null;
  natIpv6: boolean;
}

/** One libvirt network, from `net-info` and `net-dumpxml`. */
export interface NetworkFacts {
  name: string;
  uuid: string;
  active: boolean | null;
  autostart: boolean | null;
  persistent: boolean | null;
  /** `<bridge name>` (net-info's Bridge when the XML lacks it). */
  bridge: string | null;
  /** null when the network has no `<forward>` element (isolated). */
  forward: ForwardFacts | null;
  /** Network-level `<virtualport type>`. */
  virtualportType: string | null;
  addresses: NetworkAddress[];
  portgroups: PortgroupFacts[];
  vlanTags: number[];
  /**
   * null when the definition was read; otherwise why it could not be (XML refused, cut off or malformed, or
   * listed but never dumped). Such a network is still here, with what net-info told (or its UUID as name).
   * @example 'net-dumpxml unreadable: XML with a DOCTYPE or ENTITY declaration is refused'
   */
  unread: string | null;
}

/** One kernel link, from `ip -j -d link` merged with `ip -j addr`. */
export interface LinkFacts {
  name: string;
  index: number;
  /** `linkinfo.info_kind` (bridge, veth, bond, vlan, macvtap, tun, vxlan, openvswitch…); null for plain NICs. */
  kind: string | null;
  /** `linkinfo.info_slave_kind` (bridge, bond, openvswitch…). */
  slaveKind: string | null;
  /** The bridge/bond this link is enslaved to. */
  master: string | null;
  /** `link_type` (ether, loopback, none…). */
  linkType: string | null;
  mac: string | null;
  operstate: string | null;
  /** Administratively up (flag UP). */
  up: boolean;
  parentBus: string | null;
  parentDev: string | null;
  /** The lower device (`link` field): a VLAN's or macvtap's parent, a veth's peer name when known. */
  lower: string | null;
  /** `link_index`: a veth's peer ifindex (same namespace when `linkNetnsid` is null). */
  peerIndex: number | null;
  linkNetnsid: number | null;
  /** `info_data.mode` for macvlan/macvtap/ipvlan; `info_data.id` for vlan. */
  macvlanMode: string | null;
  vlanId: number | null;
  addresses: { family: 'ipv4' | 'ipv6'; address: string; prefix: number }[];
}

/** A host bridge and its ports (brctl show, or `ip`/`bridge` fallback). */
export interface BridgeFacts {
  name: string;
  kind: 'linux' | 'ovs';
  ports: string[];
}

export interface InterfaceSource {
  network: string | null;
  bridge: string | null;
  dev: string | null;
  /** direct mode (vepa, bridge, private, passthrough) or vhostuser/socket mode. */
  mode: string | null;
  portgroup: string | null;
  /** vhostuser/unix socket path. */
  path: string | null;
  /** socket tunnel address/port. */
  address: string | null;
  port: string | null;
  /** hostdev PCI address as `dddd:bb:ss.f`. */
  pciAddress: string | null;
}

/** One `<interface>` of a domain. */
export interface InterfaceFacts {
  type: string;
  mac: string | null;
  model: string | null;
  target: string | null;
  source: InterfaceSource;
  virtualportType: string | null;
  /** `<link state>`: up, down or null (up). */
  linkState: string | null;
  vlanTags: number[];
  /** `<backend type>` (passt) for user interfaces. */
  backendType: string | null;
}

export interface DomainFacts {
  name: string;
  uuid: string;
  id: number | null;
  /** running, paused, shut off, … as virsh prints it. */
  state: string;
  persistent: boolean | null;
  autostart: boolean | null;
  interfaces: InterfaceFacts[];
  /**
   * null when the domain XML was read; otherwise why it could not be. Such a VM is still here, with no
   * interfaces, its name and state from dominfo when that was read (else its UUID and `unknown`).
   * @example 'listed by virsh, but the probe output was cut off before its XML'
   */
  unread: string | null;
}

/** A problem worth telling the operator, as data. */
export interface Warning {
  /**
   * e.g. network-missing, network-inactive, bridge-missing, device-missing, portgroup-missing, link-down (a guest
   * link set down), uplink-down (a host uplink or macvtap device without carrier or set down), section-failed,
   * section-unparsed, tool-missing, output-truncated, object-vanished and object-unparsed (a listed network or
   * VM whose definition could not be read: it is kept, with `unread`), object-cap (more networks, VMs or links
   * than one host may bring; the first ones are kept)
   */
  kind: string;
  /** What it is about: `network default`, `vm web01 52:54:00:…`, `section ip-link`. */
  subject: string;
  message: string;
}

/** Everything parsed from one host's capture. */
export interface HostFacts {
  networks: NetworkFacts[];
  links: LinkFacts[];
  bridges: BridgeFacts[];
  domains: DomainFacts[];
  /** Devices that carry the default route(s). */
  defaultRouteDevs: string[];
  /** Problems met while parsing (failed or unparsable sections, missing tools). */
  warnings: Warning[];
  /** A problem that makes the host's libvirt facts unusable (virsh missing, libvirtd down…). */
  libvirtError: string | null;
}

// ───────────────────────────── audit (classified) ─────────────────────────────

/** How a `nat` network masquerades: `<forward mode='nat'><nat>…</nat>`. */
export interface NatAudit {
  /** The public address range masqueraded to (`<address start end>`); null = the outgoing device's own address. */
  addresses: { start: string; end: string } | null;
  /** The source port range (`<port start end>`); null = libvirt's default, 1024–65535. */
  ports: { start: number; end: number } | null;
  /** `<nat ipv6='yes'>`: IPv6 traffic is masqueraded too (otherwise IPv6 is routed). */
  ipv6: boolean;
}

/** A `<portgroup>` of a network: the settings a NIC picks up by naming it (or by naming none, for the default). */
export interface PortgroupAudit {
  name: string;
  /** `default='yes'`: NICs on the network that name no portgroup get this one. */
  default: boolean;
  vlanTags: number[];
  /** `<virtualport type>` of the portgroup, when set. */
  virtualport: string | null;
}

export interface NetworkAudit {
  name: string;
  uuid: string;
  active: boolean | null;
  autostart: boolean | null;
  persistent: boolean | null;
  bridge: string | null;
  /**
   * The forward mode as libvirt means it: nat, route, open, bridge, vepa, private, passthrough, hostdev, or `none`;
   * `unknown` when the definition could not be read.
   */
  forward: string;
  mode: Mode;
  /** Every `<ip>` of the network, IPv4 and IPv6, as `address/prefix`. */
  addresses: string[];
  /** DHCP ranges of every address family. */
  dhcp: DhcpRange[];
  /** `<forward dev>`: the one device NAT/routed traffic leaves by, or the pool's one device; null = any. */
  forwardDev: string | null;
  /** NAT settings; null unless the network is `nat`. */
  nat: NatAudit | null;
  portgroups: PortgroupAudit[];
  /** Network-level `<vlan><tag id>` ids. */
  vlanTags: number[];
  /** Network-level `<virtualport type>` (openvswitch, 802.1Qbg, 802.1Qbh, midonet). */
  virtualport: string | null;
  /**
   * The host devices a macvtap or hostdev network hands out: `<pf dev>` devices (whose VFs are the pool), then
   * `<interface dev>` devices, then `<address type='pci'>` entries as `dddd:bb:ss.f`; `<forward dev>` alone
   * when it lists none. Empty for other forward modes.
   */
  pool: string[];
  evidence: string[];
  /** null when the definition was read; otherwise why not (the mode is then `unknown`, never a guess). */
  unread: string | null;
}

export interface BridgeAudit {
  name: string;
  kind: 'linux' | 'ovs';
  ports: string[];
  uplinks: string[];
  addresses: string[];
}

export interface InterfaceAudit {
  mac: string | null;
  type: string;
  /** The source as written: network name, bridge name, device… */
  source: string | null;
  target: string | null;
  model: string | null;
  mode: Mode;
  /** What the mode goes through: `network default`, `bridge br0`, `dev eno1`… */
  via: string | null;
  /** The guest's link: `<link state>` as written, `up` when absent (libvirt's default). */
  linkState: string;
  /**
   * The portgroup in effect on the NIC's network: the one it names, or the network's default portgroup when it
   * names none (as libvirt picks it); null when neither.
   */
  portgroup: string | null;
  /** VLAN tags in effect: the NIC's own `<vlan>`, else its portgroup's, else its network's (libvirt's order). */
  vlanTags: number[];
  /** `<virtualport type>` in effect: the NIC's own, else its portgroup's, else its network's. */
  virtualport: string | null;
  /**
   * The host link a macvtap NIC sits on: a direct NIC's `<source dev>`, or for a NIC on a macvtap network the
   * lower device of its macvtap link when the host shows it; null otherwise.
   */
  device: string | null;
  /** The chain that shows the mode; its first step names the NIC (`web01/52:54:00:00:02:01`). */
  evidence: string[];
}

export interface VmAudit {
  name: string;
  uuid: string;
  state: string;
  /** False for a transient VM (it disappears when shut off); null when dominfo could not be read. */
  persistent: boolean | null;
  interfaces: InterfaceAudit[];
  /** null when the domain XML was read; otherwise why not (its interfaces are then unknown, not absent). */
  unread: string | null;
}

/** The classifier's answer for one host. */
export interface HostAudit {
  networks: NetworkAudit[];
  bridges: BridgeAudit[];
  vms: VmAudit[];
  /** Sorted set of modes of the host's VM interfaces; includes `unknown` when a VM could not be read. */
  modes: Mode[];
  verdict: string;
  warnings: Warning[];
  /** Devices carrying the host's default route(s) (policy: no macvtap on them, guests could not reach the host). */
  defaultRouteDevs: string[];
}

// ───────────────────────────── reports (DESIGN §6) ─────────────────────────────

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

/** The waiver that decided (or, expired, no longer decides) a finding. */
export interface WaiverRef {
  rule: string;
  subject: string;
  justification: string;
  /** Last day it holds, `YYYY-MM-DD` (UTC, inclusive). */
  expires: string;
  owner: string | null;
  /** Where it was written: `policy.yaml:12`. */
  origin: string;
}

/** A policy rule that a subject fails (or would fail, when a waiver accepts it). */
export interface Finding {
  rule: string;
  severity: Severity;
  subject: string;
  message: string;
  /** `waived`: accepted by a waiver, not counted by `--fail-on`. Absent means `fail`. */
  status?: 'fail' | 'waived';
  /** The facts that show the failure, as short steps. */
  evidence?: string[];
  /** The waiver's justification (waived findings). */
  justification?: string;
  /** The waiver that waives it, or the expired one that no longer does. */
  waiver?: WaiverRef & { expired: boolean };
}

export type HostStatus = 'ok' | 'partial' | 'failed';

export interface HostError {
  kind: ErrorKind;
  message: string;
}

/** One host in report.json: the outcome of auditing it, whatever happened. */
export interface HostReport extends HostAudit {
  name: string;
  address: string;
  groups: string[];
  status: HostStatus;
  error: HostError | null;
  durationMs: number;
  findings: Finding[];
}

export interface FleetReport {
  schemaVersion: 1;
  tool: { name: string; version: string };
  run: {
    startedAt: string;
    finishedAt: string;
    inventory: string;
    concurrency: number;
    complete: boolean;
  };
  summary: {
    hosts: number;
    ok: number;
    partial: number;
    failed: number;
    modes: Partial<Record<Mode, number>>;
    /**
     * VMs and networks listed by virsh whose definitions could not be read (see `unread`): a VM without a read
     * definition has no NICs to count in `modes`, so it is counted here instead.
     */
    unread: { vms: number; networks: number };
    /** Failing findings per severity (waived ones are not counted here). */
    findings: Partial<Record<Severity, number>>;
    /** Findings a waiver accepts. */
    waived: number;
  };
  hosts: HostReport[];
}

// ───────────────────────────── runner events ─────────────────────────────

/** Progress of a run, as the runner emits it; the UI, the line log and tests subscribe. */
export type RunEvent =
  | { type: 'run-started'; at: number; total: number; concurrency: number; hosts: { name: string; groups: string[] }[] }
  | { type: 'host-connecting'; at: number; host: string }
  | { type: 'host-probing'; at: number; host: string }
  | { type: 'host-done'; at: number; host: string; report: HostReport }
  | { type: 'run-stopping'; at: number; reason: string }
  | { type: 'run-finished'; at: number; report: FleetReport };
