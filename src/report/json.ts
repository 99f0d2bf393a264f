/**
 * report.json (docs/report.md, schemaVersion 1). The keys, their order and their types are those of
 * `reportFileSchema` (report/schema.ts): every object is rebuilt key by key from the schema, so the file
 * holds exactly the schema's keys in the schema's order, whatever else a HostReport carries in memory.
 */
import * as z from 'zod';
import type { FleetReport } from '../model.js';
import { REPORT_SCHEMA_ID, reportFileSchema } from './schema.js';

/** Serialise the report: the schema's keys only, 2-space indent, trailing newline. */
export function renderJson(report: FleetReport): string {
  return `${JSON.stringify(toJsonReport(report), null, 2)}\n`;
}

/** The report as the plain object written to report.json, `$schema` first. */
export function toJsonReport(report: FleetReport): unknown {
  return project(reportFileSchema, { ...report, $schema: REPORT_SCHEMA_ID });
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
