// @ts-check
/**
 * The barest ssh2 audit of one host: connect, send a script over one exec channel, read everything,
 * disconnect. Shared by bench/bareClient.mjs (embedded fleet) and bench/fleet/bareClient.js (real sshd hosts).
 *
 * Plain JavaScript (type-checked through JSDoc) so that the fleet bench can run its bare client with plain
 * `node`, paying the same process start-up as the built CLI and not tsx's loader (about 0.2 s wall and
 * 0.3 s CPU more per process, which would flatter kvm-netaudit in the comparison).
 */
import ssh2 from 'ssh2';

/**
 * What the bare loop needs to reach a host.
 * @typedef {{ address: string, port: number, user: string }} BareHost
 */

/**
 * How one host's exec ended; null when the connection or the exec failed.
 * @typedef {{ code: number | null, stdout: string } | null} BareResult
 */

/**
 * Run `script` through `sh -s` on `host`. No host-key check and no framing: this is the floor any SSH
 * audit tool stands on, not a tool. The connection is closed after `timeoutMs` whatever happens.
 * @param {BareHost} host
 * @param {Buffer} privateKey
 * @param {string} script
 * @param {number} [timeoutMs] @default 120000
 * @returns {Promise<BareResult>}
 */
export function bareAudit(host, privateKey, script, timeoutMs = 120_000) {
  return new Promise((resolve) => {
    const client = new ssh2.Client();
    let settled = false;
    /** @param {BareResult} result */
    const finish = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end();
      resolve(result);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    client.on('error', () => finish(null));
    client.on('close', () => finish(null));
    client.on('ready', () => {
      client.exec('sh -s', (err, channel) => {
        if (err) return finish(null);
        /** @type {Buffer[]} */
        const chunks = [];
        /** @type {number | null} */
        let code = null;
        channel.on('data', (/** @type {Buffer} */ c) => chunks.push(c));
        channel.stderr.on('data', () => {});
        channel.on('exit', (/** @type {number | null} */ exitCode) => {
          code = exitCode;
        });
        channel.on('close', () => finish({ code, stdout: Buffer.concat(chunks).toString('utf8') }));
        channel.end(script);
      });
    });
    client.connect({ host: host.address, port: host.port, username: host.user, privateKey, readyTimeout: Math.min(timeoutMs, 60_000) });
  });
}
