import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshServer, type AuthAttempt, type RunningSshServer } from '../../../src/demo/sshServer.js';
import type { HostConfig } from '../../../src/model.js';
import { createSshConnector } from '../../../src/transport/ssh.js';
import {
  hostConfig,
  knownHostsLineFor,
  makeTempDir,
  rejectionOf,
  startAgentWithKey,
  writeClientKey,
  type ClientKey,
} from '../../helpers/sshFixtures.js';
import { gateTier, tool } from '../../helpers/prerequisites.js';

/** The one test that logs in through a real OpenSSH ssh-agent. */
const sshAgent = gateTier('integration tier (login through a real ssh-agent)', [tool('ssh-agent'), tool('ssh-add')]);

const PASSWORD = 'correct horse battery staple';
const PASSPHRASE = 'kna-h1 secret passphrase';

let tmp: { dir: string; cleanup: () => Promise<void> };
let plainKey: ClientKey;
let encryptedKey: ClientKey;
let strangerKey: ClientKey;
let server: RunningSshServer;
let knownHosts: string;
const attempts: AuthAttempt[] = [];

beforeAll(async () => {
  tmp = await makeTempDir('auth');
  plainKey = await writeClientKey(tmp.dir, 'id_plain');
  encryptedKey = await writeClientKey(tmp.dir, 'id_encrypted', PASSPHRASE);
  strangerKey = await writeClientKey(tmp.dir, 'id_stranger');
  server = await startSshServer({
    username: 'audit',
    authorizedKeys: [plainKey.publicKey, encryptedKey.publicKey],
    password: PASSWORD,
    onExec: async (exec) => {
      await exec.write('authenticated');
      exec.exit(0);
    },
  });
  knownHosts = path.join(tmp.dir, 'known_hosts');
  writeFileSync(knownHosts, `${knownHostsLineFor(server)}\n`);
});
afterAll(async () => {
  await server.close();
  await tmp.cleanup();
});

function host(overrides: Partial<HostConfig>): HostConfig {
  return hostConfig({ port: server.port, knownHostsFile: knownHosts, ...overrides });
}

/** Connect with `env`, run one exec, close. */
async function login(hostValue: HostConfig, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const connector = createSshConnector({ env, connectTimeoutMs: 5_000 });
  try {
    const transport = await connector.connect(hostValue, {});
    try {
      return (await transport.exec('true', { maxBytes: 1024 })).stdout;
    } finally {
      transport.close();
    }
  } finally {
    await connector.close();
  }
}

describe('public key authentication', () => {
  it('logs in with an identity file', async () => {
    expect(await login(host({ identityFile: plainKey.file }))).toBe('authenticated');
  });

  it('fails with kind auth, naming the user and address, when the server does not know the key', async () => {
    // Given a key the server does not accept
    // When logging in
    const error = await rejectionOf(login(host({ identityFile: strangerKey.file })));

    // Then it is an auth failure that says who and how
    expect(error.kind).toBe('auth');
    expect(error.message).toContain(`audit@127.0.0.1:${server.port}`);
    expect(error.message).toContain(strangerKey.file);
  });

  it('logs in with an encrypted key whose passphrase comes from the named variable', async () => {
    // Given the passphrase in KNA_PASSPHRASE
    const env = { KNA_PASSPHRASE: PASSPHRASE };

    // When logging in
    // Then it works
    expect(await login(host({ identityFile: encryptedKey.file, passphraseEnv: 'KNA_PASSPHRASE' }), env)).toBe('authenticated');
  });

  it('names the missing passphrase variable without trying to connect', async () => {
    // Given passphraseEnv naming an unset variable
    const before = server.connections();

    // When logging in
    const error = await rejectionOf(login(host({ identityFile: encryptedKey.file, passphraseEnv: 'KNA_UNSET_PASSPHRASE' }), {}));

    // Then the error names it, and no connection was made
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('KNA_UNSET_PASSPHRASE');
    expect(server.connections()).toBe(before);
  });

  it('reports a wrong passphrase with the file name, never the passphrase', async () => {
    // Given a wrong passphrase
    const wrong = 'kna-h1 wrong passphrase';

    // When logging in
    const error = await rejectionOf(login(host({ identityFile: encryptedKey.file, passphraseEnv: 'KNA_PASSPHRASE' }), { KNA_PASSPHRASE: wrong }));

    // Then the message names the file and the variable, not the secret
    expect(error.kind).toBe('auth');
    expect(error.message).toContain(encryptedKey.file);
    expect(error.message).toContain('KNA_PASSPHRASE');
    expect(error.message).not.toContain(wrong);
  });

  it('says an encrypted key needs passphraseEnv', async () => {
    const error = await rejectionOf(login(host({ identityFile: encryptedKey.file })));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('passphraseEnv');
  });

  it('fails with kind auth naming a missing identity file', async () => {
    const missing = path.join(tmp.dir, 'no_such_key');
    const error = await rejectionOf(login(host({ identityFile: missing })));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain(missing);
  });
});

describe('password authentication', () => {
  it('logs in with the password from the named variable', async () => {
    expect(await login(host({ passwordEnv: 'KNA_PASSWORD' }), { KNA_PASSWORD: PASSWORD })).toBe('authenticated');
  });

  it('names the missing password variable, never a value', async () => {
    // Given passwordEnv naming an unset variable (while another variable holds the password)
    const env = { OTHER: PASSWORD };

    // When logging in
    const error = await rejectionOf(login(host({ passwordEnv: 'KNA_MISSING_PASSWORD' }), env));

    // Then the error names the variable
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('KNA_MISSING_PASSWORD');
    expect(error.message).not.toContain(PASSWORD);
  });

  it('reports a wrong password as auth without echoing it', async () => {
    const wrong = 'kna-h1-wrong-password';
    const error = await rejectionOf(login(host({ passwordEnv: 'KNA_PASSWORD' }), { KNA_PASSWORD: wrong }));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('$KNA_PASSWORD');
    expect(error.message).not.toContain(wrong);
  });

  it('falls back to the password when the default identity file is missing', async () => {
    // Given an identity file that does not exist, and a password
    const hostValue = host({ identityFile: path.join(tmp.dir, 'absent'), passwordEnv: 'KNA_PASSWORD' });

    // When logging in
    // Then the password is used
    expect(await login(hostValue, { KNA_PASSWORD: PASSWORD })).toBe('authenticated');
  });
});

describe("OpenSSH's default key files (no identityFile anywhere in the inventory)", () => {
  it('offers each that exists, in order, and logs in with the one the server knows', async () => {
    // Given three default key files: one missing, one the server does not know, one it knows
    const defaults = [path.join(tmp.dir, 'absent_ed25519'), strangerKey.file, plainKey.file];

    // When logging in with no identity file named
    // Then the known key gets in after the stranger was refused
    expect(await login(host({ identityFile: null, defaultIdentityFiles: defaults }))).toBe('authenticated');
  });

  it('says nothing of missing ones, and fails with kind auth when none exists and nothing else is configured', async () => {
    const error = await rejectionOf(login(host({ identityFile: null, defaultIdentityFiles: [path.join(tmp.dir, 'absent_rsa')] })));
    expect(error.kind).toBe('auth');
    expect(error.message).not.toContain('absent_rsa');
  });

  it('names a default key it cannot use (encrypted, no passphraseEnv) when nothing else is left', async () => {
    const error = await rejectionOf(login(host({ identityFile: null, defaultIdentityFiles: [encryptedKey.file] })));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain(encryptedKey.file);
    expect(error.message).toContain('passphraseEnv');
  });

  it('leaves them out when the inventory names a key', async () => {
    const error = await rejectionOf(login(host({ identityFile: strangerKey.file, defaultIdentityFiles: [plainKey.file] })));
    expect(error.kind).toBe('auth');
  });
});

describe('ssh-agent authentication', () => {
  it.skipIf(sshAgent.skip)('logs in with a key held by a real ssh-agent at SSH_AUTH_SOCK', async () => {
    sshAgent.enforce();
    // Given a running ssh-agent holding the key (and no key file configured)
    const agent = await startAgentWithKey(tmp.dir, plainKey.file);
    try {
      // When logging in with agent: true
      const out = await login(host({ agent: true }), { SSH_AUTH_SOCK: agent.socket });

      // Then it works
      expect(out).toBe('authenticated');
    } finally {
      await agent.stop();
    }
    // and the agent process is gone
    expect(() => process.kill(agent.pid, 0)).toThrow();
  });

  it('uses the identity file when agent is configured but SSH_AUTH_SOCK is not set', async () => {
    expect(await login(host({ agent: true, identityFile: plainKey.file }), {})).toBe('authenticated');
  });

  it('fails with kind auth when SSH_AUTH_SOCK is not set and nothing else is configured', async () => {
    const error = await rejectionOf(login(host({ agent: true }), {}));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('SSH_AUTH_SOCK');
  });
});

describe("ssh_config's IdentityAgent (fromSshConfig.agentSocket)", () => {
  it.skipIf(sshAgent.skip)('is the agent used instead of SSH_AUTH_SOCK', async () => {
    sshAgent.enforce();
    // Given a real agent holding the key, named by ssh_config, while SSH_AUTH_SOCK points at nothing
    const agent = await startAgentWithKey(tmp.dir, plainKey.file);
    try {
      const env = { SSH_AUTH_SOCK: path.join(tmp.dir, 'no-agent-here.sock') };

      // When logging in with agent: true and no key file
      const out = await login(host({ agent: true, fromSshConfig: { agentSocket: agent.socket } }), env);

      // Then the agent ssh_config named signed the login
      expect(out).toBe('authenticated');
    } finally {
      await agent.stop();
    }
  });

  it('is named among the methods tried when the login fails, and needs no SSH_AUTH_SOCK', async () => {
    // Given ssh_config naming an agent socket where no agent listens, and no SSH_AUTH_SOCK
    const socket = path.join(tmp.dir, 'dead-agent.sock');

    // When logging in
    const error = await rejectionOf(login(host({ agent: true, fromSshConfig: { agentSocket: socket } }), {}));

    // Then the agent at that socket was tried (not skipped for a missing SSH_AUTH_SOCK), and auth failed
    expect(error.kind).toBe('auth');
    expect(error.message).toContain(`agent (IdentityAgent ${socket})`);
    expect(error.message).not.toContain('SSH_AUTH_SOCK');
  });

  it('is not used when the host does not use the agent', async () => {
    // Given a socket from ssh_config but agent: false, and a key the server refuses
    const socket = path.join(tmp.dir, 'unused-agent.sock');

    // When logging in
    const error = await rejectionOf(login(host({ agent: false, identityFile: strangerKey.file, fromSshConfig: { agentSocket: socket } }), {}));

    // Then only the key was tried
    expect(error.kind).toBe('auth');
    expect(error.message).toContain(`tried publickey (${strangerKey.file})`);
    expect(error.message).not.toContain('agent');
  });
});

describe('the embedded server checks what it accepts', () => {
  it('passes only signed public key attempts and passwords to a custom authenticator', async () => {
    // Given a server with a custom authenticator that records and accepts signed attempts only
    const recording = await startSshServer({
      authenticate: (attempt) => {
        attempts.push(attempt);
        return attempt.method === 'publickey';
      },
      onExec: (exec) => exec.exit(0),
    });
    writeFileSync(knownHosts, `${knownHostsLineFor(server)}\n${knownHostsLineFor(recording)}\n`);
    try {
      // When a client logs in with a key
      await login(hostConfig({ port: recording.port, knownHostsFile: knownHosts, identityFile: plainKey.file }));
    } finally {
      await recording.close();
    }

    // Then the authenticator saw the key query, then the signed attempt, for the right key
    expect(attempts.map((a) => a.method === 'publickey' && a.signed)).toEqual([false, true]);
    expect(attempts.every((a) => a.method === 'publickey' && plainKey.publicKey.includes(a.keyBlob.toString('base64')))).toBe(true);
  });
});
