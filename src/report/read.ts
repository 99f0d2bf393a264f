/**
 * Reading a report.json written by this or an earlier run (for `diff` and `audit --baseline`), with the
 * schema that writes it (report/schema.ts). schemaVersion 1 is always readable: keys are stable and new ones
 * may be added (docs/report.md), so unknown keys are ignored, keys that an older writer did not emit get the
 * schema's neutral defaults, and modes and error kinds a later writer may add are kept as written. A newer
 * schemaVersion is refused with a clear message rather than misread.
 */
import { formatPath } from '../inventory/issues.js';
import type { PathSegment } from '../inventory/yaml-source.js';
import type { FleetReport } from '../model.js';
import { interfaceId } from './nic.js';
import { readableReportSchema } from './schema.js';
import { InputError } from '../errors.js';
import { isRecord } from '../util/records.js';

/** The newest report format this version reads. */
export const READABLE_SCHEMA_VERSION = 1;

/** A report that cannot be read: not JSON, not a report, a newer format, or a broken one (exit 64). */
export class ReportReadError extends InputError {
  constructor(message: string) {
    super('report', message);
    this.name = 'ReportReadError';
  }
}

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
  const parsed = readableReportSchema.safeParse(withInterfaceIds(data));
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
 * Give every VM interface that lacks an `id` (reports written before it existed) the one this version would write,
 * from its MAC, target and position. Done on the parsed JSON before the schema checks it, because the id is computed
 * from the interface's place and other keys, which no schema default can do. Anything not shaped like a report is
 * left alone for the schema to refuse.
 */
function withInterfaceIds(data: unknown): unknown {
  for (const host of listAt(data, 'hosts')) {
    for (const vm of listAt(host, 'vms')) {
      listAt(vm, 'interfaces').forEach((nic, position) => {
        if (isRecord(nic) && !Object.hasOwn(nic, 'id')) nic.id = interfaceId(stringOrNull(nic.mac), stringOrNull(nic.target), position);
      });
    }
  }
  return data;
}

/** `value[key]` when `value` is an object and that is an array; otherwise nothing. */
function listAt(value: unknown, key: string): readonly unknown[] {
  if (!isRecord(value)) return [];
  const list = value[key];
  return Array.isArray(list) ? list : [];
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * The report as read. The cast names the shape: the reader keeps a mode or error kind this version does not
 * know as the string it is (see `readableReportSchema`).
 */
function toFleetReport(data: unknown): FleetReport {
  const report = data as FleetReport;
  // The summary counts the hosts that are there, whatever an odd file says.
  return { ...report, summary: { ...report.summary, hosts: report.hosts.length } };
}
