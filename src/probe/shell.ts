/** Quoting for the POSIX sh the probe runs in. */

/** Quote a string for POSIX sh: single quotes, with embedded quotes closed and escaped. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
