// The bare loop of `npm run bench`, as plain built JavaScript (no tsx loader, like the built CLI it is compared
// with): every served host through bareAudit (fleet/bareAudit.js) with kvm-netaudit's own probe (dist/); nothing
// is parsed or kept. The floor for any tool doing the same network work. Figures come from figuresOnExit.mjs.
//
// Usage: node --import ./figuresOnExit.mjs bareClient.mjs SERVED.json CONCURRENCY
import { readFileSync } from 'node:fs';
import pLimit from 'p-limit';
import { buildProbeScript } from '../dist/probe/script.js';
import { bareAudit } from './fleet/bareAudit.js';

const [servedFile, concurrencyText] = process.argv.slice(2);
const served = JSON.parse(readFileSync(servedFile, 'utf8'));
const limit = pLimit(Number(concurrencyText ?? '64'));
const key = readFileSync(served.hosts[0].identityFile);
const probe = (host) => buildProbeScript({ libvirtUri: host.libvirtUri, sudo: false });
// Each host's output is dropped as soon as it is judged, as the CLI drops it: only a yes or no is kept.
const answered = async (host) => {
  const result = await bareAudit(host, key, probe(host));
  return result !== null && result.stdout.length > 0;
};
const results = await Promise.all(served.hosts.map((host) => limit(() => answered(host))));
const failed = results.filter((ok) => !ok).length;
process.exitCode = failed === 0 ? 0 : 2;
