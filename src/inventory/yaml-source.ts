/**
 * YAML text → plain data, keeping enough of the document to say on which line any key path sits,
 * so every inventory error can name `file:line`.
 */
import { Alias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

/** One step of a key path: a map key or a list index. */
export type PathSegment = string | number;

/** A YAML document parsed for validation. */
export interface YamlSource {
  /** The document as plain JS data (null for an empty document). */
  data: unknown;
  /** Syntax errors, each with its 1-based line. Data is unreliable when there are any. */
  syntaxErrors: { line: number; message: string }[];
  /**
   * The 1-based line of the node at `path` — of its key when `focus` is `key` (an unknown key), of
   * its value otherwise. A path that does not exist (a missing key) gives its nearest existing ancestor,
   * and a path into an alias (`*name`) the alias's line.
   */
  lineOf(path: readonly PathSegment[], focus?: 'key' | 'value'): number;
}

/** Parse one YAML document (several `---` documents are a syntax error). */
export function parseYamlSource(text: string): YamlSource {
  const lineCounter = new LineCounter();
  // prettyErrors off: we format errors ourselves, one line each, with the LineCounter's line.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;

  const syntaxErrors = doc.errors.map((error) => ({
    line: lineAt(error.pos[0]),
    message: firstLine(error.message),
  }));
  let data: unknown = null;
  if (syntaxErrors.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      // e.g. an alias bomb over maxAliasCount.
      syntaxErrors.push({ line: 1, message: firstLine(error instanceof Error ? error.message : String(error)) });
    }
  }

  return {
    data,
    syntaxErrors,
    lineOf: (path, focus = 'value') => {
      const offset = offsetOf(doc, path, focus);
      return offset === null ? 1 : lineAt(offset);
    },
  };
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0]?.trim() ?? message;
}

/** Walk the document along `path`, remembering the deepest position found. */
function offsetOf(doc: Document, path: readonly PathSegment[], focus: 'key' | 'value'): number | null {
  let node: unknown = doc.contents;
  let best = startOf(node);
  for (const [index, segment] of path.entries()) {
    // Inside an alias the text lives at the anchor; the alias's own line says where this entry is.
    if (node instanceof Alias) return best;
    const isLast = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) return best;
      if (isLast && focus === 'key') return startOf(pair.key) ?? best;
      node = pair.value;
      // `key:` with no value has no value node: the key's line is the right answer then.
      best = startOf(node) ?? startOf(pair.key) ?? best;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (node === undefined) return best;
      best = startOf(node) ?? best;
    } else {
      return best;
    }
  }
  return best;
}

function startOf(node: unknown): number | null {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : null;
}
