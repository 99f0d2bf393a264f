import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair } from '../../../src/demo/sshServer.js';
import type { HostKeyPolicy } from '../../../src/model.js';
import { createHostKeyVerifier, type HostKeyTarget } from '../../../src/transport/hostKeyVerifier.js';
import { formatKnownHostsLine, keyFingerprint } from '../../../src/transport/knownHosts.js';
import { SSH2_DEFAULT_HOST_KEY_ALGORITHMS } from '../../../src/transport/sshSession.js';
import { gateTier, tool } from '../../helpers/prerequisites.js';
import { hashKnownHostsFile, makeTempDir } from '../../helpers/sshFixtures.js';

/** The test whose known_hosts line is hashed by OpenSSH's own ssh-keygen -H. */
const sshKeygen = gateTier('unit tier (a known_hosts file hashed by OpenSSH)', [tool('ssh-keygen')]);

interface PublicKey {
  type: string;
  base64: string;
  blob: Buffer;
}

function publicKeyOf(line: string): PublicKey {
  const parsed = ssh2.utils.parseKey(line);
  if (parsed instanceof Error) throw parsed;
  const blob = parsed.getPublicSSH();
  return { type: parsed.type, base64: blob.toString('base64'), blob };
}

const ed25519 = publicKeyOf(generateEd25519KeyPair().public);
const otherEd25519 = publicKeyOf(generateEd25519KeyPair().public);
const rsa = publicKeyOf(ssh2.utils.generateKeyPairSync('rsa', { bits: 2048 }).public);

let tmp: { dir: string; cleanup: () => Promise<void> };
let fileCounter = 0;
beforeAll(async () => {
  tmp = await makeTempDir('verifier');
});
afterAll(async () => {
  await tmp.cleanup();
});

/** A known_hosts file holding `lines`, and the target hv01 on 10.0.0.11:port that it is checked for. */
function knownHosts(lines: string[], port = 22): HostKeyTarget {
  const file = path.join(tmp.dir, `known_hosts_${++fileCounter}`);
  writeFileSync(file, lines.length > 0 ? `${lines.join('\n')}\n` : '');
  return { file, address: '10.0.0.11', port, label: 'hv01' };
}

function verifier(policy: HostKeyPolicy, warnings: string[] = []) {
  return createHostKeyVerifier({ policy, warn: (message) => warnings.push(message) });
}

describe('a host already known by a key of another type', () => {
  for (const policy of ['strict', 'accept-new'] as const) {
    it(`is refused as a changed key under ${policy}, and the file is left alone`, async () => {
      // Given hv01 known by its ed25519 key on line 2
      const target = knownHosts(['# fleet', formatKnownHostsLine('10.0.0.11', 22, ed25519.type, ed25519.base64)]);
      const before = readFileSync(target.file, 'utf8');

      // When it offers only an RSA key
      const decision = await verifier(policy).verify(target, rsa.blob);

      // Then the key is refused as changed, the known key is named with its line, and nothing was appended
      expect(decision.accepted).toBe(false);
      const message = decision.accepted ? '' : decision.message;
      expect(message).toContain('HOST KEY CHANGED');
      expect(message).toContain(`ssh-rsa ${keyFingerprint(rsa.blob)}`);
      expect(message).toContain(`ssh-ed25519 ${keyFingerprint(ed25519.blob)} at ${target.file}:2`);
      expect(message).toContain(`ssh-keygen -R 10.0.0.11 -f ${target.file}`);
      expect(message).not.toContain('accept-new');
      expect(readFileSync(target.file, 'utf8')).toBe(before);
    });
  }

  it.skipIf(sshKeygen.skip)('is refused when known through a hashed [host]:port line', async () => {
    sshKeygen.enforce();
    // Given hv01:2222 known by its ed25519 key, hashed by OpenSSH
    const target = knownHosts([formatKnownHostsLine('10.0.0.11', 2222, ed25519.type, ed25519.base64)], 2222);
    hashKnownHostsFile(target.file);

    // When it offers an RSA key under accept-new
    const decision = await verifier('accept-new').verify(target, rsa.blob);

    // Then it is a changed key pointing at line 1, with the bracketed name for ssh-keygen -R
    expect(decision).toMatchObject({ accepted: false });
    expect(decision.accepted ? '' : decision.message).toContain(`at ${target.file}:1`);
    expect(decision.accepted ? '' : decision.message).toContain(`ssh-keygen -R '[10.0.0.11]:2222'`);
  });

  it('is accepted under off, with the one warning that checking is off', async () => {
    // Given hv01 known by its ed25519 key
    const target = knownHosts([formatKnownHostsLine('10.0.0.11', 22, ed25519.type, ed25519.base64)]);
    const warnings: string[] = [];

    // When it offers an RSA key under off
    const decision = await verifier('off', warnings).verify(target, rsa.blob);

    // Then it is accepted and the operator was told checking is off
    expect(decision).toEqual({ accepted: true });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('host key checking is off');
  });
});

describe('accept-new', () => {
  it('pins a host that known_hosts only mentions in a @revoked line, beside a CA for other hosts', async () => {
    // Given a file whose only line about hv01 is a revoked key, and a CA key for *.example.com
    const target = knownHosts([`@revoked 10.0.0.11 ${otherEd25519.type} ${otherEd25519.base64}`, `@cert-authority *.example.com ${rsa.type} ${rsa.base64}`]);
    const warnings: string[] = [];

    // When hv01 offers its ed25519 key
    const decision = await verifier('accept-new', warnings).verify(target, ed25519.blob);

    // Then the host counts as new: its key is appended and the addition reported
    expect(decision).toEqual({ accepted: true });
    expect(readFileSync(target.file, 'utf8').split('\n')).toContain(formatKnownHostsLine('10.0.0.11', 22, ed25519.type, ed25519.base64));
    expect(warnings.some((w) => w.includes('added the host key of hv01'))).toBe(true);
  });
});

describe('a host a @cert-authority line covers (host certificates, which ssh2 cannot check)', () => {
  const caLine = (patterns: string) => `@cert-authority ${patterns} ${rsa.type} ${rsa.base64}`;
  const expectCaRefusal = (decision: { accepted: boolean; message?: string }, where: string) => {
    expect(decision.accepted).toBe(false);
    const message = decision.message ?? '';
    expect(message).toContain(`hv01 (10.0.0.11) offered ${ed25519.type} ${keyFingerprint(ed25519.blob)}`);
    expect(message).toContain(`this host is trusted through a host certificate authority (@cert-authority at ${where})`);
    expect(message).toContain('which the ssh2 transport cannot check; audit it with `transport: openssh` (docs/inventory.md)');
  };

  for (const policy of ['strict', 'accept-new'] as const) {
    it(`refuses under ${policy} a key no plain line holds, naming the CA line, and pins nothing`, async () => {
      // Given a CA for 10.0.0.* on line 2 and nothing else about hv01
      const target = knownHosts(['# fleet CA', caLine('10.0.0.*')]);
      const before = readFileSync(target.file, 'utf8');
      const warnings: string[] = [];

      // When hv01 offers its plain ed25519 key
      const decision = await verifier(policy, warnings).verify(target, ed25519.blob);

      // Then it is refused with the CA's file:line and the way out, and the file is untouched
      expectCaRefusal(decision, `${target.file}:2`);
      expect(readFileSync(target.file, 'utf8')).toBe(before);
      expect(warnings).toEqual([]);
    });
  }

  it('names the CA line of a file only read (the system-wide one), and the stale plain key besides', async () => {
    // Given a stale plain key for hv01 in the own file and a CA in the system-wide file
    const own = knownHosts([formatKnownHostsLine('10.0.0.11', 22, otherEd25519.type, otherEd25519.base64)]);
    const system = knownHosts(['# distributed', caLine('*')]);
    const target: HostKeyTarget = { ...own, alsoRead: [system.file] };

    // When hv01 offers a key neither holds, under accept-new
    const decision = await verifier('accept-new').verify(target, ed25519.blob);

    // Then the CA line decides, the plain key known is mentioned, and nothing is written
    expectCaRefusal(decision, `${system.file}:2`);
    expect(decision.accepted ? '' : decision.message).toContain(`${otherEd25519.type} ${keyFingerprint(otherEd25519.blob)} at ${own.file}:1`);
    expect(readFileSync(own.file, 'utf8')).toBe(`${formatKnownHostsLine('10.0.0.11', 22, otherEd25519.type, otherEd25519.base64)}\n`);
  });

  it('still accepts a key a plain line holds, and still refuses a revoked one as revoked', async () => {
    // Given a CA over every host, hv01 pinned by its ed25519 key, and that key revoked in another file
    const target = knownHosts([caLine('*'), formatKnownHostsLine('10.0.0.11', 22, ed25519.type, ed25519.base64)]);
    const revoking: HostKeyTarget = { ...target, alsoRead: [knownHosts([`@revoked * ${ed25519.type} ${ed25519.base64}`]).file] };

    // When hv01 offers that key
    // Then the plain line accepts it, and the revocation refuses it where there is one
    expect(await verifier('strict').verify(target, ed25519.blob)).toEqual({ accepted: true });
    const revoked = await verifier('strict').verify(revoking, ed25519.blob);
    expect(revoked.accepted ? '' : revoked.message).toContain('is marked @revoked');
  });

  it('accepts under off, as every other key', async () => {
    const target = knownHosts([caLine('*')]);
    expect(await verifier('off').verify(target, ed25519.blob)).toEqual({ accepted: true });
  });
});

describe('a policy per host (HostKeyTarget.policy)', () => {
  it('wins over the verifier’s own policy, host by host', async () => {
    // Given a strict verifier and two unknown hosts in one file, one of them accept-new
    const strictVerifier = verifier('strict');
    const pinned = knownHosts([]);
    const refused: HostKeyTarget = { ...pinned, address: '10.0.0.12', label: 'hv02' };

    // When each offers its key
    const accepted = await strictVerifier.verify({ ...pinned, policy: 'accept-new' }, ed25519.blob);
    const decision = await strictVerifier.verify(refused, otherEd25519.blob);

    // Then the accept-new host is pinned and the other refused as unknown
    expect(accepted).toEqual({ accepted: true });
    expect(decision.accepted ? '' : decision.message).toContain('is not in');
    expect(readFileSync(pinned.file, 'utf8')).toBe(`${formatKnownHostsLine('10.0.0.11', 22, ed25519.type, ed25519.base64)}\n`);
  });

  it('warns once per verifier that checking is off, naming the host when ssh_config turned it off', async () => {
    // Given a verifier and two hosts whose ssh_config says StrictHostKeyChecking no
    const warnings: string[] = [];
    const shared = verifier('strict', warnings);
    const hv01: HostKeyTarget = { ...knownHosts([]), policy: 'off', policyFrom: 'ssh_config' };
    const hv02: HostKeyTarget = { ...hv01, address: '10.0.0.12', label: 'hv02' };

    // When both are verified
    expect(await shared.verify(hv01, ed25519.blob)).toEqual({ accepted: true });
    expect(await shared.verify(hv02, rsa.blob)).toEqual({ accepted: true });

    // Then one warning says so, with the first host and where it came from
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toBe(
      'host key checking is off for hv01 and any other host whose ssh_config says StrictHostKeyChecking no: ' +
        'host keys are not verified, so connections can be intercepted',
    );
  });
});

describe('accept-new with hashed names (HashKnownHosts)', () => {
  it('appends the host’s name hashed, which a later strict check matches', async () => {
    // Given an unknown hv01 on port 2222 whose ssh_config hashes known_hosts names
    const target: HostKeyTarget = { ...knownHosts([], 2222), hashNames: true };
    const warnings: string[] = [];

    // When it is verified under accept-new
    expect(await verifier('accept-new', warnings).verify(target, ed25519.blob)).toEqual({ accepted: true });

    // Then one hashed line holds its key, its address appears nowhere, and strict now accepts it
    const text = readFileSync(target.file, 'utf8');
    const [name, type, blob, ...rest] = text.trimEnd().split(' ');
    expect(text.endsWith('\n') && !text.trimEnd().includes('\n')).toBe(true);
    expect(name).toMatch(/^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}=$/);
    expect([type, blob, rest]).toEqual([ed25519.type, ed25519.base64, []]);
    expect(text).not.toContain('10.0.0.11');
    expect(warnings.some((w) => w.includes('added the host key of hv01') && w.endsWith('name hashed'))).toBe(true);
    expect(await verifier('strict').verify({ ...target, hashNames: false }, ed25519.blob)).toEqual({ accepted: true });
  });

  it('suggests ssh-keyscan -H for an unknown host under strict', async () => {
    const target: HostKeyTarget = { ...knownHosts([]), hashNames: true };
    const decision = await verifier('strict').verify(target, ed25519.blob);
    expect(decision.accepted ? '' : decision.message).toContain(`ssh-keyscan -H 10.0.0.11 >> ${target.file}`);
  });
});

describe('files only read (known_hosts2, the system-wide /etc/ssh/ssh_known_hosts)', () => {
  /** hv01's own file holding `own`, and a system-wide one holding `global`, read only. */
  function withGlobal(own: string[], global: string[]): HostKeyTarget {
    const main = knownHosts(own);
    const system = knownHosts(global);
    return { ...main, alsoRead: [path.join(tmp.dir, 'absent_known_hosts2'), system.file] };
  }

  it('accepts under strict a host that only the system-wide file knows, and writes nothing', async () => {
    // Given hv01 in the system-wide file only (as FreeIPA or Ansible distribute it)
    const target = withGlobal([], [formatKnownHostsLine('10.0.0.11', 22, ed25519.type, ed25519.base64)]);
    const system = target.alsoRead![1]!;
    const before = readFileSync(system, 'utf8');

    // When its key is checked, strictly and with accept-new
    // Then it is known both ways, and neither file is written
    expect(await verifier('strict').verify(target, ed25519.blob)).toEqual({ accepted: true });
    expect(await verifier('accept-new').verify(target, ed25519.blob)).toEqual({ accepted: true });
    expect(readFileSync(target.file, 'utf8')).toBe('');
    expect(readFileSync(system, 'utf8')).toBe(before);
    expect(await verifier('strict').knownKeyTypes(target)).toEqual(['ssh-ed25519']);
  });

  it('refuses a changed key the system-wide file knows another key for, naming that file and line', async () => {
    // Given hv01 known system-wide by one key
    const target = withGlobal([], ['# distributed', formatKnownHostsLine('10.0.0.11', 22, ed25519.type, ed25519.base64)]);

    // When it offers another, even under accept-new
    const decision = await verifier('accept-new').verify(target, otherEd25519.blob);

    // Then it is a changed key, told with the file that holds the old one, and nothing is pinned
    expect(decision.accepted).toBe(false);
    const message = decision.accepted ? '' : decision.message;
    expect(message).toContain('HOST KEY CHANGED');
    expect(message).toContain(`at ${target.alsoRead![1]}:2`);
    expect(message).toContain(`-f ${target.alsoRead![1]}`);
    expect(readFileSync(target.file, 'utf8')).toBe('');
  });

  it('refuses a key the system-wide file revokes, though the own file holds it', async () => {
    const target = withGlobal(
      [formatKnownHostsLine('10.0.0.11', 22, ed25519.type, ed25519.base64)],
      [`@revoked * ${ed25519.type} ${ed25519.base64}`],
    );
    const decision = await verifier('strict').verify(target, ed25519.blob);
    expect(decision.accepted).toBe(false);
    expect(decision.accepted ? '' : decision.message).toContain(`@revoked in ${target.alsoRead![1]}:1`);
  });

  it('pins an unknown host under accept-new in the own file only', async () => {
    const target = withGlobal([], [formatKnownHostsLine('10.0.0.99', 22, ed25519.type, ed25519.base64)]);
    expect(await verifier('accept-new').verify(target, ed25519.blob)).toEqual({ accepted: true });
    expect(readFileSync(target.file, 'utf8')).toContain(formatKnownHostsLine('10.0.0.11', 22, ed25519.type, ed25519.base64));
    expect(readFileSync(target.alsoRead![1]!, 'utf8')).not.toContain('10.0.0.11');
  });
});

describe('knownKeyTypes', () => {
  it('lists the distinct key types known for the host, in file order', async () => {
    // Given hv01 known by RSA, then ed25519 twice; another host and a revoked line besides
    const target = knownHosts([
      formatKnownHostsLine('10.0.0.11', 22, rsa.type, rsa.base64),
      formatKnownHostsLine('10.0.0.12', 22, 'ecdsa-sha2-nistp256', ed25519.base64),
      formatKnownHostsLine('10.0.0.11', 22, ed25519.type, ed25519.base64),
      formatKnownHostsLine('10.0.0.11', 22, otherEd25519.type, otherEd25519.base64),
      `@revoked * ecdsa-sha2-nistp384 ${ed25519.base64}`,
    ]);

    // When the known types are asked for
    const types = await verifier('strict').knownKeyTypes(target);

    // Then they are RSA then ed25519, once each
    expect(types).toEqual(['ssh-rsa', 'ssh-ed25519']);
  });

  it('answers nothing, without throwing, when the file is missing or unreadable', async () => {
    // Given a path that does not exist and one that is a directory
    const missing = { file: path.join(tmp.dir, 'nope', 'known_hosts'), address: '10.0.0.11', port: 22 };
    const directory = { file: tmp.dir, address: '10.0.0.11', port: 22 };

    // When the known types are asked for
    // Then both are empty (verify is what reports an unreadable file)
    expect(await verifier('strict').knownKeyTypes(missing)).toEqual([]);
    expect(await verifier('strict').knownKeyTypes(directory)).toEqual([]);
  });
});

describe('ssh2 default host key algorithms', () => {
  it('are read from the installed ssh2, so known types can be put first', () => {
    // Given the list sshSession reorders
    // When ssh2 is loaded
    // Then the list is there and has what a fleet needs (ed25519, ECDSA and RSA with SHA-2)
    expect(SSH2_DEFAULT_HOST_KEY_ALGORITHMS).not.toBeNull();
    expect(SSH2_DEFAULT_HOST_KEY_ALGORITHMS).toEqual(expect.arrayContaining(['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256']));
  });
});
