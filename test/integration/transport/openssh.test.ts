/**
 * The openssh transport against OpenSSH's real `ssh` client, talking to in-process ssh2 servers on 127.0.0.1.
 *
 * The developer's own ~/.ssh must never take part: OpenSSH finds `~` through the password database, not $HOME,
 * so what keeps it out is the hosts' settings (no ssh_config: `-F /dev/null`; their own key and known_hosts file;
 * no agent). HOME still points at an empty temp dir, and SSH_AUTH_SOCK is not passed on.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshServer, type ExecContext, type RunningSshServer } from '../../../src/demo/sshServer.js';
import type { HostConfig, JumpHostConfig } from '../../../src/model.js';
import { createOpenSshConnector, type OpenSshConnectorOptions } from '../../../src/transport/openssh.js';
import { gateTier, tool } from '../../helpers/prerequisites.js';
import {
  hostConfig,
  jumpConfig,
  knownHostsLineFor,
  makeTempDir,
  rejectionOf,
  startEchoServer,
  unusedPort,
  writeClientKey,
  type ClientKey,
} from '../../helpers/sshFixtures.js';

const gate = gateTier('integration tier (the openssh transport runs OpenSSH’s own client)', [tool('ssh')]);

let tmp: { dir: string; cleanup: () => Promise<void> };
let key: ClientKey;
let wrongKey: ClientKey;
let env: NodeJS.ProcessEnv;
const servers: RunningSshServer[] = [];
let dirCounter = 0;

beforeAll(async () => {
  if (gate.skip) return;
  gate.enforce();
  tmp = await makeTempDir('openssh');
  key = await writeClientKey(tmp.dir, 'id_ed25519');
  wrongKey = await writeClientKey(tmp.dir, 'id_wrong');
  const home = path.join(tmp.dir, 'home');
  mkdirSync(home);
  env = { PATH: process.env.PATH, HOME: home };
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await tmp?.cleanup();
});

/** A fresh directory for one test: its paths appear in the ssh command lines, so they also find its processes. */
function testDir(name = `t${++dirCounter}`): string {
  const dir = path.join(tmp.dir, name);
  mkdirSync(dir);
  return dir;
}

async function track(server: Promise<RunningSshServer>): Promise<RunningSshServer> {
  const running = await server;
  servers.push(running);
  return running;
}

/** A known_hosts file in `dir` trusting `trusted`. */
function knownHostsIn(dir: string, trusted: RunningSshServer[]): string {
  const file = path.join(dir, 'known_hosts');
  writeFileSync(file, trusted.map((server) => `${knownHostsLineFor(server)}\n`).join(''));
  return file;
}

function connector(options: Partial<OpenSshConnectorOptions> = {}) {
  return createOpenSshConnector({ connectTimeoutMs: 5_000, env, ...options });
}

/** Connect and run one script; the transport is closed after. */
async function probe(host: HostConfig, script: string, options: Partial<OpenSshConnectorOptions> = {}, maxBytes = 1 << 20) {
  const transport = await connector(options).connect(host, {});
  try {
    return await transport.exec(script, { maxBytes });
  } finally {
    transport.close();
  }
}

/** Live processes whose command line mentions `marker` (a test's own directory): its ssh and ProxyCommand ssh. */
function processesMentioning(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // A zombie's cmdline is empty: only processes still running match.
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** A server for `key` whose exec never ends by itself; `started` resolves once the probe is running on it. */
async function startHangingServer(forward: Partial<Parameters<typeof startSshServer>[0]> = {}) {
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const server = await track(
    startSshServer({
      username: 'audit',
      authorizedKey: key.publicKey,
      onExec: async (exec: ExecContext) => {
        markStarted();
        await new Promise((resolve) => exec.signal.addEventListener('abort', resolve, { once: true }));
      },
      ...forward,
    }),
  );
  return { server, started };
}

describe.skipIf(gate.skip)('openssh transport', () => {
  it('runs the script as `sh -s` from stdin and returns stdout, stderr and the exit code, with none of ssh’s chatter', async () => {
    // Given a server that answers with the command and the whole of stdin, a note on stderr, and exit 3
    const server = await track(
      startSshServer({
        username: 'audit',
        authorizedKey: key.publicKey,
        onExec: async (exec) => {
          const stdin = await exec.stdin;
          await exec.write(`${exec.command}|${stdin.length}|${stdin.slice(0, 12)}|${stdin.slice(-9)}`);
          await exec.writeStderr('note\n');
          exec.exit(3);
        },
      }),
    );
    const host = hostConfig({ port: server.port, identityFile: key.file, knownHostsFile: knownHostsIn(testDir(), [server]) });
    const script = `echo start\n${'#'.repeat(300_000)}\necho end\n`;

    // When a 300 KB script is run through ssh
    const result = await probe(host, script, { hostKeyPolicy: 'strict' });

    // Then all of it arrived on stdin, and the outcome is reported as it happened
    const stdout = `sh -s|${script.length}|echo start\n#|echo end\n`;
    expect(result).toEqual({ code: 3, signal: null, stdout, stderr: 'note\n', truncated: false, bytes: stdout.length + 5, cutOffBy: null });
  });

  it('fails with auth when the server refuses the key', async () => {
    // Given a server that knows only `key`, reached with another one
    const server = await track(startEchoServer(key, 'hv'));
    const host = hostConfig({ port: server.port, identityFile: wrongKey.file, knownHostsFile: knownHostsIn(testDir(), [server]) });

    // When probed
    const error = await rejectionOf(probe(host, 'probe'));

    // Then ssh's refusal is reported as auth
    expect(error.kind).toBe('auth');
    expect(error.message).toBe(`authentication failed for audit@127.0.0.1:${server.port}: audit@127.0.0.1: Permission denied (publickey,password).`);
  });

  it('refuses an unknown host key under strict, and also when the run gave no policy (OpenSSH’s batch-mode default)', async () => {
    // Given a server whose key is in no known_hosts file
    const server = await track(startEchoServer(key, 'hv'));
    const knownHosts = knownHostsIn(testDir(), []);
    const host = hostConfig({ port: server.port, identityFile: key.file, knownHostsFile: knownHosts });

    // When probed under strict, and with no policy
    const errors = [await rejectionOf(probe(host, 'probe', { hostKeyPolicy: 'strict' })), await rejectionOf(probe(host, 'probe'))];

    // Then both are hostkey failures, the first naming the unknown key, and nothing was written
    expect(errors.map((error) => error.kind)).toEqual(['hostkey', 'hostkey']);
    expect(errors[0]!.message).toContain(`No ED25519 host key is known for [127.0.0.1]:${server.port} and you have requested strict checking.`);
    expect(readFileSync(knownHosts, 'utf8')).toBe('');
  });

  it('under accept-new appends the host key to the host’s known_hosts file, and strict trusts it afterwards', async () => {
    // Given a server whose key is in no known_hosts file
    const server = await track(startEchoServer(key, 'hv'));
    const knownHosts = knownHostsIn(testDir(), []);
    const host = hostConfig({ port: server.port, identityFile: key.file, knownHostsFile: knownHosts });

    // When probed under accept-new
    const result = await probe(host, 'probe', { hostKeyPolicy: 'accept-new' });

    // Then the probe ran, quietly, and the key was added to that file as OpenSSH writes it
    expect(result).toMatchObject({ code: 0, stdout: 'hv:probe', stderr: '' });
    expect(readFileSync(knownHosts, 'utf8')).toBe(`${knownHostsLineFor(server)}\n`);
    expect((await probe(host, 'again', { hostKeyPolicy: 'strict' })).stdout).toBe('hv:again');
  });

  it('fails with unreachable when nobody listens', async () => {
    const port = await unusedPort();
    const error = await rejectionOf(probe(hostConfig({ port, identityFile: key.file, knownHostsFile: knownHostsIn(testDir(), []) }), 'probe'));
    expect(error.kind).toBe('unreachable');
    expect(error.message).toBe(`cannot connect to audit@127.0.0.1:${port}: ssh: connect to host 127.0.0.1 port ${port}: Connection refused`);
  });

  it('fails with timeout within the connect timeout when the server never answers', async () => {
    // Given a server that accepts TCP connections but never sends its banner
    const server = await track(startSshServer({ behaviour: 'never-answer' }));
    const host = hostConfig({ port: server.port, identityFile: key.file, knownHostsFile: knownHostsIn(testDir(), []) });

    // When probed with a 1 s connect timeout and no deadline of the run's own
    const started = Date.now();
    const error = await rejectionOf(probe(host, 'probe', { connectTimeoutMs: 1_000 }));
    const elapsed = Date.now() - started;

    // Then ssh itself gave up after about that second
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('Connection timed out during banner exchange');
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(2_500);
  });

  it('fails a host behind a bastion whose host key is unknown with hostkey, naming the bastion', async () => {
    // Given a bastion missing from known_hosts (the host is trusted)
    const dir = testDir();
    const target = await track(startEchoServer(key, 'hv'));
    const bastion = await track(startEchoServer(key, 'bastion', { username: 'jump', forwardPorts: [target.port] }));
    const knownHosts = knownHostsIn(dir, [target]);
    const jump = jumpConfig({ name: 'edge', port: bastion.port, identityFile: key.file, knownHostsFile: knownHosts });
    const host = hostConfig({ port: target.port, identityFile: key.file, knownHostsFile: knownHosts, jump });

    // When probed under strict
    const error = await rejectionOf(probe(host, 'probe', { hostKeyPolicy: 'strict' }));

    // Then the bastion's key is what failed, and the host was never reached
    expect(error.kind).toBe('hostkey');
    expect(error.message).toContain('via jump host edge');
    expect(error.message).toContain(`No ED25519 host key is known for [127.0.0.1]:${bastion.port}`);
    expect(target.connections()).toBe(0);
  });

  it('reports a missing ssh binary as an internal error', async () => {
    const server = await track(startEchoServer(key, 'hv'));
    const host = hostConfig({ port: server.port, identityFile: key.file, knownHostsFile: knownHostsIn(testDir(), [server]) });
    const error = await rejectionOf(probe(host, 'probe', { sshBinary: path.join(tmp.dir, 'no-such-ssh') }));
    expect(error.kind).toBe('internal');
    expect(error.message).toMatch(/^cannot start .*no-such-ssh: .*ENOENT/);
  });

  it('on the run’s deadline kills ssh and its ProxyCommand at once, and rejects with timeout', async () => {
    // Given a host behind a bastion that never answers, with a connect timeout far away: the bastion's ssh (the
    // ProxyCommand) is still waiting for its banner, and would not notice its parent die until then
    const dir = testDir();
    const target = await track(startEchoServer(key, 'hv'));
    const bastion = await track(startSshServer({ behaviour: 'never-answer' }));
    const knownHosts = knownHostsIn(dir, [target]);
    const jump = jumpConfig({ port: bastion.port, identityFile: key.file, knownHostsFile: knownHosts });
    const host = hostConfig({ port: target.port, identityFile: key.file, knownHostsFile: knownHosts, jump });
    const transport = await connector({ connectTimeoutMs: 20_000 }).connect(host, {});
    const deadline = new AbortController();
    const pending = rejectionOf(transport.exec('probe', { maxBytes: 1 << 20, signal: deadline.signal }));
    await expect.poll(() => bastion.connections(), { timeout: 5_000 }).toBe(1);
    expect(processesMentioning(dir)).toHaveLength(2); // ssh, and the bastion's ssh it runs as ProxyCommand

    // When the run's deadline passes
    const abortedAt = Date.now();
    deadline.abort(new DOMException('deadline', 'TimeoutError'));
    const error = await pending;

    // Then it rejects at once with timeout, and both ssh processes and the bastion connection are gone
    expect(Date.now() - abortedAt).toBeLessThan(1_000);
    expect(error.kind).toBe('timeout');
    await expect.poll(() => processesMentioning(dir), { timeout: 2_000 }).toEqual([]);
    await expect.poll(() => bastion.openConnections(), { timeout: 2_000 }).toBe(0);
    transport.close();
  });

  it('closing the connector kills an ssh still running, rejecting with cancelled', async () => {
    // Given a probe that never ends
    const dir = testDir();
    const { server, started } = await startHangingServer();
    const host = hostConfig({ port: server.port, identityFile: key.file, knownHostsFile: knownHostsIn(dir, [server]) });
    const openssh = connector();
    const transport = await openssh.connect(host, {});
    const pending = rejectionOf(transport.exec('sleep forever\n', { maxBytes: 1 << 20 }));
    await started;

    // When the run closes its connector
    await openssh.close();

    // Then the probe is cancelled and ssh is gone
    expect((await pending).kind).toBe('cancelled');
    await expect.poll(() => processesMentioning(dir), { timeout: 3_000 }).toEqual([]);
  });

  it('cuts endless output off at maxBytes and kills ssh', async () => {
    // Given a server that streams output until the client goes away
    const dir = testDir();
    const server = await track(
      startSshServer({
        username: 'audit',
        authorizedKey: key.publicKey,
        onExec: async (exec) => {
          const chunk = 'y'.repeat(64 * 1024);
          while (!exec.signal.aborted) await exec.write(chunk);
        },
      }),
    );
    const host = hostConfig({ port: server.port, identityFile: key.file, knownHostsFile: knownHostsIn(dir, [server]) });

    // When probed with a 256 KiB cap
    const result = await probe(host, 'probe', {}, 256 * 1024);

    // Then exactly the cap is kept, and ssh and its connection are gone
    expect(result).toMatchObject({ truncated: true, cutOffBy: 'host-cap', bytes: 256 * 1024, code: null });
    expect(result.stdout.length).toBe(256 * 1024);
    await expect.poll(() => processesMentioning(dir), { timeout: 3_000 }).toEqual([]);
    await expect.poll(() => server.openConnections(), { timeout: 3_000 }).toBe(0);
  });

  it('reaches a host through a chain of two bastions, with paths that need quoting at every level', async () => {
    // Given target ← inner bastion ← outer bastion, each bastion forwarding only to the next
    // (the outer one only accepting a key whose path has a quote, a percent sign, a backslash and a dollar),
    // and one known_hosts file for all three in that same odd directory
    const odd = testDir("it's 100% odd \\ $dir");
    const oddKey = await writeClientKey(odd, 'id%key');
    const target = await track(startEchoServer(key, 'hv'));
    const inner = await track(startEchoServer(key, 'inner', { username: 'jump', forwardPorts: [target.port] }));
    const outer = await track(startEchoServer(oddKey, 'outer', { username: 'jump', forwardPorts: [inner.port] }));
    const knownHosts = knownHostsIn(odd, [target, inner, outer]);
    const outerJump: JumpHostConfig = jumpConfig({ name: 'outer', port: outer.port, identityFile: oddKey.file, knownHostsFile: knownHosts });
    const innerJump: JumpHostConfig = jumpConfig({
      name: 'inner',
      port: inner.port,
      identityFile: key.file,
      knownHostsFile: knownHosts,
      jump: outerJump,
    });
    const host = hostConfig({ port: target.port, identityFile: key.file, knownHostsFile: knownHosts, jump: innerJump });

    // When probed under strict host key checking
    const result = await probe(host, 'probe', { hostKeyPolicy: 'strict' });

    // Then the target answered, through one connection to each bastion
    expect(result).toMatchObject({ code: 0, stdout: 'hv:probe', stderr: '' });
    expect([outer.connections(), inner.connections(), target.connections()]).toEqual([1, 1, 1]);
  });
});
