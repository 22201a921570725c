import { existsSync } from 'node:fs';
import { readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT_COMPLETE_MARKER } from './layout.js';

/**
 * How many roots of one kind stay cached. Several checkouts (worktrees, a CI clone) often
 * need different roots on one machine at once; keeping only the newest made each build
 * delete the others' roots, and they rebuilt in turn (25-40 minutes each, under one lock).
 */
export const ROOTS_KEPT = 3;

/** Marks a cached root as just used, so pruning keeps the roots in use longest. */
export async function touchRoot(dir: string): Promise<void> {
  const now = new Date();
  await utimes(join(dir, ROOT_COMPLETE_MARKER), now, now).catch(() => undefined);
}

/**
 * Removes the roots named `<prefix><key>` under cacheRoot beyond the ROOTS_KEPT most
 * recently used, never one in `keep` (the one just built, those labs run on).
 */
export async function pruneRoots(
  cacheRoot: string,
  prefix: string,
  keep: ReadonlySet<string>,
  remove: (path: string) => Promise<void> = (p) => rm(p, { recursive: true, force: true }),
): Promise<string[]> {
  const roots: { path: string; used: number }[] = [];
  for (const entry of await readdir(cacheRoot)) {
    if (!entry.startsWith(prefix) || entry.endsWith('.partial')) continue;
    const path = join(cacheRoot, entry);
    const marker = join(path, ROOT_COMPLETE_MARKER);
    const used = existsSync(marker) ? (await stat(marker)).mtimeMs : 0;
    roots.push({ path, used });
  }
  roots.sort((a, b) => b.used - a.used);
  const removed: string[] = [];
  let kept = 0;
  for (const r of roots) {
    if (keep.has(r.path) || kept < ROOTS_KEPT) {
      kept++;
      continue;
    }
    await remove(r.path);
    removed.push(r.path);
  }
  return removed;
}
