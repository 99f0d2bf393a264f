import { describe, expect, it } from 'vitest';
import { applySshSettings } from '../../../src/sshconfig/apply.js';
import { configuredKeys, parseSshG } from '../../../src/sshconfig/settings.js';
import type { HostConfig, JumpHostConfig } from '../../../src/model.js';

const UNCONFIGURED = parseSshG(
  [
    'hostname x',
    'user alice',
    'port 22',
    'identityfile ~/.ssh/id_rsa',
    'identitiesonly no',
    'stricthostkeychecking ask',
    'hashknownhosts no',
    'connecttimeout none',
    'userknownhostsfile /home/alice/.ssh/known_hosts /home/alice/.ssh/known_hosts2',
    'globalknownhostsfile /etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2',
  ].join('\n'),
);
const CONTEXT = { homeDir: '/home/alice', localUser: 'alice', env: { LAB_AGENT: '/run/lab-agent.sock' } };

function host(overrides: Partial<HostConfig> = {}): HostConfig {
  return {
    name: 'hv1',
    address: 'lab-hv1',
    port: 22,
    user: 'alice',
    groups: [],
    identityFile: null,
    defaultIdentityFiles: ['/home/alice/.ssh/id_ed25519'],
    passphraseEnv: null,
    agent: true,
    passwordEnv: null,
    knownHostsFile: '/home/alice/.ssh/known_hosts',
    readKnownHostsFiles: ['/home/alice/.ssh/known_hosts2'],
    libvirtUri: 'qemu:///system',
    sudo: false,
    uplinkInterfaces: [],
    jump: null,
    sshConfig: { kind: 'default' },
    namedKeys: [],
    ...overrides,
  };
}

function apply(target: HostConfig, text: string, jump?: JumpHostConfig | null) {
  const settings = parseSshG(text);
  return applySshSettings(target, settings, configuredKeys(settings, UNCONFIGURED, target.address), CONTEXT, jump);
}

const LAB = [
  'hostname 198.18.0.5',
  'user ops',
  'port 2222',
  'identityfile ~/.ssh/lab_%h',
  'identityfile ~/.ssh/spare',
  'identitiesonly yes',
  'stricthostkeychecking accept-new',
  'hashknownhosts yes',
  'connecttimeout 7',
  'userknownhostsfile /home/alice/.ssh/lab_known_hosts /home/alice/.ssh/more',
  'globalknownhostsfile /etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2',
].join('\n');

describe('ssh_config laid over a host', () => {
  it('takes what ssh_config set where the inventory names nothing', () => {
    const { connection, fromConfig } = apply(host(), LAB);
    expect(connection).toMatchObject({
      address: '198.18.0.5',
      user: 'ops',
      port: 2222,
      identityFile: null,
      defaultIdentityFiles: ['/home/alice/.ssh/lab_198.18.0.5', '/home/alice/.ssh/spare'],
      // IdentitiesOnly: only the files, not every key the agent holds
      agent: false,
      knownHostsFile: '/home/alice/.ssh/lab_known_hosts',
      readKnownHostsFiles: ['/home/alice/.ssh/more', '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
      fromSshConfig: { hostKeyPolicy: 'accept-new', hashKnownHosts: true, connectTimeoutMs: 7000 },
    });
    expect([...fromConfig].sort()).toEqual(
      ['address', 'agent', 'connectTimeout', 'hashKnownHosts', 'hostKeyPolicy', 'identityFiles', 'knownHostsFile', 'port', 'user'].sort(),
    );
  });

  it('lets a key the inventory names at any level win over ssh_config', () => {
    const named = host({ user: 'root', port: 22, identityFile: '/keys/audit', agent: true, knownHostsFile: '/kh', namedKeys: ['user', 'port', 'identityFile', 'agent', 'knownHostsFile'] });
    const { connection, fromConfig } = apply(named, LAB);
    expect(connection).toMatchObject({ address: '198.18.0.5', user: 'root', port: 22, identityFile: '/keys/audit', agent: true, knownHostsFile: '/kh' });
    expect(fromConfig.has('user')).toBe(false);
    // HostName is never an inventory key: the inventory's address is the alias it names
    expect(fromConfig.has('address')).toBe(true);
  });

  it('changes nothing for a host ssh_config says nothing about', () => {
    const plain = host();
    const { connection, fromConfig } = apply(plain, 'hostname lab-hv1\nuser alice\nport 22\nidentityfile ~/.ssh/id_rsa\n');
    expect(connection).toEqual(plain);
    expect(fromConfig.size).toBe(0);
  });

  it('maps StrictHostKeyChecking onto the three policies, ask refusing as in a batch run', () => {
    const policy = (value: string) => apply(host(), `stricthostkeychecking ${value}`).connection.fromSshConfig?.hostKeyPolicy;
    // as `ssh -G` prints yes and no/off
    expect([policy('true'), policy('accept-new'), policy('false')]).toEqual(['strict', 'accept-new', 'off']);
    // as written in the file (the library stands in for ssh -G)
    expect([policy('yes'), policy('no'), policy('off')]).toEqual(['strict', 'off', 'off']);
    expect(policy('ask')).toBeUndefined();
  });

  it('reads UserKnownHostsFile none as no file of the user\'s at all', () => {
    const { connection } = apply(host(), 'userknownhostsfile none\nglobalknownhostsfile /etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2');
    expect([connection.knownHostsFile, connection.readKnownHostsFiles]).toEqual(['/dev/null', ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']]);
  });

  it('notes a HostKeyAlias, which only OpenSSH honours', () => {
    expect(apply(host(), 'hostkeyalias hv1-key').connection.fromSshConfig?.hostKeyAlias).toBe('hv1-key');
  });

  it('uses IdentityAgent: none turns the agent off, a path replaces SSH_AUTH_SOCK, $NAME is the variable\'s socket', () => {
    expect(apply(host(), 'identityagent none').connection.agent).toBe(false);
    const socket = apply(host({ agent: false }), 'identityagent ~/.agent.sock').connection;
    expect([socket.agent, socket.fromSshConfig?.agentSocket]).toEqual([true, '/home/alice/.agent.sock']);
    const variable = apply(host({ agent: false }), 'identityagent $LAB_AGENT').connection;
    expect([variable.agent, variable.fromSshConfig?.agentSocket]).toEqual([true, '/run/lab-agent.sock']);
    // an unset variable: no agent, never a socket literally named "$UNSET"
    const unset = apply(host(), 'identityagent $UNSET').connection;
    expect([unset.agent, unset.fromSshConfig?.agentSocket]).toEqual([false, undefined]);
  });

  it('takes a ProxyJump chain unless the inventory names jump:, even jump: null', () => {
    const chain = { name: 'b1', address: '198.18.0.1', port: 22, user: 'ops', identityFile: null, passphraseEnv: null, agent: false, passwordEnv: null, knownHostsFile: '/kh' };
    expect(apply(host(), 'proxyjump b1', chain).connection.jump).toBe(chain);
    expect(apply(host({ namedKeys: ['jump'] }), 'proxyjump b1', chain).connection.jump).toBeNull();
  });

  it('notes a ProxyCommand (only OpenSSH can run it) unless the inventory says how the host is reached', () => {
    expect(apply(host(), 'proxycommand nc %h %p').connection.fromSshConfig?.proxyCommand).toBe('nc %h %p');
    expect(apply(host({ namedKeys: ['jump'] }), 'proxycommand nc %h %p').connection.fromSshConfig?.proxyCommand).toBeUndefined();
  });
});
