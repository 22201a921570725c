import { UserError } from '../../util/errors.js';
import { shellQuote } from './bench-mailbox.js';
import { loadGenerator, runHostScript, type BenchTarget } from './lab-target.js';

/** user@host or host, as ssh takes it; nothing that ssh could read as an option. */
const DESTINATION = /^(?:[a-z_][a-z0-9_.-]*@)?[A-Za-z0-9][A-Za-z0-9.:-]*$/;

/**
 * The ssh command that runs a script on the host as root (pure): key authentication only
 * (BatchMode: no password prompt to hang on), a bounded connect, and the script as one
 * quoted word for the remote shell, its input (a password) on stdin, never in argv.
 */
export function sshArgv(destination: string, script: string): string[] {
  if (!DESTINATION.test(destination))
    throw new UserError('E_USAGE', `--ssh: '${destination}' is not HOST or USER@HOST`);
  return [
    'ssh',
    ...['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10'],
    '--',
    destination,
    `sh -ec ${shellQuote(script)}`,
  ];
}

/**
 * Any host by address: scripts run on it over SSH (root, or a user whose sudo is not
 * needed: the scripts call mailctl, doveadm and postfix), and the load comes from this
 * machine, as the clients of a real host do.
 */
export function sshTarget(destination: string): BenchTarget {
  sshArgv(destination, 'true');
  return {
    host: (script, opts = {}) => runHostScript(sshArgv(destination, script), opts),
    ...loadGenerator((argv) => Promise.resolve(argv)),
  };
}
