import {
  FOREIGN_KEY_VIOLATION,
  hostTransaction,
  sqlState,
  UNIQUE_VIOLATION,
  type Db,
} from '../../db/index.js';
import { UserError } from '../../util/errors.js';
import { parseAddress, parseDomain } from './address.js';
import { flushAuthCache } from './auth-cache.js';
import { hashPassword } from './password-hash.js';
import { removeSogoUserData } from './sogo-data.js';

/**
 * Accounts in the mail database: the operations behind `mailctl domain|mailbox|alias`.
 * Each runs in one transaction as mailctl_admin, with bound parameters only.
 */

export interface MailboxRow {
  address: string;
  quotaBytes: number;
  active: boolean;
}

/**
 * Every change to accounts first takes this transaction-scoped lock, so that checks that
 * span tables (an alias may not shadow a mailbox, a domain with mailboxes is not removed)
 * hold against another mailctl process changing accounts at the same moment; readers never
 * wait for it.
 */
export async function lockAccounts(db: Db): Promise<void> {
  await db.rows("SELECT pg_advisory_xact_lock(hashtext('mailctl accounts'))");
}

/** A change to accounts: one transaction that holds the accounts lock. */
export function changeAccounts<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  return hostTransaction(async (db) => {
    await lockAccounts(db);
    return fn(db);
  });
}

const unknownDomain = (domain: string) =>
  new UserError(
    'E_UNKNOWN_DOMAIN',
    `domain ${domain} is not served here (add it with 'mailctl domain add ${domain}')`,
  );

const unknownMailbox = (address: string) =>
  new UserError('E_UNKNOWN_MAILBOX', `there is no mailbox ${address}`);

export async function listDomains(): Promise<
  { domain: string; mailboxes: number; aliases: number }[]
> {
  return hostTransaction((db) =>
    db.rows<{ domain: string; mailboxes: number; aliases: number }>(
      `SELECT d.name AS domain,
              (SELECT count(*)::int FROM mailboxes m WHERE m.domain = d.name) AS mailboxes,
              (SELECT count(*)::int FROM aliases a WHERE a.source LIKE '%@' || d.name) AS aliases
         FROM domains d ORDER BY d.name`,
    ),
  );
}

export async function addDomain(input: string): Promise<void> {
  const domain = parseDomain(input);
  try {
    await changeAccounts((db) => db.rows('INSERT INTO domains (name) VALUES ($1)', [domain]));
  } catch (e) {
    if (sqlState(e) === UNIQUE_VIOLATION)
      throw new UserError('E_DOMAIN_EXISTS', `domain ${domain} already exists`, { cause: e });
    throw e;
  }
}

export async function removeDomain(input: string): Promise<void> {
  const domain = parseDomain(input);
  await changeAccounts(async (db) => {
    const [row] = await db.rows<{ mailboxes: number }>(
      'SELECT (SELECT count(*)::int FROM mailboxes WHERE domain = $1) AS mailboxes FROM domains WHERE name = $1',
      [domain],
    );
    if (!row) throw unknownDomain(domain);
    if (row.mailboxes > 0)
      throw new UserError(
        'E_DOMAIN_NOT_EMPTY',
        `domain ${domain} still has ${row.mailboxes} mailbox(es); remove them first`,
        { exitCode: 1 },
      );
    await db.rows(`DELETE FROM aliases WHERE source LIKE '%@' || $1`, [domain]);
    await db.rows('DELETE FROM domains WHERE name = $1', [domain]);
  });
}

export async function listMailboxes(domain?: string): Promise<MailboxRow[]> {
  const rows = await hostTransaction((db) =>
    db.rows<{ address: string; quota_bytes: string; active: boolean }>(
      `SELECT address, quota_bytes, active FROM mailboxes
        WHERE $1::text IS NULL OR domain = $1 ORDER BY address`,
      [domain === undefined ? null : parseDomain(domain)],
    ),
  );
  // bigint arrives as a string (it may exceed a double); quotas are far below 2^53.
  return rows.map((r) => ({
    address: r.address,
    quotaBytes: Number(r.quota_bytes),
    active: r.active,
  }));
}

export async function addMailbox(
  input: string,
  password: string,
  quotaBytes: number,
): Promise<void> {
  const a = parseAddress(input);
  const hash = await hashPassword(checkPassword(password));
  try {
    await changeAccounts(async (db) => {
      const alias = await db.rows('SELECT 1 FROM aliases WHERE source = $1', [a.address]);
      if (alias.length)
        throw new UserError('E_MAILBOX_EXISTS', `${a.address} already exists as an alias`);
      await db.rows(
        `INSERT INTO mailboxes (address, domain, local_part, password, quota_bytes)
         VALUES ($1, $2, $3, $4, $5)`,
        [a.address, a.domain, a.localPart, hash, quotaBytes],
      );
    });
  } catch (e) {
    if (sqlState(e) === UNIQUE_VIOLATION)
      throw new UserError('E_MAILBOX_EXISTS', `${a.address} already exists as a mailbox`, {
        cause: e,
      });
    if (sqlState(e) === FOREIGN_KEY_VIOLATION) throw unknownDomain(a.domain);
    throw e;
  }
  // A login tried before the mailbox existed is cached as unknown (auth_cache_negative_ttl).
  await flushAuthCache([a.address]);
}

/** Changes one mailbox's row; E_UNKNOWN_MAILBOX when there is none. */
async function updateMailbox(
  address: string,
  set: 'password' | 'quota_bytes',
  value: unknown,
): Promise<void> {
  const updated = await changeAccounts((db) =>
    db.rows(`UPDATE mailboxes SET ${set} = $2 WHERE address = $1 RETURNING 1`, [address, value]),
  );
  if (updated.length === 0) throw unknownMailbox(address);
  await flushAuthCache([address]);
}

export async function setPassword(input: string, password: string): Promise<void> {
  const a = parseAddress(input);
  await updateMailbox(a.address, 'password', await hashPassword(checkPassword(password)));
}

/** Sets whether a mailbox may log in and receive mail; false when it already was so. */
export async function setMailboxActive(input: string, active: boolean): Promise<boolean> {
  const a = parseAddress(input);
  const changed = await changeAccounts(async (db) => {
    const [row] = await db.rows<{ was: boolean }>(
      'SELECT active AS was FROM mailboxes WHERE address = $1 FOR UPDATE',
      [a.address],
    );
    if (!row) throw unknownMailbox(a.address);
    if (row.was === active) return false;
    await db.rows('UPDATE mailboxes SET active = $2 WHERE address = $1', [a.address, active]);
    return true;
  });
  if (changed) await flushAuthCache([a.address]);
  return changed;
}

export async function setQuota(input: string, quotaBytes: number): Promise<void> {
  const a = parseAddress(input);
  await updateMailbox(a.address, 'quota_bytes', quotaBytes);
}

/** Removes the account; its mail stays on disk until an administrator deletes it. */
export async function removeMailbox(input: string): Promise<void> {
  const a = parseAddress(input);
  await changeAccounts(async (db) => {
    const found = await db.rows('SELECT 1 FROM mailboxes WHERE address = $1', [a.address]);
    if (found.length === 0) throw unknownMailbox(a.address);
    // SOGo's data first, inside the transaction: if sogo-tool fails, the rollback leaves
    // the mailbox there to remove again.
    await removeSogoUserData(a.address);
    await db.rows('DELETE FROM aliases WHERE destination = $1', [a.address]);
    await db.rows('DELETE FROM mailboxes WHERE address = $1', [a.address]);
  });
  await flushAuthCache([a.address]);
}

export async function listAliases(): Promise<{ source: string; destination: string }[]> {
  return hostTransaction((db) =>
    db.rows<{ source: string; destination: string }>(
      'SELECT source, destination FROM aliases ORDER BY source, destination',
    ),
  );
}

/** Adds destinations to an alias; a destination it already has is kept, not an error. */
export async function addAlias(
  sourceInput: string,
  destinations: readonly string[],
): Promise<void> {
  const source = parseAddress(sourceInput, { allowCatchAll: true });
  if (destinations.length === 0)
    throw new UserError('E_USAGE', 'an alias needs at least one destination');
  const targets = destinations.map((d) => parseAddress(d).address);
  await changeAccounts(async (db) => {
    const domain = await db.rows('SELECT 1 FROM domains WHERE name = $1', [source.domain]);
    if (domain.length === 0) throw unknownDomain(source.domain);
    const mailbox = await db.rows('SELECT 1 FROM mailboxes WHERE address = $1', [source.address]);
    if (mailbox.length)
      throw new UserError(
        'E_ALIAS_IS_MAILBOX',
        `${source.address} is a mailbox; an alias cannot shadow it`,
      );
    await db.rows(
      `INSERT INTO aliases (source, destination) SELECT $1, unnest($2::text[])
       ON CONFLICT DO NOTHING`,
      [source.address, targets],
    );
  });
}

export async function removeAlias(sourceInput: string): Promise<void> {
  const source = parseAddress(sourceInput, { allowCatchAll: true });
  const removed = await changeAccounts((db) =>
    db.rows('DELETE FROM aliases WHERE source = $1 RETURNING 1', [source.address]),
  );
  if (removed.length === 0)
    throw new UserError('E_UNKNOWN_ALIAS', `there is no alias ${source.address}`);
}

function checkPassword(password: string): string {
  if (password.length < 12)
    throw new UserError('E_WEAK_PASSWORD', 'the password needs at least 12 characters');
  if (/[\r\n\0]/.test(password))
    throw new UserError('E_BAD_PASSWORD', 'the password may not contain line breaks or NUL');
  return password;
}

/** A send-as grant: `login` may send as `address` (an address, or @domain for all of it). */
export interface SendAsGrant {
  login: string;
  address: string;
}

export async function listSendAs(): Promise<SendAsGrant[]> {
  return hostTransaction((db) =>
    db.rows<SendAsGrant>('SELECT login, address FROM send_as ORDER BY login, address'),
  );
}

/** Grants or withdraws one send-as grant; the cluster file owns them all (apply alone calls this). */
export async function setSendAs(grant: SendAsGrant, granted: boolean): Promise<void> {
  await changeAccounts((db) =>
    db.rows(
      granted
        ? 'INSERT INTO send_as (login, address) VALUES ($1, $2) ON CONFLICT DO NOTHING'
        : 'DELETE FROM send_as WHERE login = $1 AND address = $2',
      [grant.login, grant.address],
    ),
  );
}
