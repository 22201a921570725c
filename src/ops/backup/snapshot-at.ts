import { UserError } from '../../util/errors.js';
import type { ResticSnapshot } from './tools.js';

/**
 * The snapshot a restore takes: the newest, or (--at) the newest taken at or before that
 * moment. restic's `time` is when the run began, so a snapshot of 02:30 counts as 02:30.
 */
export function snapshotAt(
  snapshots: readonly ResticSnapshot[],
  at?: { iso: string },
): ResticSnapshot {
  const sorted = [...snapshots].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const oldest = sorted[0];
  if (!oldest)
    throw new UserError('E_NO_BACKUP', 'the restic repository has no snapshot yet', {
      exitCode: 1,
    });
  if (!at) return sorted.at(-1) ?? oldest;
  const limit = Date.parse(at.iso);
  const found = sorted.filter((s) => Date.parse(s.time) <= limit).at(-1);
  if (!found)
    throw new UserError(
      'E_NO_BACKUP',
      `no snapshot was taken at or before ${at.iso} (the oldest is from ${new Date(Date.parse(oldest.time)).toISOString()})`,
      { exitCode: 1 },
    );
  return found;
}
