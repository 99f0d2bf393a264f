/**
 * "Did you mean …?" for every place a user can mistype a name: inventory and policy keys, commands, options.
 * Hand-written: a few lines of edit distance over lists of a dozen names do not need a dependency.
 */

/**
 * The known name closest to `typed`, when it is close enough to be the one meant: the same but for case, `-`
 * and `_` (`except_names` → `exceptNames`), or at most two edits away. The closest wins; ties go to the first.
 */
export function closestName(typed: string, known: readonly string[]): string | null {
  const word = normalise(typed);
  let best: { name: string; distance: number } | null = null;
  for (const name of known) {
    const candidate = normalise(name);
    if (Math.abs(candidate.length - word.length) > 2) continue;
    const distance = candidate === word ? 0 : editDistance(word, candidate);
    if (distance <= 2 && (best === null || distance < best.distance)) best = { name, distance };
  }
  return best?.name ?? null;
}

/** The message for a key that is not allowed where it stands. */
export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const suggestion = closestName(key, allowed);
  return suggestion ? `unknown key (did you mean ${suggestion}?)` : `unknown key (allowed here: ${allowed.join(', ')})`;
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
