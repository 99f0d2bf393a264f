/**
 * Shell-style name globs, as users know them from their shell: `*` matches any run of characters (newlines
 * included), `?` exactly one UTF-16 code unit, `[a-z0-9]` one character of a class (`[!…]` or `[^…]` negated,
 * a `]` first is literal), and `{a,b}` any of its comma-separated alternatives (nested braces too). Everything
 * else is literal, case matters unless asked otherwise, and the whole name must match. Used by `--limit`, policy
 * selectors and waivers, the live table's filter and the classifier's `uplinkInterfaces`.
 *
 * Why hand-written: names come from hosts (interface names, VM names) and can be thousands of characters long.
 * A glob compiled to a regex (`*` → `.*`, which is what picomatch and minimatch do) backtracks catastrophically:
 * picomatch 4 takes 1.5 s for `*-*-*-prod` against a 4,000-character name and does not finish `*-*-*-*-*-prod`.
 * Here braces are expanded first (a bounded number of plain globs), then each is matched by the classic
 * iterative wildcard algorithm: every atom matches exactly one character, so on a mismatch only the latest `*`
 * is retried, and the work is at most (glob length × name length) per alternative, whatever the name holds.
 */

/** A glob's brace expansion may give at most this many plain globs: `{a,b}{c,d}…` multiplies. */
export const MAX_BRACE_EXPANSIONS = 256;

/** A glob that cannot be read: an expansion past the limit. */
export class GlobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GlobError';
  }
}

/** One character of a glob without braces: a literal, `?`, a class, or the `*` between them. */
type Atom =
  | { kind: 'star' }
  | { kind: 'any' }
  | { kind: 'char'; code: number }
  | { kind: 'class'; ranges: readonly (readonly [number, number])[]; negated: boolean };

/** A compiled glob: `test` as a RegExp's, so it drops in where one was used. */
export interface Glob {
  test(name: string): boolean;
}

export interface GlobOptions {
  /** Letters match whatever their case (the live table's filter). */
  ignoreCase?: boolean;
}

/**
 * Compile `glob`.
 * @throws GlobError when its braces expand to more than MAX_BRACE_EXPANSIONS globs.
 * @example compileGlob('ens{1,2}f[0-3]').test('ens2f3') // true
 */
export function compileGlob(glob: string, options: GlobOptions = {}): Glob {
  const ignoreCase = options.ignoreCase ?? false;
  const alternatives = expandBraces(glob).map((plain) => parseAtoms(ignoreCase ? plain.toLowerCase() : plain));
  return {
    test(name: string): boolean {
      const subject = ignoreCase ? name.toLowerCase() : name;
      return alternatives.some((atoms) => matchAtoms(atoms, subject, ignoreCase));
    },
  };
}

/**
 * True when `name` matches `glob` as a whole.
 * @example matchesGlob('hv-*-prod', 'hv-db-prod') // true
 */
export function matchesGlob(glob: string, name: string): boolean {
  return compileGlob(glob).test(name);
}

/** Why `glob` cannot be used (too many brace expansions), or null when it can: for schemas to refuse it early. */
export function globProblem(glob: string): string | null {
  try {
    expandBraces(glob);
    return null;
  } catch (error) {
    if (error instanceof GlobError) return error.message;
    throw error;
  }
}

/** Compile several globs into one predicate (any of them matches). Empty globs match nothing. */
export function compileGlobs(globs: readonly string[]): (name: string) => boolean {
  const compiled = globs.filter((glob) => glob.length > 0).map((glob) => compileGlob(glob));
  return (name) => compiled.some((glob) => glob.test(name));
}

/**
 * Split a list of globs at the separators that are not inside `{…}` or `[…]` (`eno[1,2],bond{0,1}` is two globs).
 * @param separators the characters that separate: `,` by default; `--limit` also takes Ansible's `:`
 * @example splitPatternList('a,{b,c},d') // ['a', '{b,c}', 'd']
 */
export function splitPatternList(text: string, separators = ','): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '{' || char === '[') depth++;
    else if ((char === '}' || char === ']') && depth > 0) depth--;
    else if (separators.includes(char) && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/**
 * The plain globs `glob`'s braces stand for, in order. A `{` without a matching `}` or without a comma at its
 * level is literal, as in bash (`{x}` is `{x}`).
 * @throws GlobError past MAX_BRACE_EXPANSIONS.
 */
export function expandBraces(glob: string): string[] {
  const open = findBraceGroup(glob);
  if (open === null) return [glob];
  const { start, end, commas } = open;
  const prefix = glob.slice(0, start);
  const suffix = glob.slice(end + 1);
  const options: string[] = [];
  let from = start + 1;
  for (const comma of [...commas, end]) {
    options.push(glob.slice(from, comma));
    from = comma + 1;
  }
  const results: string[] = [];
  for (const option of options) {
    // The suffix may hold further groups; the option may hold nested ones: expanding the joined text does both.
    for (const expanded of expandBraces(prefix + option + suffix)) {
      results.push(expanded);
      if (results.length > MAX_BRACE_EXPANSIONS) {
        throw new GlobError(`"${glob}" expands to more than ${MAX_BRACE_EXPANSIONS} patterns: write fewer {…,…} alternatives`);
      }
    }
  }
  return results;
}

/** The first `{…}` group with a comma at its own level: where it starts and ends, and its commas. */
function findBraceGroup(glob: string): { start: number; end: number; commas: number[] } | null {
  for (let start = glob.indexOf('{'); start !== -1; start = glob.indexOf('{', start + 1)) {
    let depth = 0;
    const commas: number[] = [];
    for (let i = start; i < glob.length; i++) {
      const char = glob[i];
      if (char === '{') depth++;
      else if (char === '}') {
        depth--;
        if (depth === 0) {
          if (commas.length > 0) return { start, end: i, commas };
          break;
        }
      } else if (char === ',' && depth === 1) commas.push(i);
    }
  }
  return null;
}

/** Read a glob without braces into atoms. An unterminated `[` is a literal `[`. */
function parseAtoms(glob: string): Atom[] {
  const atoms: Atom[] = [];
  for (let i = 0; i < glob.length; i++) {
    const code = glob.charCodeAt(i);
    if (code === 0x2a /* * */) {
      if (atoms[atoms.length - 1]?.kind !== 'star') atoms.push({ kind: 'star' }); // `**` is one `*`
    } else if (code === 0x3f /* ? */) {
      atoms.push({ kind: 'any' });
    } else if (code === 0x5b /* [ */) {
      const parsed = parseClass(glob, i);
      if (parsed === null) atoms.push({ kind: 'char', code });
      else {
        atoms.push(parsed.atom);
        i = parsed.end;
      }
    } else {
      atoms.push({ kind: 'char', code });
    }
  }
  return atoms;
}

/** A `[…]` class starting at `start`: its atom and the index of its `]`; null when it never closes. */
function parseClass(glob: string, start: number): { atom: Atom; end: number } | null {
  let i = start + 1;
  const negated = glob[i] === '!' || glob[i] === '^';
  if (negated) i++;
  const ranges: [number, number][] = [];
  // A `]` right after `[` or `[!` is a member, not the end.
  for (let first = true; i < glob.length; first = false) {
    const code = glob.charCodeAt(i);
    if (code === 0x5d /* ] */ && !first) return { atom: { kind: 'class', ranges, negated }, end: i };
    if (glob[i + 1] === '-' && i + 2 < glob.length && glob[i + 2] !== ']') {
      const high = glob.charCodeAt(i + 2);
      ranges.push(code <= high ? [code, high] : [high, code]);
      i += 3;
    } else {
      ranges.push([code, code]);
      i += 1;
    }
  }
  return null;
}

function atomMatches(atom: Exclude<Atom, { kind: 'star' }>, code: number, ignoreCase: boolean): boolean {
  switch (atom.kind) {
    case 'any':
      return true;
    case 'char':
      return atom.code === code;
    case 'class': {
      const inRange = (c: number) => atom.ranges.some(([low, high]) => c >= low && c <= high);
      // The name is lower-cased already; `[A-Z]` must still take it when case does not matter.
      const member = inRange(code) || (ignoreCase && inRange(String.fromCharCode(code).toUpperCase().charCodeAt(0)));
      return member !== atom.negated;
    }
  }
}

/**
 * The iterative wildcard match: on a mismatch after a `*`, that `*` swallows one more character and what follows
 * it is retried. Earlier stars never need revisiting (the latest one can absorb anything they could have), and
 * every other atom is one character, so the work is bounded by atoms × characters.
 */
function matchAtoms(atoms: readonly Atom[], name: string, ignoreCase: boolean): boolean {
  let a = 0;
  let n = 0;
  let star = -1;
  let starName = 0;
  while (n < name.length) {
    const atom = atoms[a];
    if (atom?.kind === 'star') {
      star = a++;
      starName = n;
    } else if (atom !== undefined && atomMatches(atom, name.charCodeAt(n), ignoreCase)) {
      a++;
      n++;
    } else if (star !== -1) {
      a = star + 1;
      n = ++starName;
    } else {
      return false;
    }
  }
  while (atoms[a]?.kind === 'star') a++;
  return a === atoms.length;
}
