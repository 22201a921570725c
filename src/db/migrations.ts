/**
 * The mail database, as ordered migrations. Each runs once, in a transaction, recorded in
 * schema_migrations; a migration that has been released is never edited, only followed.
 *
 * Least privilege: every daemon gets a LOGIN role that can read only the views it needs.
 * In native mode they log in by peer authentication over the local socket (the OS user's
 * name is the role's), so no password exists for them.
 */
export interface Migration {
  id: string;
  sql: string;
}

const roles = ['postfix', 'dovecot', 'rspamd', 'sogo', 'mailctl_admin'];

export const MIGRATIONS: readonly Migration[] = [
  {
    id: '0001-accounts',
    sql: `
CREATE TABLE domains (
  name text PRIMARY KEY CHECK (name = lower(name)),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE mailboxes (
  address text PRIMARY KEY CHECK (address = lower(address)),
  domain text NOT NULL REFERENCES domains(name) ON UPDATE CASCADE,
  local_part text NOT NULL,
  -- A {SCHEME}hash string (SHA512-CRYPT from mailctl), verified by Dovecot and SOGo.
  password text NOT NULL,
  quota_bytes bigint NOT NULL DEFAULT 0 CHECK (quota_bytes >= 0),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (address = local_part || '@' || domain)
);
CREATE TABLE aliases (
  source text NOT NULL CHECK (source = lower(source)),
  destination text NOT NULL CHECK (destination = lower(destination)),
  PRIMARY KEY (source, destination)
);
CREATE TABLE spam_settings (
  address text PRIMARY KEY REFERENCES mailboxes(address) ON DELETE CASCADE,
  reject_score real,
  add_header_score real,
  greylist_score real,
  allow_senders text[] NOT NULL DEFAULT '{}',
  block_senders text[] NOT NULL DEFAULT '{}'
);

CREATE VIEW postfix_domains AS SELECT name AS domain FROM domains;
CREATE VIEW postfix_mailboxes AS
  SELECT address, domain || '/' || local_part || '/' AS maildir FROM mailboxes WHERE active;
-- Every mailbox also maps to itself, so that a catch-all alias (@domain) never swallows
-- mail for a real mailbox of that domain.
CREATE VIEW postfix_aliases AS
  SELECT source, string_agg(destination, ',' ORDER BY destination) AS destination FROM (
    SELECT source, destination FROM aliases
    UNION SELECT address, address FROM mailboxes WHERE active AND EXISTS (
      SELECT 1 FROM aliases a WHERE a.source = '@' || mailboxes.domain)
  ) s GROUP BY source;
-- Who may use which envelope sender after SASL login: a mailbox its own address, and
-- every alias that delivers to it.
CREATE VIEW postfix_sender_logins AS
  SELECT address AS sender, address AS login FROM mailboxes WHERE active
  UNION SELECT a.source, a.destination FROM aliases a JOIN mailboxes m ON m.address = a.destination AND m.active;
CREATE VIEW dovecot_passdb AS SELECT address AS username, password FROM mailboxes WHERE active;
CREATE VIEW dovecot_userdb AS
  SELECT address AS username, '/var/mail/vmail/' || domain || '/' || local_part AS home, quota_bytes
  FROM mailboxes WHERE active;
CREATE VIEW rspamd_user_settings AS SELECT * FROM spam_settings;
CREATE VIEW sogo_users AS
  SELECT address AS c_uid, address AS c_name, password AS c_password, address AS c_cn, address AS mail
  FROM mailboxes WHERE active;

DO $$ BEGIN
${roles.map((r) => `  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${r}') THEN CREATE ROLE ${r} LOGIN; END IF;`).join('\n')}
END $$;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT SELECT ON postfix_domains, postfix_mailboxes, postfix_aliases, postfix_sender_logins TO postfix;
GRANT SELECT ON dovecot_passdb, dovecot_userdb TO dovecot;
GRANT SELECT ON rspamd_user_settings TO rspamd;
GRANT SELECT ON sogo_users TO sogo;
GRANT SELECT, INSERT, UPDATE, DELETE ON domains, mailboxes, aliases, spam_settings TO mailctl_admin;
`,
  },
  {
    // SOGo creates and migrates its own tables (sogo_user_profile, sogo_folder_info,
    // sogo_store, ...) at start. They live in a schema of the mail database that role sogo
    // owns: it can create and write there and nowhere else, it reads its users from the
    // sogo_users view next door without a second connection target, and one backup of the
    // database holds every mailbox together with its calendars and contacts.
    id: '0002-sogo',
    sql: `
CREATE SCHEMA sogo AUTHORIZATION sogo;
-- SOGo names its tables without a schema; this puts them in its own, and finds sogo_users
-- in public.
ALTER ROLE sogo SET search_path = sogo, public;
`,
  },
  {
    // 0001 let a login send as every alias that delivers to it, so a catch-all (@domain,
    // which smtpd_sender_login_maps consults for any address of the domain without a row
    // of its own) or a list shared with others made its members senders for all of them.
    // Now: a mailbox's own address, and an alias that delivers to it alone and is not
    // another mailbox's address.
    id: '0003-sender-logins',
    sql: `
CREATE OR REPLACE VIEW postfix_sender_logins AS
  SELECT address AS sender, address AS login FROM mailboxes WHERE active
  UNION SELECT a.source, a.destination FROM aliases a
    JOIN mailboxes m ON m.address = a.destination AND m.active
   WHERE a.source NOT LIKE '@%'
     AND NOT EXISTS (SELECT 1 FROM aliases o WHERE o.source = a.source AND o.destination <> a.destination)
     AND NOT EXISTS (SELECT 1 FROM mailboxes o WHERE o.address = a.source AND o.address <> a.destination);
`,
  },
  {
    // A disabled mailbox (active = false; `mailctl mailbox disable`) is already missing from
    // every view a daemon logs users in or delivers with. What 0001 got wrong: its mail fell
    // to the catch-all of its domain, if there was one, aliases still expanded to it (and
    // bounced after accepting), and a sender was told only "user unknown". Now Postfix can
    // refuse it at RCPT with its own reply (check_recipient_access), aliases skip it, and it
    // keeps its own entry beside a catch-all.
    id: '0004-disabled-mailboxes',
    sql: `
CREATE VIEW postfix_disabled_recipients AS SELECT address FROM mailboxes WHERE NOT active;
CREATE OR REPLACE VIEW postfix_aliases AS
  SELECT source, string_agg(destination, ',' ORDER BY destination) AS destination FROM (
    SELECT a.source, a.destination FROM aliases a
     WHERE NOT EXISTS (SELECT 1 FROM mailboxes m WHERE m.address = a.destination AND NOT m.active)
    UNION SELECT address, address FROM mailboxes WHERE EXISTS (
      SELECT 1 FROM aliases a WHERE a.source = '@' || mailboxes.domain)
  ) s GROUP BY source;
GRANT SELECT ON postfix_disabled_recipients TO postfix;
`,
  },
  {
    // Prometheus's PostgreSQL exporter (render/monitoring) logs in as its own role, which
    // reads the statistics views (pg_stat_archiver, pg_stat_database ...) through the
    // built-in pg_monitor role and no mail data. Its password is set by apply.
    id: '0005-metrics-role',
    sql: `
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mailctl_metrics') THEN CREATE ROLE mailctl_metrics LOGIN; END IF;
END $$;
GRANT pg_monitor TO mailctl_metrics;
`,
  },
  {
    // Send-as grants from the cluster file (domains[].mailboxes[].send_as): apply keeps this
    // table equal to what the file grants, so a grant taken out of the file is gone. A grant
    // of @domain covers every address of the domain, the domain's mailboxes and aliases
    // included: smtpd_sender_login_maps consults @domain only for an address without a row
    // of its own, so the view gives each such address the grantee's row too (Postfix joins
    // a query's rows into one comma-separated list of logins).
    id: '0006-send-as',
    sql: `
CREATE TABLE send_as (
  login text NOT NULL REFERENCES mailboxes(address) ON DELETE CASCADE ON UPDATE CASCADE,
  address text NOT NULL CHECK (address = lower(address) AND address LIKE '%@%'),
  PRIMARY KEY (login, address)
);
CREATE OR REPLACE VIEW postfix_sender_logins AS
  WITH own AS (
    SELECT address AS sender, address AS login FROM mailboxes WHERE active
    UNION SELECT a.source, a.destination FROM aliases a
      JOIN mailboxes m ON m.address = a.destination AND m.active
     WHERE a.source NOT LIKE '@%'
       AND NOT EXISTS (SELECT 1 FROM aliases o WHERE o.source = a.source AND o.destination <> a.destination)
       AND NOT EXISTS (SELECT 1 FROM mailboxes o WHERE o.address = a.source AND o.address <> a.destination)
  ), granted AS (
    SELECT g.address, g.login FROM send_as g JOIN mailboxes m ON m.address = g.login AND m.active
  ), known AS (
    SELECT address AS sender FROM mailboxes UNION SELECT source FROM aliases WHERE source NOT LIKE '@%'
  )
  SELECT sender, login FROM own
  UNION SELECT address, login FROM granted
  UNION SELECT k.sender, g.login FROM known k
    JOIN granted g ON g.address = '@' || split_part(k.sender, '@', 2);
GRANT SELECT, INSERT, UPDATE, DELETE ON send_as TO mailctl_admin;
`,
  },
  {
    // Every change to the accounts, whoever made it (mailctl's commands, apply, an
    // administrator's own psql), recorded by triggers in the same transaction: `restore db
    // --to T` lists what it will undo before it asks, and a rolled-back change leaves no
    // line. What changed, never a value: a password change says "password", not the hash.
    // The function runs as its owner (SECURITY DEFINER), so mailctl_admin writes accounts
    // without being able to write or rewrite the log itself.
    id: '0007-account-changes',
    sql: `
CREATE TABLE account_changes (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  kind text NOT NULL,
  change text NOT NULL,
  subject text NOT NULL,
  detail text NOT NULL DEFAULT ''
);
CREATE INDEX account_changes_at ON account_changes (at);
CREATE FUNCTION log_account_change() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $fn$
DECLARE
  kind text := CASE TG_TABLE_NAME WHEN 'domains' THEN 'domain' WHEN 'mailboxes' THEN 'mailbox'
    WHEN 'aliases' THEN 'alias' WHEN 'send_as' THEN 'send-as' ELSE 'spam settings' END;
  row_new jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
  row_old jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
  r jsonb := coalesce(row_new, row_old);
  subject text := CASE TG_TABLE_NAME WHEN 'domains' THEN r->>'name' WHEN 'aliases' THEN r->>'source'
    WHEN 'send_as' THEN r->>'login' ELSE r->>'address' END;
  detail text := CASE TG_TABLE_NAME WHEN 'aliases' THEN 'to ' || (r->>'destination')
    WHEN 'send_as' THEN 'as ' || (r->>'address') ELSE '' END;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF TG_TABLE_NAME = 'mailboxes' THEN
      detail := concat_ws(', ',
        CASE WHEN row_new->>'password' IS DISTINCT FROM row_old->>'password' THEN 'password' END,
        CASE WHEN row_new->>'quota_bytes' IS DISTINCT FROM row_old->>'quota_bytes'
          THEN 'quota ' || (row_old->>'quota_bytes') || ' -> ' || (row_new->>'quota_bytes') END,
        CASE WHEN row_new->>'active' IS DISTINCT FROM row_old->>'active'
          THEN CASE WHEN (row_new->>'active')::boolean THEN 'enabled' ELSE 'disabled' END END);
    ELSIF row_new IS DISTINCT FROM row_old THEN
      detail := concat_ws(', ', nullif(detail, ''), 'settings');
    END IF;
    IF detail = '' OR row_new = row_old THEN RETURN NULL; END IF;
  END IF;
  INSERT INTO account_changes (kind, change, subject, detail) VALUES (kind,
    CASE TG_OP WHEN 'INSERT' THEN 'added' WHEN 'DELETE' THEN 'removed' ELSE 'changed' END,
    subject, detail);
  RETURN NULL;
END
$fn$;
REVOKE ALL ON FUNCTION log_account_change() FROM PUBLIC;
CREATE TRIGGER domains_changes AFTER INSERT OR UPDATE OR DELETE ON domains
  FOR EACH ROW EXECUTE FUNCTION log_account_change();
CREATE TRIGGER mailboxes_changes AFTER INSERT OR UPDATE OR DELETE ON mailboxes
  FOR EACH ROW EXECUTE FUNCTION log_account_change();
CREATE TRIGGER aliases_changes AFTER INSERT OR UPDATE OR DELETE ON aliases
  FOR EACH ROW EXECUTE FUNCTION log_account_change();
CREATE TRIGGER send_as_changes AFTER INSERT OR UPDATE OR DELETE ON send_as
  FOR EACH ROW EXECUTE FUNCTION log_account_change();
CREATE TRIGGER spam_settings_changes AFTER INSERT OR UPDATE OR DELETE ON spam_settings
  FOR EACH ROW EXECUTE FUNCTION log_account_change();
GRANT SELECT ON account_changes TO mailctl_admin;
`,
  },
];

/** Migrations not yet applied, in order (pure). */
export function migrationPlan(applied: readonly string[]): Migration[] {
  const done = new Set(applied);
  return MIGRATIONS.filter((m) => !done.has(m.id));
}

/**
 * What records the applied migrations. Made by the first migration run; an empty database
 * has none and so reads as "nothing applied".
 */
export const MIGRATIONS_TABLE_SQL =
  'CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())';
