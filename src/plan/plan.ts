import type { ComponentDescriptor, RenderedFile } from '../render/types.js';
import { formatHostChanges, type HostChange } from './host-steps.js';
import type {
  DesiredDirectory,
  DesiredPermissions,
  DesiredState,
  DesiredUser,
  ObservedState,
} from './desired-state.js';

export interface FileChange {
  file: RenderedFile;
  /** The content to install, secrets resolved (never shown). */
  resolved: string;
  kind: 'create' | 'update' | 'metadata';
  /** Whether the file carries secrets: its diff is never shown. */
  secret: boolean;
  previous?: string;
}

/** A file the last apply managed that is no longer rendered: apply removes it. */
export interface FileRemoval {
  path: string;
  component: string;
  previous: string;
}

export interface Plan {
  packages: string[];
  users: DesiredUser[];
  directories: DesiredDirectory[];
  /** Package files whose owner or mode differs (or that the packages have not made yet). */
  permissions: DesiredPermissions[];
  files: FileChange[];
  removals: FileRemoval[];
  /** Components whose files change: their check runs, then their units reload. */
  changedComponents: ComponentDescriptor[];
  /**
   * Units to enable and start (new on this host, or enabled but stopped), in the order of
   * the components: the database before the daemons that look things up in it.
   */
  unitsToEnable: string[];
  /** What the host steps would change (keys, certificates, database, accounts, units). */
  host: HostChange[];
}

export function isEmptyPlan(p: Plan): boolean {
  return (
    p.packages.length +
      p.users.length +
      p.directories.length +
      p.permissions.length +
      p.files.length +
      p.removals.length +
      p.unitsToEnable.length +
      p.host.length ===
    0
  );
}

type Ownership = { owner: string; group: string; mode: number };

/** Whether a path is missing, or has another owner, group or mode than wanted. */
const ownershipDiffers = (want: Ownership, have: Ownership | undefined): boolean =>
  !have || have.owner !== want.owner || have.group !== want.group || have.mode !== want.mode;

/**
 * The difference between what the spec asks for and what the host has (pure).
 * `resolve` turns a rendered file's content into what belongs on disk (secret tokens
 * replaced); comparison is on that, display on the token form.
 */
export function computePlan(
  desired: DesiredState,
  observed: ObservedState,
  resolve: (file: RenderedFile) => string,
): Plan {
  const packages = [...new Set(desired.packages)]
    .filter((p) => !observed.installedPackages.has(p))
    .sort();
  const users = desired.users.filter((u) => !observed.users.has(u.name));
  const directories = desired.directories.filter((d) =>
    ownershipDiffers(d, observed.directories.get(d.path)),
  );
  const permissions = desired.permissions.filter((d) =>
    ownershipDiffers(d, observed.permissions.get(d.path)),
  );
  const files: FileChange[] = [];
  for (const file of [...desired.files].sort((a, b) => a.path.localeCompare(b.path))) {
    const resolved = resolve(file);
    const live = observed.files.get(file.path);
    const secret = resolved !== file.content;
    if (!live) {
      files.push({ file, resolved, kind: 'create', secret });
    } else if (live.content !== resolved) {
      files.push({ file, resolved, kind: 'update', secret, previous: live.content });
    } else if (ownershipDiffers(file, live)) {
      files.push({ file, resolved, kind: 'metadata', secret, previous: live.content });
    }
  }
  const desiredPaths = new Set(desired.files.map((f) => f.path));
  const removals: FileRemoval[] = [...(observed.managed ?? [])]
    .filter(([path]) => !desiredPaths.has(path))
    .flatMap(([path, component]) => {
      const live = observed.files.get(path);
      return live ? [{ path, component, previous: live.content }] : [];
    })
    .sort((a, b) => a.path.localeCompare(b.path));
  const changed = new Set([
    ...files.map((f) => f.file.component),
    ...removals.map((r) => r.component),
  ]);
  const changedComponents = desired.components.filter((c) => changed.has(c.name));
  const unitsToEnable = desired.components
    .flatMap((c) => c.units)
    .filter((u) => !(observed.enabledUnits.has(u) && observed.activeUnits.has(u)));
  return {
    packages,
    users,
    directories,
    permissions,
    files,
    removals,
    changedComponents,
    unitsToEnable: [...new Set(unitsToEnable)],
    host: [],
  };
}

/** The plan as an administrator reads it before applying (terraform-like). */
export function formatPlan(
  p: Plan,
  diff: (before: string, after: string, path: string) => string,
): string {
  if (isEmptyPlan(p)) return 'No changes: the host matches the cluster file.\n';
  const out: string[] = [];
  if (p.packages.length) out.push(`+ packages: ${p.packages.join(' ')}`);
  for (const u of p.users) out.push(`+ user ${u.name} (uid ${u.uid}, group ${u.group})`);
  for (const d of p.directories)
    out.push(`~ directory ${d.path} ${d.owner}:${d.group} ${d.mode.toString(8)}`);
  for (const d of p.permissions)
    out.push(`~ permissions ${d.path} ${d.owner}:${d.group} ${d.mode.toString(8)}`);
  for (const f of p.files) {
    const sign = f.kind === 'create' ? '+' : '~';
    const meta = `${f.file.owner}:${f.file.group} ${f.file.mode.toString(8)}`;
    out.push(
      `${sign} ${f.file.path} (${f.file.component}, ${meta}${f.kind === 'metadata' ? ', owner/mode only' : ''})`,
    );
    if (f.kind === 'update') {
      out.push(
        f.secret
          ? '    (contains secrets: diff not shown)'
          : diff(f.previous ?? '', f.file.content, f.file.path),
      );
    }
  }
  for (const r of p.removals)
    out.push(`- remove file ${r.path} (${r.component}, no longer rendered)`);
  out.push(...formatHostChanges(p.host));
  for (const c of p.changedComponents)
    out.push(`! ${c.name}: check, then ${c.onChange} ${c.units.join(' ')}`);
  for (const u of p.unitsToEnable) out.push(`+ enable and start ${u}`);
  const counts = `${p.files.length} file(s), ${p.removals.length} file(s) to remove, ${p.packages.length} package(s), ${p.directories.length} directory(ies), ${p.permissions.length} permission change(s), ${p.host.length} host change(s)`;
  return `${out.join('\n')}\n\nPlan: ${counts}, ${p.changedComponents.length} component(s) to reload.\n`;
}

/** The plan as `plan --json` and `apply --json` print it: what changes, never file contents. */
export function planJson(p: Plan): object {
  return {
    empty: isEmptyPlan(p),
    packages: p.packages,
    users: p.users.map((u) => u.name),
    directories: p.directories.map((d) => d.path),
    permissions: p.permissions.map((d) => d.path),
    files: p.files.map((f) => ({ path: f.file.path, action: f.kind, component: f.file.component })),
    removals: p.removals.map((r) => ({ path: r.path, component: r.component })),
    components: p.changedComponents.map((c) => ({
      name: c.name,
      onChange: c.onChange,
      units: c.units,
    })),
    unitsToEnable: p.unitsToEnable,
    host: p.host,
  };
}
