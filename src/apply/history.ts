import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { mustRun, run } from '../util/exec.js';
import type { RenderedFile } from '../render/types.js';
import { UserError } from '../util/errors.js';
import { formatManifest, parseManifest } from '../plan/manifest.js';

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

/** The manifest of managed files, beside `files/` in every commit of a complete apply. */
const MANIFEST = join(HISTORY_DIR, 'manifest');

/** The files the last complete apply managed (path → component); empty before the first. */
export async function readManagedFiles(): Promise<Map<string, string>> {
  return parseManifest(await readFile(MANIFEST, 'utf8').catch(() => ''));
}

/** The manifest a revision recorded, if it has one (revisions before manifests do not). */
export async function historyManifestAt(rev: string): Promise<Map<string, string> | undefined> {
  checkRevision(rev);
  const r = await run('git', ['-C', HISTORY_DIR, 'show', `${rev}:manifest`]);
  return r.code === 0 ? parseManifest(r.stdout) : undefined;
}

/**
 * Records the managed files as rendered. `complete`: `files` are all the host's managed
 * files (apply, rollback), so they become the manifest and the recorded copies of the
 * files no longer managed go.
 */
export async function recordHistory(
  files: readonly RenderedFile[],
  message: string,
  complete = false,
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
  if (complete) {
    const paths = new Set(files.map((f) => f.path));
    for (const path of (await readManagedFiles()).keys())
      if (!paths.has(path)) await rm(join(HISTORY_DIR, 'files', path), { force: true });
    await writeFile(MANIFEST, formatManifest(files));
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
