import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshServer, type RunningSshServer } from '../../../src/demo/sshServer.js';
import type { HostConfig, JumpHostConfig } from '../../../src/model.js';
import { createSshConnector } from '../../../src/transport/ssh.js';
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

let tmp: { dir: string; cleanup: () => Promise<void> };
let key: ClientKey;
let targets: RunningSshServer[];
let knownHosts: string;

beforeAll(async () => {
  tmp = await makeTempDir('jump');
  key = await writeClientKey(tmp.dir, 'id_ed25519');
  targets = await Promise.all(['hv1', 'hv2', 'hv3'].map((label) => startEchoServer(key, label)));
  knownHosts = path.join(tmp.dir, 'known_hosts');
});
afterAll(async () => {
  await Promise.all(targets.map((t) => t.close()));
  await tmp.cleanup();
});

/** A bastion that may forward to `ports` (default: the three targets). */
function startBastion(ports = targets.map((t) => t.port)): Promise<RunningSshServer> {
  return startEchoServer(key, 'bastion', { username: 'jump', forwardPorts: ports });
}

function hostsBehind(bastion: JumpHostConfig): HostConfig[] {
  return targets.map((t, i) => hostConfig({ name: `hv${i + 1}`, port: t.port, identityFile: key.file, knownHostsFile: knownHosts, jump: bastion }));
}

/** Audit `hosts` at once through `connector`: each one's answer to `probe`. */
function probeAll(connector: ReturnType<typeof createSshConnector>, hosts: HostConfig[]): Promise<string[]> {
  return Promise.all(
    hosts.map(async (host) => {
      const transport = await connector.connect(host, {});
      try {
        return (await transport.exec('probe', { maxBytes: 1 << 20 })).stdout;
      } finally {
        transport.close();
      }
    }),
  );
}

function trust(servers: RunningSshServer[]): void {
  writeFileSync(knownHosts, `${servers.map(knownHostsLineFor).join('\n')}\n`);
}

describe('jump hosts', () => {
  it('reaches three hosts through ONE connection to the bastion, each answering for itself', async () => {
    // Given a bastion that may forward to three servers, all trusted
    const bastion = await startBastion();
    trust([bastion, ...targets]);
    const jump = jumpConfig({ port: bastion.port, identityFile: key.file, knownHostsFile: knownHosts });
    const connector = createSshConnector({ connectTimeoutMs: 5_000 });
    const targetConnectionsBefore = targets.map((t) => t.connections());

    // When all three hosts are audited at once
    const outputs = await probeAll(connector, hostsBehind(jump));

    // Then each host answered through the bastion, which counted exactly one connection
    expect(outputs).toEqual(['hv1:probe', 'hv2:probe', 'hv3:probe']);
    expect(bastion.connections()).toBe(1);
    expect(targets.map((t, i) => t.connections() - targetConnectionsBefore[i]!)).toEqual([1, 1, 1]);

    // and closing the connector ends the bastion connection
    await connector.close();
    await expect.poll(() => bastion.openConnections(), { timeout: 3_000 }).toBe(0);
    await bastion.close();
  });

  it('reaches hosts through a chain of two bastions, one connection per hop, each hop verified on its own', async () => {
    // Given an outer bastion that may forward only to an inner one, which may forward to the targets
    const inner = await startBastion();
    const outer = await startEchoServer(key, 'outer', { username: 'jump', forwardPorts: [inner.port] });
    trust([outer, inner, ...targets]);
    const outerJump = jumpConfig({ name: 'outer', port: outer.port, identityFile: key.file, knownHostsFile: knownHosts });
    const innerJump = jumpConfig({ name: 'inner', port: inner.port, identityFile: key.file, knownHostsFile: knownHosts, jump: outerJump });
    const connector = createSshConnector({ connectTimeoutMs: 5_000 });

    // When the three hosts behind the inner bastion are audited at once
    const outputs = await probeAll(connector, hostsBehind(innerJump));

    // Then every host answered, through one connection to each bastion
    expect(outputs).toEqual(['hv1:probe', 'hv2:probe', 'hv3:probe']);
    expect([outer.connections(), inner.connections()]).toEqual([1, 1]);
    await connector.close();

    // And with the inner bastion's key unknown, the chain stops there with a hostkey error naming it
    trust([outer, ...targets]);
    const strict = createSshConnector({ connectTimeoutMs: 5_000 });
    const error = await rejectionOf(strict.connect(hostsBehind(innerJump)[0]!, {}));
    await strict.close();
    expect(error.kind).toBe('hostkey');
    expect(error.message).toContain('jump host inner');
    await Promise.all([outer.close(), inner.close()]);
  });

  it('fails every host behind a bastion whose key is unknown, with a hostkey error that names the bastion', async () => {
    // Given a bastion missing from known_hosts (the targets are trusted)
    const bastion = await startBastion();
    trust(targets);
    const jump = jumpConfig({ name: 'edge-bastion', port: bastion.port, identityFile: key.file, knownHostsFile: knownHosts });
    const connector = createSshConnector({ connectTimeoutMs: 5_000 });
    const targetConnectionsBefore = targets.map((t) => t.connections());

    // When the three hosts connect
    const errors = await Promise.all(hostsBehind(jump).map((host) => rejectionOf(connector.connect(host, {}))));
    await connector.close();
    await bastion.close();

    // Then each fails with the bastion's hostkey error, and no target was reached
    for (const error of errors) {
      expect(error.kind).toBe('hostkey');
      expect(error.message).toContain('jump host edge-bastion');
    }
    expect(targets.map((t, i) => t.connections() - targetConnectionsBefore[i]!)).toEqual([0, 0, 0]);
  });

  it('fails with unreachable, naming the bastion, when the bastion cannot forward to the host', async () => {
    // Given a bastion that forwards to nothing
    const bastion = await startBastion([]);
    trust([bastion, ...targets]);
    const jump = jumpConfig({ port: bastion.port, identityFile: key.file, knownHostsFile: knownHosts });
    const connector = createSshConnector({ connectTimeoutMs: 5_000 });

    // When a host behind it connects
    const error = await rejectionOf(connector.connect(hostsBehind(jump)[0]!, {}));
    await connector.close();
    await bastion.close();

    // Then the host is unreachable via that bastion
    expect(error.kind).toBe('unreachable');
    expect(error.message).toContain('via jump host bastion');
    expect(error.message).toContain(`127.0.0.1:${targets[0]!.port}`);
  });

  it('fails every host with unreachable, naming the bastion, when the bastion is down', async () => {
    // Given a bastion address where nothing listens
    const port = await unusedPort();
    const jump = jumpConfig({ name: 'dead-bastion', port, identityFile: key.file, knownHostsFile: knownHosts });
    const connector = createSshConnector({ connectTimeoutMs: 5_000 });

    // When the hosts connect
    const errors = await Promise.all(hostsBehind(jump).map((host) => rejectionOf(connector.connect(host, {}))));
    await connector.close();

    // Then each names the bastion
    expect(errors.map((e) => e.kind)).toEqual(['unreachable', 'unreachable', 'unreachable']);
    for (const error of errors) expect(error.message).toContain('jump host dead-bastion');
  });
});

describe('jump hosts with settings from their ssh_config (fromSshConfig)', () => {
  it('pins the bastion’s key, name hashed, under its own ssh_config accept-new and HashKnownHosts, with no run policy', async () => {
    // Given a bastion unknown in its own file, whose ssh_config says accept-new and HashKnownHosts, and the targets trusted
    const bastion = await startBastion();
    const jumpFile = path.join(tmp.dir, 'bastion_known_hosts');
    const targetsFile = path.join(tmp.dir, 'targets_known_hosts');
    writeFileSync(targetsFile, `${targets.map(knownHostsLineFor).join('\n')}\n`);
    const jump = jumpConfig({
      port: bastion.port,
      identityFile: key.file,
      knownHostsFile: jumpFile,
      fromSshConfig: { hostKeyPolicy: 'accept-new', hashKnownHosts: true },
    });
    const hosts = hostsBehind(jump).map((h) => ({ ...h, knownHostsFile: targetsFile }));
    const connector = createSshConnector({ connectTimeoutMs: 5_000 });

    // When the hosts behind it are audited, the run naming no policy
    const outputs = await probeAll(connector, hosts);
    await connector.close();

    // Then each answered, and the bastion's key was added once, hashed
    expect(outputs).toEqual(['hv1:probe', 'hv2:probe', 'hv3:probe']);
    const text = readFileSync(jumpFile, 'utf8');
    expect(text).toMatch(/^\|1\|[^|\s]+\|[^|\s]+ ssh-ed25519 \S+\n$/);
    expect(text).toContain(bastion.hostKey.base64);
    expect(text).not.toContain('127.0.0.1');
    expect(readFileSync(targetsFile, 'utf8')).toBe(`${targets.map(knownHostsLineFor).join('\n')}\n`);

    // and a strict run now trusts the bastion by that hashed line
    const strict = createSshConnector({ hostKeyPolicy: 'strict', connectTimeoutMs: 5_000 });
    expect(await probeAll(strict, hosts.slice(0, 1))).toEqual(['hv1:probe']);
    await strict.close();
    await bastion.close();
  });

  it('fails every host behind a bastion whose ssh_config gives a ProxyCommand with kind config, contacting no one', async () => {
    // Given a bastion reached, says its ssh_config, through a ProxyCommand
    const bastion = await startBastion();
    trust([bastion, ...targets]);
    const jump = jumpConfig({ port: bastion.port, identityFile: key.file, knownHostsFile: knownHosts, fromSshConfig: { proxyCommand: 'nc %h %p' } });
    const connector = createSshConnector({ connectTimeoutMs: 5_000 });

    // When the hosts behind it connect
    const errors = await Promise.all(hostsBehind(jump).map((h) => rejectionOf(connector.connect(h, {}))));
    await connector.close();
    await bastion.close();

    // Then each is a config error naming the bastion and the way out, and the bastion was never contacted
    for (const error of errors) {
      expect(error.kind).toBe('config');
      expect(error.message).toContain('jump host bastion: ssh_config gives a ProxyCommand, which only transport: openssh can run');
    }
    expect(bastion.connections()).toBe(0);
  });

  it('gives up on a silent bastion after its own ConnectTimeout, not the connector’s', async () => {
    // Given a bastion that never sends its banner, with ConnectTimeout 300 ms in its ssh_config, and a connector allowing 10 s
    const silent = await startSshServer({ behaviour: 'never-answer' });
    const jump = jumpConfig({
      name: 'silent',
      port: silent.port,
      identityFile: key.file,
      knownHostsFile: knownHosts,
      fromSshConfig: { connectTimeoutMs: 300 },
    });
    const connector = createSshConnector({ connectTimeoutMs: 10_000 });
    const started = Date.now();

    // When a host behind it connects
    const error = await rejectionOf(connector.connect(hostsBehind(jump)[0]!, {}));
    await connector.close();
    await silent.close();

    // Then it times out on the bastion's 300 ms
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('jump host silent');
    expect(error.message).toContain('within 300 ms');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('gives up on a silent host behind a bastion after the host’s own ConnectTimeout', async () => {
    // Given a working bastion that forwards to a host that never sends its banner, whose ssh_config says 300 ms
    const silent = await startSshServer({ behaviour: 'never-answer' });
    const bastion = await startBastion([silent.port]);
    trust([bastion]);
    const jump = jumpConfig({ port: bastion.port, identityFile: key.file, knownHostsFile: knownHosts });
    const behind = hostConfig({
      name: 'hv-silent',
      port: silent.port,
      identityFile: key.file,
      knownHostsFile: knownHosts,
      jump,
      fromSshConfig: { connectTimeoutMs: 300 },
    });
    const connector = createSshConnector({ connectTimeoutMs: 10_000 });
    const started = Date.now();

    // When it connects
    const error = await rejectionOf(connector.connect(behind, {}));
    await connector.close();
    await Promise.all([bastion.close(), silent.close()]);

    // Then it times out on its own 300 ms, through the tunnel
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('within 300 ms');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
