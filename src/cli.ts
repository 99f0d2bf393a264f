/**
 * The entry point: parses the command line and hands each command to the module that runs it, loaded only then:
 * `--version` and `--help` load nothing else, so they answer at once (docs/cli.md; the exit codes are in
 * exitCodes.ts).
 */
import { COMMAND_USAGE, parseCommandLine, USAGE, type Command } from './cliArgs.js';
import { InputError } from './errors.js';
import { EXIT } from './exitCodes.js';
import { sanitizeForTerminal } from './ui/sanitize.js';
import { toolVersion } from './version.js';

export async function main(argv: string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommandLine(argv, process.env, Boolean(process.stdout.isTTY));
  } catch (err) {
    return usageFailure(err);
  }
  try {
    switch (command.name) {
      case 'help':
        process.stdout.write(command.topic === null ? USAGE : COMMAND_USAGE[command.topic]);
        return EXIT.ok;
      case 'version':
        process.stdout.write(`kvm-netaudit ${toolVersion()}\n`);
        return EXIT.ok;
      case 'show-probe':
        return await (await import('./commands.js')).showProbe(command.inventory, command.host);
      case 'ssh-settings':
        return await (await import('./sshSettingsCommand.js')).sshSettingsCommand(command.options);
      case 'audit':
        return await (await import('./commands.js')).auditInventory(command.options);
      case 'demo':
        return await (await import('./commands.js')).auditDemo(command.options, command.hosts);
      case 'diff':
        return await (await import('./commands.js')).diffCommand(command.oldReport, command.newReport, command.json, command.exitCode);
      case 'merge':
        return await (await import('./mergeCommand.js')).mergeCommand(command.options);
    }
  } catch (err) {
    return usageFailure(err);
  }
}

/**
 * The one handler for errors that end a command: input errors by their own exit code, anything else as internal.
 * Messages may quote files and hosts (a network name in a shard report), so each line is made safe for the terminal.
 */
function usageFailure(err: unknown): number {
  if (err instanceof InputError) {
    for (const message of err.messages) process.stderr.write(`kvm-netaudit: ${terminalSafe(message)}\n`);
    if (err.kind === 'usage') process.stderr.write('Try kvm-netaudit --help\n');
    return err.exitCode;
  }
  process.stderr.write(`kvm-netaudit: internal error: ${terminalSafe(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
  return EXIT.internal;
}

function terminalSafe(text: string): string {
  return text.split('\n').map(sanitizeForTerminal).join('\n');
}
