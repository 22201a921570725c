/**
 * Runs a daemon's own checker on rendered files inside a Debian 13 root file system with
 * the mail packages installed, the way apply/ runs it on a host: the files are staged over
 * the live paths in a private mount namespace, so the root itself never changes (an
 * overlay takes every write, including the chroot files `postfix check` copies).
 *
 * The root comes from MAILCTL_DEBIAN13_ROOT, else /tmp/mta-root (see the MTA work log);
 * tests that need it are skipped where there is none, or where we are not root.
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
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RenderedFile } from '../../src/render/types.js';

export function debian13Root(): string | undefined {
  const root = process.env.MAILCTL_DEBIAN13_ROOT ?? '/tmp/mta-root';
  const ready =
    process.getuid?.() === 0 &&
    existsSync(join(root, 'usr/sbin/postconf')) &&
    existsSync(join(root, 'usr/bin/doveconf')) &&
    spawnSync('sh', ['-c', 'command -v unshare']).status === 0;
  return ready ? root : undefined;
}

const SCRIPT = `
set -eu
R=$1 S=$2 W=$3; shift 3
mount --make-rprivate /
mkdir -p "$W/upper" "$W/work" "$W/merged"
mount -t overlay overlay -o "lowerdir=$R,upperdir=$W/upper,workdir=$W/work" "$W/merged"
mount -t proc proc "$W/merged/proc"
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
      owners.push(`chown ${f.owner}:${f.group} '${f.path}'`);
    }
    writeFileSync(join(stage, '.stage-owners'), `${owners.join('\n')}\n`);
    return spawnSync(
      'unshare',
      ['--mount', 'sh', '-c', SCRIPT, 'sh', root, stage, join(work, 'ns'), ...argv],
      { encoding: 'utf8', timeout: 60_000 },
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A Debian 13 root good enough for checkers that need no daemon's files (nft, sshd -t on
 * a bare config): the one named above, else the newest lab root this machine has built.
 */
export function anyDebian13Root(binary: string): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const candidates = [
    process.env.MAILCTL_DEBIAN13_ROOT ?? '/tmp/mta-root',
    ...(existsSync(LAB_ROOTS)
      ? readdirSync(LAB_ROOTS)
          .filter((d) => d.startsWith('rootfs-'))
          .map((d) => join(LAB_ROOTS, d))
          .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
      : []),
  ];
  return candidates.find((r) => existsSync(join(r, binary)));
}

const LAB_ROOTS = '/var/cache/mailctl/lab';
