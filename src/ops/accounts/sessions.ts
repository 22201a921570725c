import { existsSync } from 'node:fs';
import { MEMCACHED_LISTEN } from '../../render/sogo/sogo-conf.js';
import { run } from '../../util/exec.js';
import { UserError } from '../../util/errors.js';
import { memcachedDelete, memcachedKeys } from './memcached.js';

const DOVEADM = '/usr/bin/doveadm';
const SOGO_TOOL = '/usr/sbin/sogo-tool';

/**
 * Keys under which SOGo caches a user (its attributes, and with them the password check it
 * made at login, plus the user's settings and defaults) are the login itself or start with
 * it and a "+". While one is cached, SOGo's web sessions and ActiveSync (HTTP Basic, checked
 * on every request against that cache) go on accepting the old password, for up to
 * SOGoCacheCleanupInterval.
 */
export function sogoCacheKeysOf(address: string, keys: readonly string[]): string[] {
  return keys.filter((k) => k === address || k.startsWith(`${address}+`));
}

/**
 * Ends what a mailbox has open, so that taking access away takes effect now, not at the
 * next login: Dovecot's IMAP, POP3 and ManageSieve connections (`doveadm kick`, which
 * closes them; the client's next command finds the connection gone and its next login is
 * checked against the database again, the store having flushed Dovecot's auth cache for
 * it), and SOGo's cached
 * view of the user (web sessions and ActiveSync re-check the password on their next
 * request). Returns what it ended, as lines for the user.
 */
export async function endSessions(address: string): Promise<string[]> {
  const ended: string[] = [];
  if (existsSync(DOVEADM)) {
    const r = await run(DOVEADM, ['kick', address]);
    if (r.code !== 0)
      throw new UserError(
        'E_COMMAND_FAILED',
        `doveadm kick ${address} failed: ${r.stderr.trim()}`,
        {
          exitCode: 1,
        },
      );
    // Dovecot 2.4 says "N connections kicked"; none open is no error.
    const kicked = Number(/(\d+) connections? kicked/.exec(r.stdout + r.stderr)?.[1] ?? 0);
    if (kicked > 0) ended.push(`ended its ${kicked} IMAP/POP3 connection(s) (doveadm kick)`);
  }
  if (existsSync(SOGO_TOOL)) {
    const { host, port } = MEMCACHED_LISTEN;
    const keys = sogoCacheKeysOf(address, await memcachedKeys(host, port));
    await memcachedDelete(host, port, keys);
    if (keys.length > 0) ended.push('ended its SOGo web and ActiveSync sessions');
  }
  return ended;
}
