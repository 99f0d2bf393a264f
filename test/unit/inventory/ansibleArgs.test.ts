/**
 * Reading bastions out of the ssh options of an Ansible host: words split as Python's shlex.split splits them (the
 * expectations are what Python 3.11 printed for the same text), hops as OpenSSH reads them.
 */
import { describe, expect, it } from 'vitest';
import { parseHop, parseProxyCommand, proxyOfArgs, shellWords } from '../../../src/inventory/ansibleArgs.js';

describe('shellWords: as shlex.split (which Ansible splits these variables with)', () => {
  it.each([
    ['-o ProxyCommand="ssh -W %h:%p -q user@bastion"', ['-o', 'ProxyCommand=ssh -W %h:%p -q user@bastion']],
    ["-o 'ProxyJump a,b' -C", ['-o', 'ProxyJump a,b', '-C']],
    [String.raw`a\ b "c\"d" 'e\f' "g\h" `, ['a b', 'c"d', String.raw`e\f`, String.raw`g\h`]],
    ['"" x', ['', 'x']],
    ['-oProxyJump=b1  -J   b2', ['-oProxyJump=b1', '-J', 'b2']],
    ['pre"mid"post', ['premidpost']],
    ['', []],
  ])('splits %s', (text, words) => {
    expect(shellWords(text)).toEqual({ ok: true, value: words });
  });

  it('refuses an unclosed quote and a trailing backslash, as shlex does', () => {
    expect(shellWords('-o "ProxyJump b1')).toEqual({ ok: false, problem: 'a double quote is never closed' });
    expect(shellWords('-J b1\\')).toEqual({ ok: false, problem: 'ends with a lone backslash' });
  });
});

describe('parseHop: [user@]host[:port], as OpenSSH reads a ProxyJump hop', () => {
  it.each([
    ['b1', { address: 'b1', user: null, port: null }],
    ['admin@b1:2200', { address: 'b1', user: 'admin', port: 2200 }],
    ['ssh://admin@b1:2200', { address: 'b1', user: 'admin', port: 2200 }],
    ['ops@corp@b1', { address: 'b1', user: 'ops@corp', port: null }],
    ['[2001:db8::1]:2222', { address: '2001:db8::1', user: null, port: 2222 }],
    ['2001:db8::1', { address: '2001:db8::1', user: null, port: null }],
  ])('reads %s', (text, hop) => {
    const parsed = parseHop(text);
    expect(parsed.ok && { address: parsed.value.address, user: parsed.value.user, port: parsed.value.port }).toEqual(hop);
  });

  it.each([
    ['b1:0', 'hop "b1:0": port "0": expected a number from 1 to 65535'],
    ['@b1', 'hop "@b1": expected [user@]host[:port]'],
    ['-oProxyCommand=x', 'hop "-oProxyCommand=x": expected [user@]host[:port]'],
    ['%r@b1', 'hop "%r@b1": expected [user@]host[:port]'],
    ['', 'hop "": expected [user@]host[:port]'],
    ['[::1', 'hop "[::1": "[" without "]"'],
  ])('refuses %j', (text, problem) => {
    expect(parseHop(text)).toEqual({ ok: false, problem });
  });
});

describe('proxyOfArgs: the first ProxyJump or ProxyCommand among the options', () => {
  it('finds none among other options', () => {
    expect(proxyOfArgs('-C -o ControlMaster=auto -o ControlPersist=60s -o StrictHostKeyChecking=no')).toEqual({ ok: true, value: null });
  });

  it('reads ProxyJump and ProxyCommand case-insensitively, with = or a space', () => {
    const hops = (args: string) => {
      const parsed = proxyOfArgs(args);
      return parsed.ok && parsed.value?.kind === 'hops' ? parsed.value.hops.map((h) => h.text) : parsed;
    };
    expect(hops('-o proxyjump=a,b')).toEqual(['a', 'b']);
    expect(hops('-o "ProxyJump a"')).toEqual(['a']);
    expect(hops('-o "proxycommand ssh -W %h:%p a"')).toEqual(['a']);
    expect(proxyOfArgs('-o ProxyCommand=none')).toEqual({ ok: true, value: { kind: 'direct' } });
    expect(proxyOfArgs('-J')).toEqual({ ok: false, problem: '-J needs a value' });
  });

  it('reads a ProxyCommand ssh with bundled flags and attached values, the destination first or last', () => {
    const parsed = parseProxyCommand('/usr/bin/ssh -qTp2222 -ljump -oUser=ignored -W %h:%p -o HostName=198.51.100.7 bastion');
    expect(parsed).toEqual({ ok: true, value: { kind: 'hops', hops: [{ text: 'bastion', address: '198.51.100.7', user: 'jump', port: 2222, identityFile: null }] } });
  });

  it.each([
    ['ssh -W %h:%p', 'no bastion to connect to'],
    ['ssh bastion', 'no -W %h:%p'],
    ['ssh -L 8080:x:80 -W %h:%p bastion', 'option -L is not read'],
    ['ssh -W %h:%p -p', 'option -p needs a value'],
    ['sh -c "ssh -W %h:%p b1"', '"sh" is not ssh'],
  ])('refuses %s', (command, why) => {
    const parsed = parseProxyCommand(command);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problem).toContain(why);
  });
});
