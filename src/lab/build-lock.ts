import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep } from '../util/exec.js';
import { UserError } from '../util/errors.js';
import type { Progress } from '../util/progress.js';
import { processAlive } from './state.js';

/**
 * One root build at a time on this machine: two `lab up`s on a cold cache would otherwise
 * debootstrap into the same directory. mkdir is atomic; a lock whose holder died (a killed
 * session) is taken over.
 */
export async function withBuildLock<T>(
  cacheRoot: string,
  progress: Progress,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = join(cacheRoot, '.build.lock');
  const deadline = Date.now() + 40 * 60_000;
  let told = false;
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'pid'), `${process.pid}\n`);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number((await readFile(join(lock, 'pid'), 'utf8').catch(() => '')).trim());
      if (holder && !processAlive(holder)) {
        await rm(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new UserError(
          'E_LAB_BUILD_LOCKED',
          `another lab build (pid ${holder}) holds ${lock}`,
        );
      if (!told) progress.step(`waiting for another lab build (pid ${holder || '?'}) to finish`);
      told = true;
      await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
