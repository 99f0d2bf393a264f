import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshServer } from '../../../src/demo/sshServer.js';
import { createSshConnector } from '../../../src/transport/ssh.js';
import { hostConfig, knownHostsLineFor, makeTempDir, rejectionOf, unusedPort, writeClientKey, type ClientKey } from '../../helpers/sshFixtures.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
let key: ClientKey;

beforeAll(async () => {
  tmp = await makeTempDir('connect');
  key = await writeClientKey(tmp.dir, 'id_ed25519');
});
afterAll(async () => {
  await tmp.cleanup();
});

describe('connection failures map to report kinds', () => {
  it('a refused port is unreachable', async () => {
    // Given a port that was bound and released (nothing listens there now)
    const port = await unusedPort();
    const connector = createSshConnector({ connectTimeoutMs: 5_000 });

    // When connecting
    const error = await rejectionOf(connector.connect(hostConfig({ port, identityFile: key.file }), {}));
    await connector.close();

    // Then it is unreachable, with the socket's own reason
    expect(error.kind).toBe('unreachable');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });

  it('a server that never sends its banner times out within connectTimeoutMs', async () => {
    // Given a server that accepts TCP and stays silent, and a 600 ms connect timeout
    const silent = await startSshServer({ behaviour: 'never-answer' });
    const connector = createSshConnector({ connectTimeoutMs: 600 });
    const started = Date.now();

    // When connecting
    const error = await rejectionOf(connector.connect(hostConfig({ port: silent.port, identityFile: key.file }), {}));
    const elapsed = Date.now() - started;
    await connector.close();

    // Then it is a timeout, close to the configured deadline, and the socket was dropped
    expect(error.kind).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(550);
    expect(elapsed).toBeLessThan(600 + 1_500);
    expect(silent.connections()).toBe(1);
    await expect.poll(() => silent.openConnections(), { timeout: 2_000 }).toBe(0);
    await silent.close();
  });

  it('a server that hangs up at once is unreachable', async () => {
    const rude = await startSshServer({ behaviour: 'hang-up' });
    const connector = createSshConnector({ connectTimeoutMs: 5_000 });
    const error = await rejectionOf(connector.connect(hostConfig({ port: rude.port, identityFile: key.file }), {}));
    await connector.close();
    await rude.close();
    expect(error.kind).toBe('unreachable');
  });

  it('an abort signal stops a connection attempt: timeout for a deadline, cancelled otherwise', async () => {
    // Given a silent server and a long connect timeout
    const silent = await startSshServer({ behaviour: 'never-answer' });
    const connector = createSshConnector({ connectTimeoutMs: 30_000 });
    const host = hostConfig({ port: silent.port, identityFile: key.file });

    // When one attempt has a 200 ms deadline and another is cancelled
    const started = Date.now();
    const deadline = await rejectionOf(connector.connect(host, { signal: AbortSignal.timeout(200) }));
    const elapsed = Date.now() - started;
    const controller = new AbortController();
    const cancelled = rejectionOf(connector.connect(host, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);

    // Then the first is a timeout that came promptly, the second is cancelled
    expect(deadline.kind).toBe('timeout');
    expect(elapsed).toBeLessThan(2_000);
    expect((await cancelled).kind).toBe('cancelled');
    // and both sockets were closed
    await expect.poll(() => silent.openConnections(), { timeout: 2_000 }).toBe(0);
    await connector.close();
    await silent.close();
  });

  it('a host key refusal wins over the connection error it causes', async () => {
    // Given a working server that is not in known_hosts (strict)
    const server = await startSshServer({ authorizedKey: key.publicKey });
    const knownHosts = path.join(tmp.dir, 'other_known_hosts');
    writeFileSync(knownHosts, `${knownHostsLineFor({ port: server.port + 1, hostKey: server.hostKey })}\n`);
    const connector = createSshConnector({ connectTimeoutMs: 5_000 });

    // When connecting
    const error = await rejectionOf(connector.connect(hostConfig({ port: server.port, identityFile: key.file, knownHostsFile: knownHosts }), {}));
    await connector.close();
    await server.close();

    // Then the kind is hostkey (not the "handshake failed" ssh2 reports next)
    expect(error.kind).toBe('hostkey');
  });
});
