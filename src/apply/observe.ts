import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { run } from '../util/exec.js';
import type { DesiredState, ObservedState } from '../plan/desired-state.js';

/**
 * User and group names by id, from one `getent` each for the whole run: a process per path
 * made a no-op apply take seconds (issue 14). An id getent does not enumerate (an NSS
 * source without enumeration) is asked for on its own, once.
 */
class Names {
  private readonly byId = { passwd: new Map<number, string>(), group: new Map<number, string>() };
  readonly users = new Set<string>();

  static async load(): Promise<Names> {
    const n = new Names();
    for (const kind of ['passwd', 'group'] as const) {
      for (const line of (await run('getent', [kind])).stdout.split('\n')) {
        const [name, , id] = line.split(':');
        if (!name || id === undefined) continue;
        if (!n.byId[kind].has(Number(id))) n.byId[kind].set(Number(id), name);
        if (kind === 'passwd') n.users.add(name);
      }
    }
    return n;
  }

  async name(kind: 'passwd' | 'group', id: number): Promise<string> {
    const known = this.byId[kind].get(id);
    if (known !== undefined) return known;
    const r = await run('getent', [kind, String(id)]);
    const name = r.stdout.split(':')[0] || String(id);
    this.byId[kind].set(id, name);
    return name;
  }
}

type Ownership = { owner: string; group: string; mode: number };

/** Owner, group and permission bits of a path that exists; undefined for one that does not. */
async function ownership(names: Names, path: string): Promise<Ownership | undefined> {
  if (!existsSync(path)) return undefined;
  const s = await stat(path);
  return {
    owner: await names.name('passwd', s.uid),
    group: await names.name('group', s.gid),
    mode: s.mode & 0o7777,
  };
}

/** The ownership of each of `paths` that exists, by path. */
async function ownerships(
  names: Names,
  paths: readonly { path: string }[],
): Promise<Map<string, Ownership>> {
  const found = new Map<string, Ownership>();
  for (const { path } of paths) {
    const o = await ownership(names, path);
    if (o) found.set(path, o);
  }
  return found;
}

/**
 * UnitFileState and ActiveState of each unit, from one `systemctl show` for all: it prints
 * one block per unit in the order asked, a unit that does not exist included (empty
 * UnitFileState, ActiveState inactive).
 */
async function unitStates(
  units: readonly string[],
): Promise<Map<string, { enabled: string; active: string }>> {
  const states = new Map<string, { enabled: string; active: string }>();
  if (!units.length) return states;
  const r = await run('systemctl', ['show', '-p', 'UnitFileState,ActiveState', '--', ...units]);
  const blocks = r.stdout.trimEnd().split(/\n\n/);
  if (r.code !== 0 || blocks.length !== units.length) {
    // Not one block per unit (an older systemctl, a unit name it refuses): ask each alone.
    for (const unit of units) {
      const enabled = (await run('systemctl', ['is-enabled', unit])).stdout.trim();
      const active = (await run('systemctl', ['is-active', unit])).stdout.trim();
      states.set(unit, { enabled, active });
    }
    return states;
  }
  units.forEach((unit, i) => {
    const block = blocks[i] ?? '';
    states.set(unit, {
      enabled: /^UnitFileState=(.*)$/m.exec(block)?.[1] ?? '',
      active: /^ActiveState=(.*)$/m.exec(block)?.[1] ?? '',
    });
  });
  return states;
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
  const names = await Names.load();
  const users = new Set<string>();
  for (const u of desired.users) {
    if (names.users.has(u.name) || (await run('getent', ['passwd', u.name])).code === 0)
      users.add(u.name);
  }
  const directories = await ownerships(names, desired.directories);
  const permissions = await ownerships(names, desired.permissions);
  const files = new Map<string, Ownership & { content: string }>();
  for (const path of new Set([...desired.files.map((f) => f.path), ...(managed?.keys() ?? [])])) {
    const o = await ownership(names, path);
    if (o) files.set(path, { content: await readFile(path, 'utf8'), ...o });
  }
  const enabledUnits = new Set<string>();
  const activeUnits = new Set<string>();
  const states = await unitStates([...new Set(desired.components.flatMap((c) => c.units))]);
  for (const [unit, { enabled, active }] of states) {
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
