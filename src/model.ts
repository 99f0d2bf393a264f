/**
 * The shared vocabulary of kvm-netaudit: every type that crosses a module boundary lives here,
 * so the data flow of docs/architecture.md can be read in one file:
 *
 *   HostConfig ─transport─▶ RawCapture ─parse─▶ HostFacts ─classify─▶ HostAudit ─runner─▶ HostReport ─▶ FleetReport
 *
 * Pure data only: no functions, no classes except the error type transports throw.
 */
import type { DhcpRange, ErrorKind, FleetReport, HostReport, Warning } from './report/schema.js';
import type { HostHeadline } from './report/headline.js';

// ───────────────────────────── modes (docs/report.md) ─────────────────────────────

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

// ───────────────────────────── inventory (docs/inventory.md) ─────────────────────────────

export type HostKeyPolicy = 'strict' | 'accept-new' | 'off';

/** The SSH clients a host can be audited with (docs/inventory.md `transport`): ssh2 in-process, or OpenSSH's `ssh`. */
export const TRANSPORTS = ['ssh2', 'openssh'] as const;
export type TransportName = (typeof TRANSPORTS)[number];

/** Which ssh_config applies to a host: OpenSSH's own files (~/.ssh/config, /etc/ssh/ssh_config), one file, or none. */
export type SshConfigChoice = { kind: 'default' } | { kind: 'file'; path: string } | { kind: 'off' };

/** Connection keys an inventory level can name; a named one wins over ssh_config. */
export const CONNECTION_KEYS = ['user', 'port', 'identityFile', 'passphraseEnv', 'agent', 'passwordEnv', 'knownHostsFile', 'jump'] as const;
export type ConnectionKey = (typeof CONNECTION_KEYS)[number];

/**
 * What ssh_config (through `ssh -G`) adds to a host's connection for the ssh2 transport, besides the keys it
 * fills in directly (address, port, user, key files, known_hosts, jump). None of these is set by the inventory.
 */
export interface SshConfigExtras {
  /** StrictHostKeyChecking mapped onto the three policies; the run's `--host-key-policy`, when given, wins. */
  hostKeyPolicy?: HostKeyPolicy;
  /** HashKnownHosts: `accept-new` writes the host's name hashed. */
  hashKnownHosts?: boolean;
  /** ConnectTimeout, in milliseconds. */
  connectTimeoutMs?: number;
  /** IdentityAgent: the agent socket to use instead of SSH_AUTH_SOCK. */
  agentSocket?: string;
  /** ProxyCommand: only the openssh transport can run it. */
  proxyCommand?: string;
  /** HostKeyAlias: the name known_hosts holds the key under; only the openssh transport honours it. */
  hostKeyAlias?: string;
}

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
  /** known_hosts files also checked, never written (OpenSSH's defaults when the inventory names none); none when absent. */
  readKnownHostsFiles?: string[];
  /** Key files tried, those that exist, when no level names `identityFile` (OpenSSH's defaults); none when absent. */
  defaultIdentityFiles?: string[];
  /** The jump host this one is reached through (a chain of any length); none when absent. */
  jump?: JumpHostConfig | null;
  /** The ssh_config that applies; none (`off`) when absent. */
  sshConfig?: SshConfigChoice;
  /** The connection keys some inventory level names (they win over ssh_config); all of them when absent. */
  namedKeys?: readonly ConnectionKey[];
  /** Set by applying ssh_config (ssh2 transport); none when absent. */
  fromSshConfig?: SshConfigExtras;
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
  /** Key files tried, those that exist, when no level names `identityFile` (OpenSSH's defaults); none when absent. */
  defaultIdentityFiles?: string[];
  /** Name of the environment variable holding the key's passphrase. */
  passphraseEnv: string | null;
  /** Authenticate with the ssh-agent at SSH_AUTH_SOCK. */
  agent: boolean;
  /** Name of the environment variable holding the password (never the password itself). */
  passwordEnv: string | null;
  knownHostsFile: string;
  /** known_hosts files also checked, never written (OpenSSH's defaults when the inventory names none); none when absent. */
  readKnownHostsFiles?: string[];
  /** Validated libvirt URI, e.g. `qemu:///system`. */
  libvirtUri: string;
  /** Run virsh through `sudo -n`. */
  sudo: boolean;
  /** Globs of interface names to count as bridge uplinks besides detected NICs. */
  uplinkInterfaces: string[];
  jump: JumpHostConfig | null;
  /** The SSH client that audits the host; ssh2 when absent. */
  transport?: TransportName;
  /**
   * Why the host cannot be audited as its source describes it (an Ansible host reached otherwise than over SSH):
   * it stays in the run and fails with kind `config`; absent for every host that can be.
   */
  unusable?: string;
  /** The ssh_config that applies; none (`off`) when absent. */
  sshConfig?: SshConfigChoice;
  /** The connection keys some inventory level names (they win over ssh_config); all of them when absent. */
  namedKeys?: readonly ConnectionKey[];
  /** Set by applying ssh_config (ssh2 transport); none when absent. */
  fromSshConfig?: SshConfigExtras;
}

export interface Inventory {
  /** Path of the file it was read from (for messages and the report). */
  file: string;
  /** The groups it declares (`groups:`), whether or not a host is in them. */
  groups: string[];
  hosts: HostConfig[];
}

// ───────────────────────────── transport ─────────────────────────────

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

// ───────────────────────────── probe (docs/architecture.md) ─────────────────────────────

/** One framed section of the probe's output: a command's stdout, stderr and exit status. */
export interface ProbeSection {
  /** Section id from the probe registry, e.g. `libvirt-lists`, `objects`, `ip-link`. */
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
  /** The run's nonce: the virsh sections mark each set and each object with it (see probe/framing.ts). */
  nonce: string;
  sections: ProbeSection[];
  /** The output cap was hit; later sections are missing. */
  truncated: boolean;
  /** Total bytes received. */
  bytes: number;
}

// ───────────────────────────── facts (parsed, typed) ─────────────────────────────

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

/** What a network definition says about where its traffic goes: compared between running and persistent. */
export type NetworkDefinition = Pick<NetworkFacts, 'bridge' | 'forward' | 'virtualportType' | 'addresses' | 'portgroups' | 'vlanTags'>;

/** One libvirt network, from the listing's sets and `net-dumpxml`. */
export interface NetworkFacts {
  name: string;
  uuid: string;
  active: boolean | null;
  autostart: boolean | null;
  persistent: boolean | null;
  /** `<bridge name>`; null for networks without one (macvtap and hostdev pools). */
  bridge: string | null;
  /** null when the network has no `<forward>` element (isolated). */
  forward: ForwardFacts | null;
  /** Network-level `<virtualport type>`. */
  virtualportType: string | null;
  addresses: NetworkAddress[];
  portgroups: PortgroupFacts[];
  vlanTags: number[];
  /**
   * libvirt's own count of guest NICs plugged into the running network (`<network connections>` of the live XML,
   * absent = 0); null when the network is not active or its XML was not read.
   */
  connections: number | null;
  /**
   * The persistent definition (`net-dumpxml --inactive`) of an active persistent network: what it becomes at its
   * next start. null when there is none, or it could not be read.
   */
  persistentDefinition: NetworkDefinition | null;
  /**
   * null when the definition was read; otherwise why it could not be (XML refused, cut off or malformed, or
   * listed but never dumped). Such a network is still here, with what the listing's sets told (its UUID as name).
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
   * The interfaces of the persistent definition (`dumpxml --inactive`) of a running or paused persistent VM: what
   * it boots with next time. null when there is none, or it could not be read.
   */
  persistentInterfaces: InterfaceFacts[] | null;
  /**
   * null when the domain XML was read; otherwise why it could not be. Such a VM is still here, with no
   * interfaces, its UUID as name and its state from the listing's sets.
   * @example 'listed by virsh, but the probe output was cut off before its XML'
   */
  unread: string | null;
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

// ───────────────────────────── audit and reports (docs/report.md) ─────────────────────────────

// The classified audit and report.json are defined once, as zod schemas, in report/schema.ts: these are their
// output types, and the same schemas write report.json, read old reports and publish the JSON Schema.
export type {
  BridgeAudit,
  DhcpRange,
  ErrorKind,
  Finding,
  FleetReport,
  HostAudit,
  HostError,
  HostReport,
  HostStatus,
  InterfaceAudit,
  Mode,
  NatAudit,
  NetworkAudit,
  PortgroupAudit,
  Severity,
  VmAudit,
  WaiverRef,
  Warning,
} from './report/schema.js';

/**
 * A run's host reports, read one at a time in inventory order: an array, or the run's spill file
 * (io/hostSpill.ts), which keeps a 5,000-host run's reports off the heap. Iterable as often as needed.
 */
export interface HostSequence extends Iterable<HostReport> {
  readonly length: number;
  /** Each host's headline, in the same order, when the sequence keeps them (the spill file does): report/headline.ts. */
  readonly headlines?: readonly HostHeadline[];
}

/**
 * Where a run keeps each host's final report: in memory (runner/hostStore.ts), or spilled to disk
 * (io/hostSpill.ts). A later report of the same host (a re-audit) replaces the earlier one.
 */
export interface HostStore<H extends HostSequence = HostSequence> {
  put(report: HostReport): void;
  /** The kept reports of these hosts, in this order; every name must have been put. */
  sequence(names: readonly string[]): H;
}

/** A fleet report whose hosts may live on disk: what the renderers and the publisher take. */
export type FleetReportView = Omit<FleetReport, 'hosts'> & { hosts: HostSequence };

// ───────────────────────────── runner events ─────────────────────────────

/** Progress of a run, as the runner emits it; the UI, the line log and tests subscribe. */
export type RunEvent =
  | { type: 'run-started'; at: number; total: number; concurrency: number; hosts: { name: string; groups: string[] }[] }
  | { type: 'host-connecting'; at: number; host: string }
  | { type: 'host-probing'; at: number; host: string }
  | { type: 'host-done'; at: number; host: string; report: HostReport }
  | { type: 'run-stopping'; at: number; reason: string }
  | { type: 'run-finished'; at: number; report: FleetReportView };
