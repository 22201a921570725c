import { mkdtemp, mkdir, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pruneRoots, ROOTS_KEPT, touchRoot } from './cache-prune.js';
import { ROOT_COMPLETE_MARKER } from './layout.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function root(name: string, usedSecondsAgo: number): Promise<string> {
  const path = join(dir, name);
  await mkdir(path);
  await writeFile(join(path, ROOT_COMPLETE_MARKER), 'k\n');
  const t = new Date(Date.now() - usedSecondsAgo * 1000);
  await utimes(join(path, ROOT_COMPLETE_MARKER), t, t);
  return path;
}

describe('pruneRoots', () => {
  it('keeps the most recently used roots and those in use, and removes the rest', async () => {
    dir = await mkdtemp(join(tmpdir(), 'prune-'));
    expect(ROOTS_KEPT).toBe(3);
    const oldest = await root('rootfs-a', 500);
    await root('rootfs-b', 400);
    const inUse = await root('rootfs-c', 300);
    await root('rootfs-d', 200);
    await root('rootfs-e', 100);
    await root('checker-x', 900);
    const touched = await root('rootfs-f', 1000);
    await touchRoot(touched);
    const removed = await pruneRoots(dir, 'rootfs-', new Set([inUse]));
    expect(removed.map((p) => p.slice(dir.length + 1)).sort()).toEqual(['rootfs-a', 'rootfs-b']);
    expect((await readdir(dir)).sort()).toEqual([
      'checker-x',
      'rootfs-c',
      'rootfs-d',
      'rootfs-e',
      'rootfs-f',
    ]);
    expect(removed).toContain(oldest);
  });
});
