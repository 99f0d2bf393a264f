/**
 * The openssh transport against OpenSSH's real `ssh` client, talking to in-process ssh2 servers on 127.0.0.1.
 *
 * The developer's own ~/.ssh must never take part: OpenSSH finds `~` through the password database, not $HOME,
 * so what keeps it out is the hosts' settings (no ssh_config, or a file of the test's own; `opensshHomeDir` for
 * the default choice; their own key and known_hosts file; no agent). HOME still points at an empty temp dir, and
 * SSH_AUTH_SOCK is not passed on.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshServer, type ExecContext, type RunningSshServer } from '../../../src/demo/sshServer.js';
import type { HostConfig, JumpHostConfig } from '../../../src/model.js';
import { createOpenSshConnector, type OpenSshConnectorOptions } from '../../../src/transport/openssh.js';
import { runSpawnedScript } from '../../../src/transport/spawnExec.js';
import { resolveTool } from '../../lab/run.js';
import { gateTier, tool } from '../../helpers/prerequisites.js';
import {
  startAgentWithKey,
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
const agentTools = gateTier('integration tier (the openssh transport with an ssh-agent)', [tool('ssh'), tool('ssh-agent'), tool('ssh-add')]);

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
  return createOpenSshConnector({ connectTimeoutMs: 5_000, env, opensshHomeDir: path.join(tmp.dir, 'home'), ...options });
}

/** Connect and run one script; the transport and the connector (with its generated files) are closed after. */
async function probe(host: HostConfig, script: string, options: Partial<OpenSshConnectorOptions> = {}, maxBytes = 1 << 20) {
  const openssh = connector(options);
  try {
    const transport = await openssh.connect(host, {});
    try {
      return await transport.exec(script, { maxBytes });
    } finally {
      transport.close();
    }
  } finally {
    await openssh.close();
  }
}

/** An ssh_config file of the operator's in `dir`. */
function sshConfigIn(dir: string, lines: readonly string[], name = 'ssh_config'): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

/** One run of `ssh`: its arguments, and the text of the file it was given with -F. */
interface SshCall {
  argv: string[];
  config: string;
}

/**
 * An `ssh` that notes each of its command lines (and its -F file's text) in `log`, then runs the real one under
 * its own name: OpenSSH starts a ProxyJump hop with the client it was started as (an absolute argv[0]), so the
 * hops are noted too.
 */
function loggingSsh(dir: string): { binary: string; calls: () => SshCall[] } {
  const binary = path.join(dir, 'ssh');
  const log = path.join(dir, 'ssh-calls.jsonl');
  writeFileSync(
    binary,
    [
      `#!${process.execPath}`,
      "const { appendFileSync, readFileSync } = require('node:fs');",
      "const { spawnSync } = require('node:child_process');",
      'const argv = process.argv.slice(2);',
      "const config = argv.includes('-F') ? readFileSync(argv[argv.indexOf('-F') + 1], 'utf8') : '';",
      `appendFileSync(${JSON.stringify(log)}, JSON.stringify({ argv, config }) + '\\n');`,
      `const run = spawnSync(${JSON.stringify(resolveTool('ssh'))}, process.argv.slice(2), { argv0: __filename, stdio: 'inherit' });`,
      'process.exit(run.status ?? 1);',
    ].join('\n'),
  );
  chmodSync(binary, 0o755);
  const calls = () =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as SshCall);
  return { binary, calls };
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

  it('reports a missing ssh binary as a config error that says to install OpenSSH’s client or use ssh2', async () => {
    const server = await track(startEchoServer(key, 'hv'));
    const host = hostConfig({ port: server.port, identityFile: key.file, knownHostsFile: knownHostsIn(testDir(), [server]) });
    const error = await rejectionOf(probe(host, 'probe', { sshBinary: path.join(tmp.dir, 'no-such-ssh') }));
    expect(error.kind).toBe('config');
    expect(error.message).toBe(
      `cannot start ${path.join(tmp.dir, 'no-such-ssh')}: OpenSSH's client is not installed (ENOENT); install openssh-client, or use \`transport: ssh2\``,
    );
  });

  it('keeps other failures to start ssh, and any program’s but ssh’s, internal errors', async () => {
    // Given an ssh that is there but cannot be run, and a shell for the local probe that is not there
    const server = await track(startEchoServer(key, 'hv'));
    const host = hostConfig({ port: server.port, identityFile: key.file, knownHostsFile: knownHostsIn(testDir(), [server]) });
    const notExecutable = path.join(tmp.dir, 'not-executable-ssh');
    writeFileSync(notExecutable, '', { mode: 0o644 });

    // When each is started
    const sshError = await rejectionOf(probe(host, 'probe', { sshBinary: notExecutable }));
    const shError = await rejectionOf(runSpawnedScript(path.join(tmp.dir, 'no-such-sh'), ['-s'], 'true\n', { maxBytes: 1 << 10 }, 'the local probe'));

    // Then neither is said to be a missing OpenSSH
    expect([sshError.kind, shError.kind]).toEqual(['internal', 'internal']);
    expect(sshError.message).toMatch(/^cannot start .*not-executable-ssh: .*EACCES/);
    expect(shError.message).toMatch(/^cannot start .*no-such-sh: .*ENOENT/);
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
    const openssh = connector({ connectTimeoutMs: 20_000 });
    const transport = await openssh.connect(host, {});
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
    await openssh.close();
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
  describe('with ssh_config', () => {
    /** target ← hop2 ← hop1, chained by ssh_config's ProxyJump alone (the inventory names no jump host). */
    async function proxyJumpChain(dir: string) {
      const target = await track(startEchoServer(key, 'hv'));
      const hop2 = await track(startEchoServer(key, 'hop2', { username: 'jump', forwardPorts: [target.port] }));
      const hop1 = await track(startEchoServer(key, 'hop1', { username: 'jump', forwardPorts: [hop2.port] }));
      const config = sshConfigIn(dir, [
        'Host hv',
        `  HostName 127.0.0.1`,
        `  Port ${target.port}`,
        '  User audit',
        '  ProxyJump hop2',
        'Host hop2',
        `  HostName 127.0.0.1`,
        `  Port ${hop2.port}`,
        '  ProxyJump hop1',
        'Host hop1',
        `  HostName 127.0.0.1`,
        `  Port ${hop1.port}`,
        'Host *',
        '  User jump',
        `  IdentityFile ${key.file}`,
        '  IdentitiesOnly yes',
        // The operator's own known_hosts file (empty): what --known-hosts must win over, at every hop.
        `  UserKnownHostsFile ${path.join(dir, 'operators_known_hosts')}`,
      ]);
      const host = hostConfig({ address: 'hv', port: 22, sshConfig: { kind: 'file', path: config }, namedKeys: [] });
      return { target, hop1, hop2, host };
    }

    it('reaches a host through ssh_config’s ProxyJump over two hops, every hop given the generated file with -F', async () => {
      // Given a two-hop ProxyJump chain in ssh_config, whose host keys only --known-hosts trusts
      const dir = testDir();
      const { target, hop1, hop2, host } = await proxyJumpChain(dir);
      const runKnownHosts = knownHostsIn(dir, [target, hop1, hop2]);
      const ssh = loggingSsh(dir);

      // When probed under strict with --known-hosts
      const result = await probe(host, 'probe', { hostKeyPolicy: 'strict', knownHostsOverride: runKnownHosts, sshBinary: ssh.binary });

      // Then each hop's ssh (started by OpenSSH, not by us) was given the generated file, and so trusted --known-hosts
      expect(result).toMatchObject({ code: 0, stdout: 'hv:probe', stderr: '' });
      expect([hop1.connections(), hop2.connections(), target.connections()]).toEqual([1, 1, 1]);
      const [ours, ...hops] = ssh.calls();
      const generated = ours!.argv[ours!.argv.indexOf('-F') + 1]!;
      expect(hops.map(({ argv }) => argv)).toEqual([
        ['-F', generated, '-W', `[127.0.0.1]:${target.port}`, 'hop2'],
        ['-F', generated, '-W', `[127.0.0.1]:${hop2.port}`, 'hop1'],
      ]);
      // And that file holds the run's settings ahead of the operator's file: BatchMode, policy and --known-hosts
      const lines = hops[0]!.config.split('\n');
      const beforeIncludes = lines.slice(0, lines.findIndex((line) => line.startsWith('Include ')));
      expect(beforeIncludes).toEqual(expect.arrayContaining(['BatchMode yes', 'StrictHostKeyChecking yes', `UserKnownHostsFile ${runKnownHosts}`]));
      // And the connector removed it on close
      expect(() => readFileSync(generated)).toThrow(/ENOENT/);
    });

    it('under accept-new adds every hop’s key to --known-hosts, none to the operator’s file, without a word on stderr', async () => {
      // Given the same chain, and a --known-hosts file that trusts nothing yet
      const dir = testDir();
      const { target, hop1, hop2, host } = await proxyJumpChain(dir);
      const runKnownHosts = knownHostsIn(dir, []);

      // When probed under accept-new
      const result = await probe(host, 'probe', { hostKeyPolicy: 'accept-new', knownHostsOverride: runKnownHosts });

      // Then each ssh wrote its host's key to the run's file, quietly (LogLevel ERROR reached the hops too)
      expect(result).toMatchObject({ code: 0, stdout: 'hv:probe', stderr: '' });
      const added = readFileSync(runKnownHosts, 'utf8').trim().split('\n').sort();
      expect(added).toEqual([target, hop1, hop2].map(knownHostsLineFor).sort());
      expect(existsSync(path.join(dir, 'operators_known_hosts'))).toBe(false);
    });

    it('runs the probe even when ssh_config gives every host a RemoteCommand and a LocalCommand', async () => {
      // Given an ssh_config that would replace `sh -s` by its own command, and run a local one after connecting
      const dir = testDir();
      const server = await track(startEchoServer(key, 'hv'));
      const config = sshConfigIn(dir, ['Host *', '  RemoteCommand echo hijacked', '  PermitLocalCommand yes', '  LocalCommand echo local >&2']);
      const host = hostConfig({ port: server.port, identityFile: key.file, knownHostsFile: knownHostsIn(dir, [server]), sshConfig: { kind: 'file', path: config } });

      // When probed
      const result = await probe(host, 'probe', { hostKeyPolicy: 'strict' });

      // Then the probe ran, and nothing of ssh_config's ran beside it
      expect(result).toMatchObject({ code: 0, stdout: 'hv:probe', stderr: '' });
    });

    it('reads OpenSSH’s own files for the default choice: ~/.ssh/config of OpenSSH’s home, then the system-wide file', async () => {
      // Given an alias only the user's file resolves, and a key only the system-wide file names
      const dir = testDir();
      const home = path.join(dir, 'home');
      mkdirSync(path.join(home, '.ssh'), { recursive: true });
      const server = await track(startEchoServer(key, 'hv'));
      sshConfigIn(path.join(home, '.ssh'), ['Host hv-alias', '  HostName 127.0.0.1', `  Port ${server.port}`, '  User audit'], 'config');
      const system = sshConfigIn(dir, ['Host hv-alias', `  IdentityFile ${key.file}`, '  IdentitiesOnly yes']);
      const host = hostConfig({
        address: 'hv-alias',
        port: 22,
        knownHostsFile: knownHostsIn(dir, [server]),
        sshConfig: { kind: 'default' },
        namedKeys: ['knownHostsFile'],
      });

      // When probed with that home and system file
      const result = await probe(host, 'probe', { hostKeyPolicy: 'strict', opensshHomeDir: home, systemConfigFile: system });

      // Then both files took part
      expect(result).toMatchObject({ code: 0, stdout: 'hv:probe', stderr: '' });
    });

    it('trusts only the known_hosts file the inventory names, not a GlobalKnownHostsFile of ssh_config’s', async () => {
      // Given a server trusted only by the system-wide file ssh_config names, and an empty file the inventory names
      const dir = testDir();
      const server = await track(startEchoServer(key, 'hv'));
      const global = path.join(dir, 'global_known_hosts');
      writeFileSync(global, `${knownHostsLineFor(server)}\n`);
      const config = sshConfigIn(dir, ['Host *', `  GlobalKnownHostsFile ${global}`]);
      const host = hostConfig({
        port: server.port,
        identityFile: key.file,
        knownHostsFile: knownHostsIn(dir, []),
        sshConfig: { kind: 'file', path: config },
        namedKeys: ['user', 'port', 'identityFile', 'knownHostsFile'],
      });

      // When probed under strict
      const error = await rejectionOf(probe(host, 'probe', { hostKeyPolicy: 'strict' }));

      // Then the key is unknown, as the ssh2 transport would say
      expect(error.kind).toBe('hostkey');
      expect(server.connections()).toBe(1);
    });

    it.skipIf(agentTools.skip)('uses the agent when the inventory says agent: true, even where ssh_config says IdentityAgent none', async () => {
      agentTools.enforce();
      // Given the key only in an ssh-agent, and an ssh_config that turns agents off (and names no key that exists)
      const dir = testDir();
      const agent = await startAgentWithKey(dir, key.file);
      try {
        const server = await track(startEchoServer(key, 'hv'));
        const config = sshConfigIn(dir, ['Host *', '  IdentityAgent none', `  IdentityFile ${path.join(dir, 'absent')}`]);
        const host = hostConfig({
          port: server.port,
          agent: true,
          knownHostsFile: knownHostsIn(dir, [server]),
          sshConfig: { kind: 'file', path: config },
          namedKeys: ['user', 'port', 'agent', 'knownHostsFile'],
        });

        // When probed with that agent's socket
        const result = await probe(host, 'probe', { hostKeyPolicy: 'strict', env: { ...env, SSH_AUTH_SOCK: agent.socket } });

        // Then the agent's key logged in
        expect(result).toMatchObject({ code: 0, stdout: 'hv:probe' });
      } finally {
        await agent.stop();
      }
    });
  });
});
