import { rename, rm } from 'node:fs/promises';
import { SOGO_DUMP_DIR, SOGO_TOOL, SOGO_USER } from '../../render/backup/index.js';
import { mustRun } from '../../util/exec.js';
import * as accounts from '../accounts/store.js';

// As SOGo's own user, which reads /etc/sogo and the database as the sogo role; from / so
// that it never trips over root's working directory.
export const sogoTool = (args: readonly string[]) =>
  mustRun('runuser', ['-u', SOGO_USER, '--', SOGO_TOOL, ...args], {
    cwd: '/',
    timeoutMs: 30 * 60_000,
  });

/** A directory only SOGo's user reads: the dumps hold calendars and password hashes. */
export const sogoDir = (dir: string) =>
  mustRun('install', ['-d', '-o', SOGO_USER, '-g', SOGO_USER, '-m', '0700', dir]);

/** Users per sogo-tool run: its arguments stay far below the kernel's limit. */
const CHUNK = 200;

/**
 * SOGo's per-user dumps for the snapshot that follows (the backup units' ExecStartPre=):
 * `sogo-tool backup` of every active mailbox (SOGo's users: the sogo_users view) into a
 * new directory that replaces the last only when whole, so a removed user's file does not
 * linger and a failed run leaves the last good dumps. The users are named rather than
 * `ALL`, which lists only users who have folders and exits 255 when none has.
 */
export async function dumpSogoUsers(): Promise<{ users: number; dir: string }> {
  const users = (await accounts.listMailboxes()).filter((m) => m.active).map((m) => m.address);
  const next = `${SOGO_DUMP_DIR}.new`;
  await rm(next, { recursive: true, force: true });
  await sogoDir(next);
  for (let i = 0; i < users.length; i += CHUNK)
    await sogoTool(['backup', next, ...users.slice(i, i + CHUNK)]);
  await rm(SOGO_DUMP_DIR, { recursive: true, force: true });
  await rename(next, SOGO_DUMP_DIR);
  return { users: users.length, dir: SOGO_DUMP_DIR };
}
