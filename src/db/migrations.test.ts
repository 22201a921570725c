import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrationPlan } from './migrations.js';

describe('migrations', () => {
  it('have unique, ordered ids', () => {
    const ids = MIGRATIONS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('plans only what is not applied yet, in order', () => {
    expect(migrationPlan([]).map((m) => m.id)).toEqual(MIGRATIONS.map((m) => m.id));
    expect(migrationPlan(MIGRATIONS.map((m) => m.id))).toEqual([]);
  });

  it('grants each daemon only its views', () => {
    const sql = MIGRATIONS[0]?.sql ?? '';
    expect(sql).toContain('GRANT SELECT ON dovecot_passdb, dovecot_userdb TO dovecot;');
    expect(sql).not.toMatch(/GRANT [^;]* ON mailboxes[^;]* TO (postfix|dovecot|rspamd|sogo);/);
  });

  it('lets a login send only as itself and as aliases that deliver to it alone', () => {
    const sql = MIGRATIONS.find((m) => m.id === '0003-sender-logins')?.sql ?? '';
    expect(sql).toContain('CREATE OR REPLACE VIEW postfix_sender_logins AS');
    expect(sql).toContain("WHERE a.source NOT LIKE '@%'");
    expect(sql).toMatch(/NOT EXISTS \(SELECT 1 FROM aliases o WHERE o.source = a.source/);
  });

  it('gives SOGo its own schema to create tables in, and only the sogo_users view besides', () => {
    const all = MIGRATIONS.map((m) => m.sql).join('\n');
    expect(all).toContain('CREATE SCHEMA sogo AUTHORIZATION sogo;');
    expect(all).toContain('ALTER ROLE sogo SET search_path = sogo, public;');
    expect(all.match(/GRANT [^;]* TO sogo;/g)).toEqual(['GRANT SELECT ON sogo_users TO sogo;']);
    expect(all).not.toMatch(/GRANT CREATE ON SCHEMA public/);
  });
});
