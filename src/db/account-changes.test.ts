import { describe, expect, it } from 'vitest';
import { postgresRoot, useMigratedMailPostgres } from '../../test/support/postgres17.js';
import { hostTransaction } from './host.js';
import { accountChangesSince, undoneChangesLines } from '../ops/backup/restore-db.js';

const root = postgresRoot();

/** As mailctl_admin, the role mailctl's account commands write with. */
const sql = (text: string, params: unknown[] = []) =>
  hostTransaction((db) => db.rows(text, params));

const changes = async () =>
  (
    await hostTransaction((db) =>
      db.rows<{ line: string }>(
        "SELECT concat_ws(' ', kind, change, subject, nullif(detail, '')) AS line FROM account_changes ORDER BY id",
      ),
    )
  ).map((r) => r.line);

// Migration 0007 on a real server: the triggers that feed `restore db`'s list of what it undoes.
describe.skipIf(!root)('the account change log', { timeout: 120_000 }, () => {
  useMigratedMailPostgres(root ?? '');

  it('records each change mailctl_admin makes, what changed and never a value', async () => {
    await sql("INSERT INTO domains (name) VALUES ('example.com')");
    await sql(
      `INSERT INTO mailboxes (address, domain, local_part, password)
       VALUES ('demo@example.com', 'example.com', 'demo', '{SHA512-CRYPT}$6$secret-hash')`,
    );
    await sql("UPDATE mailboxes SET password = '{SHA512-CRYPT}$6$other' WHERE local_part = 'demo'");
    await sql('UPDATE mailboxes SET quota_bytes = 1024, active = false');
    // A write that changes nothing is no change.
    await sql('UPDATE mailboxes SET active = false');
    await sql("INSERT INTO aliases VALUES ('info@example.com', 'demo@example.com')");
    await sql("INSERT INTO send_as VALUES ('demo@example.com', 'billing@example.com')");
    await sql("INSERT INTO spam_settings (address, reject_score) VALUES ('demo@example.com', 9)");
    await sql("DELETE FROM aliases WHERE source = 'info@example.com'");
    await sql("DELETE FROM mailboxes WHERE address = 'demo@example.com'");
    const lines = await changes();
    expect(lines.slice(0, 8)).toEqual([
      'domain added example.com',
      'mailbox added demo@example.com',
      'mailbox changed demo@example.com password',
      'mailbox changed demo@example.com quota 0 -> 1024, disabled',
      'alias added info@example.com to demo@example.com',
      'send-as added demo@example.com as billing@example.com',
      'spam settings added demo@example.com',
      'alias removed info@example.com to demo@example.com',
    ]);
    // The cascade's own deletes are changes too (in the order PostgreSQL fires them).
    expect(lines.slice(8).sort()).toEqual([
      'mailbox removed demo@example.com',
      'send-as removed demo@example.com as billing@example.com',
      'spam settings removed demo@example.com',
    ]);
    expect((await changes()).join('\n')).not.toContain('$6$');
  });

  it('keeps nothing of a change that was rolled back, and cannot be rewritten by mailctl_admin', async () => {
    const before = await changes();
    await expect(
      hostTransaction(async (db) => {
        await db.rows("INSERT INTO domains (name) VALUES ('example.org')");
        throw new Error('abandoned');
      }),
    ).rejects.toThrow('abandoned');
    expect(await changes()).toEqual(before);
    await expect(sql('DELETE FROM account_changes')).rejects.toThrow(/permission denied/);
    await expect(
      sql("INSERT INTO account_changes (kind, change, subject) VALUES ('x', 'y', 'z')"),
    ).rejects.toThrow(/permission denied/);
  });

  it('gives restore db the changes after a moment, and only those', async () => {
    const [{ now } = { now: '' }] = await hostTransaction((db) =>
      db.rows<{ now: string }>(
        'SELECT to_char(clock_timestamp() AT TIME ZONE \'UTC\', \'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"\') AS now',
      ),
    );
    await sql("INSERT INTO domains (name) VALUES ('example.net')");
    const after = await accountChangesSince(now);
    expect(after.map((c) => [c.kind, c.change, c.subject])).toEqual([
      ['domain', 'added', 'example.net'],
    ]);
    expect(after[0]?.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(undoneChangesLines(now, after)).toEqual([
      `1 change(s) to the accounts after ${now}, which this undoes:`,
      `  ${after[0]?.at ?? ''} domain added example.net`,
    ]);
    expect(undoneChangesLines(now, [])).toEqual([
      `no change to the accounts is recorded after ${now}`,
    ]);
  });
});
