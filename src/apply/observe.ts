import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { run } from '../util/exec.js';
import type { DesiredState, ObservedState } from '../plan/desired-state.js';

async function ownerName(kind: 'passwd' | 'group', id: number): Promise<string> {
  const r = await run('getent', [kind, String(id)]);
  return r.stdout.split(':')[0] || String(id);
}

type Ownership = { owner: string; group: string; mode: number };

/** Owner, group and permission bits of a path that exists; undefined for one that does not. */
async function ownership(path: string): Promise<Ownership | undefined> {
  if (!existsSync(path)) return undefined;
  const s = await stat(path);
  return {
    owner: await ownerName('passwd', s.uid),
    group: await ownerName('group', s.gid),
    mode: s.mode & 0o7777,
  };
}

/** The ownership of each of `paths` that exists, by path. */
async function ownerships(paths: readonly { path: string }[]): Promise<Map<string, Ownership>> {
  const found = new Map<string, Ownership>();
  for (const { path } of paths) {
    const o = await ownership(path);
    if (o) found.set(path, o);
  }
  return found;
}

/**
 * Reads just the parts of the host that the desired state speaks about, and the files of
 * `managed` (the last apply's manifest) that are still there.
 */
export async function observe(
  desired: DesiredState,
  managed?: ReadonlyMap<string, string>,
): Promise<ObservedState> {
  const installed = new Set<string>();
  if (desired.packages.length) {
    const r = await run('dpkg-query', [
      '-W',
      '-f=${Package} ${db:Status-Abbrev}\\n',
      ...desired.packages,
    ]);
    for (const line of r.stdout.split('\n')) {
      const [name, status] = line.trim().split(/\s+/);
      if (name && status?.startsWith('ii')) installed.add(name);
    }
  }
  const users = new Set<string>();
  for (const u of desired.users) {
    if ((await run('getent', ['passwd', u.name])).code === 0) users.add(u.name);
  }
  const directories = await ownerships(desired.directories);
  const permissions = await ownerships(desired.permissions);
  const files = new Map<string, Ownership & { content: string }>();
  for (const path of new Set([...desired.files.map((f) => f.path), ...(managed?.keys() ?? [])])) {
    const o = await ownership(path);
    if (o) files.set(path, { content: await readFile(path, 'utf8'), ...o });
  }
  const enabledUnits = new Set<string>();
  const activeUnits = new Set<string>();
  for (const unit of new Set(desired.components.flatMap((c) => c.units))) {
    const enabled = (await run('systemctl', ['is-enabled', unit])).stdout.trim();
    const active = (await run('systemctl', ['is-active', unit])).stdout.trim();
    if (['enabled', 'static', 'alias', 'indirect', 'generated'].includes(enabled))
      enabledUnits.add(unit);
    if (['active', 'reloading', 'activating'].includes(active)) activeUnits.add(unit);
  }
  return {
    installedPackages: installed,
    users,
    directories,
    permissions,
    files,
    enabledUnits,
    activeUnits,
    managed,
  };
}
