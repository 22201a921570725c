import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensureSelfSignedCertificate } from '../ops/tls/self-signed.js';
import { checkAcmePrerequisites, ensureAcmeCertificate } from '../ops/tls/acme.js';
import { MAIL_DATABASE, psql } from '../ops/accounts/psql.js';
import * as accounts from '../ops/accounts/store.js';
import { ensureUserSettingsMap, syncUserSettingsMap } from '../ops/spam/settings-map.js';
import { migrationPlan, migrationScript } from '../db/index.js';
import type { MailHostContext } from '../render/host-context.js';
import { UNWANTED_UNITS } from '../plan/unwanted-units.js';
import { SOGO_DB_PASSWORD_SECRET, SOGO_LOG_FILE, sogoComponent } from '../render/sogo/index.js';
import { mustRun, run } from '../util/exec.js';
import type { ApplyHooks } from './apply.js';
import { readSecret, SECRETS_DIR } from './secrets.js';
import { dkimKeysStep } from './steps/dkim-keys.js';
import { POSTFIX_DB_PASSWORD_SECRET } from '../render/postfix/pgsql-maps.js';
import { DOVECOT_DB_PASSWORD_SECRET } from '../render/dovecot/sql-conf.js';

/**
 * In container mode the daemons log in over TCP with SCRAM (no peer authentication across
 * the container boundary): each role's password is a host secret that their rendered
 * configuration already refers to.
 */
const CONTAINER_ROLE_SECRETS: readonly [role: string, secret: string][] = [
  ['postfix', POSTFIX_DB_PASSWORD_SECRET],
  ['dovecot', DOVECOT_DB_PASSWORD_SECRET],
  ['sogo', SOGO_DB_PASSWORD_SECRET],
];

const SOGO_UNIT = sogoComponent.units[0] ?? 'sogo.service';

/** Accounts the cluster file asks for; created once, never overwritten by later applies. */
export interface SeedAccounts {
  domains: readonly string[];
  mailboxes: readonly { address: string; quotaBytes: number }[];
  aliases: readonly { source: string; destinations: readonly string[] }[];
}

/** The host steps around the files of a mail host: keys and certificates, then the database. */
export function mailHostHooks(ctx: MailHostContext, seed: SeedAccounts): ApplyHooks {
  return {
    async preflight() {
      checkAcmePrerequisites(ctx);
    },
    async beforeFiles() {
      // Every TLS port works from the first apply on; with tls.mode acme the ACME
      // certificate replaces this one once certbot has it (afterActivate: nginx must be
      // serving the challenge first).
      await ensureSelfSignedCertificate(ctx.fqdn, ctx.tls.certFile, ctx.tls.keyFile);
      const dkim = dkimKeysStep(ctx.domains);
      await dkim.apply(await dkim.observe());
      await ensureUserSettingsMap();
      await ensureSogoLog();
    },
    async afterActivate() {
      const notes: string[] = await maskUnwantedUnits();
      if (ctx.postgres.mode === 'native') {
        const exists = await psql(
          `SELECT 1 FROM pg_database WHERE datname = :'d';`,
          { d: MAIL_DATABASE },
          'postgres',
        );
        if (exists.length === 0) {
          await run('runuser', ['-u', 'postgres', '--', 'createdb', MAIL_DATABASE]);
          notes.push(`created database ${MAIL_DATABASE}`);
        }
      }
      const applied =
        (await psql(`SELECT to_regclass('public.schema_migrations') IS NOT NULL;`))[0]?.[0] === 't'
          ? (await psql('SELECT id FROM schema_migrations ORDER BY id;')).map((r) => r[0] ?? '')
          : [];
      const pending = migrationPlan(applied);
      if (pending.length) {
        await psql(migrationScript(pending));
        notes.push(`applied ${pending.length} database migration(s)`);
        // SOGo looks for its tables and creates them when it starts, which on a first
        // apply is before its schema exists: it starts again on the migrated database.
        if ((await run('systemctl', ['is-active', '--quiet', SOGO_UNIT])).code === 0) {
          // A sogod that cannot start on the migrated database fails the apply here.
          await mustRun('systemctl', ['restart', SOGO_UNIT]);
          notes.push(`restarted ${SOGO_UNIT} on the migrated database`);
        }
      }
      if (ctx.postgres.mode === 'container') notes.push(...(await setRolePasswords()));
      notes.push(...(await seedAccounts(seed)));
      if (await syncUserSettingsMap()) notes.push('updated the per-user spam settings map');
      notes.push(...(await ensureAcmeCertificate(ctx)));
      return notes;
    },
  };
}

/**
 * Fail2ban's SOGo jail reads sogod's log file, and Fail2ban refuses a jail whose log does
 * not exist (in its check and at start), while sogod creates it only once it runs: an
 * empty one, as sogod itself would make it, lets the first apply through.
 */
async function ensureSogoLog(): Promise<void> {
  if (existsSync(SOGO_LOG_FILE)) return;
  await mkdir(dirname(SOGO_LOG_FILE), { recursive: true });
  await writeFile(SOGO_LOG_FILE, '', { mode: 0o640, flag: 'a' });
  await mustRun('chown', ['sogo:adm', SOGO_LOG_FILE]);
}

/** Stops and masks the unwanted units this host has; quiet when there are none. */
async function maskUnwantedUnits(): Promise<string[]> {
  const listed = await run('systemctl', [
    'list-unit-files',
    '--no-legend',
    '--plain',
    ...UNWANTED_UNITS,
  ]);
  const present = listed.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([unit, state]) => unit && state !== 'masked')
    .map(([unit]) => unit ?? '');
  if (present.length === 0) return [];
  await mustRun('systemctl', ['disable', '--now', ...present]);
  await mustRun('systemctl', ['mask', ...present]);
  return [`stopped and masked ${present.join(', ')} (no business on a mail host)`];
}

/** Sets each daemon role's password once; the value travels on psql's stdin, never in argv. */
async function setRolePasswords(): Promise<string[]> {
  const notes: string[] = [];
  for (const [role, secret] of CONTAINER_ROLE_SECRETS) {
    const [[unset] = []] = await psql(
      `SELECT rolpassword IS NULL FROM pg_authid WHERE rolname = :'r';`,
      { r: role },
    );
    if (unset !== 't') continue;
    // Secrets are base64url (secrets.ts), so they need no escaping inside the quotes.
    await psql(`\\set pw '${readSecret(secret)}'\nALTER ROLE ${role} PASSWORD :'pw';\n`);
    notes.push(`set the database password of role ${role}`);
  }
  return notes;
}

async function seedAccounts(seed: SeedAccounts): Promise<string[]> {
  const notes: string[] = [];
  const domains = new Set((await accounts.listDomains()).map((d) => d.domain));
  for (const d of seed.domains) {
    if (!domains.has(d)) {
      await accounts.addDomain(d);
      notes.push(`added domain ${d}`);
    }
  }
  const mailboxes = new Set((await accounts.listMailboxes()).map((m) => m.address));
  for (const m of seed.mailboxes) {
    if (mailboxes.has(m.address)) continue;
    // The first password is generated and kept on the host for the administrator to read
    // (and change with `mailctl mailbox passwd`); it is never printed.
    const file = `${SECRETS_DIR}/mailbox-${m.address}`;
    await mkdir(SECRETS_DIR, { recursive: true, mode: 0o700 });
    if (!existsSync(file))
      await writeFile(file, `${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
    await accounts.addMailbox(m.address, readFileSync(file, 'utf8').trim(), m.quotaBytes);
    notes.push(`added mailbox ${m.address} (initial password in ${file})`);
  }
  const aliases = new Set((await accounts.listAliases()).map((a) => a.source));
  for (const a of seed.aliases) {
    if (aliases.has(a.source)) continue;
    await accounts.addAlias(a.source, a.destinations);
    notes.push(`added alias ${a.source}`);
  }
  return notes;
}
