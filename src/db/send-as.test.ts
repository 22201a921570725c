import { beforeAll, describe, expect, it } from 'vitest';
import { postgresRoot, useMigratedMailPostgres } from '../../test/support/postgres17.js';
import { hostTransaction } from './host.js';

const root = postgresRoot();

/** The logins Postfix gets for an envelope sender (smtpd_sender_login_maps' query). */
const logins = (sender: string) =>
  hostTransaction(
    async (db) =>
      (
        await db.rows<{ login: string }>(
          'SELECT login FROM postfix_sender_logins WHERE sender = $1 ORDER BY login',
          [sender],
        )
      ).map((r) => r.login),
    'superuser',
  );

const sql = (text: string, params: unknown[] = []) =>
  hostTransaction((db) => db.rows(text, params));

// Migration 0006 on a real server: the view smtpd_sender_login_maps reads, with grants.
describe.skipIf(!root)('send-as grants in postfix_sender_logins', { timeout: 120_000 }, () => {
  useMigratedMailPostgres(root ?? '');

  beforeAll(async () => {
    await sql("INSERT INTO domains (name) VALUES ('example.com'), ('example.net')");
    for (const a of ['demo@example.com', 'rita@example.net', 'sue@example.net'])
      await sql(
        `INSERT INTO mailboxes (address, domain, local_part, password)
         VALUES ($1, split_part($1, '@', 2), split_part($1, '@', 1), 'x')`,
        [a],
      );
    await sql(
      "INSERT INTO aliases VALUES ('info@example.com', 'demo@example.com'), ('team@example.com', 'demo@example.com'), ('team@example.com', 'sue@example.net')",
    );
  }, 300_000);

  it('gives a granted address to its grantee, and nothing to anyone else', async () => {
    expect(await logins('billing@example.com')).toEqual([]);
    await sql("INSERT INTO send_as VALUES ('rita@example.net', 'billing@example.com')");
    expect(await logins('billing@example.com')).toEqual(['rita@example.net']);
    expect(await logins('demo@example.com')).toEqual(['demo@example.com']);
  });

  it('gives a domain grant every address of the domain, those with a row of their own too', async () => {
    await sql("INSERT INTO send_as VALUES ('rita@example.net', '@example.com')");
    // Postfix asks for @domain only for an address that has no row of its own.
    expect(await logins('@example.com')).toEqual(['rita@example.net']);
    expect(await logins('demo@example.com')).toEqual(['demo@example.com', 'rita@example.net']);
    expect(await logins('info@example.com')).toEqual(['demo@example.com', 'rita@example.net']);
    expect(await logins('team@example.com')).toEqual(['rita@example.net']);
    expect(await logins('sue@example.net')).toEqual(['sue@example.net']);
  });

  it('gives a disabled grantee nothing, and drops its grants with the mailbox', async () => {
    await sql("UPDATE mailboxes SET active = false WHERE address = 'rita@example.net'");
    expect(await logins('billing@example.com')).toEqual([]);
    expect(await logins('demo@example.com')).toEqual(['demo@example.com']);
    await sql("DELETE FROM mailboxes WHERE address = 'rita@example.net'");
    expect(await sql('SELECT * FROM send_as')).toEqual([]);
  });
});
