import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeWithLibrary } from '../../../src/sshconfig/libraryResolver.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kna-libcfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const full = path.join(dir, name);
  writeFileSync(full, text);
  return full;
};

describe('ssh_config without an ssh binary (the ssh-config library)', () => {
  it('answers in the shape of ssh -G: lower-case keys, every IdentityFile, the first file winning, %h expanded', () => {
    const user = file('user', 'Host hv*\n  HostName %h.lab.example\n  IdentityFile ~/.ssh/a\n  IdentityFile ~/.ssh/b\n  Port 2200\n');
    const system = file('system', 'Host *\n  Port 22\n  HashKnownHosts yes\n');
    const settings = computeWithLibrary([user, system], 'hv1', { user: null, port: null });
    expect(Object.fromEntries(settings)).toEqual({
      hostname: ['hv1.lab.example'],
      identityfile: ['~/.ssh/a', '~/.ssh/b'],
      port: ['2200'],
      hashknownhosts: ['yes'],
    });
  });

  it('says nothing of the user unless a file names one, and takes named user and port as given', () => {
    const plain = file('plain', 'Host *\n  Port 2222\n');
    expect(computeWithLibrary([plain], 'hv1', { user: null, port: null }).has('user')).toBe(false);
    const named = computeWithLibrary([file('named', 'Match user ops\n  Port 2300\n')], 'hv1', { user: 'ops', port: null });
    expect([named.get('user'), named.get('port')]).toEqual([['ops'], ['2300']]);
  });
});
