/**
 * What a host's ssh_config adds for the ssh2 transport (`HostConfig.fromSshConfig`): its host key policy when the
 * run names none, its ConnectTimeout, and a ProxyCommand that ssh2 cannot run. Against the embedded ssh2 server.
 * (HashKnownHosts is in hostKeys.test.ts, IdentityAgent in auth.test.ts, jump hosts in jump.test.ts.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, startSshServer, type RunningSshServer } from '../../../src/demo/sshServer.js';
import type { HostConfig, SshConfigExtras } from '../../../src/model.js';
import { createSshConnector, type SshConnectorOptions } from '../../../src/transport/ssh.js';
import { hostConfig, knownHostsLineFor, makeTempDir, rejectionOf, startEchoServer, writeClientKey, type ClientKey } from '../../helpers/sshFixtures.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
let key: ClientKey;
let server: RunningSshServer;
let fileCounter = 0;

beforeAll(async () => {
  tmp = await makeTempDir('sshconfig');
  key = await writeClientKey(tmp.dir, 'id_ed25519');
  server = await startEchoServer(key, 'hv');
});
afterAll(async () => {
  await server.close();
  await tmp.cleanup();
});

/** A fresh known_hosts path, written when `lines` are given. */
function knownHostsFile(lines?: string[]): string {
  const file = path.join(tmp.dir, `known_hosts_${++fileCounter}`);
  if (lines) writeFileSync(file, lines.length > 0 ? `${lines.join('\n')}\n` : '');
  return file;
}

/** The echo server as host `name`, checked against `file`, with what its ssh_config says. */
function host(name: string, file: string, fromSshConfig?: SshConfigExtras): HostConfig {
  return hostConfig({ name, port: server.port, identityFile: key.file, knownHostsFile: file, ...(fromSshConfig ? { fromSshConfig } : {}) });
}

/** Connect each host in turn through one connector: `ok`, or the error's kind. */
async function outcomes(options: SshConnectorOptions, hosts: HostConfig[]): Promise<string[]> {
  const connector = createSshConnector({ connectTimeoutMs: 5_000, ...options });
  const results: string[] = [];
  try {
    for (const value of hosts) {
      try {
        const transport = await connector.connect(value, {});
        results.push((await transport.exec('x', { maxBytes: 1024 })).stdout === 'hv:x' ? 'ok' : 'wrong output');
        transport.close();
      } catch (error) {
        results.push((error as { kind?: string }).kind ?? 'no kind');
      }
    }
  } finally {
    await connector.close();
  }
  return results;
}

const otherKeyBase64 = (): string => {
  const parsed = ssh2.utils.parseKey(generateEd25519KeyPair().public);
  if (parsed instanceof Error) throw parsed;
  return parsed.getPublicSSH().toString('base64');
};

describe('the host key policy of ssh_config (StrictHostKeyChecking)', () => {
  it('applies host by host when the run names no policy, strict for a host whose ssh_config says nothing', async () => {
    // Given two unknown hosts: hv-new's ssh_config says accept-new, hv-plain's says nothing
    const newFile = knownHostsFile();
    const plainFile = knownHostsFile([]);
    const hosts = [host('hv-new', newFile, { hostKeyPolicy: 'accept-new' }), host('hv-plain', plainFile)];

    // When both connect through one connector given no policy
    const results = await outcomes({}, hosts);

    // Then hv-new is pinned and connects, hv-plain is refused as unknown, and its file stays empty
    expect(results).toEqual(['ok', 'hostkey']);
    expect(readFileSync(newFile, 'utf8')).toBe(`${knownHostsLineFor(server)}\n`);
    expect(readFileSync(plainFile, 'utf8')).toBe('');
  });

  it('gives way to the run’s --host-key-policy, both ways', async () => {
    // Given an unknown host whose ssh_config says accept-new, and another whose ssh_config says strict (yes)
    const looseFile = knownHostsFile([]);
    const strictFile = knownHostsFile([]);

    // When the run says strict for the first, accept-new for the second
    const strictRun = await outcomes({ hostKeyPolicy: 'strict' }, [host('hv-loose', looseFile, { hostKeyPolicy: 'accept-new' })]);
    const acceptRun = await outcomes({ hostKeyPolicy: 'accept-new' }, [host('hv-strict', strictFile, { hostKeyPolicy: 'strict' })]);

    // Then the run's policy decided each time
    expect(strictRun).toEqual(['hostkey']);
    expect(readFileSync(looseFile, 'utf8')).toBe('');
    expect(acceptRun).toEqual(['ok']);
    expect(readFileSync(strictFile, 'utf8')).toBe(`${knownHostsLineFor(server)}\n`);
  });

  it('turns checking off for a host whose ssh_config says StrictHostKeyChecking no, with one warning naming it', async () => {
    // Given a host known by another key, whose ssh_config says no, and a host pinned correctly
    const changed = knownHostsFile([`[127.0.0.1]:${server.port} ssh-ed25519 ${otherKeyBase64()}`]);
    const pinned = knownHostsFile([knownHostsLineFor(server)]);
    const warnings: string[] = [];

    // When the off host connects twice, then the pinned one, with no policy from the run
    const results = await outcomes({ warn: (m) => warnings.push(m) }, [
      host('hv-off', changed, { hostKeyPolicy: 'off' }),
      host('hv-off', changed, { hostKeyPolicy: 'off' }),
      host('hv-pinned', pinned),
    ]);

    // Then all connect, and one warning names the host and ssh_config
    expect(results).toEqual(['ok', 'ok', 'ok']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('host key checking is off for hv-off and any other host whose ssh_config says StrictHostKeyChecking no');
  });
});

describe('ConnectTimeout from ssh_config', () => {
  it('replaces the connector’s connect timeout for that host', async () => {
    // Given a server that never sends its banner, a connector allowing 10 s, and a host whose ssh_config allows 300 ms
    const silent = await startSshServer({ behaviour: 'never-answer' });
    const connector = createSshConnector({ connectTimeoutMs: 10_000 });
    const started = Date.now();
    try {
      // When the host connects
      const error = await rejectionOf(
        connector.connect(hostConfig({ name: 'hv-slow', port: silent.port, identityFile: key.file, fromSshConfig: { connectTimeoutMs: 300 } }), {}),
      );

      // Then it times out after the host's 300 ms, well before the connector's 10 s
      expect(error.kind).toBe('timeout');
      expect(error.message).toContain('within 300 ms');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await connector.close();
      await silent.close();
    }
  });
});

describe('ProxyCommand from ssh_config', () => {
  it('is refused as a config error before any connection is made', async () => {
    // Given a host whose ssh_config reaches it through a ProxyCommand
    const before = server.connections();
    const connector = createSshConnector({ connectTimeoutMs: 5_000 });

    // When it connects
    const error = await rejectionOf(
      connector.connect(host('hv-proxied', knownHostsFile([knownHostsLineFor(server)]), { proxyCommand: 'ssh -W %h:%p gateway' }), {}),
    );
    await connector.close();

    // Then it is a config error that points at transport: openssh, and the server never saw it
    expect(error.kind).toBe('config');
    expect(error.message).toBe('hv-proxied: ssh_config gives a ProxyCommand, which only transport: openssh can run');
    expect(server.connections()).toBe(before);
  });
});
