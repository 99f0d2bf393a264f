/** `--shard K/N` on audit and demo, and the `merge` command, as the argument parser takes them (docs/cli.md). */
import { describe, expect, it } from 'vitest';
import { COMMAND_USAGE, parseCommandLine, parseShard, USAGE, UsageError } from '../../src/cliArgs.js';

const parse = (argv: string[]) => parseCommandLine(argv, {}, false);

function usageError(argv: string[]): string {
  try {
    parse(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('--shard with --report json:PATH', () => {
  it('takes the report.json a --report json:PATH writes as what merge will read', () => {
    const command = parseCommandLine(['-i', 'x', '--shard', '1/2', '--format', 'md', '--report', 'json:shard-1.json'], {}, false);
    expect(command).toMatchObject({ name: 'audit', options: { shard: { index: 1, count: 2 }, reportTargets: [{ format: 'json', path: 'shard-1.json' }] } });
  });
});

describe('--shard K/N', () => {
  it('takes slice K of N on audit and demo, K from 1 as in Jest and Playwright', () => {
    expect(parse(['-i', 'inv.yaml', '--shard', '2/3'])).toMatchObject({ name: 'audit', options: { shard: { index: 2, count: 3 } } });
    expect(parse(['audit', '-i', 'inv.yaml', '--shard=1/1'])).toMatchObject({ options: { shard: { index: 1, count: 1 } } });
    expect(parse(['demo', '--shard', '10000/10000'])).toMatchObject({ name: 'demo', options: { shard: { index: 10_000, count: 10_000 } } });
    expect(parse(['-i', 'inv.yaml'])).toMatchObject({ options: { shard: null } });
  });

  it.each([
    ['0/3', 'K counts from 1'],
    ['4/3', 'there is no slice 4 of 3'],
    ['1/0', 'at least 1'],
    ['0/0', 'at least 1'],
    ['1/10001', 'at most 10000 slices'],
    ['1/99999999', 'expected K/N'],
    ['a/b', 'expected K/N'],
    ['2', 'expected K/N'],
    ['-1/3', 'expected K/N'],
    ['1.5/3', 'expected K/N'],
    [' 1/3', 'expected K/N'],
    ['1/3/3', 'expected K/N'],
    ['', 'expected K/N'],
  ])('refuses "%s" with a message that says what is wrong (%s), exit 64', (text, why) => {
    const message = usageError(['-i', 'inv.yaml', `--shard=${text}`]);
    expect(message).toContain(why);
    expect(message).toContain('--shard');
    expect(() => parseShard(text)).toThrow(UsageError);
  });

  it('refuses what would leave merge without a report.json to read, and a baseline that would call the other shards removed', () => {
    expect(parse(['demo', '--shard', '1/2', '--json', '-'])).toMatchObject({ options: { json: '-' } });
    expect(usageError(['demo', '--shard', '1/2', '--format', 'md'])).toContain('keep json in --format');
    expect(parse(['demo', '--shard', '1/2', '--format', 'md', '--json', 'shard.json'])).toMatchObject({ options: { json: 'shard.json' } });
    expect(usageError(['demo', '--shard', '1/2', '--baseline', 'old.json'])).toContain('give --baseline to merge instead');
  });

  it('is in the usage of audit and of the overview', () => {
    expect(COMMAND_USAGE.audit).toContain('--shard K/N');
    expect(USAGE).toContain('--shard K/N');
    expect(USAGE).toContain('kvm-netaudit merge');
  });
});

describe('merge', () => {
  it('takes the shard reports and the report options audit takes', () => {
    expect(
      parse(['merge', 'a/report.json', 'b/report.json', '-o', 'out', '--format', 'json,md,junit', '--policy', 'p.yaml', '--fail-on', 'high', '--json', '-']),
    ).toEqual({
      name: 'merge',
      options: {
        reports: ['a/report.json', 'b/report.json'],
        out: 'out',
        formats: ['json', 'md', 'junit'],
        reportTargets: [],
        json: '-',
        policies: ['p.yaml'],
        failOn: 'high',
        baseline: null,
      },
    });
    expect(parse(['merge', 'a.json'])).toMatchObject({ options: { reports: ['a.json'], out: null, formats: ['json', 'md'], policies: [] } });
  });

  it('refuses no reports, unknown options, and what audit refuses too', () => {
    expect(usageError(['merge'])).toContain('merge needs the shard reports');
    expect(usageError(['merge', 'a.json', '--shard', '1/2'])).toContain("Unknown option '--shard'");
    expect(usageError(['merge', 'a.json', '--fail-on', 'high'])).toContain('--fail-on needs --policy');
    expect(usageError(['merge', 'a.json', '--format', 'junit'])).toContain('--format junit needs --policy');
    expect(usageError(['merge', 'a.json', '--fromat', 'md'])).toContain('did you mean --format?');
  });

  it('has its own usage: merge --help and help merge', () => {
    expect(parse(['merge', '--help'])).toEqual({ name: 'help', topic: 'merge' });
    expect(parse(['help', 'merge'])).toEqual({ name: 'help', topic: 'merge' });
    expect(COMMAND_USAGE.merge).toMatch(/^Usage: kvm-netaudit merge SHARD\.json…/);
  });
});
