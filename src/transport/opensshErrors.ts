/**
 * Why OpenSSH's `ssh` failed, read from what it printed. ssh exits 255 on its own errors and says why only on
 * stderr, so unlike ssh2 (STYLE: map `err.level`, not messages) the text is all there is. The patterns below are
 * the messages of OpenSSH 9.2's client (test/unit/transport/opensshErrors.test.ts holds real captures), matched
 * in order of how much they tell: a hop's "Permission denied" outranks the "Connection closed" that follows it.
 */
import { TransportError, type ErrorKind } from '../model.js';

/** ssh's exit status for its own errors (a remote command's status is passed through otherwise). */
export const SSH_FAILURE_EXIT = 255;

/** The most an error message quotes of ssh's stderr. */
const MAX_MESSAGE_CHARS = 300;

interface FailureRule {
  kind: ErrorKind;
  /** Lines that decide the kind. */
  triggers: readonly RegExp[];
  /** Lines that do not decide it but are worth quoting beside a trigger (which file, which key). */
  details?: readonly RegExp[];
  /** How the message starts, after which the quoted lines follow. */
  prefix: (where: string) => string;
}

/** First match wins: the kinds that say most about what to fix come first. */
const RULES: readonly FailureRule[] = [
  {
    kind: 'config',
    triggers: [
      /Bad configuration option/i,
      /terminating, \d+ bad configuration options?/i,
      /Can't open user config file/i,
      /Bad owner or permissions on/i,
      /line \d+: (invalid quotes|Unsupported option|Missing argument)/i,
      // ssh_config's RemoteCommand beside a command line's command. Our ssh says RemoteCommand=none, but an ssh that
      // the operator's ProxyCommand runs with a command of its own can still fail so (its stderr is ours).
      /Cannot execute command-line and remote command/i,
    ],
    prefix: (where) => `ssh cannot use its configuration for ${where}`,
  },
  {
    kind: 'hostkey',
    triggers: [
      /Host key verification failed/i,
      /REMOTE HOST IDENTIFICATION HAS CHANGED/i,
      /No \S+ host key is known for/i,
      /host key for .* has changed/i,
      /REVOKED HOST KEY|host key .* (is marked as|was) revoked/i,
    ],
    details: [/Offending \S+ key in/i],
    prefix: (where) => `ssh refused the host key of ${where}`,
  },
  {
    kind: 'auth',
    triggers: [/Permission denied \(/i, /Too many authentication failures/i],
    details: [/Identity file .* not accessible/i, /^Load key /i],
    prefix: (where) => `authentication failed for ${where}`,
  },
  {
    kind: 'timeout',
    triggers: [/\btimed out\b/i, /Timeout, server .* not responding/i],
    prefix: (where) => `no SSH session with ${where}`,
  },
  {
    kind: 'unreachable',
    triggers: [
      /Connection refused/i,
      /No route to host/i,
      /Could not resolve hostname/i,
      /Network is unreachable/i,
      /Host is down/i,
      /Connection closed by/i,
      /Connection to .* closed by remote host/i,
      /kex_exchange_identification/i,
      /Connection reset/i,
      /stdio forwarding failed/i, // a jump host could not reach the host (`-W`)
    ],
    prefix: (where) => `cannot connect to ${where}`,
  },
];

/** A line that only repeats what a more specific line beside it already says. */
const GENERIC_LINE = /^Host key verification failed\.?$/i;

/**
 * The TransportError for an ssh run that failed before the probe started, or null when `code` is not ssh's own
 * failure status. The caller decides "before the probe started" (exit 255 with no stdout): a probe that ran
 * and itself exited 255 prints its framing first.
 * @param where how the message names the destination, e.g. `audit@10.0.0.5:22 via jump host bastion`
 * @example
 *   openSshFailure('audit@10.0.0.5: Permission denied (publickey).\n', 255, 'audit@10.0.0.5:22')
 *   // TransportError auth: 'authentication failed for audit@10.0.0.5:22: audit@10.0.0.5: Permission denied (publickey).'
 */
export function openSshFailure(stderr: string, code: number | null, where = 'the host'): TransportError | null {
  if (code !== SSH_FAILURE_EXIT) return null;
  const lines = stderrLines(stderr);
  for (const rule of RULES) {
    if (!lines.some((line) => rule.triggers.some((pattern) => pattern.test(line)))) continue;
    const telling = [...rule.triggers, ...(rule.details ?? [])];
    let quoted = lines.filter((line) => telling.some((pattern) => pattern.test(line)));
    if (quoted.length > 1) quoted = quoted.filter((line) => !GENERIC_LINE.test(line));
    return new TransportError(rule.kind, `${rule.prefix(where)}: ${bounded(quoted.join(' '))}`);
  }
  // ssh failed in a way it did not explain in words we know: it still gave us no session.
  const said = lines.length > 0 ? bounded(lines.slice(-3).join(' ')) : 'ssh exited with status 255 and printed nothing';
  return new TransportError('unreachable', `ssh could not open a session with ${where}: ${said}`);
}

/** ssh's stderr as trimmed, non-empty lines, without the `@@@@` frame of its warnings. */
function stderrLines(stderr: string): string[] {
  return stderr
    .split(/\r?\n/)
    .map((line) => line.replace(/^@+\s*/, '').replace(/\s*@+$/, '').trim())
    .filter((line) => line.length > 0);
}

function bounded(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…` : text;
}
