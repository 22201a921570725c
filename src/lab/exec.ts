import { spawnSync } from 'node:child_process';
import { UserError } from '../util/errors.js';
import { labLayout } from './layout.js';
import { processAlive, readLabState, type LabState } from './state.js';

export type LabNamespace = 'host' | 'internet' | 'vpn';
export const LAB_NAMESPACES: readonly LabNamespace[] = ['host', 'internet', 'vpn'];

const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** argv that runs a command inside the lab host, as a login on it would (its root, PID view, network). */
export function hostExecArgv(state: LabState, cmd: readonly string[]): string[] {
  return [
    'nsenter',
    '-t',
    String(state.initPid),
    '-m',
    '-u',
    '-i',
    '-n',
    '-p',
    '-C',
    '-r',
    '-w',
    'env',
    '-i',
    `PATH=${HOST_PATH}`,
    'HOME=/root',
    'LANG=C.UTF-8',
    'TERM=dumb',
    ...cmd,
  ];
}

/** argv for a command in one of the lab's namespaces; the outer two use this machine's tools. */
export async function labExecArgv(
  name: string,
  ns: LabNamespace,
  cmd: readonly string[],
): Promise<string[]> {
  const l = labLayout(name);
  const state = await readLabState(name);
  if (!state || !processAlive(state.initPid)) {
    throw new UserError(
      'E_LAB_DOWN',
      `lab '${name}' is not running (start it with 'mailctl lab up')`,
    );
  }
  if (cmd.length === 0)
    throw new UserError('E_USAGE', 'no command given (mailctl lab exec -- CMD ...)');
  if (ns === 'host') return hostExecArgv(state, cmd);
  return ['ip', 'netns', 'exec', ns === 'internet' ? l.netns.internet : l.netns.vpn, ...cmd];
}

/** Runs a command in the lab with our terminal; returns its exit status. */
export async function labExec(
  name: string,
  ns: LabNamespace,
  cmd: readonly string[],
): Promise<number> {
  const argv = await labExecArgv(name, ns, cmd);
  const r = spawnSync(argv[0] ?? 'false', argv.slice(1), { stdio: 'inherit' });
  if (r.error) throw r.error;
  return r.status ?? 128 + 9;
}
