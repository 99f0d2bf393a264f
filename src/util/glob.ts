/**
 * Shell-style name globs: `*` matches any run of characters (newlines included), `?` exactly one UTF-16
 * code unit; everything else is literal, case matters, and the whole name must match. Used by `--limit`,
 * policy selectors and the classifier's `uplinkInterfaces`.
 *
 * Why hand-written: names come from hosts (interface names, VM names) and can be thousands of characters
 * long. A glob compiled to a plain regex (`*` → `.*`, which is what picomatch and minimatch do too) backtracks
 * catastrophically: `*-*-*-prod` against a 4,000-character name took 14 s, and `*a*a*a*a*a*b` against
 * `a` × 5,000 never finished. The matcher below is the classic iterative wildcard algorithm, at worst
 * O(glob length × name length); `globToRegExp` builds a regex whose only backtracking is linear.
 */

const STAR = 0x2a; // '*'
const QUESTION = 0x3f; // '?'

/**
 * True when `name` matches `glob` as a whole.
 * @example matchesGlob('hv-*-prod', 'hv-db-prod') // true
 */
export function matchesGlob(glob: string, name: string): boolean {
  let g = 0;
  let n = 0;
  // Where the last `*` was met in the glob, and where in the name it was last retried from.
  let star = -1;
  let starName = 0;
  while (n < name.length) {
    const want = g < glob.length ? glob.charCodeAt(g) : -1;
    if (want === STAR) {
      star = g++;
      starName = n;
    } else if (want !== -1 && (want === QUESTION || want === name.charCodeAt(n))) {
      g++;
      n++;
    } else if (star !== -1) {
      // Mismatch after a `*`: let that `*` swallow one more character and retry what follows it. Earlier
      // stars never need revisiting: the latest one can absorb anything they could have.
      g = star + 1;
      n = ++starName;
    } else {
      return false;
    }
  }
  while (g < glob.length && glob.charCodeAt(g) === STAR) g++;
  return g === glob.length;
}

/** Compile several globs into one predicate (any of them matches). Empty globs match nothing. */
export function compileGlobs(globs: readonly string[]): (name: string) => boolean {
  const patterns = globs.filter((glob) => glob.length > 0);
  return (name) => patterns.some((glob) => matchesGlob(glob, name));
}

/**
 * The same match as an anchored regular expression, for callers that need a `RegExp` (or its `source`,
 * to add flags such as `i`). It never backtracks more than linearly: each piece between stars is found at
 * its earliest place inside a lookahead, which JavaScript never re-enters once it matched (an atomic
 * group), and consumed through a back-reference; only the `*` before the last piece backtracks.
 * Earliest placement is always right because every piece has a fixed length.
 * @example globToRegExp('a*b?c*d').source // '^a(?=([\\s\\S]*?b[\\s\\S]c))\\1[\\s\\S]*d$'
 */
export function globToRegExp(glob: string): RegExp {
  const pieces = glob.split('*');
  if (pieces.length === 1) return new RegExp(`^${pieceSource(glob)}$`);
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  let source = `^${pieceSource(first)}`;
  let group = 0;
  for (const piece of pieces.slice(1, -1)) {
    if (piece === '') continue; // `**` is one `*`
    group++;
    source += `(?=([\\s\\S]*?${pieceSource(piece)}))\\${group}`;
  }
  return new RegExp(`${source}[\\s\\S]*${pieceSource(last)}$`);
}

/** A piece of glob without `*`: `?` is any one code unit (`[\s\S]`, whatever the flags), the rest literal. */
function pieceSource(piece: string): string {
  let source = '';
  for (const char of piece) {
    source += char === '?' ? '[\\s\\S]' : char.replace(/[\\^$.|+()[\]{}*?/-]/g, '\\$&');
  }
  return source;
}
