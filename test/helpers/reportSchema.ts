/**
 * JSON Schema checks with Ajv against the schemas published in schema/ (the committed files, not the zod
 * schemas they come from: what a consumer of report.json validates against is what is checked).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { expect } from 'vitest';
import { REPO_ROOT } from './cli.js';

/** The published schemas, by file name in schema/. */
export type PublishedSchema = 'report.v1.schema.json' | 'inventory.v1.schema.json' | 'policy.v1.schema.json';

// ajv-formats is CommonJS: depending on the loader, its default import is the plugin or the module that holds it.
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? addFormatsModule) as unknown as FormatsPlugin;

const validators = new Map<PublishedSchema, ValidateFunction>();

/** Ajv's validator for a published schema, compiled once per test file. Strict: a schema Ajv finds dubious fails. */
export function publishedValidator(file: PublishedSchema): ValidateFunction {
  let validate = validators.get(file);
  if (!validate) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    validate = ajv.compile(JSON.parse(readFileSync(join(REPO_ROOT, 'schema', file), 'utf8')) as object);
    validators.set(file, validate);
  }
  return validate;
}

/** Ajv's errors as `/json/pointer: message` lines, the first 20 (an empty array when valid). */
export function schemaErrors(file: PublishedSchema, data: unknown): string[] {
  const validate = publishedValidator(file);
  if (validate(data)) return [];
  return (validate.errors ?? []).slice(0, 20).map((error) => `${error.instancePath || '/'}: ${error.message ?? error.keyword} ${JSON.stringify(error.params)}`);
}

/**
 * Expect report.json (its text, or the parsed object) to follow schema/report.v1.schema.json, and to name it in
 * `$schema`.
 */
export function expectValidReport(report: unknown): void {
  const data: unknown = typeof report === 'string' ? JSON.parse(report) : report;
  expect(schemaErrors('report.v1.schema.json', data)).toEqual([]);
}
