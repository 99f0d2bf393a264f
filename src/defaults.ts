/**
 * The defaults of the run's limits (docs/cli.md), apart from the modules that apply them, so that the command line
 * can print and check them without loading ssh2 and the runner.
 */
export const DEFAULT_CONCURRENCY = 32;
export const DEFAULT_TIMEOUT_MS = 30_000;
/** TCP connect, SSH handshake and login. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_TOTAL_BYTES = 512 * 1024 * 1024;

/** The report files `--format` can ask for. */
export const REPORT_FORMATS = ['json', 'md', 'junit', 'prom'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Windows' OpenSSH agent (the ssh-agent service) listens on this named pipe; OpenSSH uses it when SSH_AUTH_SOCK is unset. */
export const WINDOWS_OPENSSH_AGENT_PIPE = '\\\\.\\pipe\\openssh-ssh-agent';

/** The agent OpenSSH uses when nothing names one: SSH_AUTH_SOCK, else on Windows its agent's pipe; none otherwise. */
export function defaultAgentSocket(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | undefined {
  if (env.SSH_AUTH_SOCK) return env.SSH_AUTH_SOCK;
  return platform === 'win32' ? WINDOWS_OPENSSH_AGENT_PIPE : undefined;
}
