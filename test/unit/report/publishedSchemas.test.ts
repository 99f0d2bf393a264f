/**
 * The JSON Schemas in schema/ are generated from the zod schemas (scripts/write-schemas.ts, run by the build) and
 * committed: these tests keep the two in step, and check that what the schemas say holds for real files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { publishedSchemas } from '../../../scripts/write-schemas.js';
import { renderJson } from '../../../src/report/index.js';
import { REPORT_SCHEMA_ID } from '../../../src/report/schema.js';
import { REPO_ROOT } from '../../helpers/cli.js';
import { publishedValidator, schemaErrors, type PublishedSchema } from '../../helpers/reportSchema.js';
import { sampleFleetReport } from './sample.js';

type Json = Record<string, unknown>;

const committed = (file: string) => readFileSync(join(REPO_ROOT, 'schema', file), 'utf8');

describe('the published JSON Schemas', () => {
  it('are exactly what the zod schemas generate now (run `npm run build` and commit schema/ when this fails)', () => {
    // Given what z.toJSONSchema makes of the zod schemas today
    const generated = publishedSchemas();
    // Then each committed file holds exactly that
    expect(generated.map((schema) => schema.file).sort()).toEqual(['inventory.v1.schema.json', 'policy.v1.schema.json', 'report.v1.schema.json']);
    for (const { file, text } of generated) expect(committed(file), `schema/${file} is stale`).toBe(text);
  });

  it('compile under Ajv in strict mode, each with its plain identifier as $id', () => {
    for (const file of ['report.v1.schema.json', 'inventory.v1.schema.json', 'policy.v1.schema.json'] as const) {
      expect(() => publishedValidator(file)).not.toThrow();
      expect((JSON.parse(committed(file)) as Json).$id).toBe(`kvm-netaudit/${file}`);
    }
  });
});

describe('schema/report.v1.schema.json', () => {
  it('is the schema report.json names in its first key', () => {
    const json = JSON.parse(renderJson(sampleFleetReport())) as Json;
    expect(Object.keys(json)[0]).toBe('$schema');
    expect(json.$schema).toBe(REPORT_SCHEMA_ID);
    expect((JSON.parse(committed('report.v1.schema.json')) as Json).$id).toBe(REPORT_SCHEMA_ID);
  });

  it('accepts a key a later version-1 writer adds, and refuses a missing key, a wrong type or an unknown mode', () => {
    // Given a valid report
    const valid = () => JSON.parse(renderJson(sampleFleetReport())) as { hosts: (Json & { vms: { interfaces: Json[] }[] })[] };
    expect(schemaErrors('report.v1.schema.json', valid())).toEqual([]);
    // When it gains a key (new keys may be added within schemaVersion 1), it still validates
    const later = valid();
    later.hosts[0]!.uptimeSeconds = 12;
    expect(schemaErrors('report.v1.schema.json', later)).toEqual([]);
    // But a key it must have, a type it must keep and the mode vocabulary are enforced
    const missing = valid();
    delete missing.hosts[0]!.defaultRouteDevs;
    expect(schemaErrors('report.v1.schema.json', missing).join('\n')).toMatch(/^\/hosts\/0: must have required property 'defaultRouteDevs'/);
    const wrongType = valid();
    wrongType.hosts[0]!.durationMs = '1234';
    expect(schemaErrors('report.v1.schema.json', wrongType).join('\n')).toContain('/hosts/0/durationMs: must be number');
    const unknownMode = valid();
    unknownMode.hosts[0]!.vms[0]!.interfaces[0]!.mode = 'teleport';
    expect(schemaErrors('report.v1.schema.json', unknownMode).join('\n')).toContain('/hosts/0/vms/0/interfaces/0/mode: must be equal to one of the allowed values');
  });
});

describe('the example inventory and policy', () => {
  const examples: { file: string; schema: PublishedSchema }[] = [
    { file: 'inventory.example.yaml', schema: 'inventory.v1.schema.json' },
    { file: 'policy.example.yaml', schema: 'policy.v1.schema.json' },
  ];

  it.each(examples)('$file names its schema for the YAML language server on its first line, and follows it', ({ file, schema }) => {
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=./schema/${schema}`);
    expect(schemaErrors(schema, parse(text))).toEqual([]);
  });

  it('an editor is told about a mistyped key, as the loader would', () => {
    const inventory = { hosts: [{ name: 'hv1', address: '192.0.2.1', identityfile: '~/.ssh/id' }] };
    expect(schemaErrors('inventory.v1.schema.json', inventory).join('\n')).toContain("must NOT have additional properties {\"additionalProperty\":\"identityfile\"}");
    const policy = { rules: [{ id: 'r', description: 'd', severity: 'urgent', subject: 'vm', expect: {} }] };
    expect(schemaErrors('policy.v1.schema.json', policy).join('\n')).toContain('/rules/0/severity: must be equal to one of the allowed values');
  });
});
