import { describe, expect, it } from 'vitest';
import { configuredKeys, expandSshPath, fileList, parseProxyJump, parseSshG } from '../../../src/sshconfig/settings.js';

describe('ssh -G output', () => {
  it('keeps every value of a repeated key in order, and inner spaces of a value', () => {
    const settings = parseSshG('hostname 198.18.0.5\nidentityfile ~/.ssh/a\nidentityfile ~/.ssh/b\nuserknownhostsfile /k1 /k2\n\n');
    expect(settings.get('hostname')).toEqual(['198.18.0.5']);
    expect(settings.get('identityfile')).toEqual(['~/.ssh/a', '~/.ssh/b']);
    expect(fileList(settings.get('userknownhostsfile'))).toEqual(['/k1', '/k2']);
    expect(fileList(['none'])).toEqual([]);
  });

  it('tells what the configuration set from what OpenSSH would use anyway', () => {
    const unconfigured = parseSshG('hostname kvm-netaudit-unconfigured.invalid\nuser root\nport 22\nidentityfile ~/.ssh/id_rsa\n');
    const aliasOnly = parseSshG('hostname lab-hv1\nuser root\nport 22\nidentityfile ~/.ssh/id_rsa\n');
    expect([...configuredKeys(aliasOnly, unconfigured, 'Lab-HV1')]).toEqual([]);
    const renamed = parseSshG('hostname 198.18.0.5\nuser ops\nport 22\nidentityfile ~/.ssh/lab\nproxyjump b1\n');
    expect([...configuredKeys(renamed, unconfigured, 'lab-hv1')].sort()).toEqual(['hostname', 'identityfile', 'proxyjump', 'user']);
  });
});

describe('ProxyJump', () => {
  it('reads hops outermost first, with users, ports, URIs and IPv6', () => {
    expect(parseProxyJump('b1,ops@b2:2222,ssh://jump@[2001:db8::1]:2200')).toEqual([
      { spec: 'b1', host: 'b1', user: null, port: null },
      { spec: 'ops@b2:2222', host: 'b2', user: 'ops', port: 2222 },
      { spec: 'ssh://jump@[2001:db8::1]:2200', host: '2001:db8::1', user: 'jump', port: 2200 },
    ]);
    expect(parseProxyJump('none')).toEqual([]);
  });

  it('refuses a hop it cannot read, naming it', () => {
    expect(() => parseProxyJump('b1,@b2')).toThrow(/"@b2"/);
    expect(() => parseProxyJump('b1:99999')).toThrow(/"b1:99999"/);
  });
});

describe('paths', () => {
  it("expands ~ and the tokens ssh -G leaves in file names", () => {
    const tokens = { home: '/home/ops', localUser: 'ops', host: 'hv1.lab', user: 'root', port: 2222 };
    expect(expandSshPath('~/.ssh/%h_%r_%p', tokens)).toBe('/home/ops/.ssh/hv1.lab_root_2222');
    expect(expandSshPath('%d/keys/%u%%', tokens)).toBe('/home/ops/keys/ops%');
    expect(expandSshPath('/etc/ssh/~x', tokens)).toBe('/etc/ssh/~x');
  });
});
