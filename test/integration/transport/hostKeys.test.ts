import { execFile, spawnSync } from 'node:child_process';
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
import { gateTier, tool } from '../../helpers/prerequisites.js';

/** The tests that run OpenSSH's own client tools against the embedded server (ssh-keyscan, ssh-keygen -H, ssh). */
const opensshTools = gateTier('integration tier (host keys checked against OpenSSH)', [tool('ssh-keyscan'), tool('ssh-keygen'), tool('ssh')]);
/** The test that looks a hashed line up with OpenSSH's ssh-keygen -F. */
const sshKeygen = gateTier('integration tier (a hashed known_hosts line found by OpenSSH)', [tool('ssh-keygen')]);

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

describe('known_hosts files only read (the system-wide file)', () => {
  it('connects strictly to a host only the system-wide file knows, unless --known-hosts names another file', async () => {
    // Given the host's key only in a "system-wide" file, read and never written, and an empty own file
    const system = knownHostsFile([knownHostsLineFor(server)]);
    const own = knownHostsFile([]);
    const config: HostConfig = { ...host(own), readKnownHostsFiles: [system] };

    // When connecting strictly over ssh2
    // Then it is known, and the own file stays empty
    expect(await probe(config)).toBe('hv:echo probe');
    expect(readFileSync(own, 'utf8')).toBe('\n');

    // And --known-hosts, which names the one file to trust, leaves the system-wide file out
    const connector = createSshConnector({ hostKeyPolicy: 'strict', connectTimeoutMs: 5_000, knownHostsOverride: own });
    try {
      const error = await rejectionOf(connector.connect(config, {}));
      expect(error.kind).toBe('hostkey');
    } finally {
      await connector.close();
    }
  });
});

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

  it.skipIf(opensshTools.skip)('suggests an ssh-keyscan command that really makes the next connection succeed', async () => {
    opensshTools.enforce();
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

  it.skipIf(opensshTools.skip)('accepts a line whose host name OpenSSH hashed (|1|salt|hash)', async () => {
    opensshTools.enforce();
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

describe('accept-new for a host whose ssh_config says HashKnownHosts yes', () => {
  it.skipIf(sshKeygen.skip)('appends the name hashed, which OpenSSH finds and a later strict connection matches', async () => {
    sshKeygen.enforce();
    // Given no known_hosts file yet, and a host whose ssh_config hashes names
    const file = knownHostsFile();
    const hashing: HostConfig = { ...host(file), fromSshConfig: { hashKnownHosts: true } };

    // When probing with accept-new
    expect(await probe(hashing, 'accept-new')).toBe('hv:echo probe');

    // Then the file holds one line, hashed, with the server's key and no address in clear
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^\|1\|[^|\s]+\|[^|\s]+ ssh-ed25519 \S+\n$/);
    expect(text).toContain(server.hostKey.base64);
    expect(text).not.toContain('127.0.0.1');
    // and OpenSSH's ssh-keygen -F finds it under the name ssh looks up
    const found = spawnSync('ssh-keygen', ['-F', `[127.0.0.1]:${server.port}`, '-f', file], { encoding: 'utf8' });
    expect(found.status).toBe(0);
    expect(found.stdout).toContain(server.hostKey.base64);
    // and the next connection, strict, matches it
    expect(await probe(hashing, 'strict')).toBe('hv:echo probe');
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});

describe('a host vouched for by a host certificate authority (@cert-authority)', () => {
  /** A CA line covering this server, whose key is some CA's (never the server's). */
  const caLine = () => `@cert-authority [127.0.0.1]:* ssh-ed25519 ${otherKeyBase64()}`;

  for (const policy of ['strict', 'accept-new'] as const) {
    it(`is refused under ${policy} when no plain line holds its key, naming the CA line, and pins nothing`, async () => {
      // Given known_hosts holding only a CA that covers the server, on line 2
      const file = knownHostsFile(['# fleet CA', caLine()]);
      const before = readFileSync(file, 'utf8');
      const warnings: string[] = [];

      // When connecting
      const error = await rejectionOf(probe(host(file), policy, (m) => warnings.push(m)));

      // Then it is a hostkey refusal pointing at the CA line and at the openssh transport, and nothing was added
      expect(error.kind).toBe('hostkey');
      expect(error.message).toContain(`@cert-authority at ${file}:2`);
      expect(error.message).toContain('this host is trusted through a host certificate authority (@cert-authority at');
      expect(error.message).toContain('which the ssh2 transport cannot check; audit it with `transport: openssh` (docs/inventory.md)');
      expect(readFileSync(file, 'utf8')).toBe(before);
      expect(warnings).toEqual([]);
    });
  }

  it('is accepted when a plain line also holds its key, and under off', async () => {
    // Given a CA covering the server, and in another file also the server's own plain line
    const caOnly = knownHostsFile([caLine()]);
    const both = knownHostsFile([caLine(), knownHostsLineFor(server)]);

    // When probing
    // Then the plain line decides under strict, and off accepts the CA-only host
    expect(await probe(host(both), 'strict')).toBe('hv:echo probe');
    expect(await probe(host(caOnly), 'off')).toBe('hv:echo probe');
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

describe('hosts known by one key type, serving others (OpenSSH: any known key makes the host known)', () => {
  let rsaOnly: RunningSshServer;
  let ed25519AndRsa: RunningSshServer;
  let rsaPublic: { type: string; base64: string };

  beforeAll(async () => {
    const rsaPem = ssh2.utils.generateKeyPairSync('rsa', { bits: 2048 }).private;
    rsaOnly = await startEchoServer(key, 'rsa-only', { hostKeyPem: rsaPem });
    // ed25519 first: ssh2's client, like OpenSSH's, prefers it when it knows nothing about the host.
    ed25519AndRsa = await startEchoServer(key, 'both', { hostKeyPems: [generateEd25519KeyPair().private, rsaPem] });
    rsaPublic = rsaOnly.hostKey;
    expect(ed25519AndRsa.hostKeys.map((k) => k.type)).toEqual(['ssh-ed25519', 'ssh-rsa']);
  });
  afterAll(async () => {
    await Promise.all([rsaOnly.close(), ed25519AndRsa.close()]);
  });

  const on = (server: RunningSshServer, file: string): HostConfig =>
    hostConfig({ port: server.port, identityFile: key.file, knownHostsFile: file });
  const lineFor = (server: RunningSshServer, publicKey: { type: string; base64: string }) => `[127.0.0.1]:${server.port} ${publicKey.type} ${publicKey.base64}`;

  for (const policy of ['accept-new', 'strict'] as const) {
    it(`refuses an RSA-only host known by an ed25519 key under ${policy}, leaving known_hosts alone`, async () => {
      // Given known_hosts pinning the host by an ed25519 key on line 2
      const ed25519Line = `[127.0.0.1]:${rsaOnly.port} ssh-ed25519 ${otherKeyBase64()}`;
      const file = knownHostsFile(['# fleet', ed25519Line]);
      const before = readFileSync(file, 'utf8');

      // When the host offers only its RSA key
      const error = await rejectionOf(probe(on(rsaOnly, file), policy));

      // Then it is a changed key: refused, the known key named with its line, the file untouched
      expect(error.kind).toBe('hostkey');
      expect(error.message).toContain('HOST KEY CHANGED');
      expect(error.message).toContain(`ssh-ed25519 SHA256:`);
      expect(error.message).toContain(`${file}:2`);
      expect(readFileSync(file, 'utf8')).toBe(before);
    });
  }

  it('tells the operator of a changed key to check and remove the stale line, never to use accept-new', async () => {
    // Given the RSA-only host pinned by an ed25519 key
    const file = knownHostsFile([`[127.0.0.1]:${rsaOnly.port} ssh-ed25519 ${otherKeyBase64()}`]);

    // When connecting strictly
    const error = await rejectionOf(probe(on(rsaOnly, file), 'strict'));

    // Then the advice is the administrator and ssh-keygen -R, not trust on first use
    expect(error.message).toContain("host's administrator");
    expect(error.message).toContain(`ssh-keygen -R '[127.0.0.1]:${rsaOnly.port}' -f ${file}`);
    expect(error.message).not.toContain('accept-new');
    expect(error.message).not.toContain('ssh-keyscan');
  });

  it('verifies a host known only by its RSA key by that key, although it prefers ed25519', async () => {
    // Given known_hosts holding only the RSA key of a host that serves ed25519 and RSA
    const file = knownHostsFile([lineFor(ed25519AndRsa, rsaPublic)]);

    // When connecting strictly
    // Then the client asked for RSA first and the host is accepted
    expect(await probe(on(ed25519AndRsa, file), 'strict')).toBe('both:echo probe');
  });

  it.skipIf(opensshTools.skip)('asks for the RSA key of a host whose RSA line OpenSSH hashed, and appends nothing under accept-new', async () => {
    opensshTools.enforce();
    // Given the RSA key of the two-key host in a hashed line
    const file = knownHostsFile([lineFor(ed25519AndRsa, rsaPublic)]);
    hashKnownHostsFile(file);
    const before = readFileSync(file, 'utf8');

    // When connecting under accept-new
    // Then the RSA key is checked and matches, and the ed25519 key is not added beside it
    expect(await probe(on(ed25519AndRsa, file), 'accept-new')).toBe('both:echo probe');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('still pins a truly unknown host under accept-new, by the key it offers', async () => {
    // Given no known_hosts file yet
    const file = knownHostsFile();
    const warnings: string[] = [];

    // When the RSA-only host is probed under accept-new
    expect(await probe(on(rsaOnly, file), 'accept-new', (m) => warnings.push(m))).toBe('rsa-only:echo probe');

    // Then its RSA key is pinned, reported, and verifies a later strict connection
    expect(readFileSync(file, 'utf8')).toBe(`${lineFor(rsaOnly, rsaPublic)}\n`);
    expect(warnings.some((w) => w.includes('added the host key') && w.includes('ssh-rsa'))).toBe(true);
    expect(await probe(on(rsaOnly, file), 'strict')).toBe('rsa-only:echo probe');
  });

  it.skipIf(opensshTools.skip)('decides as OpenSSH’s own client: refuses the RSA-only host under accept-new, accepts the two-key host by RSA', async () => {
    opensshTools.enforce();
    // Given the two situations: the RSA-only host pinned by an ed25519 key, the two-key host pinned by RSA
    const situations = [
      { server: rsaOnly, lines: [`[127.0.0.1]:${rsaOnly.port} ssh-ed25519 ${otherKeyBase64()}`], policy: 'accept-new' as const },
      { server: ed25519AndRsa, lines: [lineFor(ed25519AndRsa, rsaPublic)], policy: 'strict' as const },
    ];
    const openssh = (server: RunningSshServer, file: string, policy: HostKeyPolicy) =>
      new Promise<'ok' | 'refused'>((resolve) => {
        const strict = policy === 'strict' ? 'yes' : policy;
        const args = ['-F', '/dev/null', '-n', '-o', 'BatchMode=yes', '-o', `StrictHostKeyChecking=${strict}`, '-o', `UserKnownHostsFile=${file}`];
        args.push('-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes', '-i', key.file, '-p', String(server.port), 'audit@127.0.0.1', 'true');
        // Asynchronously: the servers live in this process.
        execFile('ssh', args, { timeout: 10_000 }, (error) => resolve(error ? 'refused' : 'ok'));
      });
    const ours = (server: RunningSshServer, file: string, policy: HostKeyPolicy) =>
      probe(on(server, file), policy).then(
        () => 'ok' as const,
        () => 'refused' as const,
      );

    // When OpenSSH's ssh and this tool each connect, each with its own copy of the file
    const results = [];
    for (const { server, lines, policy } of situations) {
      const theirsFile = knownHostsFile(lines);
      const oursFile = knownHostsFile(lines);
      results.push({
        openssh: await openssh(server, theirsFile, policy),
        ours: await ours(server, oursFile, policy),
        written: `${lines.join('\n')}\n`,
        filesAfter: [readFileSync(theirsFile, 'utf8'), readFileSync(oursFile, 'utf8')],
      });
    }

    // Then both refuse the first, accept the second, and leave both files as they were
    expect(results.map((r) => [r.openssh, r.ours])).toEqual([
      ['refused', 'refused'],
      ['ok', 'ok'],
    ]);
    for (const result of results) expect(result.filesAfter).toEqual([result.written, result.written]);
  });
});
