import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, type RunningSshServer } from '../../../src/demo/sshServer.js';
import type { HostConfig, HostKeyPolicy } from '../../../src/model.js';
import { createSshConnector } from '../../../src/transport/ssh.js';
import {
  hashKnownHostsFile,
  hostConfig,
  knownHostsLineFor,
  makeTempDir,
  rejectionOf,
  startEchoServer,
  writeClientKey,
  type ClientKey,
} from '../../helpers/sshFixtures.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
let key: ClientKey;
let server: RunningSshServer;
let fileCounter = 0;

beforeAll(async () => {
  tmp = await makeTempDir('hostkeys');
  key = await writeClientKey(tmp.dir, 'id_ed25519');
  server = await startEchoServer(key, 'hv');
});
afterAll(async () => {
  await server.close();
  await tmp.cleanup();
});

/** A fresh known_hosts path (written when `lines` are given). */
function knownHostsFile(lines?: string[]): string {
  const file = path.join(tmp.dir, `known_hosts_${++fileCounter}`);
  if (lines) writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function host(knownHosts: string): HostConfig {
  return hostConfig({ port: server.port, identityFile: key.file, knownHostsFile: knownHosts });
}

/** Connect, run a one-line script, close; returns stdout. */
async function probe(hostConfigValue: HostConfig, policy: HostKeyPolicy = 'strict', warn: (m: string) => void = () => {}): Promise<string> {
  const connector = createSshConnector({ hostKeyPolicy: policy, connectTimeoutMs: 5_000, warn });
  try {
    const transport = await connector.connect(hostConfigValue, {});
    try {
      return (await transport.exec('echo probe', { maxBytes: 1 << 20 })).stdout;
    } finally {
      transport.close();
    }
  } finally {
    await connector.close();
  }
}

const otherKeyBase64 = (): string => {
  const parsed = ssh2.utils.parseKey(generateEd25519KeyPair().public);
  if (parsed instanceof Error) throw parsed;
  return parsed.getPublicSSH().toString('base64');
};

describe('strict host key checking', () => {
  it('refuses an unknown host with a hostkey error that says which file and how to add the key', async () => {
    // Given an empty known_hosts
    const file = knownHostsFile([]);

    // When connecting strictly
    const error = await rejectionOf(probe(host(file)));

    // Then the error names the file, the fingerprint, the ssh-keyscan line and the accept-new way
    expect(error.kind).toBe('hostkey');
    expect(error.message).toContain(file);
    expect(error.message).toContain(`ssh-keyscan -p ${server.port} 127.0.0.1 >> ${file}`);
    expect(error.message).toContain('--host-key-policy accept-new');
    expect(error.message).toMatch(/SHA256:[A-Za-z0-9+/]{43}/);
  });

  it('suggests an ssh-keyscan command that really makes the next connection succeed', async () => {
    // Given the command from the refusal
    const file = knownHostsFile([]);
    const error = await rejectionOf(probe(host(file)));
    const command = /ssh-keyscan [^(]*>> \S+/.exec(error.message)?.[0];
    expect(command).toBeDefined();

    // When the operator runs it
    // (asynchronously: the server lives in this process; its exit status is 1 here because the embedded
    // server has no RSA/ECDSA key for the other types ssh-keyscan asks for)
    await new Promise((resolve) => execFile('sh', ['-c', command!], { timeout: 10_000 }, resolve));
    expect(readFileSync(file, 'utf8')).toContain(server.hostKey.base64);

    // Then the host is accepted
    expect(await probe(host(file))).toBe('hv:echo probe');
  });

  it('notices a key the operator adds to known_hosts while the run goes on', async () => {
    // Given one connector that has already refused the host
    const file = knownHostsFile([]);
    const connector = createSshConnector({ connectTimeoutMs: 5_000 });
    expect((await rejectionOf(connector.connect(host(file), {}))).kind).toBe('hostkey');

    // When the key is added to the file
    writeFileSync(file, `${knownHostsLineFor(server)}\n`);

    // Then the same connector accepts the host
    const transport = await connector.connect(host(file), {});
    transport.close();
    await connector.close();
  });

  it('refuses a changed key (same type, other key) as a mismatch naming the line and ssh-keygen -R', async () => {
    // Given known_hosts holding another ed25519 key for this host on line 2
    const file = knownHostsFile(['# fleet', `[127.0.0.1]:${server.port} ssh-ed25519 ${otherKeyBase64()}`]);

    // When connecting
    const error = await rejectionOf(probe(host(file)));

    // Then it is a hostkey error about a changed key
    expect(error.kind).toBe('hostkey');
    expect(error.message).toContain('HOST KEY CHANGED');
    expect(error.message).toContain(`${file}:2`);
    expect(error.message).toContain(`ssh-keygen -R '[127.0.0.1]:${server.port}'`);
  });

  it('accepts a plain [127.0.0.1]:PORT line', async () => {
    // Given the server's own line
    const file = knownHostsFile([knownHostsLineFor(server)]);

    // When probing
    // Then the script runs
    expect(await probe(host(file))).toBe('hv:echo probe');
  });

  it('accepts a line whose host name OpenSSH hashed (|1|salt|hash)', async () => {
    // Given the line hashed by ssh-keygen -H
    const file = knownHostsFile([knownHostsLineFor(server)]);
    hashKnownHostsFile(file);
    expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|/);

    // When probing
    // Then the script runs
    expect(await probe(host(file))).toBe('hv:echo probe');
  });

  it('refuses a key marked @revoked even when a plain line also trusts it', async () => {
    // Given the key trusted and revoked
    const file = knownHostsFile([knownHostsLineFor(server), `@revoked * ${server.hostKey.type} ${server.hostKey.base64}`]);

    // When connecting
    const error = await rejectionOf(probe(host(file)));

    // Then it is refused as revoked
    expect(error.kind).toBe('hostkey');
    expect(error.message).toContain('@revoked');
  });

  it('uses --known-hosts (knownHostsOverride) instead of the host’s own file', async () => {
    // Given a host whose own file does not exist, and an override holding its key
    const override = knownHostsFile([knownHostsLineFor(server)]);
    const connector = createSshConnector({ knownHostsOverride: override, connectTimeoutMs: 5_000 });

    // When connecting
    const transport = await connector.connect(host(path.join(tmp.dir, 'missing', 'known_hosts')), {});

    // Then it connects
    expect((await transport.exec('x', { maxBytes: 1024 })).stdout).toBe('hv:x');
    transport.close();
    await connector.close();
  });
});

describe('accept-new', () => {
  it('creates the file (0600) with one plain line, and a later strict connection matches it', async () => {
    // Given a known_hosts path in a folder that does not exist yet
    const file = path.join(tmp.dir, 'fresh', 'known_hosts');
    const warnings: string[] = [];

    // When probing with accept-new
    expect(await probe(host(file), 'accept-new', (m) => warnings.push(m))).toBe('hv:echo probe');

    // Then the file holds exactly the server's line, is private, and the addition was reported
    expect(readFileSync(file, 'utf8')).toBe(`${knownHostsLineFor(server)}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(warnings.some((w) => w.includes('added the host key'))).toBe(true);
    // and a strict run now trusts it
    expect(await probe(host(file), 'strict')).toBe('hv:echo probe');
  });

  it('adds a host once when several connections to it race', async () => {
    // Given one connector and an existing file without a trailing newline
    const file = knownHostsFile();
    writeFileSync(file, '# no newline at end');
    const connector = createSshConnector({ hostKeyPolicy: 'accept-new', connectTimeoutMs: 5_000 });

    // When five connections open at once
    const transports = await Promise.all(Array.from({ length: 5 }, () => connector.connect(host(file), {})));
    for (const t of transports) t.close();
    await connector.close();

    // Then the line was appended once, on a line of its own
    expect(readFileSync(file, 'utf8')).toBe(`# no newline at end\n${knownHostsLineFor(server)}\n`);
  });

  it('still refuses a changed key', async () => {
    // Given another key on record
    const file = knownHostsFile([`[127.0.0.1]:${server.port} ssh-ed25519 ${otherKeyBase64()}`]);
    const before = readFileSync(file, 'utf8');

    // When connecting with accept-new
    const error = await rejectionOf(probe(host(file), 'accept-new'));

    // Then it is refused and the file is untouched
    expect(error.kind).toBe('hostkey');
    expect(error.message).toContain('HOST KEY CHANGED');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});

describe('policy off', () => {
  it('accepts any key and warns once per connector', async () => {
    // Given a known_hosts that holds another key, and policy off
    const file = knownHostsFile([`[127.0.0.1]:${server.port} ssh-ed25519 ${otherKeyBase64()}`]);
    const warnings: string[] = [];
    const connector = createSshConnector({ hostKeyPolicy: 'off', connectTimeoutMs: 5_000, warn: (m) => warnings.push(m) });

    // When connecting twice
    const first = await connector.connect(host(file), {});
    const second = await connector.connect(host(file), {});
    first.close();
    second.close();
    await connector.close();

    // Then both connected and one warning was given
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('off');
  });
});
