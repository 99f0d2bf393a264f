/**
 * Shell-style name globs: `*` matches any run of characters, `?` exactly one; everything else is
 * literal and the whole name must match. Used by `--limit` and by the classifier for `uplinkInterfaces`.
 */

/** Compile a glob into an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const char of glob) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[\\^$.|+()[\]{}*?/-]/g, '\\$&');
  }
  // `s`: a name with a newline in it is still one name.
  return new RegExp(`^${source}$`, 's');
}

/** True when `name` matches `glob` as a whole. */
export function matchesGlob(glob: string, name: string): boolean {
  return globToRegExp(glob).test(name);
}

/** Compile several globs into one predicate (any of them matches). Empty globs match nothing. */
export function compileGlobs(globs: readonly string[]): (name: string) => boolean {
  const patterns = globs.filter((glob) => glob.length > 0).map(globToRegExp);
  return (name) => patterns.some((pattern) => pattern.test(name));
}
