/** The process's exit codes (docs/cli.md). Light on purpose: cli.ts needs them before any command is loaded. */

/** sysexits.h numbers where one fits: 64 EX_USAGE, 70 EX_SOFTWARE, 73 EX_CANTCREAT. */
export const EXIT = { ok: 0, findings: 1, hostsFailed: 2, usage: 64, internal: 70, reportNotWritten: 73 } as const;
