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
export const REPORT_FORMATS = ['json', 'md', 'junit'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
