import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where this machine mounts the unified (v2) cgroup hierarchy: /sys/fs/cgroup on a v2 host,
 * /sys/fs/cgroup/unified on a hybrid one; undefined where there is none.
 */
export function unifiedCgroupRoot(mountinfo = readMountinfo()): string | undefined {
  for (const line of mountinfo.split('\n')) {
    const [mount, fs] = line.split(' - ');
    if (fs?.startsWith('cgroup2 ')) return mount?.split(' ')[4];
  }
  return undefined;
}

function readMountinfo(): string {
  return existsSync('/proc/self/mountinfo') ? readFileSync('/proc/self/mountinfo', 'utf8') : '';
}

/**
 * There is one unified cgroup hierarchy per kernel. A lab whose cgroup namespace is rooted
 * at its top shares every cgroup with the other labs: its system.slice/sogo.service is
 * theirs too, so after a daemon's main process dies its systemd waits on the other labs'
 * processes (invisible to it) and the unit hangs in `deactivating` until TimeoutStopSec.
 * Each lab gets a cgroup of its own, entered before `unshare --cgroup`, as systemd-nspawn
 * does for its containers.
 */
export function labCgroupDir(name: string, root = unifiedCgroupRoot()): string | undefined {
  return root ? join(root, `mailctl-lab-${name}`) : undefined;
}

/** Makes the lab's cgroup; the argv prefix that moves a command into it before it runs. */
export async function enterLabCgroup(name: string): Promise<string[]> {
  const dir = labCgroupDir(name);
  if (!dir) return [];
  await mkdir(dir, { recursive: true });
  return ['sh', '-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', dir];
}

/** Removes the lab's cgroup and what its systemd made below it, deepest first (once empty). */
export async function removeLabCgroup(name: string): Promise<void> {
  const dir = labCgroupDir(name);
  if (dir && existsSync(dir)) await removeTree(dir);
}

async function removeTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isDirectory()) await removeTree(join(dir, e.name));
  // A cgroup with a process left in it stays; the next `lab up` of this name tries again.
  await rmdir(dir).catch(() => undefined);
}
