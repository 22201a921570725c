import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../util/errors.js';

export const APPLY_LOCK = '/run/mailctl/apply.lock';

/** How long a second apply waits for the first before it refuses. */
const WAIT_SECONDS = 10;

/**
 * Runs `fn` holding an exclusive flock(2) on APPLY_LOCK, so that applies, rollbacks, VPN
 * peer additions and certificate renewals never interleave. Node has no flock; util-linux's
 * flock(1) takes the lock and holds it while it waits on our pipe, so the lock goes with
 * this process however it ends (a crash or SIGKILL closes the pipe). Its own process group keeps a
 * Ctrl-C meant for the apply from releasing the lock before the apply has rolled back.
 */
export async function withApplyLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(APPLY_LOCK), { recursive: true });
  const holder = spawn(
    'flock',
    [
      '--exclusive',
      '--wait',
      String(WAIT_SECONDS),
      '--conflict-exit-code',
      '75',
      APPLY_LOCK,
      'sh',
      '-c',
      'echo locked; exec cat >/dev/null',
    ],
    { stdio: ['pipe', 'pipe', 'ignore'], detached: true },
  );
  const exited = new Promise<number>((resolve) => holder.on('close', (code) => resolve(code ?? 1)));
  const locked = await new Promise<boolean>((resolve, reject) => {
    holder.on('error', reject);
    holder.stdout.on('data', () => resolve(true));
    void exited.then(() => resolve(false));
  });
  if (!locked) {
    const code = await exited;
    throw new UserError(
      'E_APPLY_LOCKED',
      code === 75
        ? `another apply, rollback or tls renew is running on this host (it holds ${APPLY_LOCK}); waited ${WAIT_SECONDS} s: try again when it has finished`
        : `could not take the apply lock ${APPLY_LOCK} (flock exited ${code})`,
      { exitCode: 1 },
    );
  }
  try {
    return await fn();
  } finally {
    holder.stdin.end();
    await exited;
  }
}
