import { mkdir, rm, writeFile, cp, mkdtemp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run } from '../util/exec.js';
import { UserError } from '../util/errors.js';
import type { ComponentDescriptor } from '../render/types.js';
import type { FileChange } from '../plan/plan.js';

/**
 * Runs each changed component's own checker against the staged files, before anything is
 * installed. The checker runs in a private mount namespace where copies of the affected
 * directories, with the new files written in, are bind-mounted over the live ones: it sees
 * exactly what would go live, while the running daemons see nothing.
 */
export async function checkStaged(
  changes: readonly FileChange[],
  components: readonly ComponentDescriptor[],
  /** Files the apply removes: absent from what the checker sees. */
  removals: readonly string[] = [],
): Promise<void> {
  const root = await mkdtemp('/run/mailctl-stage-');
  try {
    // Bind the smallest set of directories that covers every changed file.
    const parents = [
      ...new Set([...changes.map((c) => dirname(c.file.path)), ...removals.map((p) => dirname(p))]),
    ].sort();
    const roots = parents.filter(
      (p, i) => !parents.slice(0, i).some((q) => p === q || p.startsWith(`${q}/`)),
    );
    for (const live of roots) {
      // An empty directory is harmless on the live side, and bind mounts need a target.
      await mkdir(live, { recursive: true });
      await cp(live, join(root, live), {
        recursive: true,
        preserveTimestamps: true,
        verbatimSymlinks: true,
      });
    }
    for (const c of changes) {
      const staged = join(root, c.file.path);
      await mkdir(dirname(staged), { recursive: true });
      await writeFile(staged, c.resolved, { mode: c.file.mode });
      await run('chown', [`${c.file.owner}:${c.file.group}`, staged]);
    }
    for (const path of removals) await rm(join(root, path), { force: true });
    const binds = roots.map((live) => `mount --bind '${join(root, live)}' '${live}'`).join(' && ');
    for (const comp of components) {
      if (!comp.check?.length) continue;
      const r = await run(
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          'bash',
          '-c',
          `${binds} && exec "$@"`,
          'check',
          ...comp.check,
        ],
        {
          timeoutMs: 120_000,
        },
      );
      if (r.code !== 0) {
        const detail = `${r.stderr}\n${r.stdout}`.trim().split('\n').slice(-8).join('\n  ');
        throw new UserError(
          'E_CHECK_FAILED',
          `${comp.name}: its configuration check (${comp.check.join(' ')}) refused the new files; nothing was installed:\n  ${detail}`,
          { exitCode: 1 },
        );
      }
    }
  } finally {
    if (existsSync(root)) await rm(root, { recursive: true, force: true });
  }
}
