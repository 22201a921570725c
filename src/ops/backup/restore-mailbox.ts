import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { restoreScratch } from '../../render/backup/index.js';
import type { MailHostContext } from '../../render/host-context.js';
import { UserError } from '../../util/errors.js';
import { mustRun, run } from '../../util/exec.js';
import { parseAddress, type MailAddress } from '../accounts/address.js';
import * as accounts from '../accounts/store.js';
import { dropDovecotIndexes } from './dovecot-indexes.js';
import { recoveryTarget } from './restore-db.js';
import { snapshotAt } from './snapshot-at.js';
import { restoreSogoUser, sogoDumpIn, type SogoRestore } from './sogo-restore.js';
import { restic, resticSnapshots, type ResticSnapshot } from './tools.js';

export interface MailboxRestore {
  from: MailAddress;
  to: MailAddress;
  /** Over the mailbox itself (no --as): it is live, so only with --force. */
  inPlace: boolean;
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
 * What `restore mailbox ADDRESS [--as NEW] [--at TIME]` would do (reads only): the
 * snapshot (the newest, or the newest at or before TIME), and whether the target holds
 * mail. The target must be a mailbox (made with `mailctl mailbox add`, which sets its
 * password); with --as, ADDRESS need not exist any more.
 */
export async function planMailboxRestore(
  ctx: MailHostContext,
  address: string,
  opts: { as?: string; at?: string; now: number },
): Promise<MailboxRestore> {
  const from = parseAddress(address);
  const to = parseAddress(opts.as ?? address);
  const at = opts.at === undefined ? undefined : recoveryTarget(opts.at, opts.now);
  if (!(await accounts.listMailboxes(to.domain)).some((m) => m.address === to.address))
    throw new UserError(
      'E_UNKNOWN_MAILBOX',
      `there is no mailbox ${to.address}: make it first (mailctl mailbox add ${to.address})`,
    );
  const snapshot = snapshotAt(await resticSnapshots(ctx.paths.backups), at);
  const dest = homeOf(ctx, to);
  return {
    from,
    to,
    inPlace: from.address === to.address,
    snapshot,
    source: homeOf(ctx, from),
    dest,
    liveMessages: await countMessages(dest),
  };
}

export const restoreSummary = (r: MailboxRestore) =>
  r.inPlace
    ? `restore ${r.from.address} in place from snapshot ${r.snapshot.short_id} ` +
      `(${r.snapshot.time}): its mail (${r.dest}, moved aside first) and its SOGo calendars, ` +
      'contacts and preferences (dumped aside first)'
    : `restore the mail of ${r.from.address} from snapshot ${r.snapshot.short_id} ` +
      `(${r.snapshot.time}) into ${r.to.address} (${r.dest})`;

/** Refuses, before anything is asked or changed, to restore over live data without --force. */
export function refuseOverLiveMailbox(r: MailboxRestore, force: boolean): void {
  const refused = refusal(r);
  if (refused && !force) throw new UserError('E_RESTORE_OVER_LIVE_DATA', refused, { exitCode: 1 });
}

function refusal(r: MailboxRestore): string | undefined {
  if (r.inPlace)
    return (
      `${r.to.address} is a live mailbox (${r.liveMessages} message(s), its calendars and ` +
      'contacts); nothing was changed (--force moves its mail and dumps its SOGo data aside ' +
      'first, or restore it --as another mailbox)'
    );
  if (r.liveMessages > 0)
    return (
      `${r.to.address} already holds ${r.liveMessages} message(s) in ${r.dest}; nothing was ` +
      'changed (--force moves them aside first)'
    );
  return undefined;
}

export interface MailboxRestoreResult {
  /** Absent when the snapshot holds no mail of the mailbox (it never had any then). */
  mail?: { messages: number; movedAside?: string };
  /** SOGo's part: what came back (in place), or why nothing did. */
  sogo: { restored: SogoRestore } | { skipped: string };
}

/**
 * Puts the mailbox's home from the snapshot in place as the target's, with Dovecot's
 * dovecot-uidlist and dovecot-uidvalidity (so clients keep UIDs); its index files are
 * caches that Dovecot rebuilds, and they go. With force, what the target held is moved
 * aside (kept, and named in the result), never deleted. In place, the user's SOGo data
 * comes back too (sogo-restore.ts); --as another mailbox, it cannot.
 */
export async function restoreMailbox(
  ctx: MailHostContext,
  r: MailboxRestore,
  force: boolean,
): Promise<MailboxRestoreResult> {
  refuseOverLiveMailbox(r, force);
  const scratch = join(restoreScratch(ctx.paths.backups), randomBytes(6).toString('hex'));
  await mkdir(scratch, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[:.]/g, '');
  const dump = sogoDumpIn(scratch, r.from);
  try {
    await restic(ctx.paths.backups, [
      'restore',
      r.snapshot.id,
      '--quiet',
      '--target',
      scratch,
      '--include',
      r.source,
      '--include',
      sogoDumpIn('/', r.from),
    ]);
    const restored = join(scratch, r.source);
    const hasMail = existsSync(restored);
    // --as moves mail only; in place, SOGo's data alone is worth restoring too.
    if (!hasMail && (!r.inPlace || !existsSync(dump)))
      throw new UserError(
        'E_NOT_IN_BACKUP',
        `snapshot ${r.snapshot.short_id} holds no mail of ${r.from.address} (${r.source})`,
        { exitCode: 1 },
      );
    const mail = hasMail ? await putMailBack(ctx, r, restored, stamp) : undefined;
    const sogo = !existsSync(dump)
      ? { skipped: `snapshot ${r.snapshot.short_id} holds no SOGo data of ${r.from.address}` }
      : r.inPlace
        ? { restored: await restoreSogoUser(dump, r.to, stamp) }
        : {
            skipped:
              "sogo-tool restores a user's calendars and contacts only to that user: restore " +
              `${r.from.address} in place (without --as, with --force) to bring them back`,
          };
    return { ...(mail ? { mail } : {}), sogo };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function putMailBack(
  ctx: MailHostContext,
  r: MailboxRestore,
  restored: string,
  stamp: string,
): Promise<{ messages: number; movedAside?: string }> {
  // Sessions on the mailbox about to move would go on writing to what is moved aside.
  if (r.inPlace) await run('doveadm', ['kick', r.to.address]);
  let movedAside: string | undefined;
  if (existsSync(r.dest)) {
    movedAside = `${r.dest}.before-restore-${stamp}`;
    await rename(r.dest, movedAside);
  }
  await mkdir(dirname(r.dest), { recursive: true });
  await mustRun('cp', ['-a', restored, r.dest]);
  await dropDovecotIndexes(r.dest);
  await mustRun('chown', ['-R', `${ctx.vmail.user}:${ctx.vmail.group}`, r.dest]);
  // Dovecot may have the (empty) mailbox open or indexed: it reads it again from disk.
  await mustRun('doveadm', ['force-resync', '-u', r.to.address, '*']);
  return { messages: await countMessages(r.dest), ...(movedAside ? { movedAside } : {}) };
}

/** What `restore mailbox` prints: what it restored, from where, and what it moved aside. */
export function mailboxRestoreLines(r: MailboxRestore, done: MailboxRestoreResult): string[] {
  const { mail, sogo } = done;
  const from = `snapshot ${r.snapshot.short_id} (${r.snapshot.time})`;
  return [
    mail
      ? `restored ${mail.messages} message(s) of ${r.from.address} from ${from} into ${r.to.address} (${r.dest})`
      : `${from} holds no mail of ${r.from.address}: its mail was left as it is`,
    ...(mail?.movedAside ? [`what ${r.to.address} held before is in ${mail.movedAside}`] : []),
    ...('restored' in sogo
      ? [
          `restored the SOGo data of ${r.to.address}: ${sogo.restored.folders.join(', ') || 'no folders'}, and its preferences`,
          `its SOGo data before (sogo-tool backup) is in ${sogo.restored.movedAside}`,
        ]
      : [`SOGo data not restored: ${sogo.skipped}`]),
  ];
}

/** Messages in a mailbox home: the files in every Maildir folder's cur/ and new/. */
export async function countMessages(home: string): Promise<number> {
  if (!existsSync(home)) return 0;
  const entries = await readdir(home, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && /(^|\/)(cur|new)$/.test(e.parentPath ?? e.path))
    .length;
}
