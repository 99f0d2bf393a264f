/**
 * Bench client process: audits the served fleet either with kvm-netaudit's own runner ("tool") or with
 * the barest ssh2 loop that does the same network work ("bare"), and prints its own figures as JSON.
 */
import { readFileSync } from 'node:fs';
import pLimit from 'p-limit';
import ssh2 from 'ssh2';
import type { HostConfig } from '../src/model.js';
import { runFleet, DEFAULT_MAX_BYTES } from '../src/runner/runFleet.js';
import { createSshConnector } from '../src/transport/ssh.js';
import { buildProbeScript } from '../src/probe/script.js';
import { buildFleetReport } from '../src/report/build.js';
import { renderJson } from '../src/report/json.js';
import { renderMarkdown } from '../src/report/markdown.js';

interface Served {
  hosts: HostConfig[];
  knownHostsFile: string;
}

const [mode, configFile, concurrencyText] = process.argv.slice(2);
const served = JSON.parse(readFileSync(configFile!, 'utf8')) as Served;
const concurrency = Number(concurrencyText ?? '64');

const cpu0 = process.cpuUsage();
const t0 = performance.now();
let ok = 0;
if (mode === 'tool') {
  const connector = createSshConnector({ hostKeyPolicy: 'strict', knownHostsOverride: served.knownHostsFile, warn: () => {} });
  const outcome = await runFleet(served.hosts, { connector, concurrency, timeoutMs: 60_000, maxBytes: DEFAULT_MAX_BYTES });
  await connector.close();
  const report = buildFleetReport({
    hosts: outcome.hosts,
    startedAt: outcome.startedAt,
    finishedAt: outcome.finishedAt,
    inventory: 'bench',
    concurrency,
    complete: outcome.complete,
    version: 'bench',
  });
  renderJson(report);
  renderMarkdown(report);
  ok = outcome.hosts.filter((h) => h.status === 'ok').length;
} else {
  const limit = pLimit(concurrency);
  const key = readFileSync(served.hosts[0]!.identityFile!);
  const results = await Promise.all(served.hosts.map((host) => limit(() => bareAudit(host, key))));
  ok = results.filter(Boolean).length;
}
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({ mode, hosts: served.hosts.length, ok, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKiB: process.resourceUsage().maxRSS })}\n`,
);
process.exit(0);

/** Connect, run the same probe script over one exec channel, read everything, disconnect. */
function bareAudit(host: HostConfig, privateKey: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const client = new ssh2.Client();
    client.on('error', () => resolve(false));
    client.on('ready', () => {
      client.exec('sh -s', (err, channel) => {
        if (err) return resolve(false);
        const chunks: Buffer[] = [];
        channel.on('data', (c: Buffer) => chunks.push(c));
        channel.stderr.on('data', () => {});
        channel.on('close', () => {
          client.end();
          resolve(Buffer.concat(chunks).toString('utf8').length > 0);
        });
        channel.end(buildProbeScript({ libvirtUri: host.libvirtUri, sudo: false }));
      });
    });
    client.connect({ host: host.address, port: host.port, username: host.user, privateKey, readyTimeout: 60_000 });
  });
}
