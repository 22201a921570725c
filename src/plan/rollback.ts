import type { DesiredState } from './desired-state.js';

export interface RollbackTarget {
  desired: DesiredState;
  /**
   * Managed files the revision did not record, when it has no manifest (it predates them):
   * they stay as the cluster file renders them.
   */
  unknownAtRevision: string[];
  /** Files rendered now that the revision's manifest does not list: the rollback removes them. */
  removedAtRevision: string[];
}

/**
 * The desired state of a rollback (pure): every managed file with the content an earlier
 * revision recorded, and everything else (owners, modes, components, packages) as the
 * cluster file says today, so the daemons' checks and reloads run exactly as for an apply.
 */
export function rollbackDesiredState(
  current: DesiredState,
  atRevision: ReadonlyMap<string, string>,
  /** The revision's manifest (path → component), if it recorded one. */
  manifestAtRevision?: ReadonlyMap<string, string>,
): RollbackTarget {
  const unknownAtRevision: string[] = [];
  const removedAtRevision: string[] = [];
  const files = current.files.flatMap((f) => {
    if (manifestAtRevision && !manifestAtRevision.has(f.path)) {
      removedAtRevision.push(f.path);
      return [];
    }
    const content = atRevision.get(f.path);
    if (content === undefined) {
      unknownAtRevision.push(f.path);
      return [f];
    }
    return [{ ...f, content }];
  });
  return { desired: { ...current, files }, unknownAtRevision, removedAtRevision };
}
