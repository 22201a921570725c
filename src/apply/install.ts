import { existsSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { mustRun } from '../util/exec.js';
import type { FileChange, FileRemoval } from '../plan/plan.js';

/** Writes one file atomically: a temporary file beside it, fsync, owner and mode, rename. */
export async function writeAtomic(
  path: string,
  content: string,
  owner: string,
  group: string,
  mode: number,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.mailctl-new`);
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await mustRun('chown', [`${owner}:${group}`, tmp]);
  await mustRun('chmod', [mode.toString(8), tmp]);
  await rename(tmp, path);
}

/** What to put back if activation fails: the previous content, or nothing if the file was new. */
export interface Undo {
  path: string;
  previous?: { content: string; owner: string; group: string; mode: number };
}

export async function installChanges(
  changes: readonly FileChange[],
  observedMeta: (path: string) => { owner: string; group: string; mode: number } | undefined,
): Promise<Undo[]> {
  const undo: Undo[] = [];
  for (const c of changes) {
    const meta = observedMeta(c.file.path);
    undo.push({
      path: c.file.path,
      previous: c.previous !== undefined && meta ? { content: c.previous, ...meta } : undefined,
    });
    await writeAtomic(c.file.path, c.resolved, c.file.owner, c.file.group, c.file.mode);
  }
  return undo;
}

/** Removes files no longer rendered; the undo puts each back as it was. */
export async function removeFiles(
  removals: readonly FileRemoval[],
  observedMeta: (path: string) => { owner: string; group: string; mode: number } | undefined,
): Promise<Undo[]> {
  const undo: Undo[] = [];
  for (const r of removals) {
    const meta = observedMeta(r.path);
    if (!meta) continue;
    undo.push({ path: r.path, previous: { content: r.previous, ...meta } });
    await rm(r.path, { force: true });
  }
  return undo;
}

export async function restore(undo: readonly Undo[]): Promise<void> {
  for (const u of [...undo].reverse()) {
    if (u.previous)
      await writeAtomic(
        u.path,
        u.previous.content,
        u.previous.owner,
        u.previous.group,
        u.previous.mode,
      );
    else if (existsSync(u.path)) await rm(u.path);
  }
}
