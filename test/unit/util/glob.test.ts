import { describe, expect, it } from 'vitest';
import { compileGlobs, globToRegExp, matchesGlob } from '../../../src/util/glob.js';

/** The semantics as first written (`*` → `.*`, `?` → `.`): the reference, on inputs small enough for it. */
function naiveRegExp(glob: string): RegExp {
  let source = '';
  for (const char of glob) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[\\^$.|+()[\]{}*?/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/** Both forms of the matcher, so every case below checks the two. */
function bothMatch(glob: string, name: string): boolean {
  const matched = matchesGlob(glob, name);
  expect(globToRegExp(glob).test(name), `globToRegExp(${JSON.stringify(glob)}) on ${JSON.stringify(name)}`).toBe(matched);
  return matched;
}

describe('matchesGlob and globToRegExp', () => {
  it.each([
    // [glob, name, matches]
    ['eno1', 'eno1', true],
    ['eno1', 'eno12', false],
    ['eno1', 'xeno1', false],
    ['eno1', 'ENO1', false],
    ['*', '', true],
    ['*', 'anything at all', true],
    ['eno*', 'eno', true],
    ['eno*', 'eno1', true],
    ['eno*', 'ens1', false],
    ['*-prod', 'hv-db-prod', true],
    ['*-prod', 'hv-db-prod2', false],
    ['up?', 'up1', true],
    ['up?', 'up', false],
    ['up?', 'up12', false],
    ['?', '', false],
    ['??', 'ab', true],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXcYb', false],
    ['a*b*c', 'abcbc', true],
    ['a**b', 'ab', true],
    ['*a?c*', 'zzabcab', true],
    ['h*v*', 'hxxv', true],
    ['', '', true],
    ['', 'x', false],
    // Regex syntax is literal.
    ['x.*', 'x.y', true],
    ['x.*', 'xay', false],
    ['a+b', 'a+b', true],
    ['a+b', 'aab', false],
    ['(a|b)', '(a|b)', true],
    ['(a|b)', 'a', false],
    ['[ab]', '[ab]', true],
    ['[ab]', 'a', false],
    ['^a$', '^a$', true],
    ['a{2}', 'aa', false],
    ['\\d', '\\d', true],
    ['\\d', '1', false],
    ['br-/x', 'br-/x', true],
    // `*` and `?` cross newlines and slashes: a name is one name whatever it contains.
    ['a*b', 'a\nx/y\nb', true],
    ['a?b', 'a\nb', true],
    // `?` is one UTF-16 code unit, as with the original regex (no `u` flag).
    ['?', '😀', false],
    ['??', '😀', true],
    ['😀*', '😀x', true],
  ])('%j against %j → %s', (glob, name, expected) => {
    expect(bothMatch(glob, name)).toBe(expected);
    expect(naiveRegExp(glob).test(name)).toBe(expected);
  });

  it('agrees with the original regex on every short glob and name over a small alphabet', () => {
    // Given every glob of up to 4 symbols over {a, b, *, ?} and every name of up to 5 letters over {a, b}
    const words = (alphabet: string[], max: number): string[] => {
      const all = [''];
      for (let start = 0; all[start] !== undefined && all[start]!.length < max; start++) {
        for (const letter of alphabet) all.push(all[start] + letter);
      }
      return all;
    };
    const globs = words(['a', 'b', '*', '?'], 4);
    const names = words(['a', 'b'], 5);
    // When / Then: the new matchers say what the original regex says
    const disagreements: string[] = [];
    for (const glob of globs) {
      const reference = naiveRegExp(glob);
      const compiled = globToRegExp(glob);
      for (const name of names) {
        const expected = reference.test(name);
        if (matchesGlob(glob, name) !== expected || compiled.test(name) !== expected) disagreements.push(`${glob} ~ ${name}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('keeps working when a caller rebuilds the regex with other flags (as the row filter does with `is`)', () => {
    const pattern = new RegExp(globToRegExp('WEB-*-?1').source, 'is');
    expect([pattern.test('web-a\nb-x1'), pattern.test('web-x1'), pattern.test('web-ab-x2')]).toEqual([true, false, false]);
  });
});

describe('globs against hostile names', () => {
  // These finish in microseconds now; the regex first used here took 14 s and forever. The explicit
  // timeouts make a regression fail instead of stalling the suite.
  it('answers `*-*-*-prod` against a 4,000-character name promptly', { timeout: 2_000 }, () => {
    const name = '-'.repeat(4_000);
    expect(bothMatch('*-*-*-prod', name)).toBe(false);
    expect(bothMatch('*-*-*-prod', `${name}prod`)).toBe(true);
  });

  it('answers `*a*a*a*a*a*b` against 5,000 `a`s promptly', { timeout: 2_000 }, () => {
    const name = 'a'.repeat(5_000);
    expect(bothMatch('*a*a*a*a*a*b', name)).toBe(false);
    expect(bothMatch('*a*a*a*a*a*b', `${name}b`)).toBe(true);
  });

  it('answers many stars and question marks against a long name promptly', { timeout: 2_000 }, () => {
    const glob = `${'*?'.repeat(40)}x`;
    const name = 'y'.repeat(20_000);
    expect(bothMatch(glob, name)).toBe(false);
  });
});

describe('compileGlobs', () => {
  it('matches when any glob matches, and ignores empty globs', () => {
    // Given two globs and an empty one
    const matches = compileGlobs(['eno*', '', 'bond?']);
    // Then
    expect([matches('eno1'), matches('bond0'), matches('bond10'), matches('')]).toEqual([true, true, false, false]);
    expect(compileGlobs([])('anything')).toBe(false);
    expect(compileGlobs([''])('')).toBe(false);
  });
});
