/**
 * report.json (docs/report.md, schemaVersion 1), defined once. Everything else follows from these zod schemas:
 * - the report types (`FleetReport`, `HostReport`, `NetworkAudit`…, re-exported by model.ts) are their output types;
 * - json.ts writes report.json in the key order of `reportFileSchema`;
 * - report/read.ts reads old reports with `readableReportSchema`, derived below;
 * - scripts/write-schemas.ts publishes `reportJsonSchema()` as schema/report.v1.schema.json.
 *
 * A key that a schemaVersion 1 reader fills when a report lacks it carries a `.default()`: keys added after the
 * first version (reports written before them lack them) and the details a reader can do without. The output
 * types are unaffected (the key is always there in memory and in what this version writes); the JSON Schema shows
 * the value as `default`. The one exception is an interface's `id`: it is computed, not a constant, so read.ts
 * fills it in before the report is checked against the schema.
 */
import * as z from 'zod';
import { MODES } from '../model.js';

/**
 * The identifier of the published JSON Schema: its `$id`, and the `$schema` of every report.json.
 *
 * A plain identifier, not a URL: kvm-netaudit has no public home to serve the schema from, and a URL on a made-up
 * host would point at whoever registers that host one day. Validators that load schema/report.v1.schema.json
 * (shipped in the repository) find it under this id; an editor can map it to the file.
 */
export const REPORT_SCHEMA_ID = 'kvm-netaudit/report.v1.schema.json';

// ───────────────────────────── vocabularies ─────────────────────────────

/** Why a host could not be audited, as `error.kind` says it (docs/report.md, "Error kinds"). */
export const ERROR_KINDS = ['unreachable', 'timeout', 'auth', 'hostkey', 'libvirt', 'command', 'parse', 'config', 'cancelled', 'internal'] as const;

import { SEVERITIES } from './severities.js';

export { SEVERITIES } from './severities.js';

/** Warning kinds that say a running guest's NIC is cut off on its host (classify/liveAttachment.ts). */
export const CUT_OFF_WARNING_KINDS = ['tap-missing', 'tap-down', 'tap-detached'] as const;
/** The same, most severe first, as summaries list them. */
export const SEVERITIES_WORST_FIRST: readonly (typeof SEVERITIES)[number][] = [...SEVERITIES].reverse();

/** A host's outcome (docs/report.md). */
export const HOST_STATUSES = ['ok', 'partial', 'failed'] as const;

/** What a VM NIC's mode goes through, by kind (`attachment.through.kind`); `via` is written from it. */
export const THROUGH_KINDS = ['network', 'bridge', 'dev', 'pci', 'socket', 'tap', 'mcast', 'udp', 'server', 'client', 'slirp', 'passt'] as const;

// Modes, error kinds and through kinds may grow within schemaVersion 1: a report a later writer wrote may carry one
// this version does not know, and `diff` should still show it. `readableReportSchema` reads these as plain strings.
const modeSchema = z.enum(MODES);
const errorKindSchema = z.enum(ERROR_KINDS);
const throughKindSchema = z.enum(THROUGH_KINDS);
const OPEN_VOCABULARIES: readonly (readonly string[])[] = [MODES, ERROR_KINDS, THROUGH_KINDS];

const severitySchema = z.enum(SEVERITIES);
const hostStatusSchema = z.enum(HOST_STATUSES);

const count = z.int().nonnegative();
const strings = z.array(z.string());
const vlanTags = z.array(z.int()).describe('VLAN ids (`<vlan><tag id>`)');

// ───────────────────────────── the parts of a host ─────────────────────────────

export const dhcpRangeSchema = z.object({ start: z.string(), end: z.string() }).meta({ title: 'DhcpRange' });

export const warningSchema = z
  .object({
    kind: z
      .string()
      .describe(
        'network-missing, network-inactive, bridge-missing, device-missing, portgroup-missing, link-down (a guest link set down), ' +
          'uplink-down (a host uplink or macvtap device without carrier or set down), uplink-search-cut, ' +
          'tap-missing, tap-down, tap-detached (a running guest\'s NIC cut off on the host), config-drift (running and persistent ' +
          'definitions differ), macvtap-host-isolated, no-way-out (a NAT/routed network with no default route or its forward ' +
          'device down), tool-missing, ' +
          'section-failed, section-unparsed, object-unparsed and object-vanished (a listed network or VM whose definition ' +
          'could not be read: it is kept, with `unread`), object-cap, output-truncated, output-budget, exit-status-missing',
      ),
    subject: z.string().default('').describe('What it is about: `network default`, `vm web01 52:54:00:…`, `section ip-link`.'),
    message: z.string().default(''),
  })
  .meta({ title: 'Warning', description: 'A problem worth telling the operator, as data.' });

const natRange = <T extends z.ZodType>(bound: T) => z.object({ start: bound, end: bound });

export const natAuditSchema = z
  .object({
    addresses: natRange(z.string())
      .nullable()
      .default(null)
      .describe("The public address range masqueraded to (`<address start end>`); null = the outgoing device's own address."),
    ports: natRange(z.int())
      .nullable()
      .default(null)
      .describe("The source port range (`<port start end>`); null = libvirt's default, 1024–65535."),
    ipv6: z.boolean().default(false).describe("`<nat ipv6='yes'>`: IPv6 traffic is masqueraded too (otherwise IPv6 is routed)."),
  })
  .meta({ title: 'NatAudit', description: "How a `nat` network masquerades: `<forward mode='nat'><nat>…</nat>`." });

export const portgroupAuditSchema = z
  .object({
    name: z.string(),
    default: z.boolean().default(false).describe("`default='yes'`: NICs on the network that name no portgroup get this one."),
    vlanTags: vlanTags.default([]),
    virtualport: z.string().nullable().default(null).describe('`<virtualport type>` of the portgroup, when set.'),
  })
  .meta({
    title: 'PortgroupAudit',
    description: 'A `<portgroup>` of a network: the settings a NIC picks up by naming it (or by naming none, for the default).',
  });

export const networkAuditSchema = z
  .object({
    name: z.string(),
    uuid: z.string().default('').describe('The UUID virsh listed.'),
    active: z.boolean().nullable().default(null).describe("From the probe's listing; null when that list failed."),
    autostart: z.boolean().nullable().default(null).describe("From the probe's listing; null when that list failed."),
    persistent: z.boolean().nullable().default(null).describe("From the probe's listing; null when that list failed."),
    bridge: z.string().nullable().default(null).describe('The Linux bridge it manages or uses (null for macvtap/hostdev pools).'),
    forward: z
      .string()
      .default('none')
      .describe(
        'The forward mode as libvirt means it: nat, route, open, bridge, vepa, private, passthrough, hostdev, or `none`; ' +
          '`unknown` when the definition could not be read.',
      ),
    mode: modeSchema.default('unknown').describe('The networking mode its guests get (docs/report.md, "Modes").'),
    addresses: strings.default([]).describe('Every `<ip>` of the network, IPv4 and IPv6, as `address/prefix`.'),
    dhcp: z.array(dhcpRangeSchema).default([]).describe('DHCP ranges of every address family.'),
    forwardDev: z
      .string()
      .nullable()
      .default(null)
      .describe("`<forward dev>`: the one device NAT/routed traffic leaves by, or the pool's one device; null = any."),
    nat: natAuditSchema.nullable().default(null).describe('NAT settings; null unless the network is `nat`.'),
    portgroups: z.array(portgroupAuditSchema).default([]),
    vlanTags: vlanTags.default([]).describe('Network-level `<vlan><tag id>` ids.'),
    virtualport: z
      .string()
      .nullable()
      .default(null)
      .describe('Network-level `<virtualport type>` (openvswitch, 802.1Qbg, 802.1Qbh, midonet).'),
    pool: strings
      .default([])
      .describe(
        'The host devices a macvtap or hostdev network hands out: `<pf dev>` devices (whose VFs are the pool), then ' +
          "`<interface dev>` devices, then `<address type='pci'>` entries as `dddd:bb:ss.f`; `<forward dev>` alone when it " +
          'lists none. Empty for other forward modes.',
      ),
    evidence: strings.default([]).describe('The chain that shows the mode, e.g. `network default → forward nat → bridge virbr0 ⇒ nat`.'),
    unread: z
      .string()
      .nullable()
      .default(null)
      .describe('null when the definition was read; otherwise why not (the mode is then `unknown`, never a guess).'),
  })
  .meta({ title: 'NetworkAudit', description: 'One libvirt network of the host.' });

export const bridgeAuditSchema = z
  .object({
    name: z.string(),
    kind: z.enum(['linux', 'ovs']).default('linux'),
    ports: strings.default([]).describe('Its member links.'),
    uplinks: strings.default([]).describe('The ports that lead to the outside L2 segment.'),
    addresses: strings.default([]).describe("The bridge's own addresses."),
  })
  .meta({ title: 'BridgeAudit', description: 'A host bridge.' });

export const throughSchema = z
  .object({
    kind: throughKindSchema.describe(
      '`network`: a libvirt network (named, or owning the bridge named); `bridge`: a host bridge; `dev`: a host device ' +
        "(a direct NIC's macvtap source, a vDPA device); `pci`: a PCI address (hostdev); `socket`: a vhost-user UNIX socket " +
        "path; `tap`: an ethernet NIC's tap device; `mcast`, `udp`, `server`, `client`: a QEMU socket tunnel, `name` its " +
        '`address:port`; `slirp`, `passt`: the user-mode backend (`name` null).',
    ),
    name: z.string().nullable().default(null).describe('What it is called (network, bridge, device, address, path…); null when the kind says it all.'),
  })
  .meta({
    title: 'Through',
    description: 'What the mode goes through, as the classifier found it: a NIC on a bridge that a libvirt network manages goes through the network.',
  });

export const attachmentSchema = z
  .object({
    through: throughSchema.nullable().default(null).describe('What the mode goes through; null when nothing is named (an unclassifiable NIC, a hostdev NIC without PCI address…).'),
    network: z
      .string()
      .nullable()
      .default(null)
      .describe('The libvirt network it is on: the one it names, or the one that manages the bridge it names (for mode `missing`, one the host lacks); null when none.'),
    bridge: z
      .string()
      .nullable()
      .default(null)
      .describe("The host bridge it lands on: the one it names, or its network's; null when none."),
    uplinks: strings.default([]).describe("That bridge's uplinks, as the host's bridges list them."),
    device: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "The host device it uses: for macvtap the link its tap sits on (as `device`), for vDPA the device, for hostdev the PCI address; " +
          'null otherwise, and when the device is missing.',
      ),
  })
  .meta({ title: 'InterfaceAttachment', description: 'Where a VM NIC is attached, as data: `via` is its `through` written as text.' });

export const interfaceAuditSchema = z
  .object({
    id: z
      .string()
      .describe(
        'The NIC within its VM: its MAC, else its target device, else `nic<position>` (0-based). Evidence, warning subjects and ' +
          'findings name it so. Reports written before it existed lack it; report readers compute it the same way.',
      ),
    mac: z.string().nullable().default(null),
    type: z.string().default('').describe('`<interface type>` as the domain XML says.'),
    source: z.string().nullable().default(null).describe('The source as written: network name, bridge name, device…'),
    target: z.string().nullable().default(null).describe('The host-side device, e.g. `vnet3`.'),
    model: z.string().nullable().default(null),
    mode: modeSchema.default('unknown').describe('Its networking mode (docs/report.md, "Modes").'),
    via: z
      .string()
      .nullable()
      .default(null)
      .describe('What the mode goes through, as text: `attachment.through` as `kind name` (`network default`, `bridge br0`, `dev eno1`), or its bare kind (`slirp`, `udp`).'),
    attachment: attachmentSchema
      .prefault({})
      .describe('Where it is attached, as data (`through`, `network`, `bridge`, `uplinks`, `device`); all empty in reports written before it existed.'),
    linkState: z
      .string()
      .default('up')
      .describe("The guest's link: `<link state>` as written, `up` when absent (libvirt's default)."),
    portgroup: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "The portgroup in effect on the NIC's network: the one it names, or the network's default portgroup when it " +
          'names none (as libvirt picks it); null when neither.',
      ),
    vlanTags: vlanTags
      .default([])
      .describe("VLAN tags in effect: the NIC's own `<vlan>`, else its portgroup's, else its network's (libvirt's order)."),
    virtualport: z
      .string()
      .nullable()
      .default(null)
      .describe("`<virtualport type>` in effect: the NIC's own, else its portgroup's, else its network's."),
    device: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "The host link a macvtap NIC sits on: a direct NIC's `<source dev>`, or for a NIC on a macvtap network the " +
          'lower device of its macvtap link when the host shows it; null otherwise (`attachment.device` also names vDPA and PCI devices).',
      ),
    evidence: strings.default([]).describe('The chain that shows the mode; its first step names the NIC (`web01/52:54:00:00:02:01`).'),
  })
  .meta({ title: 'InterfaceAudit', description: 'One `<interface>` of a VM, classified.' });

export const vmAuditSchema = z
  .object({
    name: z.string(),
    uuid: z.string().default(''),
    state: z.string().default('').describe('running, paused, shut off, … as virsh prints it, or `unknown`.'),
    persistent: z
      .boolean()
      .nullable()
      .default(null)
      .describe("False for a transient VM (it disappears when shut off); null when the probe's listing could not tell."),
    interfaces: z.array(interfaceAuditSchema).default([]),
    unread: z
      .string()
      .nullable()
      .default(null)
      .describe('null when the domain XML was read; otherwise why not (its interfaces are then unknown, not absent).'),
  })
  .meta({ title: 'VmAudit', description: 'One VM (libvirt domain) of the host.' });

/** The classifier's answer for one host: the part of a host's report that comes from its facts. */
export const hostAuditSchema = z.object({
  networks: z.array(networkAuditSchema).default([]),
  bridges: z.array(bridgeAuditSchema).default([]),
  vms: z.array(vmAuditSchema).default([]),
  modes: z
    .array(modeSchema)
    .default([])
    .describe("Sorted set of modes of the host's VM interfaces; includes `unknown` when a VM could not be read."),
  verdict: z.string().default('').describe("One sentence answering the operator's question."),
  warnings: z.array(warningSchema).default([]),
  defaultRouteDevs: strings
    .default([])
    .describe("Devices carrying the host's default route(s) (policy: no macvtap on them, guests could not reach the host)."),
});

// ───────────────────────────── findings ─────────────────────────────

export const waiverRefSchema = z
  .object({
    rule: z.string(),
    subject: z.string(),
    justification: z.string(),
    expires: z.string().describe('Last day it holds, `YYYY-MM-DD` (UTC, inclusive).'),
    owner: z.string().nullable(),
    origin: z.string().describe('Where it was written: `policy.yaml:12`.'),
  })
  .meta({ title: 'WaiverRef', description: 'The waiver that decided (or, expired, no longer decides) a finding.' });

export const findingSchema = z
  .object({
    rule: z.string(),
    severity: severitySchema,
    subject: z.string().default(''),
    message: z.string().default(''),
    status: z.enum(['fail', 'waived']).optional().describe('`waived`: accepted by a waiver, not counted by `--fail-on`. Absent means `fail`.'),
    evidence: strings.optional().describe('The facts that show the failure, as short steps.'),
    justification: z.string().optional().describe("The waiver's justification (waived findings)."),
    waiver: waiverRefSchema
      .extend({ expired: z.boolean() })
      .optional()
      .describe('The waiver that waives it, or the expired one that no longer does.'),
  })
  .meta({
    title: 'Finding',
    description: 'A policy rule that a subject fails (or would fail, when a waiver accepts it). The optional keys are written only when a policy set them.',
  });

// ───────────────────────────── hosts and the fleet ─────────────────────────────

export const hostErrorSchema = z
  .object({ kind: errorKindSchema.describe('Why (docs/report.md, "Error kinds").'), message: z.string().default('') })
  .meta({ title: 'HostError' });

export const hostReportSchema = z
  .object({
    name: z.string(),
    address: z.string().default(''),
    groups: strings.default([]),
    status: hostStatusSchema.describe(
      '`ok`: audited completely. `partial`: audited, but part of the probe failed, could not be read, or was cut off. `failed`: not audited.',
    ),
    error: hostErrorSchema.nullable().default(null).describe('null, or why the host failed (or, when partial, what went wrong first).'),
    durationMs: z.number().nonnegative().default(0).describe('Connect, probe and classification, in milliseconds.'),
    ...hostAuditSchema.shape,
    findings: z.array(findingSchema).default([]).describe("The policy's findings for this host (empty without `--policy`)."),
  })
  .meta({ title: 'HostReport', description: 'One host in report.json: the outcome of auditing it, whatever happened.' });

const shardIndex = z.int().min(1);
const selectionDigest = z
  .string()
  .describe(
    '`sha256:` and the hex digest of the names of the hosts the run selected before sharding (after `--limit`), in ' +
      'inventory order, one per line: every shard of one fleet run carries the same one.',
  );

export const shardRecordSchema = z
  .object({
    index: shardIndex.describe('K of `--shard K/N`: which slice this report holds, from 1.'),
    count: shardIndex.describe('N of `--shard K/N`: how many slices the fleet was cut into.'),
    selectedHosts: count.describe('Hosts the inventory selected (after `--limit`) before sharding: the whole fleet the shards add up to.'),
    selection: selectionDigest,
    positions: z
      .array(count)
      .describe(
        "Each host of `hosts`, in the same order: its position (0-based) among the selected hosts. `merge` restores an un-sharded run's host order from it.",
      ),
  })
  .meta({
    title: 'ShardRecord',
    description:
      'The slice of the fleet a `--shard K/N` run audited: the hosts whose name hashes to K of N (the first 32 bits of the SHA-256 of the name, modulo N, plus 1).',
  });

export const mergedShardSchema = z
  .object({
    index: shardIndex,
    file: z.string().describe('The shard report as given to `merge`.'),
    startedAt: z.string(),
    finishedAt: z.string(),
    complete: z.boolean().describe("The shard's own `run.complete`."),
    hosts: count,
  })
  .meta({ title: 'MergedShard', description: 'One shard report that `merge` combined.' });

export const mergeRecordSchema = z
  .object({
    shardCount: shardIndex.describe('N: the shards the fleet was cut into.'),
    selectedHosts: count.describe('Hosts the shards were cut from; `summary.hosts` is smaller when a shard is missing.'),
    selection: selectionDigest,
    shards: z.array(mergedShardSchema).describe('The shard reports combined, by index.'),
    missing: z
      .array(shardIndex)
      .describe('Shards not given to `merge` (1-based): their hosts are not in `hosts`, and `complete` is false.'),
  })
  .meta({ title: 'MergeRecord', description: 'How `kvm-netaudit merge` made this report from shard reports.' });

export const fleetReportSchema = z
  .object({
    schemaVersion: z.literal(1),
    tool: z
      .object({ name: z.string().default('kvm-netaudit'), version: z.string().default('') })
      .prefault({})
      .describe('The kvm-netaudit that wrote it.'),
    run: z.object({
      startedAt: z.string().default('').describe('ISO 8601 time.'),
      finishedAt: z.string().default('').describe('ISO 8601 time; after a re-audit from the live table, the time of the latest rewrite.'),
      inventory: z
        .string()
        .default('')
        .describe('The inventory file; `(embedded demo fleet)`; `(ad-hoc: hv1, hv2, …)` for hosts named on the command line; `(local: NAME)` for `--local`.'),
      concurrency: count.default(0).describe('Hosts audited at once.'),
      complete: z
        .boolean()
        .default(true)
        .describe(
          'False when the run stopped before every selected host was audited; in a merged report, also when a shard is missing or was itself incomplete.',
        ),
      shard: shardRecordSchema.optional().describe('Only in the report of a `--shard K/N` run: the slice it holds.'),
      merge: mergeRecordSchema.optional().describe('Only in a report made by `kvm-netaudit merge`: the shards it combines.'),
    }),
    summary: z
      .object({
        hosts: count.default(0),
        ok: count.default(0),
        partial: count.default(0),
        failed: count.default(0),
        modes: z.partialRecord(modeSchema, count).default({}).describe('VM interfaces per mode across the fleet (not networks).'),
        unread: z
          .object({ vms: count.default(0), networks: count.default(0) })
          .prefault({})
          .describe(
            'VMs and networks listed by virsh whose definitions could not be read (see `unread`): a VM without a read ' +
              'definition has no NICs to count in `modes`, so it is counted here instead.',
          ),
        findings: z
          .partialRecord(severitySchema, count)
          .default({})
          .describe('Failing findings per severity (waived ones are not counted here).'),
        waived: count.default(0).describe('Findings a waiver accepts.'),
      })
      .prefault({}),
    hosts: z
      .array(hostReportSchema)
      .describe(
        'Every host of the inventory (after `--limit`, and of its shard with `--shard`) exactly once, in inventory order; a merged report lacks the hosts of a missing shard.',
      ),
  })
  .meta({ title: 'kvm-netaudit report', description: 'report.json: how every libvirt network and VM NIC of a fleet of KVM hypervisors is networked.' });

/** report.json as written: the fleet report, named by its `$schema` first. */
export const reportFileSchema = z
  .object({
    $schema: z.literal(REPORT_SCHEMA_ID).describe('The identifier of the JSON Schema this file follows.'),
    ...fleetReportSchema.shape,
  })
  .meta(fleetReportSchema.meta() ?? {});

// ───────────────────────────── the types ─────────────────────────────

export type Mode = z.output<typeof modeSchema>;
/** Why a host could not be audited (report `error.kind`). */
export type ErrorKind = z.output<typeof errorKindSchema>;
export type Severity = z.output<typeof severitySchema>;
export type HostStatus = z.output<typeof hostStatusSchema>;
export type DhcpRange = z.output<typeof dhcpRangeSchema>;
/** A problem worth telling the operator, as data. */
export type Warning = z.output<typeof warningSchema>;
/** How a `nat` network masquerades. */
export type NatAudit = z.output<typeof natAuditSchema>;
/** A `<portgroup>` of a network. */
export type PortgroupAudit = z.output<typeof portgroupAuditSchema>;
export type NetworkAudit = z.output<typeof networkAuditSchema>;
export type BridgeAudit = z.output<typeof bridgeAuditSchema>;
export type InterfaceAudit = z.output<typeof interfaceAuditSchema>;
/** Where a VM NIC is attached. */
export type InterfaceAttachment = z.output<typeof attachmentSchema>;
/** What a VM NIC's mode goes through. */
export type Through = z.output<typeof throughSchema>;
export type ThroughKind = z.output<typeof throughKindSchema>;
export type VmAudit = z.output<typeof vmAuditSchema>;
/** The classifier's answer for one host. */
export type HostAudit = z.output<typeof hostAuditSchema>;
/** The waiver that decided (or, expired, no longer decides) a finding. */
export type WaiverRef = z.output<typeof waiverRefSchema>;
/** A policy rule that a subject fails (or would fail, when a waiver accepts it). */
export type Finding = z.output<typeof findingSchema>;
export type HostError = z.output<typeof hostErrorSchema>;
/** One host in report.json: the outcome of auditing it, whatever happened. */
export type HostReport = z.output<typeof hostReportSchema>;
/** The slice of the fleet a `--shard K/N` run audited (`run.shard`). */
export type ShardRecord = z.output<typeof shardRecordSchema>;
/** How `merge` made a report from shard reports (`run.merge`). */
export type MergeRecord = z.output<typeof mergeRecordSchema>;
/** The whole report, as held in memory (report.json adds `$schema`). */
export type FleetReport = z.output<typeof fleetReportSchema>;

// ───────────────────────────── reading ─────────────────────────────

/**
 * The fleet report as a schemaVersion 1 reader takes it: keys and defaults as above, unknown keys dropped, and
 * modes and error kinds kept as written, whatever they are. Its output is a `FleetReport` but for those strings.
 */
export const readableReportSchema: z.ZodType = openVocabularies(fleetReportSchema);

/**
 * The same schema with every use of an open vocabulary read as any string. Only the parts that contain one are
 * rebuilt; the rest are the very same schemas (same defaults, same checks).
 */
function openVocabularies(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodEnum && isOpenVocabulary(schema.options)) return z.string();
  if (schema instanceof z.ZodObject) {
    const shape = schema.shape as Record<string, z.ZodType>;
    const opened = Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, openVocabularies(field)]));
    return Object.keys(shape).some((key) => opened[key] !== shape[key]) ? z.object(opened) : schema;
  }
  if (schema instanceof z.ZodArray) {
    const element = openVocabularies(schema.element as z.ZodType);
    return element !== schema.element ? z.array(element) : schema;
  }
  if (schema instanceof z.ZodRecord) {
    const key = openVocabularies(schema.keyType as z.ZodType);
    const value = openVocabularies(schema.valueType as z.ZodType);
    // The report's records are counts of what occurs (`summary.modes`, `summary.findings`): partial, whatever the key.
    return key !== schema.keyType || value !== schema.valueType ? z.partialRecord(key as z.ZodString, value) : schema;
  }
  if (schema instanceof z.ZodNullable) {
    const inner = openVocabularies(schema.unwrap() as z.ZodType);
    return inner !== schema.unwrap() ? inner.nullable() : schema;
  }
  if (schema instanceof z.ZodOptional) {
    const inner = openVocabularies(schema.unwrap() as z.ZodType);
    return inner !== schema.unwrap() ? inner.optional() : schema;
  }
  if (schema instanceof z.ZodDefault) {
    const inner = openVocabularies(schema.unwrap() as z.ZodType);
    // `def.defaultValue` is a getter that returns a fresh copy each time.
    return inner !== schema.unwrap() ? inner.default(() => schema.def.defaultValue) : schema;
  }
  if (schema instanceof z.ZodPrefault) {
    const inner = openVocabularies(schema.unwrap() as z.ZodType);
    return inner !== schema.unwrap() ? inner.prefault(() => schema.def.defaultValue) : schema;
  }
  return schema;
}

/**
 * Whether an enum's values are one of the vocabularies a later writer may extend. Told by the values, not by the
 * schema object: `.describe()` and `.default()` make new schema objects around the same vocabulary.
 */
function isOpenVocabulary(options: readonly unknown[]): boolean {
  return OPEN_VOCABULARIES.some((words) => words.length === options.length && words.every((word) => options.includes(word)));
}

// ───────────────────────────── publishing ─────────────────────────────

/**
 * The JSON Schema of report.json (draft 2020-12), as published in schema/report.v1.schema.json.
 *
 * It describes what this version writes: every key it always writes is required (a finding's policy extras are
 * optional), and a key's `default` is what a reader assumes when an older schemaVersion 1 report lacks it. Objects stay open (no `additionalProperties: false`): new keys may
 * be added within schemaVersion 1 (docs/report.md), so a report a later version writes still validates.
 */
export function reportJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(reportFileSchema, {
    target: 'draft-2020-12',
    override: ({ jsonSchema }) => {
      if (jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
    },
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, $id: REPORT_SCHEMA_ID, ...rest };
}
