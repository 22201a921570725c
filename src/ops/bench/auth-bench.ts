import {
  addBenchMailboxes,
  benchDate,
  loadAverage,
  removeBenchMailboxes,
} from './bench-mailbox.js';
import { AUTH_CLIENT_SOCKET, type AuthFigures } from './auth-load.js';
import { planIsClean, type BenchTarget } from './lab-target.js';

export interface AuthBenchOptions {
  seconds: number;
  concurrency: number;
  users: number;
}

export interface AuthReport {
  date: string;
  loadBefore: number;
  loadAfter: number;
  seconds: number;
  users: number;
  cached: AuthFigures;
  uncached: AuthFigures;
  planClean: boolean;
}

const DOVECOT_CONF = '/etc/dovecot/dovecot.conf';
const SAVED = '/run/mailctl-bench-dovecot.conf';

/** Turns the auth cache off for a run (auth_cache_size = 0), the file kept to put back. */
const cacheOff = [
  `test ! -e ${SAVED}`,
  `cp -p ${DOVECOT_CONF} ${SAVED}`,
  `sed -i 's/^auth_cache_size = .*/auth_cache_size = 0/' ${DOVECOT_CONF}`,
  `grep -qx 'auth_cache_size = 0' ${DOVECOT_CONF}`,
  'doveconf -n >/dev/null',
  'doveadm reload',
].join('\n');

/** Puts dovecot.conf back byte for byte; safe to run twice. */
const restore = `if [ -e ${SAVED} ]; then cp -p ${SAVED} ${DOVECOT_CONF} && rm ${SAVED} && doveadm reload; fi`;

/**
 * `mailctl bench auth`: PLAIN logins straight to Dovecot's auth process, once as configured
 * (the auth cache on) and once with auth_cache_size = 0 for the run (every login a
 * PostgreSQL query and a SHA512-CRYPT check), on mailboxes of the run's own.
 */
export async function runAuthBench(t: BenchTarget, o: AuthBenchOptions): Promise<AuthReport> {
  const loadBefore = loadAverage();
  const { users, pass } = await addBenchMailboxes(t, 'bench-auth', o.users);
  const load = async () =>
    JSON.parse(
      await t.host(
        `mailctl bench auth-load --socket ${AUTH_CLIENT_SOCKET} --users ${users.join(',')} --seconds ${o.seconds} --concurrency ${o.concurrency}`,
        { input: `${pass}\n`, timeoutMs: (o.seconds + 90) * 1000 },
      ),
    ) as AuthFigures;
  let cached: AuthFigures;
  let uncached: AuthFigures;
  try {
    cached = await load();
    await t.host(cacheOff);
    uncached = await load();
  } finally {
    await t.host(restore);
    await removeBenchMailboxes(t, users);
  }
  const planClean = await planIsClean(t);
  return {
    date: benchDate(),
    loadBefore,
    loadAfter: loadAverage(),
    seconds: o.seconds,
    users: users.length,
    cached,
    uncached,
    planClean,
  };
}

export function formatAuth(r: AuthReport): string {
  const line = (name: string, f: AuthFigures) =>
    `${name}${f.perSecond} lookups/s (${f.lookups} in ${r.seconds} s, ${f.failed} failed, ${f.concurrency} in flight), p50 ${f.lookupMs.p50} ms, p95 ${f.lookupMs.p95} ms, p99 ${f.lookupMs.p99} ms`;
  return [
    `${r.date}, load average ${r.loadBefore} before, ${r.loadAfter} after; PLAIN logins to Dovecot's auth process on the host, ${r.users} mailboxes`,
    line('auth cache on    ', r.cached),
    line('auth cache off   ', r.uncached),
    `plan after       ${r.planClean ? 'clean' : 'NOT CLEAN'}`,
    '',
  ].join('\n');
}
