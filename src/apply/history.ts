import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { mustRun, run } from '../util/exec.js';
import type { RenderedFile } from '../render/types.js';

/**
 * Every apply that changes something is a commit here: the managed files as rendered, with
 * secret tokens and never their values, so `git log -p` shows what changed and when.
 */
export const HISTORY_DIR = '/var/lib/mailctl/history';

const git = (args: string[]) =>
  mustRun('git', [
    '-C',
    HISTORY_DIR,
    '-c',
    'user.name=mailctl',
    '-c',
    'user.email=mailctl@localhost',
    ...args,
  ]);

export async function recordHistory(
  files: readonly RenderedFile[],
  message: string,
): Promise<string | undefined> {
  if (!existsSync(join(HISTORY_DIR, '.git'))) {
    await mkdir(HISTORY_DIR, { recursive: true, mode: 0o700 });
    await git(['init', '-q', '-b', 'main']);
  }
  await run('git', ['-C', HISTORY_DIR, 'rm', '-rq', '--ignore-unmatch', 'files']);
  for (const f of files) {
    const target = join(HISTORY_DIR, 'files', f.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, f.content);
  }
  await git(['add', '-A']);
  const status = await git(['status', '--porcelain']);
  if (!status.stdout.trim()) return undefined;
  await git(['commit', '-q', '-m', message]);
  return (await git(['rev-parse', '--short', 'HEAD'])).stdout.trim();
}
