import { existsSync } from 'node:fs';
import { mustRun } from '../../util/exec.js';

const SOGO_TOOL = '/usr/sbin/sogo-tool';

/**
 * Deletes what SOGo keeps for a user (calendars, address books, settings, ActiveSync
 * state) in its schema. Without this, a mailbox created later at the same address would
 * inherit the previous owner's calendars and contacts. A host without SOGo has nothing to
 * delete. sogo-tool works from the user id alone, so it also clears a user whose mailbox
 * row is already gone.
 */
export async function removeSogoUserData(address: string): Promise<boolean> {
  if (!existsSync(SOGO_TOOL)) return false;
  await mustRun('runuser', ['-u', 'sogo', '--', SOGO_TOOL, 'remove', address]);
  return true;
}
