/**
 * The probe's `tools` section (`virsh /usr/bin/virsh`, `brctl -`, …) and the reading of virsh's stderr.
 */
import { ParseError } from './errors.js';

/**
 * Parse the tools section: tool name → its path, or null when the host lacks it.
 * @throws ParseError on a line that is not `NAME PATH` or `NAME -`.
 */
export function parseToolList(text: string): Map<string, string | null> {
  const tools = new Map<string, string | null>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    // `command -v` prints an absolute path for a program; the probe prints `-` when there is none.
    const m = /^(\S+) (-|\/.*)$/.exec(line.trim());
    if (!m) throw new ParseError(`not a tool line: ${JSON.stringify(line.slice(0, 80))}`);
    tools.set(m[1]!, m[2] === '-' ? null : m[2]!);
  }
  return tools;
}

const CONNECT_FAILED = /^error: failed to connect to the hypervisor\s*$/i;

/**
 * The line of a failed command's output that says why. virsh prints `error: failed to connect to the
 * hypervisor` and the cause on the next `error:` line: the cause is preferred. Lines before the first
 * `error:` (libxml2 warnings, …) are passed over; without any `error:` line, the first non-empty line.
 * The `error: ` prefix is dropped. Null for empty output.
 */
export function errorCause(output: string): string | null {
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const errors = lines.filter((l) => /^error:/i.test(l));
  const cause = errors.find((l) => !CONNECT_FAILED.test(l)) ?? errors[0] ?? lines[0];
  return cause === undefined ? null : cause.replace(/^error:\s*/i, '');
}
