import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalConnector } from '../../../src/transport/local.js';
import { hostConfig, makeTempDir, rejectionOf } from '../../helpers/sshFixtures.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await makeTempDir('local');
});
afterAll(async () => {
  await tmp.cleanup();
});

const anyHost = hostConfig({ port: 22 });

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('local connector', () => {
  it('runs the script with sh -s from stdin and returns stdout, stderr and the exit code', async () => {
    // Given a script that writes to both streams, reads the rest of stdin as data, and exits 4
    const transport = await createLocalConnector().connect(anyHost, {});

    // When executed
    const result = await transport.exec('echo out; echo err >&2; echo "$0"; exit 4\n', { maxBytes: 1 << 20 });

    // Then the outcome is reported as it happened
    expect(result).toEqual({ code: 4, signal: null, stdout: 'out\nsh\n', stderr: 'err\n', truncated: false, bytes: 11, cutOffBy: null });
  });

  it('cuts off endless output at maxBytes and kills the command', async () => {
    // Given a script that prints forever and records its pid
    const pidFile = path.join(tmp.dir, 'yes.pid');
    const transport = await createLocalConnector().connect(anyHost, {});

    // When executed with a 1 MB cap
    const result = await transport.exec(`echo $$ > ${pidFile}; while :; do echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; done\n`, { maxBytes: 1024 * 1024 });

    // Then exactly the cap is kept and the shell is gone
    expect(result.truncated).toBe(true);
    expect(Buffer.byteLength(result.stdout)).toBe(1024 * 1024);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await expect.poll(() => isAlive(pid), { timeout: 3_000 }).toBe(false);
  });

  it('on a deadline rejects with timeout and kills the commands the script started', async () => {
    // Given a script whose child sleeps for a long time
    const pidFile = path.join(tmp.dir, 'sleep.pid');
    const transport = await createLocalConnector().connect(anyHost, {});

    // When it gets a 300 ms deadline
    const error = await rejectionOf(transport.exec(`sleep 30 & echo $! > ${pidFile}; wait\n`, { maxBytes: 1024, signal: AbortSignal.timeout(300) }));

    // Then it times out and the sleep (not only sh) is killed
    expect(error.kind).toBe('timeout');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await expect.poll(() => isAlive(pid), { timeout: 3_000 }).toBe(false);
  });

  it('rejects with cancelled on a plain abort', async () => {
    const transport = await createLocalConnector().connect(anyHost, {});
    const controller = new AbortController();
    const pending = rejectionOf(transport.exec('sleep 30\n', { maxBytes: 1024, signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    expect((await pending).kind).toBe('cancelled');
  });
});
