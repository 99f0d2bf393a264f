/**
 * Command-line parsing (docs/cli.md), pure: argv in, a typed command or a usage error out.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from './errors.js';
import { closestName } from './util/suggest.js';
import { TRANSPORTS, type HostKeyPolicy, type Severity, type TransportName } from './model.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_TOTAL_BYTES,
  DEFAULT_TIMEOUT_MS,
  REPORT_FORMATS,
  type ReportFormat,
} from './defaults.js';
import { isSeverity } from './policy/severity.js';
import { SEVERITIES } from './report/severities.js';
import { MAX_SHARDS, type Shard } from './inventory/shard.js';
import { parseHostEntries, type HostEntry } from './inventory/hostEntry.js';

/**
 * The largest --max-output: a host's output is decoded into one string, and V8 refuses strings past about 2^29
 * characters (ssh2's callback then threw and the run died with no report); 256 MiB keeps a 2× margin.
 */
export const MAX_OUTPUT_LIMIT_MIB = 256;
/** The largest --max-output-total: a bound on memory, not a target; 16 GiB is already more than most clients have. */
export const MAX_TOTAL_OUTPUT_LIMIT_MIB = 16_384;

/** `--baseline latest`: the newest report under reports/. */
export const BASELINE_LATEST = 'latest';

/** A command line that cannot be run as written (exit 64, with a pointer to --help). */
export class UsageError extends InputError {
  /** @param message one problem, or every problem found (each bad host entry, say) */
  constructor(message: string | readonly string[]) {
    super('usage', message);
    this.name = 'UsageError';
  }
}

export interface AuditOptions {
  inventory: string | null;
  /**
   * Hosts given on the command line (`audit HOST…`, `-H LIST`), in the order given, instead of an inventory;
   * empty when none are.
   */
  hosts: HostEntry[];
  /** `--local`: audit this machine through `sh -s`, without SSH. */
  local: boolean;
  /** `--libvirt-uri` for command-line and local hosts; null: the inventory default, qemu:///system. */
  libvirtUri: string | null;
  /** `--sudo`: command-line and local hosts run virsh through `sudo -n`. @default false */
  sudo: boolean;
  limit: string[];
  concurrency: number;
  timeoutMs: number;
  /** `--connect-timeout`; null when not given (ssh_config's ConnectTimeout, else the default, applies). */
  connectTimeoutMs: number | null;
  maxBytes: number;
  /** Output buffered across all hosts in flight at once. */
  maxTotalBytes: number;
  out: string | null;
  formats: ReportFormat[];
  /** `--report FORMAT:PATH` (repeatable): that format also written to that file. */
  reportTargets: ReportTarget[];
  json: string | null;
  tui: boolean;
  knownHosts: string | null;
  /** `--host-key-policy`; null when not given (ssh_config's StrictHostKeyChecking, else strict, applies). */
  hostKeyPolicy: HostKeyPolicy | null;
  /** `--transport`: every host through this SSH client; null: each host's `transport:`. */
  transport: TransportName | null;
  saveCaptures: string | null;
  replay: string | null;
  /** `--from-sos PATH…`: sosreports (folders or archives) to audit instead of hosts; absent when not given. */
  fromSos?: string[];
  /** Policy files and/or `builtin:baseline`. */
  policies: string[];
  /** Exit 1 when a failing finding has this severity or a higher one. */
  failOn: Severity | null;
  /** A previous report.json: the reports get a drift section. */
  baseline: string | null;
  /** `--shard K/N`: audit only the selected hosts whose name hashes to K of N (inventory/shard.ts). */
  shard: Shard | null;
}

/** `ssh-settings`: one host's connection settings, as a run with the same flags would use them. */
export interface SshSettingsOptions {
  inventory: string;
  host: string;
  json: boolean;
  transport: TransportName | null;
  hostKeyPolicy: HostKeyPolicy | null;
  connectTimeoutMs: number | null;
  knownHosts: string | null;
}

/** A report written to a file of the operator's choosing (`--report prom:/var/lib/node_exporter/textfile/kvm.prom`). */
export interface ReportTarget {
  format: ReportFormat;
  path: string;
}

/** `merge`: the shard reports to combine, and how to write and judge the result (as audit does). */
export interface MergeOptions {
  /** The shard reports (report.json files), as given. */
  reports: string[];
  out: string | null;
  formats: ReportFormat[];
  /** `--report FORMAT:PATH` (repeatable): that format also written to that file. */
  reportTargets: ReportTarget[];
  json: string | null;
  policies: string[];
  failOn: Severity | null;
  baseline: string | null;
}

export type Command =
  /** `topic`: one command's usage, or null for the whole overview. */
  | { name: 'help'; topic: CommandName | null }
  | { name: 'version' }
  | { name: 'audit'; options: AuditOptions }
  | { name: 'demo'; options: AuditOptions; hosts: number }
  | { name: 'show-probe'; inventory: string | null; host: string | null }
  | { name: 'ssh-settings'; options: SshSettingsOptions }
  | { name: 'diff'; oldReport: string; newReport: string; json: boolean; exitCode: boolean }
  | { name: 'merge'; options: MergeOptions };

/** The commands, each with its usage: `help COMMAND` and `COMMAND --help` print it. */
export const COMMANDS = ['audit', 'demo', 'show-probe', 'ssh-settings', 'diff', 'merge'] as const;
export type CommandName = (typeof COMMANDS)[number];

const AUDIT_OPTIONS = `Audit options:
  -i, --inventory FILE        inventory YAML (inventory.example.yaml), or an Ansible inventory: INI, YAML,
                              a directory, a script, or its ansible-inventory --list JSON (docs/inventory.md)
  HOST…, -H, --host LIST      audit these hosts, without an inventory: [user@]host[:port] (IPv6 as
                              [addr]:port), named as written without user and port; -H is repeatable,
                              comma- or space-separated (audit hv1 hv2 -H root@hv3:2222). ssh_config applies
      --local                 audit this machine, without SSH (sh -s here), named after its host name
      --libvirt-uri URI       libvirt URI for HOST… and --local (default qemu:///system)
      --sudo                  run virsh through sudo -n on HOST… and --local
  -l, --limit PATTERN         only hosts or groups matching PATTERN: globs * ? [a-z] {a,b}, ranges hv[01:20],
                              group[0:9]; separated by , or : as in Ansible, !PATTERN excludes, &PATTERN
                              intersects; repeatable
  -c, --concurrency N         hosts audited at once (default ${DEFAULT_CONCURRENCY})
  -t, --timeout SECONDS       deadline per host, connect + probe (default ${DEFAULT_TIMEOUT_MS / 1000})
      --connect-timeout SECONDS   TCP connect, SSH handshake and login (default: ssh_config's
                              ConnectTimeout, else ${DEFAULT_CONNECT_TIMEOUT_MS / 1000})
      --max-output MIB        cut off a host's output beyond this (default ${DEFAULT_MAX_BYTES / 1024 / 1024}, at most ${MAX_OUTPUT_LIMIT_MIB})
      --max-output-total MIB  output held for all hosts in flight; a host that would pass it is cut
                              off (default ${DEFAULT_MAX_TOTAL_BYTES / 1024 / 1024})
  -o, --out DIR               write reports to DIR (default reports/YYYYMMDD-HHMMSS/)
      --format LIST           report files to write: json,md,junit,prom (default json,md)
      --report FORMAT[:PATH]  also write FORMAT into the report folder, or to PATH (repeatable; e.g.
                              prom:/var/lib/prometheus/node-exporter/kvm_netaudit.prom)
      --json FILE|-           also write report.json to FILE, or to stdout with -
      --no-tui                plain line log instead of the live table (also when not a TTY or CI is set)
      --known-hosts FILE      known_hosts file for every host (default: each host's knownHostsFile)
      --host-key-policy P     strict | accept-new | off (default: each host's ssh_config
                              StrictHostKeyChecking, else strict)
      --transport T           ssh2 | openssh: every host through this SSH client (default: each
                              host's transport:, else ssh2)
      --save-captures DIR     save each host's raw probe output as DIR/HOST.json
      --replay DIR            audit saved captures instead of connecting
      --from-sos PATH…        audit sosreports instead (extracted folders or sos's .tar.xz/.tar.gz), one
                              host each, named by the report's hostname; what sos did not collect is unknown
      --shard K/N             audit only slice K of N (1-based) of the selected hosts, picked by a hash
                              of each host's name; combine the slices with kvm-netaudit merge

Compliance options (docs/policy.md):
      --policy FILE           check a policy (repeatable); builtin:baseline is the built-in baseline
      --fail-on SEVERITY      exit 1 when a finding at or above info|low|medium|high|critical fails
      --baseline OLD.json     add a drift section: what changed since that report (latest: the newest
                              report under reports/)

Exit codes: 0 every host audited (and no failing finding at or above --fail-on); 1 findings at or above
--fail-on; 2 one or more hosts could not be audited (wins over 1); 64 bad invocation, inventory or policy;
73 the reports could not be written (the summary was still shown); 130 a second Ctrl-C left without a report.
Ctrl-C, SIGTERM and SIGHUP stop the run and still write the report, marked incomplete.
`;

export const COMMAND_USAGE: Readonly<Record<CommandName, string>> = {
  audit: `Usage: kvm-netaudit [audit] -i inventory.yaml [options]
       kvm-netaudit audit [user@]host[:port]… [options]     (or -H host,host…)
       kvm-netaudit audit --local [options]
       kvm-netaudit audit --from-sos PATH… [options]     (sosreports: folders or .tar.xz/.tar.gz)

Audit the hosts of an inventory, or the hosts named, over SSH (or this machine with --local): one read-only
probe per host, the networking mode of every libvirt network and VM NIC, reports in reports/ (docs/cli.md,
docs/report.md).

${AUDIT_OPTIONS}`,
  demo: `Usage: kvm-netaudit demo [--hosts N] [audit options]

Audit the embedded demo fleet: local SSH servers answering the real probe with captures of real hypervisors,
checked with strict host keys. Its two broken hosts failing as designed do not fail the demo (exit 0).

      --hosts N               serve N hosts made from the bundled captures (default: the bundled fleet)
  --timeout defaults to 3 s here; every audit option works (kvm-netaudit help audit) but those that say
  which hosts to audit (-i, HOST…, -H, --local, --libvirt-uri, --sudo).
`,
  'show-probe': `Usage: kvm-netaudit show-probe [-i inventory.yaml [--host NAME]]

Print the exact read-only script a host runs (its first host, or NAME); only the nonce changes between runs.
`,
  'ssh-settings': `Usage: kvm-netaudit ssh-settings -i inventory.yaml --host NAME [--json] [options]

Print how NAME will be connected to, and where each value comes from: the inventory, ssh_config (as \`ssh -G\`
resolves it), the command line, or OpenSSH's defaults. Nothing is connected to.
      --json                  the same as JSON on stdout
      --transport T, --host-key-policy P, --known-hosts FILE, --connect-timeout SECONDS
                              as for audit: the settings a run with these flags would use
`,
  diff: `Usage: kvm-netaudit diff OLD.json NEW.json [--json] [--exit-code]

What changed between two reports: hosts, statuses, modes and findings, as Markdown (or JSON with --json).
      --exit-code             exit 1 when anything changed, 0 when nothing did (as git diff --exit-code)
`,
  merge: `Usage: kvm-netaudit merge SHARD.json… [-o DIR] [options]

Combine the report.json files of --shard K/N runs into the report one run over the whole fleet would have
written: hosts in inventory order, the earliest start and the latest finish, one summary, one compliance
section. It refuses (exit 64) a host found in two reports, shards of different N, of another inventory or
--limit, or of another kvm-netaudit version. A shard not given, or one that was itself stopped, makes the
report incomplete ("complete": false, the missing shards named on stderr and in run.merge.missing).

  -o, --out DIR               write the merged reports to DIR (default reports/YYYYMMDD-HHMMSS/)
      --format LIST           report files to write: json,md,junit,prom (default json,md)
      --report FORMAT[:PATH]  also write FORMAT into the report folder, or to PATH (repeatable; e.g.
                              prom:/var/lib/prometheus/node-exporter/kvm_netaudit.prom)
      --json FILE|-           also write report.json to FILE, or to stdout with -
      --policy FILE           the policy the shards were audited with (repeatable): the compliance section,
                              junit.xml and --fail-on need it; findings that differ from the shards' are refused
      --fail-on SEVERITY      exit 1 when a finding at or above info|low|medium|high|critical fails
      --baseline OLD.json     add a drift section against an earlier (whole-fleet) report; latest: the newest
                              report under reports/

Exit codes: 0 every host audited and every shard there; 1 findings at or above --fail-on; 2 a host could not be
audited, or a shard is missing or incomplete (wins over 1); 64 bad invocation or shard reports that do not
belong together; 73 the merged reports could not be written.
`,
};

export const USAGE = `kvm-netaudit: which networking mode every libvirt network and VM NIC uses, fleet-wide, over SSH

Usage:
  kvm-netaudit [audit] -i inventory.yaml [options]   audit the hosts of an inventory
  kvm-netaudit audit HOST… | -H LIST | --local       audit hosts named here ([user@]host[:port]), or this machine
  kvm-netaudit demo [--hosts N] [options]            audit the embedded demo fleet (local SSH servers; its two
                                                     broken hosts failing as designed do not fail the demo)
  kvm-netaudit show-probe [-i inventory.yaml --host NAME]
                                                     print the exact read-only script run on a host
  kvm-netaudit ssh-settings -i inventory.yaml --host NAME
                                                     how a host is connected to, and why (ssh_config…)
  kvm-netaudit diff OLD.json NEW.json [--json] [--exit-code]
                                                     what changed between two reports (Markdown or JSON)
  kvm-netaudit merge SHARD.json… [-o DIR]            combine the reports of --shard K/N runs into one
  kvm-netaudit help [COMMAND] | COMMAND --help       one command's usage
  kvm-netaudit --help | --version

${AUDIT_OPTIONS}`;

const AUDIT_FLAGS = {
  inventory: { type: 'string', short: 'i' },
  limit: { type: 'string', short: 'l', multiple: true },
  concurrency: { type: 'string', short: 'c' },
  timeout: { type: 'string', short: 't' },
  'connect-timeout': { type: 'string' },
  'max-output': { type: 'string' },
  'max-output-total': { type: 'string' },
  out: { type: 'string', short: 'o' },
  format: { type: 'string' },
  report: { type: 'string', multiple: true },
  json: { type: 'string' },
  'no-tui': { type: 'boolean' },
  'known-hosts': { type: 'string' },
  'host-key-policy': { type: 'string' },
  transport: { type: 'string' },
  'save-captures': { type: 'string' },
  replay: { type: 'string' },
  policy: { type: 'string', multiple: true },
  'fail-on': { type: 'string' },
  baseline: { type: 'string' },
  shard: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

/**
 * The flags that say which hosts to audit besides `-i`: audit only (the demo audits its own fleet). `-H` as pssh's
 * (`-H "hv1 hv2"`, repeatable); pssh's `-h FILE` is our `-h` for help, and an inventory is `-i`.
 */
const HOST_FLAGS = {
  host: { type: 'string', short: 'H', multiple: true },
  local: { type: 'boolean' },
  'libvirt-uri': { type: 'string' },
  sudo: { type: 'boolean' },
  'from-sos': { type: 'string', multiple: true },
} as const;

const MERGE_FLAGS = {
  out: { type: 'string', short: 'o' },
  format: { type: 'string' },
  report: { type: 'string', multiple: true },
  json: { type: 'string' },
  policy: { type: 'string', multiple: true },
  'fail-on': { type: 'string' },
  baseline: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * @param env used for `CI` (a CI run never gets the live table)
 * @param stdoutIsTty whether the live table can be drawn
 */
export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv, stdoutIsTty: boolean): Command {
  const [first, ...rest] = argv;
  if (first === 'help') return parseHelp(rest);
  if (first === 'show-probe') return parseShowProbe(rest);
  if (first === 'ssh-settings') return parseSshSettings(rest);
  if (first === 'diff') return parseDiff(rest);
  if (first === 'merge') return parseMerge(rest);
  if (first === 'demo') {
    const { values, options } = parseAuditLike(rest, { hosts: { type: 'string' } }, env, stdoutIsTty);
    if (values.help) return { name: 'help', topic: 'demo' };
    if (values.version) return { name: 'version' };
    const hosts = typeof values.hosts === 'string' ? positiveInt(values.hosts, '--hosts', 100_000) : 0;
    return { name: 'demo', options: { ...options, timeoutMs: values.timeout ? options.timeoutMs : 3_000 }, hosts };
  }
  if (first !== undefined && first !== 'audit' && !first.startsWith('-')) throw unknownCommand(first);
  const args = first === 'audit' ? rest : argv;
  const { values, options } = parseAuditLike(args, HOST_FLAGS, env, stdoutIsTty, first === 'audit' ? 'hosts' : 'hint');
  if (values.help) return { name: 'help', topic: first === 'audit' ? 'audit' : null };
  if (values.version) return { name: 'version' };
  checkAuditTargets(options);
  return { name: 'audit', options };
}

/**
 * What to audit: an inventory, hosts named on the command line, or this machine, exactly one of them, and only the
 * flags that mean something for it. Each refusal says what to do instead.
 */
function checkAuditTargets(options: AuditOptions): void {
  const hosts = options.hosts.length > 0;
  if (options.fromSos !== undefined) {
    const other = [
      ['-i', options.inventory !== null],
      ['hosts', hosts],
      ['--local', options.local],
      ['--replay', options.replay !== null],
      ['--libvirt-uri', options.libvirtUri !== null],
      ['--sudo', options.sudo],
    ].find(([, given]) => given);
    if (other) throw new UsageError(`--from-sos audits the sosreports given, and only them: leave out ${String(other[0])}`);
    return;
  }
  if (options.local && (options.inventory !== null || hosts)) {
    throw new UsageError('--local audits this machine alone: leave out -i and the hosts (or audit them in a run of their own)');
  }
  if (options.inventory !== null && hosts) {
    // `-i inv.yaml hv01` most likely means "hv01 of the inventory": auditing it with no inventory settings would be wrong.
    throw new UsageError(
      `-i with hosts on the command line (${options.hosts[0]!.text}${options.hosts.length > 1 ? ', …' : ''}): pick hosts of the inventory with --limit NAME, or leave out -i to audit the hosts as given`,
    );
  }
  if (options.inventory !== null && (options.libvirtUri !== null || options.sudo)) {
    throw new UsageError(`${options.libvirtUri !== null ? '--libvirt-uri' : '--sudo'} is for hosts named on the command line and --local: with -i, set ${options.libvirtUri !== null ? 'libvirtUri' : 'sudo'}: in the inventory`);
  }
  if (options.local) {
    const ssh = [
      ['--replay', options.replay],
      ['--transport', options.transport],
      ['--known-hosts', options.knownHosts],
      ['--host-key-policy', options.hostKeyPolicy],
      ['--connect-timeout', options.connectTimeoutMs],
    ].find(([, value]) => value !== null);
    if (ssh) {
      throw new UsageError(
        ssh[0] === '--replay'
          ? '--local runs the probe on this machine; to replay its saved capture, name it: kvm-netaudit audit NAME --replay DIR'
          : `--local connects to nothing, so ${String(ssh[0])} does not apply`,
      );
    }
  }
  if (options.inventory === null && !hosts && !options.local) {
    throw new UsageError(
      options.replay !== null
        ? '--replay needs the hosts whose captures to replay: -i inventory.yaml, or their names (kvm-netaudit audit hv1 hv2 --replay DIR)'
        : 'missing --inventory FILE, hosts (kvm-netaudit audit hv1 hv2, or -H hv1,hv2) or --local (or try: kvm-netaudit demo)',
    );
  }
}

function parseHelp(args: string[]): Command {
  const [topic, ...extra] = args;
  if (extra.length > 0) throw new UsageError(`help takes one command, got "${args.join(' ')}"`);
  // `help`, `help help` and `help --help`: the overview, which is where `help` itself is explained.
  if (topic === undefined || topic === 'help' || topic === '--help' || topic === '-h') return { name: 'help', topic: null };
  if (!isCommandName(topic)) throw unknownCommand(topic);
  return { name: 'help', topic };
}

function isReportFormat(word: string): word is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(word);
}

function isCommandName(word: string): word is CommandName {
  return (COMMANDS as readonly string[]).includes(word);
}

function unknownCommand(word: string): UsageError {
  const meant = closestName(word, [...COMMANDS, 'help']);
  return new UsageError(`unknown command "${word}"${meant ? ` (did you mean ${meant}?)` : ` (commands: ${COMMANDS.join(', ')}, help)`}`);
}

function parseDiff(args: string[]): Command {
  const { values, positionals } = parseOrUsage(
    args,
    { json: { type: 'boolean' }, 'exit-code': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    true,
  );
  if (values.help) return { name: 'help', topic: 'diff' };
  if (positionals.length !== 2) throw new UsageError('diff needs two reports: kvm-netaudit diff OLD.json NEW.json [--json] [--exit-code]');
  return { name: 'diff', oldReport: positionals[0]!, newReport: positionals[1]!, json: Boolean(values.json), exitCode: Boolean(values['exit-code']) };
}

function parseMerge(args: string[]): Command {
  const { values, positionals } = parseOrUsage(args, MERGE_FLAGS, true);
  if (values.help) return { name: 'help', topic: 'merge' };
  if (positionals.length === 0) throw new UsageError('merge needs the shard reports: kvm-netaudit merge SHARD.json… [-o DIR]');
  const v = values as Record<string, string | string[] | boolean | undefined>;
  const str = (key: string) => (typeof v[key] === 'string' ? (v[key] as string) : null);
  const { formats, reportTargets, policies, failOn } = reportOptions(v);
  return { name: 'merge', options: { reports: positionals, out: str('out'), formats, reportTargets, json: str('json'), policies, failOn, baseline: str('baseline') } };
}

/**
 * `--shard K/N`, K from 1 (as Jest's and Playwright's `--shard=K/N`). Anything else is a usage error that says what
 * is wrong with it, not only what the form is.
 */
export function parseShard(text: string): Shard {
  const form = `expected K/N, slice K of N with 1 ≤ K ≤ N ≤ ${MAX_SHARDS} (e.g. --shard 2/3)`;
  const match = /^(\d{1,6})\/(\d{1,6})$/.exec(text);
  if (!match) throw new UsageError(`--shard: ${form}, got "${text}"`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1) throw new UsageError(`--shard ${text}: N is the number of slices, at least 1`);
  if (count > MAX_SHARDS) throw new UsageError(`--shard ${text}: at most ${MAX_SHARDS} slices`);
  if (index < 1) throw new UsageError(`--shard ${text}: K counts from 1 (1/${count} is the first slice of ${count})`);
  if (index > count) throw new UsageError(`--shard ${text}: there is no slice ${index} of ${count} (K is 1 to ${count})`);
  return { index, count };
}

function parseShowProbe(args: string[]): Command {
  const { values } = parseOrUsage(args, {
    inventory: { type: 'string', short: 'i' },
    host: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return { name: 'help', topic: 'show-probe' };
  const inventory = (values.inventory as string | undefined) ?? null;
  const host = (values.host as string | undefined) ?? null;
  if (host !== null && inventory === null) throw new UsageError('--host needs --inventory');
  return { name: 'show-probe', inventory, host };
}

function parseSshSettings(args: string[]): Command {
  const { values } = parseOrUsage(args, {
    inventory: { type: 'string', short: 'i' },
    host: { type: 'string' },
    json: { type: 'boolean' },
    transport: AUDIT_FLAGS.transport,
    'host-key-policy': AUDIT_FLAGS['host-key-policy'],
    'known-hosts': AUDIT_FLAGS['known-hosts'],
    'connect-timeout': AUDIT_FLAGS['connect-timeout'],
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return { name: 'help', topic: 'ssh-settings' };
  const v = values as Record<string, string | boolean | undefined>;
  const str = (key: string) => (typeof v[key] === 'string' ? (v[key] as string) : null);
  const inventory = str('inventory');
  const host = str('host');
  if (inventory === null || host === null) throw new UsageError('ssh-settings needs --inventory FILE and --host NAME');
  const connection = connectionFlags(str);
  return { name: 'ssh-settings', options: { inventory, host, json: v.json === true, knownHosts: str('known-hosts'), ...connection } };
}

/** The flags that decide how hosts are connected to, shared by audit and ssh-settings. */
function connectionFlags(str: (key: string) => string | null): Pick<AuditOptions, 'transport' | 'hostKeyPolicy' | 'connectTimeoutMs'> {
  const policy = str('host-key-policy');
  if (policy !== null && !['strict', 'accept-new', 'off'].includes(policy)) {
    throw new UsageError(`--host-key-policy: expected strict, accept-new or off, got "${policy}"`);
  }
  const transport = str('transport');
  if (transport !== null && !(TRANSPORTS as readonly string[]).includes(transport)) {
    throw new UsageError(`--transport: expected ${TRANSPORTS.join(' or ')}, got "${transport}"`);
  }
  return {
    hostKeyPolicy: policy as HostKeyPolicy | null,
    transport: transport as TransportName | null,
    connectTimeoutMs: str('connect-timeout') === null ? null : positiveSeconds(str('connect-timeout')!, '--connect-timeout') * 1000,
  };
}

/**
 * @param positionals what words that are not options are: `hosts` to audit (after `audit`), refused with a `hint`
 *   that they need the `audit` command (the implicit audit: `kvm-netaudit hv1` reads like a mistyped command), or
 *   refused as `none` (the demo)
 */
function parseAuditLike(
  args: string[],
  extra: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>,
  env: NodeJS.ProcessEnv,
  stdoutIsTty: boolean,
  positionals: 'hosts' | 'hint' | 'none' = 'none',
) {
  const { values, tokens } = parseOrUsage(args, { ...AUDIT_FLAGS, ...extra }, positionals !== 'none');
  const given = tokens.flatMap((t) => (t.kind === 'positional' ? [t.value] : []));
  // `--from-sos a.tar.xz b.tar.xz` (a shell glob): the words after it are more reports, not hosts.
  const sosPaths = values['from-sos'] === undefined ? [] : [...(values['from-sos'] as string[]), ...given];
  const words = sosPaths.length > 0 ? [] : given;
  if (positionals === 'hint' && words.length > 0) {
    throw new UsageError(
      values.inventory !== undefined
        ? `unexpected argument "${words[0]}": pick hosts of the inventory with --limit ${words[0]}`
        : `unexpected argument "${words[0]}": hosts to audit follow the audit command (kvm-netaudit audit ${words[0]} …), or come with -H`,
    );
  }
  // -H values and host arguments in the order given: that is the order of the report.
  const hostValues = tokens.flatMap((t) =>
    t.kind === 'positional' ? (sosPaths.length > 0 ? [] : [t.value]) : t.kind === 'option' && t.name === 'host' ? [t.value ?? ''] : [],
  );
  const { entries: hosts, problems } = parseHostEntries(hostValues);
  if (problems.length > 0) throw new UsageError(problems);
  if (hostValues.length > 0 && hosts.length === 0) throw new UsageError('no host given: write -H hv1,hv2, or the hosts after audit');
  const v = values as Record<string, string | string[] | boolean | undefined>;
  const str = (key: string) => (typeof v[key] === 'string' ? (v[key] as string) : null);
  const connection = connectionFlags(str);
  const { formats, reportTargets, policies, failOn } = reportOptions(v);
  const shard = str('shard') === null ? null : parseShard(str('shard')!);
  // `--report json:PATH` writes the report.json merge reads as well as --json does.
  if (shard !== null) checkShardOutputs(str('json') ?? reportTargets.find((t) => t.format === 'json')?.path ?? null, formats, str('baseline'));
  // Split into terms in one place: inventory/limitPatterns.ts.
  const limit = ((v.limit as string[] | undefined) ?? []).map((p) => p.trim()).filter(Boolean);
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  const mib = (flag: string, max: number, fallback: number) => (str(flag) === null ? fallback : positiveInt(str(flag)!, `--${flag}`, max) * 1024 * 1024);
  const maxBytes = mib('max-output', MAX_OUTPUT_LIMIT_MIB, DEFAULT_MAX_BYTES);
  const maxTotalBytes = mib('max-output-total', MAX_TOTAL_OUTPUT_LIMIT_MIB, Math.max(DEFAULT_MAX_TOTAL_BYTES, maxBytes));
  if (maxTotalBytes < maxBytes) throw new UsageError('--max-output-total must be at least --max-output (one host alone could never finish)');
  const options: AuditOptions = {
    inventory: str('inventory'),
    hosts,
    local: v.local === true,
    libvirtUri: str('libvirt-uri'),
    sudo: v.sudo === true,
    limit,
    concurrency: str('concurrency') === null ? DEFAULT_CONCURRENCY : positiveInt(str('concurrency')!, '--concurrency', 10_000),
    timeoutMs: str('timeout') === null ? DEFAULT_TIMEOUT_MS : positiveSeconds(str('timeout')!, '--timeout') * 1000,
    connectTimeoutMs: connection.connectTimeoutMs,
    maxBytes,
    maxTotalBytes,
    out: str('out'),
    formats,
    reportTargets,
    json: str('json'),
    tui: !v['no-tui'] && stdoutIsTty && !ci && str('json') !== '-',
    knownHosts: str('known-hosts'),
    hostKeyPolicy: connection.hostKeyPolicy,
    transport: connection.transport,
    saveCaptures: str('save-captures'),
    replay: str('replay'),
    ...(positionals !== 'none' && sosPaths.length > 0 ? { fromSos: sosPaths } : {}),
    policies,
    failOn,
    baseline: str('baseline'),
    shard,
  };
  return { values: v, options };
}

/** `--format`, `--policy` and `--fail-on`, as audit and merge both take them. */
function reportOptions(v: Record<string, string | string[] | boolean | undefined>): {
  formats: ReportFormat[];
  reportTargets: ReportTarget[];
  policies: string[];
  failOn: Severity | null;
} {
  const str = (key: string) => (typeof v[key] === 'string' ? (v[key] as string) : null);
  const formats = (str('format') ?? 'json,md').split(',').map((f) => f.trim()).filter(Boolean);
  for (const f of formats) if (!isReportFormat(f)) throw new UsageError(`--format: unknown format "${f}" (${REPORT_FORMATS.join(', ')})`);
  // InSpec's `--reporter json:FILE` habit: FORMAT adds a file to the report folder, FORMAT:PATH writes one there.
  const reportTargets: ReportTarget[] = [];
  for (const value of (v.report as string[] | undefined) ?? []) {
    const colon = value.indexOf(':');
    const format = (colon === -1 ? value : value.slice(0, colon)).trim();
    const target = colon === -1 ? '' : value.slice(colon + 1);
    if (!isReportFormat(format)) throw new UsageError(`--report ${value}: unknown format "${format}" (${REPORT_FORMATS.join(', ')}), as FORMAT or FORMAT:PATH`);
    if (colon === -1) formats.push(format);
    else if (target === '') throw new UsageError(`--report ${value}: the path after "${format}:" is empty`);
    else reportTargets.push({ format, path: target });
  }
  const failOn = str('fail-on');
  if (failOn !== null && !isSeverity(failOn)) {
    throw new UsageError(`--fail-on: expected one of ${SEVERITIES.join(', ')}, got "${failOn}"`);
  }
  const policies = ((v.policy as string[] | undefined) ?? []).map((p) => p.trim()).filter(Boolean);
  if (failOn !== null && policies.length === 0) throw new UsageError('--fail-on needs --policy (which rules should fail the run?)');
  if ((formats.includes('junit') || reportTargets.some((t) => t.format === 'junit')) && policies.length === 0) {
    throw new UsageError('--format junit needs --policy (its test cases are the rules)');
  }
  return { formats: [...new Set(formats.filter(isReportFormat))], reportTargets, policies, failOn: failOn as Severity | null };
}

/**
 * What a shard's run must write for `merge` to read it: its report.json, somewhere (a file, or stdout with --json -).
 * A drift section against a whole-fleet baseline would call every host of the other shards removed: compare the
 * merged report instead.
 */
function checkShardOutputs(json: string | null, formats: readonly string[], baseline: string | null): void {
  if (json === null && !formats.includes('json')) {
    throw new UsageError("--shard: merge reads the shards' report.json: keep json in --format, or give --json FILE (or -)");
  }
  if (baseline !== null) {
    throw new UsageError('--shard with --baseline: one shard holds part of the fleet, so every other host would read as removed; give --baseline to merge instead');
  }
}

function parseOrUsage(args: string[], options: NonNullable<ParseArgsConfig['options']>, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true, tokens: true });
  } catch (err) {
    const message = (err as Error).message.replace(/\. To specify a positional.*$/s, '');
    // Node says `Unknown option '--timeot'`: name the option that was meant.
    const unknown = /^Unknown option '(-{1,2})([^']+)'/.exec(message);
    const meant = unknown ? closestName(unknown[2]!, Object.keys(options)) : null;
    throw new UsageError(meant ? `${message.replace(/\.$/, '')} (did you mean --${meant}?)` : message);
  }
}

function positiveInt(text: string, flag: string, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${flag}: expected a whole number from 1 to ${max}, got "${text}"`);
  return n;
}

function positiveSeconds(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > 86_400) throw new UsageError(`${flag}: expected seconds (e.g. 30 or 0.5), got "${text}"`);
  return n;
}
