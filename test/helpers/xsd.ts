/**
 * XML Schema checks with libxml2's own validator, built to WebAssembly (the `xmllint-wasm` package), so no
 * tier needs `xmllint` from the system: the verdict of `xmllint --noout --schema SCHEMA FILE`, in-process.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { memoryPages, validateXML } from 'xmllint-wasm';
import { REPO_ROOT } from './cli.js';

/** The common JUnit XML schema the reports are checked against. */
export const JUNIT_XSD = join(REPO_ROOT, 'test', 'fixtures', 'junit.xsd');

/** libxml2's verdict: valid, or not with xmllint's own messages (`name:line: element …: Schemas validity error …`). */
export interface SchemaVerdict {
  valid: boolean;
  /** xmllint's error output; '' when valid. */
  output: string;
}

/** Room for large reports: 256 MiB (the package's default cap is 32 MiB of WebAssembly memory). */
const MAX_MEMORY_PAGES = 256 * memoryPages.MiB;

/**
 * Validate `xml` against the XSD at `schemaPath`. `name` is the file name xmllint sees (and puts in its
 * messages). A broken schema or a crash of the validator rejects; an invalid document resolves.
 */
export async function validateAgainstSchema(xml: string, schemaPath: string, name = 'document.xml'): Promise<SchemaVerdict> {
  const schema = { fileName: basename(schemaPath), contents: await readFile(schemaPath, 'utf8') };
  const result = await validateXML({ xml: [{ fileName: name, contents: xml }], schema: [schema], maxMemoryPages: MAX_MEMORY_PAGES });
  return result.valid ? { valid: true, output: '' } : { valid: false, output: result.rawOutput };
}

/** Validate a file on disk against the XSD at `schemaPath`. */
export async function validateFileAgainstSchema(file: string, schemaPath: string): Promise<SchemaVerdict> {
  return validateAgainstSchema(await readFile(file, 'utf8'), schemaPath, basename(file));
}
