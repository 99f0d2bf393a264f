import { describe, expect, it } from 'vitest';
import { openSshFailure } from '../../../src/transport/opensshErrors.js';

/**
 * stderr of OpenSSH_9.2p1 (Debian 12) run with `-T -o BatchMode=yes -o LogLevel=ERROR`, captured against ssh2 test
 * servers and a throw-away sshd on 127.0.0.1 (ports and temp paths as they were).
 */
const CAPTURED = {
  refused: 'ssh: connect to host 127.0.0.1 port 1: Connection refused\n',
  unresolvable: 'ssh: Could not resolve hostname nonexistent.invalid: Name or service not known\n',
  proxyCommandExited: 'kex_exchange_identification: Connection closed by remote host\nConnection closed by UNKNOWN port 65535\n',
  hangUp: 'kex_exchange_identification: read: Connection reset by peer\n',
  neverAnswers: 'Connection timed out during banner exchange\n',
  wrongKey: 'audit@127.0.0.1: Permission denied (publickey,password).\n',
  missingKey:
    'Warning: Identity file /tmp/osx/sshd/c%%k not accessible: No such file or directory.\n' +
    'root@127.0.0.1: Permission denied (publickey,password,keyboard-interactive).\n',
  tooManyKeys: 'Received disconnect from 127.0.0.1 port 42222:2: Too many authentication failures\n',
  unknownStrict: 'No ED25519 host key is known for [127.0.0.1]:36033 and you have requested strict checking.\nHost key verification failed.\n',
  unknownAsk: 'Host key verification failed.\n',
  changed: [
    '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
    '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
    'Someone could be eavesdropping on you right now (man-in-the-middle attack)!',
    'It is also possible that a host key has just been changed.',
    'The fingerprint for the ED25519 key sent by the remote host is',
    'SHA256:rSoRxXt7bR8PHqosNHREXrnQNK/Gjtk65koIVl3r7jg.',
    'Please contact your system administrator.',
    'Add correct host key in /tmp/osx/run-QaDCXU/kh to get rid of this message.',
    'Offending ED25519 key in /tmp/osx/run-QaDCXU/kh:1',
    '  remove with:',
    '  ssh-keygen -f "/tmp/osx/run-QaDCXU/kh" -R "[127.0.0.1]:36033"',
    'Host key for [127.0.0.1]:36033 has changed and you have requested strict checking.',
    'Host key verification failed.',
    '',
  ].join('\n'),
  revoked: [
    '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    '@       WARNING: REVOKED HOST KEY DETECTED!               @',
    '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    'The ED25519 host key for [127.0.0.1]:36033 is marked as revoked.',
    'This could mean that a stolen key is being used to',
    'impersonate this host.',
    'ED25519 host key for [127.0.0.1]:36033 was revoked and you have requested strict checking.',
    'Host key verification failed.',
    '',
  ].join('\n'),
  badOption: 'command-line: line 0: Bad configuration option: bogus\n',
  badFile:
    '/tmp/badcfg: line 1: Bad configuration option: bogus\n/tmp/badcfg: line 2: Bad configuration option: also\n' +
    '/tmp/badcfg: terminating, 2 bad configuration options\n',
  noConfigFile: "Can't open user config file /nonexistent/cfg: No such file or directory\n",
  invalidQuotes: 'command-line line 0: invalid quotes\n',
  // ssh_config's `Host *` / `RemoteCommand …` beside a command of ssh's own: its fatal() ends lines with \r\n.
  remoteCommand: 'Cannot execute command-line and remote command.\r\n',
  // The same said by the ssh an operator's ProxyCommand runs (`ProxyCommand ssh hop cat`), then the outer ssh.
  proxyRemoteCommand: 'Cannot execute command-line and remote command.\r\nkex_exchange_identification: Connection closed by remote host\r\n',
  // Through a jump host (its ssh runs as the ProxyCommand, its stderr is ssh's): what the hop said, then the outer ssh.
  hopAuth: 'jump@127.0.0.1: Permission denied (publickey,password).\nkex_exchange_identification: Connection closed by remote host\n',
  hopHostKey:
    'No ED25519 host key is known for [127.0.0.1]:34483 and you have requested strict checking.\nHost key verification failed.\n' +
    'kex_exchange_identification: Connection closed by remote host\n',
  hopRefused: 'ssh: connect to host 127.0.0.1 port 1: Connection refused\nkex_exchange_identification: Connection closed by remote host\n',
  hopCannotForward: 'stdio forwarding failed\nkex_exchange_identification: Connection closed by remote host\n',
};

const where = 'audit@127.0.0.1:36033';

describe('openSshFailure', () => {
  it.each([
    ['refused', 'unreachable'],
    ['unresolvable', 'unreachable'],
    ['proxyCommandExited', 'unreachable'],
    ['hangUp', 'unreachable'],
    ['neverAnswers', 'timeout'],
    ['wrongKey', 'auth'],
    ['missingKey', 'auth'],
    ['tooManyKeys', 'auth'],
    ['unknownStrict', 'hostkey'],
    ['unknownAsk', 'hostkey'],
    ['changed', 'hostkey'],
    ['revoked', 'hostkey'],
    ['badOption', 'config'],
    ['badFile', 'config'],
    ['noConfigFile', 'config'],
    ['invalidQuotes', 'config'],
    ['remoteCommand', 'config'],
    ['proxyRemoteCommand', 'config'],
    ['hopAuth', 'auth'],
    ['hopHostKey', 'hostkey'],
    ['hopRefused', 'unreachable'],
    ['hopCannotForward', 'unreachable'],
  ] as const)('maps OpenSSH’s %s message to %s', (capture, kind) => {
    expect(openSshFailure(CAPTURED[capture], 255, where)?.kind).toBe(kind);
  });

  it('is not a failure of ssh unless ssh exited 255 (other statuses are the remote command’s)', () => {
    expect(openSshFailure(CAPTURED.wrongKey, 0, where)).toBeNull();
    expect(openSshFailure(CAPTURED.wrongKey, 1, where)).toBeNull();
    expect(openSshFailure(CAPTURED.wrongKey, null, where)).toBeNull();
  });

  it('words an auth failure as the ssh2 transport does, quoting ssh’s line', () => {
    expect(openSshFailure(CAPTURED.wrongKey, 255, where)?.message).toBe(
      'authentication failed for audit@127.0.0.1:36033: audit@127.0.0.1: Permission denied (publickey,password).',
    );
  });

  it('quotes the key file ssh could not read beside the refusal', () => {
    expect(openSshFailure(CAPTURED.missingKey, 255, where)?.message).toBe(
      'authentication failed for audit@127.0.0.1:36033: Warning: Identity file /tmp/osx/sshd/c%%k not accessible: No such file or directory. ' +
        'root@127.0.0.1: Permission denied (publickey,password,keyboard-interactive).',
    );
  });

  it('keeps the telling lines of a changed host key, not the banner’s frame or the generic last line', () => {
    expect(openSshFailure(CAPTURED.changed, 255, where)?.message).toBe(
      'ssh refused the host key of audit@127.0.0.1:36033: WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! ' +
        'Offending ED25519 key in /tmp/osx/run-QaDCXU/kh:1 ' +
        'Host key for [127.0.0.1]:36033 has changed and you have requested strict checking.',
    );
  });

  it('says ssh_config’s RemoteCommand is what stopped ssh, as a config error', () => {
    expect(openSshFailure(CAPTURED.remoteCommand, 255, where)?.message).toBe(
      'ssh cannot use its configuration for audit@127.0.0.1:36033: Cannot execute command-line and remote command.',
    );
  });

  it('says which host key is unknown under strict checking', () => {
    expect(openSshFailure(CAPTURED.unknownStrict, 255, where)?.message).toBe(
      'ssh refused the host key of audit@127.0.0.1:36033: No ED25519 host key is known for [127.0.0.1]:36033 and you have requested strict checking.',
    );
  });

  it('words timeouts and unreachable hosts as the ssh2 transport does', () => {
    expect(openSshFailure(CAPTURED.neverAnswers, 255, where)?.message).toBe(
      'no SSH session with audit@127.0.0.1:36033: Connection timed out during banner exchange',
    );
    expect(openSshFailure(CAPTURED.refused, 255, where)?.message).toBe(
      'cannot connect to audit@127.0.0.1:36033: ssh: connect to host 127.0.0.1 port 1: Connection refused',
    );
  });

  it('says when a jump host could not forward to the host', () => {
    expect(openSshFailure(CAPTURED.hopCannotForward, 255, `${where} via jump host bastion`)?.message).toBe(
      'cannot connect to audit@127.0.0.1:36033 via jump host bastion: ' +
        'stdio forwarding failed kex_exchange_identification: Connection closed by remote host',
    );
  });

  it('counts an unexplained exit 255 as unreachable, quoting the last lines', () => {
    const error = openSshFailure('/bin/sh: 1: exec: nc: not found\n', 255, where);
    expect(error?.kind).toBe('unreachable');
    expect(error?.message).toBe('ssh could not open a session with audit@127.0.0.1:36033: /bin/sh: 1: exec: nc: not found');
    expect(openSshFailure('', 255, where)?.message).toBe(
      'ssh could not open a session with audit@127.0.0.1:36033: ssh exited with status 255 and printed nothing',
    );
  });

  it('quotes at most about 300 characters of a long stderr', () => {
    const error = openSshFailure(`${'x'.repeat(1_000)} Connection refused\n`, 255, where);
    const quoted = error!.message.slice('cannot connect to audit@127.0.0.1:36033: '.length);
    expect(quoted.length).toBe(300);
    expect(quoted.endsWith('…')).toBe(true);
  });
});
