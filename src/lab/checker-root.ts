import { existsSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mustRun, run } from '../util/exec.js';
import { UserError } from '../util/errors.js';
import type { Progress } from '../util/progress.js';
import { buildRootfsLocked, prepareLabCache, type BuiltRootfs } from './build.js';
import { withBuildLock } from './build-lock.js';
import { checkerRootKey } from './cache-key.js';
import { CHECKER_ROOT_PREFIX, LAB_CACHE_ROOT, ROOT_COMPLETE_MARKER } from './layout.js';
import { unmountUnder } from './mounts.js';
import { pruneRoots, touchRoot } from './cache-prune.js';
import { CHECKER_PACKAGES } from './packages.js';

/**
 * The checker root: a copy of the lab's Debian 13 root with the packages of every
 * component that has a configuration check installed, so that unit tests can run Postfix's,
 * Dovecot's, nginx's (and the others') own checkers on rendered files without booting a
 * lab. The lab root itself never changes; the copy is cached beside it, keyed by the lab
 * root's key and the package list.
 */
export interface BuiltCheckerRoot {
  key: string;
  dir: string;
  cached: boolean;
  rootfs: BuiltRootfs;
}

/**
 * Package scripts start the daemon they install (invoke-rc.d asks policy-rc.d first); the
 * checker root only ever runs checkers, so it keeps refusing, during the build and after.
 */
const POLICY_RC_D = '#!/bin/sh\n# mailctl checker root: no daemon ever starts here\nexit 101\n';

/**
 * Runs apt-get in the copy, in private mount and network namespaces: with no network at
 * all, a package that is not in the lab root's prefetched cache fails the build at once
 * instead of being fetched. /run and /tmp are throwaway, so what package scripts leave
 * there (sockets, pid files) does not end up in the cached root.
 */
const INSTALL_SCRIPT = `
set -e
R=$1; shift
mount -t proc proc "$R/proc"
mount --rbind /dev "$R/dev"
mount -t tmpfs tmpfs "$R/run"
mount -t tmpfs tmpfs "$R/tmp"
chroot "$R" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
chroot "$R" apt-get clean
`;

export function checkerRootDir(key: string): string {
  return join(LAB_CACHE_ROOT, `${CHECKER_ROOT_PREFIX}${key}`);
}

/** Builds (or reuses) the lab root and then the checker root made from it. */
export async function buildCheckerRoot(
  progress: Progress,
  opts: { force?: boolean } = {},
): Promise<BuiltCheckerRoot> {
  await prepareLabCache(progress);
  // One hold of the lock for both: a build from other inputs (another checkout) would
  // otherwise be free to prune the lab root while it is being copied.
  return withBuildLock(LAB_CACHE_ROOT, progress, async () => {
    const rootfs = await buildRootfsLocked(progress);
    return buildLocked(rootfs, progress, opts);
  });
}

async function buildLocked(
  rootfs: BuiltRootfs,
  progress: Progress,
  opts: { force?: boolean },
): Promise<BuiltCheckerRoot> {
  const key = checkerRootKey({ rootfsKey: rootfs.key, packages: CHECKER_PACKAGES });
  const dir = checkerRootDir(key);
  if (!opts.force && existsSync(join(dir, ROOT_COMPLETE_MARKER))) {
    progress.step(`checker root ${key} is cached at ${dir}`);
    await touchRoot(dir);
    return { key, dir, cached: true, rootfs };
  }
  const tmp = `${dir}.partial`;
  await unmountUnder(tmp);
  await rm(tmp, { recursive: true, force: true });

  progress.step(`copying the lab root ${rootfs.key} to ${tmp}`);
  // A full copy, not hard links: package scripts edit some files in place, which through a
  // hard link would change the lab root too. -a keeps owners, modes, file capabilities
  // and device nodes.
  await mustRun('cp', ['-a', '--reflink=auto', rootfs.dir, tmp], { timeoutMs: 10 * 60_000 });
  // The lab root's marker came along; this copy is complete only once installed.
  await rm(join(tmp, ROOT_COMPLETE_MARKER), { force: true });
  await writeFile(join(tmp, 'usr/sbin/policy-rc.d'), POLICY_RC_D, { mode: 0o755 });

  progress.step(
    `installing ${CHECKER_PACKAGES.length} packages from the prefetched cache (no network, no daemon started)`,
  );
  const r = await run(
    'unshare',
    [
      '--mount',
      '--net',
      '--propagation',
      'private',
      'bash',
      '-c',
      INSTALL_SCRIPT,
      'checker-install',
      tmp,
      ...CHECKER_PACKAGES,
    ],
    { timeoutMs: 20 * 60_000 },
  );
  if (r.code !== 0) {
    const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-8).join('\n  ');
    throw new UserError(
      'E_CHECKER_ROOT_INSTALL',
      `installing the checker root's packages into ${tmp} failed (each must be in the lab root's prefetched cache):\n  ${tail}`,
      { exitCode: 1 },
    );
  }

  await writeFile(join(tmp, ROOT_COMPLETE_MARKER), `${key}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  await pruneRoots(LAB_CACHE_ROOT, CHECKER_ROOT_PREFIX, new Set([dir]), async (path) => {
    await unmountUnder(path);
    await rm(path, { recursive: true, force: true });
  });
  progress.done(`checker root ${key} built at ${dir}`);
  return { key, dir, cached: false, rootfs };
}
