/**
 * Reading a report.json written by this or an earlier run (for `diff` and `audit --baseline`).
 * schemaVersion 1 is always readable: keys are stable and new ones may be added (DESIGN §6), so unknown
 * keys are ignored and keys that an older writer did not emit get neutral defaults. A newer schemaVersion
 * is refused with a clear message rather than misread.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { formatPath } from '../inventory/issues.js';
import type { PathSegment } from '../inventory/yaml-source.js';
import type { FleetReport } from '../model.js';
import { InputError } from '../errors.js';

/** The newest report format this version reads. */
export const READABLE_SCHEMA_VERSION = 1;

/** A report that cannot be read: not JSON, not a report, a newer format, or a broken one (exit 64). */
export class ReportReadError extends InputError {
  constructor(message: string) {
    super('report', message);
    this.name = 'ReportReadError';
  }
}

const strings = z.array(z.string()).default([]);
const flag = z.boolean().nullable().default(null);
/** Why a VM's or network's definition could not be read; reports written before the key existed read as null (read). */
const unread = z.string().nullable().default(null);

const findingSchema = z.looseObject({
  rule: z.string(),
  severity: z.enum(['info', 'low', 'medium', 'high', 'critical']),
  subject: z.string().default(''),
  message: z.string().default(''),
  status: z.enum(['fail', 'waived']).optional(),
});

const networkSchema = z.looseObject({
  name: z.string(),
  uuid: z.string().default(''),
  active: flag,
  autostart: flag,
  persistent: flag,
  bridge: z.string().nullable().default(null),
  forward: z.string().default('none'),
  // Modes stay strings: a later version-1 writer may add a mode, and a diff should still show it.
  mode: z.string().default('unknown'),
  addresses: strings,
  dhcp: z.array(z.looseObject({ start: z.string(), end: z.string() })).default([]),
  evidence: strings,
  unread,
});

const interfaceSchema = z.looseObject({
  mac: z.string().nullable().default(null),
  type: z.string().default(''),
  source: z.string().nullable().default(null),
  target: z.string().nullable().default(null),
  model: z.string().nullable().default(null),
  mode: z.string().default('unknown'),
  via: z.string().nullable().default(null),
  evidence: strings,
});

const hostSchema = z.looseObject({
  name: z.string(),
  address: z.string().default(''),
  groups: strings,
  status: z.enum(['ok', 'partial', 'failed']),
  error: z.looseObject({ kind: z.string(), message: z.string().default('') }).nullable().default(null),
  durationMs: z.number().default(0),
  networks: z.array(networkSchema).default([]),
  bridges: z
    .array(z.looseObject({ name: z.string(), kind: z.enum(['linux', 'ovs']).default('linux'), ports: strings, uplinks: strings, addresses: strings }))
    .default([]),
  vms: z
    .array(
      z.looseObject({ name: z.string(), uuid: z.string().default(''), state: z.string().default(''), interfaces: z.array(interfaceSchema).default([]), unread }),
    )
    .default([]),
  modes: strings,
  verdict: z.string().default(''),
  warnings: z.array(z.looseObject({ kind: z.string(), subject: z.string().default(''), message: z.string().default('') })).default([]),
  findings: z.array(findingSchema).default([]),
});

const reportSchema = z.looseObject({
  schemaVersion: z.literal(1),
  tool: z.looseObject({ name: z.string().default('kvm-netaudit'), version: z.string().default('') }).default({ name: 'kvm-netaudit', version: '' }),
  run: z.looseObject({
    startedAt: z.string().default(''),
    finishedAt: z.string().default(''),
    inventory: z.string().default(''),
    concurrency: z.number().default(0),
    complete: z.boolean().default(true),
  }),
  summary: z.looseObject({}).default({}),
  hosts: z.array(hostSchema),
});

/**
 * Parse report.json text. `source` (a path) names it in messages.
 * @throws ReportReadError
 */
export function parseReport(text: string, source: string): FleetReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ReportReadError(`${source}: not a kvm-netaudit report: ${(error as Error).message}`);
  }
  const version = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).schemaVersion : undefined;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new ReportReadError(`${source}: not a kvm-netaudit report (no schemaVersion); expected the report.json of an audit`);
  }
  if (version > READABLE_SCHEMA_VERSION) {
    throw new ReportReadError(
      `${source}: schemaVersion ${version} is newer than this kvm-netaudit reads (up to ${READABLE_SCHEMA_VERSION}): compare it with a newer kvm-netaudit`,
    );
  }
  const parsed = reportSchema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues.slice(0, 5).map((issue) => {
      const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
      return `${path.length > 0 ? `${formatPath(path)}: ` : ''}${issue.message}`;
    });
    throw new ReportReadError(`${source}: not a valid schemaVersion 1 report: ${first.join('; ')}`);
  }
  return toFleetReport(parsed.data);
}

/**
 * Read report.json from a file.
 * @throws ReportReadError
 */
export function readReport(path: string): FleetReport {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ReportReadError(`${path}: cannot read the report: ${reason}`);
  }
  return parseReport(text, path);
}

type ParsedReport = z.infer<typeof reportSchema>;

/** Back to the in-memory shape; the summary is copied as written (the diff reads hosts only). */
function toFleetReport(data: ParsedReport): FleetReport {
  const summary = data.summary as Record<string, unknown>;
  const count = (key: string) => (typeof summary[key] === 'number' ? (summary[key] as number) : 0);
  const counts = (key: string) => (typeof summary[key] === 'object' && summary[key] !== null ? { ...(summary[key] as object) } : {});
  const unreadCounts = counts('unread') as Record<string, unknown>;
  const unreadCount = (key: string) => (typeof unreadCounts[key] === 'number' ? (unreadCounts[key] as number) : 0);
  return {
    schemaVersion: 1,
    tool: { name: data.tool.name, version: data.tool.version },
    run: { ...data.run },
    summary: {
      hosts: data.hosts.length,
      ok: count('ok'),
      partial: count('partial'),
      failed: count('failed'),
      modes: counts('modes'),
      unread: { vms: unreadCount('vms'), networks: unreadCount('networks') },
      findings: counts('findings'),
      waived: count('waived'),
    },
    // Modes and other enums are kept as read (see networkSchema); the cast only names the shape.
    hosts: data.hosts as unknown as FleetReport['hosts'],
  };
}
