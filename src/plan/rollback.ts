import type { DesiredState } from './desired-state.js';

export interface RollbackTarget {
  desired: DesiredState;
  /** Managed files the revision did not record: they stay as the cluster file renders them. */
  unknownAtRevision: string[];
}

/**
 * The desired state of a rollback (pure): every managed file with the content an earlier
 * revision recorded, and everything else (owners, modes, components, packages) as the
 * cluster file says today, so the daemons' checks and reloads run exactly as for an apply.
 */
export function rollbackDesiredState(
  current: DesiredState,
  atRevision: ReadonlyMap<string, string>,
): RollbackTarget {
  const unknownAtRevision: string[] = [];
  const files = current.files.map((f) => {
    const content = atRevision.get(f.path);
    if (content === undefined) {
      unknownAtRevision.push(f.path);
      return f;
    }
    return { ...f, content };
  });
  return { desired: { ...current, files }, unknownAtRevision };
}
