import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { run, sleep } from '../util/exec.js';
import type { Progress } from '../util/progress.js';
import { removeLabCgroup } from './cgroup.js';
import { hostExecArgv } from './exec.js';
import { labLayout } from './layout.js';
import { unmountUnder } from './mounts.js';
import { destroyNetworks } from './network.js';
import { processAlive, readLabState } from './state.js';

/**
 * Stops a lab and removes everything it made. Works from any state: a clean lab, one whose
 * PID 1 was killed, or a half-finished `lab up`; everything is found by the lab's name.
 */
export async function labDown(
  name: string,
  progress: Progress,
  opts: { quiet?: boolean } = {},
): Promise<void> {
  const l = labLayout(name);
  const state = await readLabState(name);
  if (state && processAlive(state.initPid)) {
    if (!opts.quiet) progress.step('shutting the lab host down (systemctl poweroff)');
    const argv = hostExecArgv(state, ['systemctl', 'poweroff', '--no-block']);
    await run(argv[0] ?? 'nsenter', argv.slice(1), { timeoutMs: 10_000 });
    for (let i = 0; i < 300 && processAlive(state.initPid); i++) await sleep(100);
  }
  for (const pid of [state?.initPid, state?.unsharePid, state?.vpnClientPid]) {
    if (processAlive(pid)) process.kill(pid as number, 'SIGKILL');
  }
  if (!opts.quiet) progress.step('removing namespaces, interfaces and sockets');
  await killStrays(l.vpnClientInterface, l.dirs.state);
  await destroyNetworks(l);
  await rm(`/var/run/wireguard/${l.vpnClientInterface}.sock`, { force: true });
  await rm(`/var/run/wireguard/${l.vpnClientInterface}.name`, { force: true });
  // A lab's mounts live in its own mount namespace; this only catches ones that leaked out.
  if (existsSync(l.dirs.state)) await unmountUnder(l.dirs.state);
  await rm(l.dirs.state, { recursive: true, force: true });
  await removeLabCgroup(name);
  if (!opts.quiet) progress.done(`lab '${name}' is down`);
}

/** Processes of this lab that outlived their namespaces' bookkeeping (a crashed session's). */
async function killStrays(wgInterface: string, stateDir: string): Promise<void> {
  for (const pattern of [`wireguard-go --foreground ${wgInterface}$`, `bash ${stateDir}/boot.sh`]) {
    await run('pkill', ['-KILL', '-f', pattern]);
  }
}
