import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateCommands, virshWrapperScript } from '../../lab/virshState.js';

const execFileAsync = promisify(execFile);

describe('stateCommands', () => {
  it('turns the state into virsh commands: autostart first, stops last', () => {
    expect(
      stateCommands({ inactiveNetworks: ['old-lan'], autostartNetworks: ['default'], autostartDomains: ['web01'] }),
    ).toBe('net-autostart default; autostart web01; net-destroy old-lan;');
  });

  it('is empty without state', () => {
    expect(stateCommands(undefined)).toBe('');
    expect(stateCommands({})).toBe('');
  });

  it('refuses a name that could break out of the command string', () => {
    expect(() => stateCommands({ inactiveNetworks: ['x; net-undefine default'] })).toThrow(/not a plain name/);
  });
});

describe('virshWrapperScript', () => {
  // Given the wrapper pointed at a fake "real virsh" that prints each argument on its own line
  let dir: string;
  let wrapper: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kna-t-wrapper-'));
    const fake = join(dir, 'virsh.real');
    await writeFile(fake, '#!/bin/sh\nfor a do printf "[%s]\\n" "$a"; done\n');
    await chmod(fake, 0o755);
    wrapper = join(dir, 'virsh');
    await writeFile(wrapper, virshWrapperScript(fake, 'net-destroy old;'));
    await chmod(wrapper, 0o755);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const call = async (...args: string[]) => (await execFileAsync(wrapper, args)).stdout.trim().split('\n');

  it('puts the state before a command given as words, quoted, and drops -r', async () => {
    expect(await call('-q', '-r', '-c', 'test:///n.xml', 'net-list', '--all', '--uuid')).toEqual([
      '[-q]',
      '[-c]',
      '[test:///n.xml]',
      "[net-destroy old; 'net-list' '--all' '--uuid']",
    ]);
  });

  it('puts the state before a command string, which stays as it is', async () => {
    expect(await call('-q', '-r', '-c', 'test:///n.xml', 'net-info U1; net-dumpxml U1;')).toEqual([
      '[-q]',
      '[-c]',
      '[test:///n.xml]',
      '[net-destroy old; net-info U1; net-dumpxml U1;]',
    ]);
  });

  it('keeps a URI that looks like an option, and --connect=URI', async () => {
    expect(await call('--connect=test:///n.xml', '-r', 'version')).toEqual(['[--connect=test:///n.xml]', '[net-destroy old; version]']);
  });

  it('passes a call whose arguments hold a quote through unchanged', async () => {
    expect(await call('-r', 'dumpxml', "it's")).toEqual(['[-r]', '[dumpxml]', "[it's]"]);
  });
});
