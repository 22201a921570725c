import { Command, CommanderError } from 'commander';
import { isUserError } from '../util/errors.js';
import { registerAccountCommands } from './account-commands.js';
import { registerApplyCommands } from './apply-commands.js';
import { registerAuditCommand } from './audit-command.js';
import { registerBenchCommands } from './bench-commands.js';
import { registerLabCommands } from './lab-commands.js';
import { registerSpamCommands } from './spam-commands.js';
import { registerTlsCommands } from './tls-commands.js';
import { registerValidateCommand } from './validate-command.js';

export const VERSION = '0.1.0';

/** Builds the command tree; each component registers its own subcommands. */
export function buildProgram(): Command {
  const program = new Command('mailctl')
    .description('Build and operate a hardened self-hosted mail system on Debian 13')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerValidateCommand(program);
  registerApplyCommands(program);
  registerAccountCommands(program);
  registerAuditCommand(program);
  registerSpamCommands(program);
  registerTlsCommands(program);
  registerBenchCommands(program);
  registerLabCommands(program);
  return program;
}

/** Runs the CLI; user errors become one line and an exit code, bugs a stack trace. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    // Commands that pass on another program's status (lab exec) or report a state
    // (lab status) set process.exitCode themselves.
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has already printed help or the usage error.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (isUserError(e)) {
      process.stderr.write(`mailctl: ${e.code}: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`mailctl: internal error (a bug, please report it):\n`);
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 70;
  }
}
