import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { restoreScratch } from '../../render/backup/index.js';
import type { MailHostContext } from '../../render/host-context.js';
import { UserError } from '../../util/errors.js';
import { mustRun } from '../../util/exec.js';
import { parseAddress, type MailAddress } from '../accounts/address.js';
import * as accounts from '../accounts/store.js';
import { restic, resticSnapshots, type ResticSnapshot } from './tools.js';
import { dropDovecotIndexes } from './dovecot-indexes.js';

export interface MailboxRestore {
  from: MailAddress;
  to: MailAddress;
  snapshot: ResticSnapshot;
  /** The mailbox's home in the snapshot (its Maildir and Sieve scripts). */
  source: string;
  /** The new mailbox's home on this host. */
  dest: string;
  /** Messages already in dest: restoring over them needs --force. */
  liveMessages: number;
}

/** The mailbox's home, as Dovecot's mail_home names it. */
const homeOf = (ctx: MailHostContext, a: MailAddress) =>
  `${ctx.paths.vmail}/${a.domain}/${a.localPart}`;

/**
 * What `restore mailbox ADDRESS --as NEW` would do (reads only): the newest snapshot, and
 * whether the new mailbox already holds mail. NEW must be a mailbox already (made with
 * `mailctl mailbox add`, which sets its password); ADDRESS need not exist any more.
 */
export async function planMailboxRestore(
  ctx: MailHostContext,
  address: string,
  as: string,
): Promise<MailboxRestore> {
  const from = parseAddress(address);
  const to = parseAddress(as);
  if (from.address === to.address)
    throw new UserError(
      'E_RESTORE_IN_PLACE',
      `restoring ${from.address} over itself is not supported yet: restore it --as another mailbox`,
    );
  if (!(await accounts.listMailboxes(to.domain)).some((m) => m.address === to.address))
    throw new UserError(
      'E_UNKNOWN_MAILBOX',
      `there is no mailbox ${to.address}: make it first (mailctl mailbox add ${to.address})`,
    );
  const snapshot = (await resticSnapshots(ctx.paths.backups)).at(-1);
  if (!snapshot)
    throw new UserError('E_NO_BACKUP', 'the restic repository has no snapshot yet', {
      exitCode: 1,
    });
  const dest = homeOf(ctx, to);
  return {
    from,
    to,
    snapshot,
    source: homeOf(ctx, from),
    dest,
    liveMessages: await countMessages(dest),
  };
}

export const restoreSummary = (r: MailboxRestore) =>
  `restore the mail of ${r.from.address} from snapshot ${r.snapshot.short_id} ` +
  `(${r.snapshot.time}) into ${r.to.address} (${r.dest})`;

/**
 * Puts the mailbox's home from the snapshot in place as the new mailbox's, with Dovecot's
 * dovecot-uidlist and dovecot-uidvalidity (so clients keep UIDs); its index files are
 * caches that Dovecot rebuilds, and they go. With force, what the new mailbox held is
 * moved aside (kept, and named in the result), never deleted.
 */
export async function restoreMailbox(
  ctx: MailHostContext,
  r: MailboxRestore,
  force: boolean,
): Promise<{ messages: number; movedAside?: string }> {
  if (r.liveMessages > 0 && !force)
    throw new UserError(
      'E_RESTORE_OVER_LIVE_DATA',
      `${r.to.address} already holds ${r.liveMessages} message(s) in ${r.dest}; nothing was ` +
        'changed (--force moves them aside first)',
      { exitCode: 1 },
    );
  const scratch = join(restoreScratch(ctx.paths.backups), randomBytes(6).toString('hex'));
  await mkdir(scratch, { recursive: true, mode: 0o700 });
  try {
    await restic(ctx.paths.backups, [
      'restore',
      r.snapshot.id,
      '--quiet',
      '--target',
      scratch,
      '--include',
      r.source,
    ]);
    const restored = join(scratch, r.source);
    if (!existsSync(restored))
      throw new UserError(
        'E_NOT_IN_BACKUP',
        `snapshot ${r.snapshot.short_id} holds no mail of ${r.from.address} (${r.source})`,
        { exitCode: 1 },
      );
    let movedAside: string | undefined;
    if (existsSync(r.dest)) {
      movedAside = `${r.dest}.before-restore-${new Date().toISOString().replace(/[:.]/g, '')}`;
      await rename(r.dest, movedAside);
    }
    await mkdir(dirname(r.dest), { recursive: true });
    await mustRun('cp', ['-a', restored, r.dest]);
    await dropDovecotIndexes(r.dest);
    await mustRun('chown', ['-R', `${ctx.vmail.user}:${ctx.vmail.group}`, r.dest]);
    // Dovecot may have the (empty) mailbox open or indexed: it reads it again from disk.
    await mustRun('doveadm', ['force-resync', '-u', r.to.address, '*']);
    return { messages: await countMessages(r.dest), ...(movedAside ? { movedAside } : {}) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Messages in a mailbox home: the files in every Maildir folder's cur/ and new/. */
export async function countMessages(home: string): Promise<number> {
  if (!existsSync(home)) return 0;
  const entries = await readdir(home, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && /(^|\/)(cur|new)$/.test(e.parentPath ?? e.path))
    .length;
}
