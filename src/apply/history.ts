import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { mustRun, run } from '../util/exec.js';
import type { RenderedFile } from '../render/types.js';
import { UserError } from '../util/errors.js';

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
    // Only the history itself is private: its parent also holds what daemons must read
    // (nginx serves the ACME webroot from it), and a recursive mkdir would give every
    // directory it creates the same 0700.
    await mkdir(dirname(HISTORY_DIR), { recursive: true, mode: 0o755 });
    await mkdir(HISTORY_DIR, { recursive: true, mode: 0o700 });
    await git(['init', '-q', '-b', 'main']);
  }
  // Only the files this apply manages are written: a partial apply (vpn peer add converges
  // the VPN's files alone) must not read as the removal of every other file.
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

/** The applies that changed something, newest first. */
export async function historyLog(
  limit = 20,
): Promise<{ rev: string; date: string; subject: string }[]> {
  if (!existsSync(join(HISTORY_DIR, '.git'))) return [];
  const r = await git(['log', `-${limit}`, '--format=%h%x09%cI%x09%s']);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [rev = '', date = '', subject = ''] = line.split('\t');
      return { rev, date, subject };
    });
}

function checkRevision(rev: string): void {
  if (!/^[0-9a-f]{4,40}$/.test(rev))
    throw new UserError('E_BAD_REVISION', `'${rev}' is not a history revision`);
}

/** What one apply changed, as a patch of the rendered files (secret tokens, never values). */
export async function historyShow(rev: string): Promise<string> {
  checkRevision(rev);
  const r = await run('git', ['-C', HISTORY_DIR, 'show', '--stat', '--patch', rev]);
  if (r.code !== 0) throw new UserError('E_BAD_REVISION', `no history revision ${rev}`);
  return r.stdout;
}

export interface HistoryRevision {
  rev: string;
  date: string;
  subject: string;
  /** The host paths whose rendered content the revision changed. */
  files: string[];
  patch: string;
}

/** One revision, for `mailctl history show --json`. */
export async function historyRevision(rev: string): Promise<HistoryRevision> {
  checkRevision(rev);
  const meta = await run('git', ['-C', HISTORY_DIR, 'show', '-s', '--format=%h%x09%cI%x09%s', rev]);
  if (meta.code !== 0) throw new UserError('E_BAD_REVISION', `no history revision ${rev}`);
  const [short = rev, date = '', subject = ''] = meta.stdout.trim().split('\t');
  const names = await git(['show', '--format=', '--name-only', '-z', rev]);
  const patch = await git(['show', '--format=', '--patch', rev]);
  return {
    rev: short,
    date,
    subject,
    files: names.stdout
      .split('\0')
      .filter((n) => n.startsWith('files/'))
      .map((n) => n.slice('files'.length)),
    patch: patch.stdout,
  };
}

/** The managed files as one revision recorded them, by path on the host (secret tokens, never values). */
export async function historyFilesAt(rev: string): Promise<Map<string, string>> {
  checkRevision(rev);
  const tree = await run('git', [
    '-C',
    HISTORY_DIR,
    'ls-tree',
    '-r',
    '-z',
    '--name-only',
    `${rev}^{commit}`,
    '--',
    'files',
  ]);
  if (tree.code !== 0) throw new UserError('E_BAD_REVISION', `no history revision ${rev}`);
  const files = new Map<string, string>();
  for (const name of tree.stdout.split('\0').filter(Boolean)) {
    const blob = await git(['show', `${rev}:${name}`]);
    files.set(name.slice('files'.length), blob.stdout);
  }
  return files;
}
