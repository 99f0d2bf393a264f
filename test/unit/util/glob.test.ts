import { describe, expect, it } from 'vitest';
import { compileGlob, compileGlobs, expandBraces, globProblem, matchesGlob, MAX_BRACE_EXPANSIONS, splitPatternList } from '../../../src/util/glob.js';

/**
 * The semantics as a plain regex (`*` → `.*`, `?` → `.`, `[!…]` → `[^…]`): the reference, on inputs small enough
 * for its backtracking. No braces: those are checked against written-out expansions below.
 */
function naiveRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    const close = char === '[' ? glob.indexOf(']', i + 2) : -1;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (close !== -1) {
      const body = glob.slice(i + 1, close);
      source += body.startsWith('!') ? `[^${body.slice(1)}]` : `[${body}]`;
      i = close;
    } else source += char.replace(/[\\^$.|+()[\]{}*?/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

describe('matchesGlob', () => {
  it.each([
    // [glob, name, matches]
    ['eno1', 'eno1', true],
    ['eno1', 'eno12', false],
    ['eno1', 'xeno1', false],
    ['eno1', 'ENO1', false],
    ['*', '', true],
    ['*', 'anything at all', true],
    ['eno*', 'eno', true],
    ['eno*', 'ens1', false],
    ['*-prod', 'hv-db-prod', true],
    ['*-prod', 'hv-db-prod2', false],
    ['up?', 'up1', true],
    ['up?', 'up', false],
    ['a*b*c', 'aXcYb', false],
    ['a*b*c', 'abcbc', true],
    ['a**b', 'ab', true],
    ['', '', true],
    ['', 'x', false],
    // Classes, as in a shell: one character of the set or range, `!` or `^` negates, `]` first is a member.
    ['eth[0-3]', 'eth2', true],
    ['eth[0-3]', 'eth4', false],
    ['eth[0-3]', 'eth', false],
    ['eth[0-3]', 'eth12', false],
    ['bond[!0]', 'bond1', true],
    ['bond[!0]', 'bond0', false],
    ['bond[^0]', 'bond0', false],
    ['x[]]', 'x]', true],
    ['x[!]]', 'x]', false],
    ['[a-cx]*', 'b-port', true],
    ['[a-cx]*', 'd-port', false],
    // An unterminated `[` is literal; regex syntax is literal.
    ['[ab', '[ab', true],
    ['x.*', 'x.y', true],
    ['x.*', 'xay', false],
    ['a+b', 'aab', false],
    ['(a|b)', '(a|b)', true],
    ['\\d', '\\d', true],
    // Braces: any alternative, nested, several groups; a group without a comma is literal.
    ['ens{1,2}f0', 'ens1f0', true],
    ['ens{1,2}f0', 'ens2f0', true],
    ['ens{1,2}f0', 'ens3f0', false],
    ['{eno,ens}*', 'ens1', true],
    ['{a,b{c,d}}x', 'bdx', true],
    ['{a,b}{c,d}', 'bc', true],
    ['{a,b}{c,d}', 'ab', false],
    ['{x}', '{x}', true],
    ['{x}', 'x', false],
    ['a{,b}', 'a', true],
    ['{a,b', '{a,b', true],
    // `*` and `?` cross newlines and slashes: a name is one name whatever it contains.
    ['a*b', 'a\nx/y\nb', true],
    ['a?b', 'a\nb', true],
    // `?` is one UTF-16 code unit.
    ['?', '😀', false],
    ['??', '😀', true],
  ])('%j against %j → %s', (glob, name, expected) => {
    expect(matchesGlob(glob, name)).toBe(expected);
  });

  it('agrees with the plain regex on every short glob and name over a small alphabet, classes included', () => {
    // Given every glob of up to 4 symbols over {a, b, *, ?, [ab], [!a]} and every name of up to 5 letters over {a, b, c}
    const words = (alphabet: string[], max: number): string[][] => {
      const all: string[][] = [[]];
      for (let start = 0; all[start] !== undefined && all[start]!.length < max; start++) {
        for (const symbol of alphabet) all.push([...all[start]!, symbol]);
      }
      return all;
    };
    const globs = words(['a', 'b', '*', '?', '[ab]', '[!a]'], 4).map((symbols) => symbols.join(''));
    const names = words(['a', 'b', 'c'], 5).map((letters) => letters.join(''));
    // When / Then: the matcher says what the regex says
    const disagreements: string[] = [];
    for (const glob of globs) {
      const reference = naiveRegExp(glob);
      const compiled = compileGlob(glob);
      for (const name of names) if (compiled.test(name) !== reference.test(name)) disagreements.push(`${glob} ~ ${name}`);
    }
    expect(disagreements).toEqual([]);
  });

  it('matches letters whatever their case when asked (the live table\'s filter)', () => {
    const glob = compileGlob('WEB-*-[A-C]{1,2}', { ignoreCase: true });
    expect([glob.test('web-a\nb-b2'), glob.test('WEB-x-c1'), glob.test('web-ab-d1')]).toEqual([true, true, false]);
  });
});

describe('braces', () => {
  it('expand in order, nested and several, as bash does', () => {
    expect(expandBraces('ens{1,2}f{0,1}')).toEqual(['ens1f0', 'ens1f1', 'ens2f0', 'ens2f1']);
    expect(expandBraces('{a,b{c,d}}x')).toEqual(['ax', 'bcx', 'bdx']);
    expect(expandBraces('plain')).toEqual(['plain']);
  });

  it(`refuse past ${MAX_BRACE_EXPANSIONS} expansions, saying so`, () => {
    const glob = '{a,b}'.repeat(9); // 512
    expect(globProblem(glob)).toMatch(/expands to more than 256 patterns/);
    expect(() => compileGlob(glob)).toThrow(/expands to more than 256/);
    expect(globProblem('{a,b}'.repeat(8))).toBeNull();
  });

  it('keep a comma-separated list of patterns whole inside braces', () => {
    expect(splitPatternList('prod,hv-{01,02},!lab')).toEqual(['prod', 'hv-{01,02}', '!lab']);
    expect(splitPatternList('a,b')).toEqual(['a', 'b']);
    expect(splitPatternList('x}y,z')).toEqual(['x}y', 'z']);
  });
});

describe('globs against hostile names (names come from hosts)', () => {
  // Finished in microseconds here; picomatch 4 takes 1.5 s for the first and does not finish the second, and the
  // regex this project first used never finished either. The timeouts make a regression fail, not stall the suite.
  const long = '-'.repeat(4_000);

  it('answers `*-*-*-prod` and `*-*-*-*-*-prod` against a 4,000-character name promptly', { timeout: 2_000 }, () => {
    expect(matchesGlob('*-*-*-prod', long)).toBe(false);
    expect(matchesGlob('*-*-*-*-*-prod', long)).toBe(false);
    expect(matchesGlob('*-*-*-*-*-prod', `${long}prod`)).toBe(true);
  });

  it('stays prompt with classes and braces in the worst place: every alternative fails at the very end', { timeout: 2_000 }, () => {
    const glob = `{${Array.from({ length: 16 }, (_, i) => `*-*-[a-z]*-*-*-prod${i}`).join(',')}}`;
    expect(matchesGlob(glob, `${'-a'.repeat(2_000)}prod`)).toBe(false);
  });

  it('answers `*a*a*a*a*a*b` against 5,000 `a`s, and many stars and question marks against 20,000 characters, promptly', { timeout: 2_000 }, () => {
    expect(matchesGlob('*a*a*a*a*a*b', 'a'.repeat(5_000))).toBe(false);
    expect(matchesGlob('*a*a*a*a*a*b', `${'a'.repeat(5_000)}b`)).toBe(true);
    expect(matchesGlob(`${'*?'.repeat(40)}x`, 'y'.repeat(20_000))).toBe(false);
  });
});

describe('compileGlobs', () => {
  it('matches when any glob matches, and ignores empty globs', () => {
    const matches = compileGlobs(['eno*', '', 'bond?', 'ens{1,2}f[0-1]']);
    expect([matches('eno1'), matches('bond0'), matches('bond10'), matches(''), matches('ens2f1'), matches('ens2f2')]).toEqual([true, true, false, false, true, false]);
    expect(compileGlobs([])('anything')).toBe(false);
    expect(compileGlobs([''])('')).toBe(false);
  });
});
