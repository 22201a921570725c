import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, rename, writeFile, cp } from 'node:fs/promises';
import { join } from 'node:path';
import { mustRun } from '../util/exec.js';
import type { Progress } from '../util/progress.js';
import {
  archiveUrisFrom,
  parseAptSources,
  trixieSources,
  type ArchiveUris,
} from './apt-sources.js';
import { rootfsKey } from './cache-key.js';
import { LAB_CACHE_ROOT, LAB_STATE_ROOT, ROOT_COMPLETE_MARKER, ROOTFS_PREFIX } from './layout.js';
import { readLabState } from './state.js';
import { BASE_PACKAGES, HOST_PACKAGES, PREFETCH_PACKAGES } from './packages.js';
import { ensureHostPackages } from './host-tools.js';
import { withBuildLock } from './build-lock.js';
import { unmountUnder } from './mounts.js';
import { pruneRoots, touchRoot } from './cache-prune.js';

export interface BuiltRootfs {
  key: string;
  dir: string;
  cached: boolean;
}

const SUITE = 'trixie';

/** Reads the archive URIs from this machine's apt configuration (never from the repo). */
export async function machineArchiveUris(): Promise<ArchiveUris> {
  const texts: string[] = [];
  if (existsSync('/etc/apt/sources.list'))
    texts.push(await readFile('/etc/apt/sources.list', 'utf8'));
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir)) {
    for (const f of (await readdir(dir)).sort()) {
      if (f.endsWith('.sources') || f.endsWith('.list'))
        texts.push(await readFile(join(dir, f), 'utf8'));
    }
  }
  return archiveUrisFrom(texts.flatMap((t) => parseAptSources(t)));
}

export async function currentRootfs(): Promise<{ key: string; dir: string; uris: ArchiveUris }> {
  const uris = await machineArchiveUris();
  const key = rootfsKey({ suite: SUITE, uris, base: BASE_PACKAGES, prefetch: PREFETCH_PACKAGES });
  return { key, dir: join(LAB_CACHE_ROOT, `${ROOTFS_PREFIX}${key}`), uris };
}

/**
 * Builds (or reuses) the Debian 13 root file system. The finished root is published by an
 * atomic rename, so an interrupted build never leaves a half-built root behind a valid key.
 */
export async function buildRootfs(
  progress: Progress,
  opts: { force?: boolean } = {},
): Promise<BuiltRootfs> {
  await prepareLabCache(progress);
  return withBuildLock(LAB_CACHE_ROOT, progress, () => buildRootfsLocked(progress, opts));
}

/** What every build needs before it takes the lock: root, the host's tools, the cache directory. */
export async function prepareLabCache(progress: Progress): Promise<void> {
  await ensureHostPackages(HOST_PACKAGES, progress);
  await mkdir(LAB_CACHE_ROOT, { recursive: true });
}

/**
 * buildRootfs's work, for a caller that already holds the build lock (and so knows the root
 * stays there, unpruned, until it lets go).
 */
export async function buildRootfsLocked(
  progress: Progress,
  opts: { force?: boolean } = {},
): Promise<BuiltRootfs> {
  const { key, dir, uris } = await currentRootfs();
  // Checked under the lock: a build that held it may just have made this very root.
  if (!opts.force && existsSync(join(dir, ROOT_COMPLETE_MARKER))) {
    progress.step(`root file system ${key} is cached at ${dir}`);
    await touchRoot(dir);
    return { key, dir, cached: true };
  }
  const tmp = `${dir}.partial`;
  await unmountUnder(tmp);
  await rm(tmp, { recursive: true, force: true });
  const debCache = join(LAB_CACHE_ROOT, 'debootstrap-debs');
  const aptCache = join(LAB_CACHE_ROOT, 'apt-archives');
  await mkdir(debCache, { recursive: true });
  await mkdir(join(aptCache, 'partial'), { recursive: true });

  progress.step(`debootstrap ${SUITE} (minbase + ${BASE_PACKAGES.length} packages) into ${tmp}`);
  await mustRun(
    'debootstrap',
    [
      '--variant=minbase',
      `--include=${BASE_PACKAGES.join(',')}`,
      `--cache-dir=${debCache}`,
      SUITE,
      tmp,
      uris.main,
    ],
    { timeoutMs: 20 * 60_000 },
  );

  progress.step('configuring apt sources (trixie, trixie-updates, trixie-security)');
  await rm(join(tmp, 'etc/apt/sources.list'), { force: true });
  await writeFile(join(tmp, 'etc/apt/sources.list.d/debian.sources'), trixieSources(uris));

  progress.step(
    `downloading ${PREFETCH_PACKAGES.length} mail-stack packages and their dependencies`,
  );
  await chrootApt(tmp, aptCache, ['update', '-q']);
  await chrootApt(tmp, aptCache, [
    'install',
    '-y',
    '-q',
    '--download-only',
    '--no-install-recommends',
    ...PREFETCH_PACKAGES,
  ]);
  progress.step('copying the downloaded packages into the root');
  await cp(aptCache, join(tmp, 'var/cache/apt/archives'), {
    recursive: true,
    filter: (src) => !src.includes('/partial') && !src.endsWith('/lock'),
  });

  await writeFile(join(tmp, ROOT_COMPLETE_MARKER), `${key}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  await pruneOtherRoots(dir);
  return { key, dir, cached: false };
}

/** Runs apt-get in the root with the shared download cache bound in, in a private mount namespace. */
async function chrootApt(root: string, aptCache: string, args: string[]): Promise<void> {
  const script = [
    'set -e',
    `mount --bind "${aptCache}" "${root}/var/cache/apt/archives"`,
    `mount -t proc proc "${root}/proc"`,
    `exec chroot "${root}" env DEBIAN_FRONTEND=noninteractive apt-get "$@"`,
  ].join('\n');
  await mustRun(
    'unshare',
    ['--mount', '--propagation', 'private', 'bash', '-c', script, 'chroot-apt', ...args],
    {
      timeoutMs: 30 * 60_000,
    },
  );
}

/** Keeps the cache bounded: the most recently used roots stay, and any a lab still runs on. */
async function pruneOtherRoots(justBuilt: string): Promise<void> {
  const inUse = new Set<string>([justBuilt]);
  if (existsSync(LAB_STATE_ROOT)) {
    for (const lab of await readdir(LAB_STATE_ROOT)) {
      const state = await readLabState(lab);
      if (state) inUse.add(state.rootfsDir);
    }
  }
  await pruneRoots(LAB_CACHE_ROOT, ROOTFS_PREFIX, inUse);
}
