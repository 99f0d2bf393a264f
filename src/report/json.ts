/**
 * report.json (docs/report.md, schemaVersion 1). The keys, their order and their types are those of
 * `reportFileSchema` (report/schema.ts): every object is rebuilt key by key from the schema, so the file
 * holds exactly the schema's keys in the schema's order, whatever else a HostReport carries in memory.
 */
import * as z from 'zod';
import type { FleetReportView } from '../model.js';
import { hostReportSchema, REPORT_SCHEMA_ID, reportFileSchema } from './schema.js';
import { isRecord } from '../util/records.js';

/** Serialise the report: the schema's keys only, 2-space indent, trailing newline. */
export function renderJson(report: FleetReportView): string {
  return [...jsonChunks(report)].join('');
}

/**
 * report.json in pieces, one host at a time, exactly as `JSON.stringify(toJsonReport(report), null, 2)` would
 * print it: a 5,000-host report is never one string, and its hosts are read one by one (from the spill file).
 */
export function* jsonChunks(report: FleetReportView): Generator<string> {
  const frame = JSON.stringify(project(reportFileSchema, { ...report, hosts: [], $schema: REPORT_SCHEMA_ID }), null, 2);
  const empty = `\n${HOSTS_KEY}[]`;
  const at = frame.lastIndexOf(empty);
  if (at < 0) throw new Error('report.json frame without its hosts key');
  if (report.hosts.length === 0) {
    yield `${frame}\n`;
    return;
  }
  yield `${frame.slice(0, at)}\n${HOSTS_KEY}[`;
  let first = true;
  for (const host of report.hosts) {
    // Two levels down (report → hosts → host): JSON text has no raw newline inside strings, so indenting lines is safe.
    const text = JSON.stringify(project(hostReportSchema, host), null, 2).replace(/\n/g, '\n    ');
    yield `${first ? '' : ','}\n    ${text}`;
    first = false;
  }
  yield `\n  ]${frame.slice(at + empty.length)}\n`;
}

const HOSTS_KEY = '  "hosts": ';

/** The report as the plain object written to report.json, `$schema` first (all hosts at once: tests, small reports). */
export function toJsonReport(report: FleetReportView): unknown {
  return project(reportFileSchema, { ...report, hosts: [...report.hosts], $schema: REPORT_SCHEMA_ID });
}

/**
 * `value` cut to the shape of `schema`: objects keep the schema's keys in its order, arrays and records are
 * copied, everything else is taken as it is. It never validates (the report is typed already, and a file with an
 * odd value beats no file after an hour-long run); tests check the output against the published JSON Schema.
 * An absent key is written as its default (a report assembled by hand may lack a newer key), or left out when the
 * schema makes it optional (a finding's policy extras are written only when a policy set them).
 */
function project(schema: z.ZodType, value: unknown): unknown {
  if (value === undefined) {
    if (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault) return project(schema.unwrap() as z.ZodType, schema.def.defaultValue);
    return undefined;
  }
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault || schema instanceof z.ZodOptional) {
    return project(schema.unwrap() as z.ZodType, value);
  }
  if (schema instanceof z.ZodNullable) return value === null ? null : project(schema.unwrap() as z.ZodType, value);
  if (schema instanceof z.ZodObject && isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      const projected = project(field, value[key]);
      if (projected !== undefined) out[key] = projected;
    }
    return out;
  }
  if (schema instanceof z.ZodArray && Array.isArray(value)) return value.map((item) => project(schema.element as z.ZodType, item));
  if (schema instanceof z.ZodRecord && isRecord(value)) return { ...value };
  return value;
}

