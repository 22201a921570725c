import { mustRun } from '../../util/exec.js';

/**
 * Deletes Dovecot's index files under `dir`. They are caches, rebuilt from the Maildir and
 * dovecot-uidlist (which keeps the UIDs), and a restored copy of them would describe
 * another state of the mailbox than the files beside it.
 */
export async function dropDovecotIndexes(dir: string): Promise<void> {
  await mustRun('find', [
    dir,
    '-type',
    'f',
    '(',
    '-name',
    'dovecot.index*',
    '-o',
    '-name',
    'dovecot.list.index*',
    ')',
    '-delete',
  ]);
}
