import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshServer, type ExecContext, type RunningSshServer } from '../../../src/demo/sshServer.js';
import type { HostConfig } from '../../../src/model.js';
import { createSshConnector } from '../../../src/transport/ssh.js';
import { hostConfig, knownHostsLineFor, makeTempDir, rejectionOf, writeClientKey, type ClientKey } from '../../helpers/sshFixtures.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
let key: ClientKey;
let knownHosts: string;
const servers: RunningSshServer[] = [];

beforeAll(async () => {
  tmp = await makeTempDir('exec');
  key = await writeClientKey(tmp.dir, 'id_ed25519');
  knownHosts = path.join(tmp.dir, 'known_hosts');
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await tmp.cleanup();
});

/** Start a server running `onExec`, trusted in known_hosts; returns it and a host config for it. */
async function serverRunning(onExec: (exec: ExecContext) => void | Promise<void>): Promise<{ server: RunningSshServer; host: HostConfig }> {
  const server = await startSshServer({ authorizedKey: key.publicKey, onExec });
  servers.push(server);
  writeFileSync(knownHosts, `${servers.map(knownHostsLineFor).join('\n')}\n`);
  return { server, host: hostConfig({ port: server.port, identityFile: key.file, knownHostsFile: knownHosts }) };
}

describe('exec over SSH', () => {
  it('sends the script on stdin of one `sh -s` channel and returns stdout, stderr and the exit code', async () => {
    // Given a server that reports what it was asked to run and what arrived on stdin
    const seen: { command: string; stdin: string }[] = [];
    const { host } = await serverRunning(async (exec) => {
      const stdin = await exec.stdin;
      seen.push({ command: exec.command, stdin });
      await exec.write(`out:${stdin.length}`);
      await exec.writeStderr('warn: ünïcödé\n');
      exec.exit(3);
    });
    const script = `echo hello\n# ${'x'.repeat(300_000)}\n`; // larger than one SSH window and any ARG_MAX slice
    const connector = createSshConnector({ connectTimeoutMs: 5_000 });

    // When the script is executed
    const transport = await connector.connect(host, {});
    const result = await transport.exec(script, { maxBytes: 1 << 20 });
    transport.close();
    await connector.close();

    // Then the command line is only `sh -s`, the whole script came through stdin, and the outcome is returned
    expect(seen).toEqual([{ command: 'sh -s', stdin: script }]);
    const stdout = `out:${script.length}`;
    const stderr = 'warn: ünïcödé\n';
    const bytes = Buffer.byteLength(stdout) + Buffer.byteLength(stderr);
    expect(result).toEqual({ code: 3, signal: null, stdout, stderr, truncated: false, bytes, cutOffBy: null });
  });

  it('cuts off a host that streams 10 MB at maxBytes, promptly, and stops the stream', async () => {
    // Given a server that streams 10 MB, honouring back-pressure
    let sent = 0;
    let stoppedEarly = false;
    const { host } = await serverRunning(async (exec) => {
      const chunk = Buffer.alloc(64 * 1024, 'a');
      while (sent < 10 * 1024 * 1024 && !exec.signal.aborted) {
        await exec.write(chunk);
        sent += chunk.length;
      }
      stoppedEarly = exec.signal.aborted;
      exec.exit(0);
    });
    const connector = createSshConnector({ connectTimeoutMs: 5_000 });
    const transport = await connector.connect(host, {});

    // When executing with a 1 MB cap
    const started = Date.now();
    const result = await transport.exec('stream', { maxBytes: 1024 * 1024 });
    const elapsed = Date.now() - started;

    // Then exactly 1 MB is kept, the result says truncated, it came promptly, and the server stopped early
    expect(result.truncated).toBe(true);
    expect(result.code).toBeNull();
    expect(Buffer.byteLength(result.stdout) + Buffer.byteLength(result.stderr)).toBe(1024 * 1024);
    expect(elapsed).toBeLessThan(5_000);
    await expect.poll(() => stoppedEarly, { timeout: 3_000 }).toBe(true);
    expect(sent).toBeLessThan(10 * 1024 * 1024);
    transport.close();
    await connector.close();
  });

  it('on a deadline (AbortSignal.timeout) rejects with timeout and the server sees the connection close', async () => {
    // Given a server whose command runs forever
    let serverSawClose = false;
    const { server, host } = await serverRunning(async (exec) => {
      await exec.write('started\n');
      await new Promise<void>((resolve) => exec.signal.addEventListener('abort', () => resolve()));
      serverSawClose = true;
    });
    const connector = createSshConnector({ connectTimeoutMs: 5_000 });
    const transport = await connector.connect(host, {});

    // When the exec gets a 300 ms deadline
    const started = Date.now();
    const error = await rejectionOf(transport.exec('sleep forever', { maxBytes: 1 << 20, signal: AbortSignal.timeout(300) }));

    // Then it rejects with timeout, soon after the deadline
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
    // and the server's command and connection are gone
    await expect.poll(() => serverSawClose, { timeout: 3_000 }).toBe(true);
    await expect.poll(() => server.openConnections(), { timeout: 3_000 }).toBe(0);
    transport.close(); // idempotent after the abort closed it
    await connector.close();
  });

  it('rejects with cancelled when aborted without a deadline reason', async () => {
    // Given a command that never ends
    const { host } = await serverRunning(async (exec) => {
      await new Promise<void>((resolve) => exec.signal.addEventListener('abort', () => resolve()));
    });
    const connector = createSshConnector({ connectTimeoutMs: 5_000 });
    const transport = await connector.connect(host, {});
    const controller = new AbortController();

    // When the run is cancelled
    const pending = rejectionOf(transport.exec('wait', { maxBytes: 1024, signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);

    // Then the exec is cancelled
    expect((await pending).kind).toBe('cancelled');
    await connector.close();
  });

  it('close() is idempotent, ends the connection, and refuses later execs', async () => {
    // Given an open transport
    const { server, host } = await serverRunning((exec) => exec.exit(0));
    const connector = createSshConnector({ connectTimeoutMs: 5_000 });
    const transport = await connector.connect(host, {});
    expect(server.openConnections()).toBe(1);

    // When closed twice
    transport.close();
    transport.close();

    // Then the server sees the connection end, and exec is refused
    await expect.poll(() => server.openConnections(), { timeout: 3_000 }).toBe(0);
    await expect(transport.exec('true', { maxBytes: 10 })).rejects.toThrow(/closed/);
    await connector.close();
  });

  it('connector.close() ends transports still open', async () => {
    // Given two open transports nobody closed
    const { server, host } = await serverRunning((exec) => exec.exit(0));
    const connector = createSshConnector({ connectTimeoutMs: 5_000 });
    await connector.connect(host, {});
    await connector.connect(host, {});
    expect(server.openConnections()).toBe(2);

    // When the connector closes
    await connector.close();

    // Then both connections are gone, and the connector refuses new ones
    await expect.poll(() => server.openConnections(), { timeout: 3_000 }).toBe(0);
    expect((await rejectionOf(connector.connect(host, {}))).kind).toBe('cancelled');
  });
});
