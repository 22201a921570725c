import { mustRun, run } from '../util/exec.js';
import { UserError } from '../util/errors.js';
import type { Progress } from '../util/progress.js';

/** Installs the Debian packages this machine lacks (the lab and the tests run as root). */
export async function ensureHostPackages(
  packages: readonly string[],
  progress: Progress,
): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new UserError('E_NOT_ROOT', 'the lab needs root (namespaces, mounts, debootstrap)');
  }
  const missing: string[] = [];
  for (const p of packages) {
    const r = await run('dpkg-query', ['-W', '-f=${Status}', p]);
    if (r.code !== 0 || !r.stdout.includes('install ok installed')) missing.push(p);
  }
  if (missing.length === 0) return;
  progress.step(`installing host packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Another apt (the machine's own daily run, a second lab starting) may hold dpkg's lock:
  // wait for it (DPkg::Lock::Timeout) rather than fail the lab or the test run.
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  const args = [...lock, 'install', '-y', '-q', '--no-install-recommends', ...missing];
  const first = await run('apt-get', args, { env, timeoutMs: 30 * 60_000 });
  if (first.code !== 0) {
    // A fresh machine may have never fetched its package lists.
    await mustRun('apt-get', [...lock, 'update', '-q'], { env, timeoutMs: 30 * 60_000 });
    await mustRun('apt-get', args, { env, timeoutMs: 30 * 60_000 });
  }
}
