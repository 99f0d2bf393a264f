/**
 * Publish the JSON Schemas of kvm-netaudit's files in schema/, generated from their zod schemas with zod's own
 * `z.toJSONSchema` (run by `npm run build`; test/unit/report/publishedSchemas.test.ts fails when the committed
 * files differ from what the zod schemas generate now):
 *
 * - report.v1.schema.json: report.json as this version writes it (src/report/schema.ts);
 * - inventory.v1.schema.json and policy.v1.schema.json: the YAML files an operator writes, for editors
 *   (`# yaml-language-server: $schema=…`). These describe the input side (`io: 'input'`): what the file may
 *   say. zod cannot express every check the loaders make, so these schemas are looser than the loaders: the
 *   libvirt URI check, reserved rule-id prefixes, real calendar dates, the conditions of `where:`/`expect:`
 *   (which depend on the rule's subject) and references between entries (groups, jump hosts, rule ids)
 *   are the loaders' alone.
 *
 * Usage:  npx tsx scripts/write-schemas.ts
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as z from 'zod';
import { inventorySchema } from '../src/inventory/schema.js';
import { policySchema } from '../src/policy/schema.js';
import { reportJsonSchema } from '../src/report/schema.js';

/** The folder the schemas are published in. */
export const SCHEMA_DIR = fileURLToPath(new URL('../schema/', import.meta.url));

/** Each published file and its content, as the zod schemas generate it now. */
export function publishedSchemas(): { file: string; text: string }[] {
  return [
    { file: 'report.v1.schema.json', text: render(reportJsonSchema()) },
    {
      file: 'inventory.v1.schema.json',
      text: render(
        inputSchema(inventorySchema, 'kvm-netaudit/inventory.v1.schema.json', {
          title: 'kvm-netaudit inventory',
          description: 'The hypervisors to audit and how to reach them (docs/inventory.md).',
        }),
      ),
    },
    {
      file: 'policy.v1.schema.json',
      text: render(
        inputSchema(policySchema, 'kvm-netaudit/policy.v1.schema.json', {
          title: 'kvm-netaudit policy',
          description: 'Rules, waivers and baseline settings checked against an audit (docs/policy.md).',
        }),
      ),
    },
  ];
}

/**
 * The input side of a file's zod schema. Its `$id` is a plain identifier like report.json's `$schema` (see
 * REPORT_SCHEMA_ID): there is no public URL to name.
 */
function inputSchema(schema: z.ZodType, id: string, about: { title: string; description: string }): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: ({ zodSchema }) =>
      // A waiver's `expires:`: YAML 1.1 readers turn an unquoted date into a timestamp, which the loader accepts as
      // well as the `YYYY-MM-DD` text. In the file it is that text either way.
      zodSchema._zod.def.type === 'date' ? { type: 'string', format: 'date' } : 'throw',
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, $id: id, ...about, ...rest };
}

function render(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

function main(): void {
  mkdirSync(SCHEMA_DIR, { recursive: true });
  for (const { file, text } of publishedSchemas()) {
    const path = join(SCHEMA_DIR, file);
    let current: string | null;
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      current = null;
    }
    // Rewritten only when it changed, so a build leaves the files (and their mtimes) alone.
    if (current === text) continue;
    writeFileSync(path, text);
    process.stdout.write(`wrote schema/${file}\n`);
  }
}

// Run as a script, not when a test imports publishedSchemas().
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main();
}
