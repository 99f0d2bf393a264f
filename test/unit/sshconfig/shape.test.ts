import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isHostIndependent } from '../../../src/sshconfig/shape.js';

const home = mkdtempSync(path.join(tmpdir(), 'kna-shape-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
mkdirSync(path.join(home, '.ssh', 'conf.d'), { recursive: true });

function file(name: string, text: string): string {
  const full = path.join(home, '.ssh', name);
  writeFileSync(full, text);
  return full;
}

describe('whether ssh_config can tell hosts apart', () => {
  it("says no for Debian's system file: Host * only, and an Include of a folder with Host * only", () => {
    file('conf.d/10-all.conf', 'Host *\n  ServerAliveInterval 30\n');
    const config = file('debian', 'Include conf.d/*.conf\nHost *\n  SendEnv LANG LC_*\n  HashKnownHosts yes\n');
    expect(isHostIndependent([config], config, home)).toBe(true);
  });

  it('says yes for a Host pattern, a Match, or either in an included file', () => {
    expect(isHostIndependent([file('alias', 'Host hv-*\n  User audit\n')], null, home)).toBe(false);
    expect(isHostIndependent([file('negated', 'Host * !hv1\n  User audit\n')], null, home)).toBe(false);
    expect(isHostIndependent([file('match', 'Match originalhost hv*\n  User audit\n')], null, home)).toBe(false);
    file('conf.d/20-lab.conf', 'Host lab-*\n  Port 2222\n');
    const including = file('including', 'Include ~/.ssh/conf.d/*.conf\n');
    expect(isHostIndependent([including], including, home)).toBe(false);
    rmSync(path.join(home, '.ssh', 'conf.d', '20-lab.conf'));
    expect(isHostIndependent([including], including, home)).toBe(true);
  });

  it('reads a file given with sshConfig: FILE as OpenSSH reads -F FILE: its relative Includes under ~/.ssh', () => {
    file('conf.d/30-special.conf', 'Host hv01\n  User special\n');
    const elsewhere = path.join(home, 'elsewhere.conf');
    writeFileSync(elsewhere, 'Include conf.d/30-special.conf\n');
    expect(isHostIndependent([elsewhere], elsewhere, home)).toBe(false);
    rmSync(path.join(home, '.ssh', 'conf.d', '30-special.conf'));
  });

  it('takes what it cannot read for certain as host-specific: a glob in a folder name, an Include loop', () => {
    expect(isHostIndependent([file('globdir', 'Include /etc/*/ssh_config\n')], null, home)).toBe(false);
    const loop = file('loop', `Include ${path.join(home, '.ssh', 'loop')}\n`);
    expect(isHostIndependent([loop], loop, home)).toBe(false);
  });
});
