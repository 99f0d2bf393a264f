/**
 * The one error the parsers throw: "this output is not what the command prints". parseCapture turns it
 * (and anything else a parser throws) into a `section-unparsed` warning, so it costs one section only.
 */
export class ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParseError';
  }
}
