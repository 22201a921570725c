import { Command, CommanderError } from 'commander';
import { registerAccountCommands } from './account-commands.js';
import { registerApplyCommands } from './apply-commands.js';
import { registerAuditCommand } from './audit-command.js';
import { registerBackupCommands } from './backup-commands.js';
import { registerBenchCommands } from './bench-commands.js';
import { registerHealthCommand } from './health-command.js';
import { registerLabCommands } from './lab-commands.js';
import { registerMetricsCommand } from './metrics-command.js';
import { requireRoot } from './need-root.js';
import { classifyError, reportFailure, wantsJson } from './output.js';
import { registerProvisionCommand } from './provision-command.js';
import { registerSpamCommands } from './spam-commands.js';
import { registerTlsCommands } from './tls-commands.js';
import { registerValidateCommand } from './validate-command.js';
import { registerVpnCommands } from './vpn-commands.js';

export const VERSION = '0.1.0';

export interface ProgramOptions {
  /** The user the commands run as (tests pass another). */
  getuid?: () => number | undefined;
}

/** Builds the command tree; each component registers its own subcommands. */
export function buildProgram(opts: ProgramOptions = {}): Command {
  const getuid = opts.getuid ?? (() => process.getuid?.());
  const program = new Command('mailctl')
    .description('Build and operate a hardened self-hosted mail system on Debian 13')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .hook('preAction', (_program, command) => requireRoot(command, getuid));
  registerValidateCommand(program);
  registerApplyCommands(program);
  registerAccountCommands(program);
  registerVpnCommands(program);
  registerAuditCommand(program);
  registerSpamCommands(program);
  registerTlsCommands(program);
  registerBackupCommands(program);
  registerHealthCommand(program);
  registerMetricsCommand(program);
  registerBenchCommands(program);
  registerLabCommands(program);
  registerProvisionCommand(program);
  return program;
}

/**
 * Runs the CLI; user errors become one line (with --json: one JSON object on stdout) and
 * their exit code, bugs a stack trace and 70.
 */
export async function main(
  argv: readonly string[],
  build: () => Command = buildProgram,
): Promise<number> {
  const json = wantsJson(argv);
  const program = build();
  if (json) {
    // The usage error goes out as JSON on stdout instead of commander's text on stderr.
    for (const c of allCommands(program))
      c.configureOutput({ writeErr: () => undefined }).showHelpAfterError(false);
  }
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    // Commands that pass on another program's status (lab exec) or report a state
    // (lab status) set process.exitCode themselves.
    return Number(process.exitCode ?? 0);
  } catch (e) {
    // --help and --version end parsing with a CommanderError of status 0.
    if (e instanceof CommanderError && e.exitCode === 0) return 0;
    const failure = classifyError(e);
    // Commander has already printed its usage error, unless JSON mode silenced it.
    if (!(e instanceof CommanderError) || json) reportFailure(failure, json);
    return failure.exitCode;
  }
}

function allCommands(c: Command): Command[] {
  return [c, ...c.commands.flatMap(allCommands)];
}
