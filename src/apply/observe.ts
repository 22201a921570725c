import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { run } from '../util/exec.js';
import type { DesiredState, ObservedState } from '../plan/desired-state.js';

async function ownerName(kind: 'passwd' | 'group', id: number): Promise<string> {
  const r = await run('getent', [kind, String(id)]);
  return r.stdout.split(':')[0] || String(id);
}

/** Reads just the parts of the host that the desired state speaks about. */
export async function observe(desired: DesiredState): Promise<ObservedState> {
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
  const directories: Map<string, { owner: string; group: string; mode: number }> = new Map();
  for (const d of desired.directories) {
    if (!existsSync(d.path)) continue;
    const s = await stat(d.path);
    directories.set(d.path, {
      owner: await ownerName('passwd', s.uid),
      group: await ownerName('group', s.gid),
      mode: s.mode & 0o7777,
    });
  }
  const permissions: Map<string, { owner: string; group: string; mode: number }> = new Map();
  for (const p of desired.permissions) {
    if (!existsSync(p.path)) continue;
    const s = await stat(p.path);
    permissions.set(p.path, {
      owner: await ownerName('passwd', s.uid),
      group: await ownerName('group', s.gid),
      mode: s.mode & 0o7777,
    });
  }
  const files: Map<string, { content: string; owner: string; group: string; mode: number }> =
    new Map();
  for (const f of desired.files) {
    if (!existsSync(f.path)) continue;
    const s = await stat(f.path);
    files.set(f.path, {
      content: await readFile(f.path, 'utf8'),
      owner: await ownerName('passwd', s.uid),
      group: await ownerName('group', s.gid),
      mode: s.mode & 0o7777,
    });
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
  };
}
