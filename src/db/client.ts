import { Client, DatabaseError, type QueryResultRow } from 'pg';
import { readSecret } from '../apply/secrets.js';
import { UserError } from '../util/errors.js';
import { describeLogin, type DbLogin } from './settings.js';

/** One open connection, inside a transaction when `inTransaction` made it. */
export interface Db {
  /** Runs one statement with bound parameters ($1, $2 ...); returns its rows. */
  rows<R extends QueryResultRow = QueryResultRow>(sql: string, values?: unknown[]): Promise<R[]>;
}

/**
 * Failures of reaching the server at all: no socket file, nothing listening, the database
 * missing (3D000), the server starting or shutting down (57P01-57P03), or the login refused
 * (28000 peer/ident mismatch, 28P01 wrong password). A user can fix each on the host.
 */
const UNAVAILABLE_ERRNO = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ETIMEDOUT',
]);
const UNAVAILABLE_SQLSTATE = new Set(['3D000', '57P01', '57P02', '57P03', '28000', '28P01']);

export function isUnavailable(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' && (UNAVAILABLE_ERRNO.has(code) || UNAVAILABLE_SQLSTATE.has(code))
  );
}

/** The SQLSTATE of a server error (23505 unique_violation ...), else undefined. */
export function sqlState(e: unknown): string | undefined {
  return e instanceof DatabaseError ? e.code : undefined;
}

export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';

function unavailable(login: DbLogin, e: unknown): UserError {
  const why = e instanceof Error ? e.message : String(e);
  return new UserError(
    'E_DB_UNAVAILABLE',
    `the mail database is not reachable (${describeLogin(login)}): ${why}; ` +
      "check that PostgreSQL runs, or run 'mailctl apply' first",
    { cause: e, exitCode: 1 },
  );
}

/**
 * Opens one connection for `fn` and always closes it: a CLI command must not leave a socket
 * open that keeps node running. Errors of reaching the server become E_DB_UNAVAILABLE.
 */
export async function withConnection<T>(login: DbLogin, fn: (db: Db) => Promise<T>): Promise<T> {
  const client = new Client({
    host: login.host,
    port: login.port,
    database: login.database,
    user: login.user,
    // Read at connect time only, from the root-only secret file; never on a command line.
    ...(login.passwordSecret ? { password: readSecret(login.passwordSecret) } : {}),
    application_name: 'mailctl',
    connectionTimeoutMillis: 10_000,
  });
  // A server that goes away mid-command emits 'error' on the client; the pending query
  // rejects with it too, so the event needs no more than a listener.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw isUnavailable(e) ? unavailable(login, e) : e;
  }
  const db: Db = {
    async rows<R extends QueryResultRow>(sql: string, values: unknown[] = []) {
      try {
        const result = await client.query<R>(sql, values);
        // A script of several statements (a migration) answers with one result each.
        return Array.isArray(result) ? ((result.at(-1) as typeof result)?.rows ?? []) : result.rows;
      } catch (e) {
        throw isUnavailable(e) ? unavailable(login, e) : e;
      }
    },
  };
  try {
    return await fn(db);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Runs `fn` in one transaction: committed if it returns, rolled back if it throws (a
 * UserError thrown half-way leaves nothing behind).
 */
export async function inTransaction<T>(login: DbLogin, fn: (db: Db) => Promise<T>): Promise<T> {
  return withConnection(login, async (db) => {
    await db.rows('BEGIN');
    try {
      const result = await fn(db);
      await db.rows('COMMIT');
      return result;
    } catch (e) {
      await db.rows('ROLLBACK').catch(() => undefined);
      throw e;
    }
  });
}
