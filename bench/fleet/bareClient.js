// @ts-check
/**
 * The fleet bench's "bare ssh2 loop" process, run with plain `node` (see bareAudit.js for why JavaScript):
 * every host through {@link bareAudit} at the given concurrency, then one JSON line on stdout with what each
 * host sent back (exit status and how many domain and network XML documents), for the bench to check.
 *
 * Usage: node bench/fleet/bareClient.js CONFIG.json   (written by bench/fleet/methods.ts)
 */
import { readFileSync } from 'node:fs';
import pLimit from 'p-limit';
import { bareAudit } from './bareAudit.js';

/**
 * @typedef {{ name: string, address: string, port: number, user: string, script: string }} ConfigHost
 * @typedef {{ hosts: ConfigHost[], identityFile: string, concurrency: number, timeoutMs: number }} Config
 */

/** @type {Config} */
const config = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8'));
const key = readFileSync(config.identityFile);
const limit = pLimit(config.concurrency);
const results = await Promise.all(
  config.hosts.map((host) =>
    limit(async () => {
      const result = await bareAudit(host, key, host.script, config.timeoutMs);
      const text = result?.stdout ?? '';
      return {
        name: host.name,
        code: result ? result.code : null,
        domains: text.match(/^<domain /gm)?.length ?? 0,
        networks: text.match(/^<network[ >]/gm)?.length ?? 0,
      };
    }),
  ),
);
process.stdout.write(`${JSON.stringify({ results })}\n`);
