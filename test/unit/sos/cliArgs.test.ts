/** `--from-sos PATH…` on the command line (src/cliArgs.ts). */
import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../../../src/cliArgs.js';

const parse = (argv: string[]) => parseCommandLine(argv, {}, false);
const fromSos = (argv: string[]) => {
  const command = parse(argv);
  if (command.name !== 'audit') throw new Error(`not an audit: ${command.name}`);
  return command.options.fromSos;
};

describe('--from-sos', () => {
  it('takes the reports given with it, repeated, and the words after audit (a shell glob)', () => {
    expect(fromSos(['audit', '--from-sos', 'a.tar.xz'])).toEqual(['a.tar.xz']);
    expect(fromSos(['audit', '--from-sos', 'a.tar.xz', 'b.tar.xz', 'dir/c'])).toEqual(['a.tar.xz', 'b.tar.xz', 'dir/c']);
    expect(fromSos(['audit', '--from-sos', 'a', '--from-sos', 'b', '--no-tui'])).toEqual(['a', 'b']);
    expect(fromSos(['--from-sos', 'a'])).toEqual(['a']);
  });

  it('is absent when not given', () => {
    expect(fromSos(['audit', 'hv01'])).toBeUndefined();
  });

  it.each([
    [['-i', 'inv.yaml'], '-i'],
    [['-H', 'hv01'], 'hosts'],
    [['--local'], '--local'],
    [['--replay', 'dir'], '--replay'],
    [['--libvirt-uri', 'test:///default'], '--libvirt-uri'],
    [['--sudo'], '--sudo'],
  ])('is refused with %j: it audits the reports and only them', (extra, named) => {
    expect(() => parse(['audit', '--from-sos', 'a', ...extra])).toThrow(UsageError);
    expect(() => parse(['audit', '--from-sos', 'a', ...extra])).toThrow(`leave out ${named}`);
  });

  it('is not a demo option', () => {
    expect(() => parse(['demo', '--from-sos', 'a'])).toThrow(UsageError);
  });
});
