/**
 * Runs a daemon's own checker on rendered files inside a Debian 13 root file system with
 * the mail packages installed, the way apply/ runs it on a host: the files are staged over
 * the live paths in private mount, network and PID namespaces, so the root itself never
 * changes (an overlay takes every write, including the chroot files `postfix check`
 * copies), no checker reaches a network and nothing it starts outlives it.
 *
 * The root is MAILCTL_DEBIAN13_ROOT (scripts/test-all sets it to the checker root it builds
 * with `mailctl lab build --checker-root`), else the checker root cached on this machine.
 * Tests that need one are skipped where there is none or where we are not root; where
 * MAILCTL_DEBIAN13_ROOT names one that lacks what a test needs, that test file fails
 * instead, so that CI cannot pass by skipping.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  CHECKER_ROOT_PREFIX,
  LAB_CACHE_ROOT,
  ROOT_COMPLETE_MARKER,
  ROOTFS_PREFIX,
} from '../../src/lab/layout.js';
import type { RenderedFile } from '../../src/render/types.js';

const STAGED_MTIME = new Date('2025-01-01T00:00:00Z');

// CI names the root to say that the checker tests must run: there a skip is a failure.
const NAMED_BUT_CANNOT_RUN =
  'MAILCTL_DEBIAN13_ROOT is set, so the checker tests must run, but they need root and unshare';

const canRun = () =>
  process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v unshare']).status === 0;

/** Finished roots in the lab's cache whose names start with `prefix`, newest first. */
function cachedRoots(prefix: string): string[] {
  if (!existsSync(LAB_CACHE_ROOT)) return [];
  return readdirSync(LAB_CACHE_ROOT)
    .filter((d) => d.startsWith(prefix) && !d.endsWith('.partial'))
    .map((d) => join(LAB_CACHE_ROOT, d))
    .filter((d) => existsSync(join(d, ROOT_COMPLETE_MARKER)))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
}

/**
 * The checker root, if it has every one of `binaries` (paths inside the root); undefined
 * where the tests that need them are to be skipped.
 */
export function debian13Root(...binaries: string[]): string | undefined {
  const named = process.env.MAILCTL_DEBIAN13_ROOT;
  if (!canRun()) {
    if (named) throw new Error(NAMED_BUT_CANNOT_RUN);
    return undefined;
  }
  const has = (root: string) => binaries.every((b) => existsSync(join(root, b)));
  if (named) {
    const missing = binaries.filter((b) => !existsSync(join(named, b)));
    if (missing.length)
      throw new Error(
        `MAILCTL_DEBIAN13_ROOT=${named} has no ${missing.join(', ')}: build one with ` +
          '`mailctl lab build --checker-root`, or unset it to skip these tests',
      );
    return named;
  }
  return cachedRoots(CHECKER_ROOT_PREFIX).find(has);
}

/**
 * A Debian 13 root good enough for checkers that need no daemon's files (nft): the checker
 * root, else the newest lab root this machine has built.
 */
export function anyDebian13Root(binary: string): string | undefined {
  const named = process.env.MAILCTL_DEBIAN13_ROOT;
  if (process.getuid?.() !== 0) {
    if (named) throw new Error(NAMED_BUT_CANNOT_RUN);
    return undefined;
  }
  if (named && !existsSync(join(named, binary)))
    throw new Error(`MAILCTL_DEBIAN13_ROOT=${named} has no ${binary}`);
  const candidates = [
    ...(named ? [named] : []),
    ...cachedRoots(CHECKER_ROOT_PREFIX),
    ...cachedRoots(ROOTFS_PREFIX),
  ];
  return candidates.find((r) => existsSync(join(r, binary)));
}

// The new network namespace has loopback only (Postfix wants an interface up), and
// ip_nonlocal_bind lets `nginx -t` bind the rendered public and VPN addresses there, as it
// would on the host.
const SCRIPT = `
set -eu
R=$1 S=$2 W=$3; shift 3
mount --make-rprivate /
ip link set lo up
echo 1 > /proc/sys/net/ipv4/ip_nonlocal_bind
echo 1 > /proc/sys/net/ipv6/ip_nonlocal_bind
mkdir -p "$W/upper" "$W/work" "$W/merged"
mount -t overlay overlay -o "lowerdir=$R,upperdir=$W/upper,workdir=$W/work" "$W/merged"
mount -t proc proc "$W/merged/proc"
mount -t sysfs sysfs "$W/merged/sys"
mount --rbind /dev "$W/merged/dev"
cp -a "$S/." "$W/merged/"
chroot "$W/merged" sh -eu /.stage-owners
rm "$W/merged/.stage-owners"
exec chroot "$W/merged" "$@"
`;

/**
 * Stages `files` (secret tokens already resolved) into the root and runs `argv` there.
 * `setup` is a shell snippet run in the root first (directories apply/ would create).
 */
export function runInDebian13Root(
  root: string,
  files: readonly RenderedFile[],
  argv: readonly string[],
  setup = '',
): SpawnSyncReturns<string> {
  const work = mkdtempSync(join(tmpdir(), 'mailctl-root-'));
  try {
    const stage = join(work, 'stage');
    mkdirSync(stage);
    const owners = [setup];
    for (const f of files) {
      const p = join(stage, f.path);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, f.content);
      chmodSync(p, f.mode);
      // Postfix re-reads a table file until it is at least a second old (a writer may still
      // be at it), which costs each postconf about two seconds on a file written just now.
      utimesSync(p, STAGED_MTIME, STAGED_MTIME);
      owners.push(`chown ${f.owner}:${f.group} '${f.path}'`);
    }
    writeFileSync(join(stage, '.stage-owners'), `${owners.join('\n')}\n`);
    return spawnSync(
      'unshare',
      // Its own PID namespace too: whatever a check leaves running (wireguard-go) dies with it.
      [
        '--mount',
        '--net',
        '--pid',
        '--fork',
        '--kill-child',
        'sh',
        '-c',
        SCRIPT,
        'sh',
        root,
        stage,
        join(work, 'ns'),
        ...argv,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
