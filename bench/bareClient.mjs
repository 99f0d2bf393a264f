// The bare loop, as plain built JavaScript (no tsx loader, like the built CLI it is compared with): connect with
// ssh2, run kvm-netaudit's own probe (dist/) over one exec channel per host, read everything, disconnect; nothing
// is parsed or kept. The floor for any tool doing the same network work. Figures come from figuresOnExit.mjs.
//
// Usage: node --import ./figuresOnExit.mjs bareClient.mjs SERVED.json CONCURRENCY
import { readFileSync } from 'node:fs';
import pLimit from 'p-limit';
import ssh2 from 'ssh2';
import { buildProbeScript } from '../dist/probe/script.js';

const [servedFile, concurrencyText] = process.argv.slice(2);
const served = JSON.parse(readFileSync(servedFile, 'utf8'));
const limit = pLimit(Number(concurrencyText ?? '64'));
const key = readFileSync(served.hosts[0].identityFile);
const results = await Promise.all(served.hosts.map((host) => limit(() => bareAudit(host))));
const failed = results.filter((ok) => !ok).length;
process.exitCode = failed === 0 ? 0 : 2;

/** Connect, run the probe over one exec channel, read everything, disconnect. */
function bareAudit(host) {
  return new Promise((resolve) => {
    const client = new ssh2.Client();
    client.on('error', () => resolve(false));
    client.on('ready', () => {
      client.exec('sh -s', (err, channel) => {
        if (err) return resolve(false);
        let bytes = 0;
        channel.on('data', (chunk) => (bytes += chunk.length));
        channel.stderr.on('data', () => {});
        channel.on('close', () => {
          client.end();
          resolve(bytes > 0);
        });
        channel.end(buildProbeScript({ libvirtUri: host.libvirtUri, sudo: false }));
      });
    });
    client.connect({ host: host.address, port: host.port, username: host.user, privateKey: key, readyTimeout: 60_000 });
  });
}
