import { existsSync } from 'node:fs';
import { run } from '../../util/exec.js';
import { UserError } from '../../util/errors.js';

const DOVEADM = '/usr/bin/doveadm';

/**
 * Dovecot down (its auth-master socket missing or refusing): no auth process, so no
 * cache to flush; the next one starts empty.
 */
const DOVECOT_DOWN = /No such file or directory|Connection refused/;

/**
 * Drops what Dovecot's auth cache (auth_cache_size, dovecot.conf) holds for these logins,
 * so that a change to their row in the database counts from the next login on: a changed
 * password (the old one stays good for auth_cache_ttl otherwise, since a cached success is
 * checked against the cached hash), a disabled or removed mailbox, a quota (userdb's
 * quota_storage_size), and a new or re-enabled one that failed while it was missing
 * (auth_cache_negative_ttl). Also the SASL logins Postfix makes through Dovecot's auth.
 */
export async function flushAuthCache(addresses: readonly string[]): Promise<void> {
  if (addresses.length === 0 || !existsSync(DOVEADM)) return;
  const r = await run(DOVEADM, ['auth', 'cache', 'flush', ...addresses], { timeoutMs: 30_000 });
  if (r.code === 0 || DOVECOT_DOWN.test(r.stderr)) return;
  throw new UserError(
    'E_AUTH_CACHE_FLUSH',
    `the database is changed, but Dovecot's auth cache was not flushed (the old state holds for logins until auth_cache_ttl; run 'doveadm auth cache flush ${addresses.join(' ')}'): ${r.stderr.trim()}`,
    { exitCode: 1 },
  );
}
