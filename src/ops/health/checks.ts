import { dirname } from 'node:path';
/** Every check of `mailctl health`, built from the host's context. */
import { readSecret } from '../../apply/secrets.js';
import { withConnection } from '../../db/client.js';
import { DOVECOT_DB_PASSWORD_SECRET } from '../../render/dovecot/index.js';
import { POSTFIX_DB_PASSWORD_SECRET } from '../../render/postfix/index.js';
import { SOGO_DB_PASSWORD_SECRET } from '../../render/sogo/index.js';
import { POSTFIX_PRIVATE_SOCKETS } from '../../render/mail-sockets.js';
import type { MailHostContext } from '../../render/host-context.js';
import { renderFail2ban } from '../../render/fail2ban/index.js';
import { supervisedUnits } from '../../render/self-healing/index.js';
import { backupStatus } from '../backup/gather.js';
import {
  certificateValidTo,
  diskPercent,
  fail2banJails,
  queryAsRole,
  queueFacts,
  unitFacts,
  wireguardPeers,
} from './gather.js';
import { pageCheck, rspamdGtube, rspamdPing } from './http-probes.js';
import { clamdPing } from './clamd-probe.js';
import { CLAMD_SOCKET } from '../../render/clamav/index.js';
import { healthProbeAddress, HEALTH_PROBE_SECRET } from '../../render/health/index.js';
import { imapCheck, lmtpCheck, pop3Check, smtpCheck } from './protocol-probes.js';
import { readRecordedOutbound, recordOutbound } from './outbound-record.js';
import { assessOutbound, reusableOutbound, tryOutboundSmtp } from './outbound-smtp.js';
import { critical, ok, warning, type Check, type Finding } from './run-checks.js';
import {
  assessCertificate,
  assessDisk,
  assessQueue,
  assessUnit,
  assessWireguard,
  backupFindings,
} from './thresholds.js';

const RSPAMD_CONTROLLER = '127.0.0.1:11334';
/** A probe that talks to one daemon: long enough for a loaded host, short enough to report. */
const PROBE_MS = 10_000;

const check = (name: string, run: () => Promise<Finding>, timeoutMs = PROBE_MS): Check => ({
  name,
  timeoutMs,
  run,
});

/** The jails jail.local declares (its [sections] but DEFAULT). */
export function expectedJails(ctx: MailHostContext): string[] {
  const text = renderFail2ban(ctx).find((f) => f.path === '/etc/fail2ban/jail.local')?.content;
  return [...(text ?? '').matchAll(/^\[([a-z0-9_-]+)\]$/gim)]
    .map((m) => m[1] ?? '')
    .filter((j) => j !== 'DEFAULT');
}

function daemonRoleChecks(ctx: MailHostContext): Check[] {
  const roles: [string, string, string][] = [
    ['postfix', 'SELECT count(*) FROM public.postfix_domains', POSTFIX_DB_PASSWORD_SECRET],
    ['dovecot', 'SELECT count(*) FROM public.dovecot_userdb', DOVECOT_DB_PASSWORD_SECRET],
    ['sogo', 'SELECT count(*) FROM public.sogo_users', SOGO_DB_PASSWORD_SECRET],
  ];
  const pg = ctx.postgres;
  return roles.map(([role, sql, secret]) =>
    check(`postgres-${role}`, async () => {
      const rows =
        pg.mode === 'native'
          ? await queryAsRole(role, pg.database, sql)
          : await withConnection(
              {
                host: ctx.vpnAddress,
                port: pg.port,
                database: pg.database,
                user: role,
                passwordSecret: secret,
              },
              async (db) => String((await db.rows<{ count: string }>(sql))[0]?.count ?? ''),
            );
      return ok(`${sql.replace('SELECT count(*) FROM ', '')} read as ${role}: ${rows} row(s)`);
    }),
  );
}

/** The mail store's file system, the database's (/opt/postgres: WAL archive) and the root. */
export const diskPaths = (ctx: MailHostContext): string[] => [
  ...new Set([dirname(ctx.paths.vmail), dirname(ctx.postgres.walArchiveDir), '/']),
];

export function healthChecks(
  ctx: MailHostContext,
  now: () => number = Date.now,
  { reuseOutboundMs = 0 }: { reuseOutboundMs?: number } = {},
): Check[] {
  const publicAddress = ctx.publicAddresses[0] ?? '127.0.0.1';
  const probe = healthProbeAddress(ctx);
  // The probe mailbox and its password are made by apply's last phase, after the health
  // timer's first run on a fresh host: until then the login checks wait, not fail.
  const withProbePassword =
    (login: (password: string) => Promise<Finding>) => async (): Promise<Finding> => {
      let password: string;
      try {
        password = readSecret(HEALTH_PROBE_SECRET);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        return warning('the health probe mailbox is not made yet (mailctl apply makes it)');
      }
      return login(password);
    };
  const smtp = (port: number, tls = false) =>
    check(`smtp-${port}`, () =>
      smtpCheck(
        { host: publicAddress, port, tls, servername: ctx.fqdn, timeoutMs: 8_000 },
        ctx.fqdn,
      ),
    );
  const vpnTls = (port: number) => ({
    host: ctx.vpnAddress,
    port,
    tls: true,
    servername: ctx.fqdn,
    timeoutMs: 8_000,
  });
  const queueDir = ctx.paths.queue.replace(/\/+$/, '');
  return [
    ...[...supervisedUnits(ctx), 'wg-quick@wg0.service'].map((unit) =>
      check(`unit-${unit}`, async () => assessUnit(await unitFacts(unit))),
    ),
    smtp(25),
    smtp(465, true),
    smtp(587),
    check('lmtp', () => lmtpCheck(`${queueDir}/${POSTFIX_PRIVATE_SOCKETS.lmtp}`, ctx.fqdn, probe)),
    check(
      'imap',
      withProbePassword((pw) => imapCheck(vpnTls(993), probe, pw)),
    ),
    check(
      'pop3',
      withProbePassword((pw) => pop3Check(vpnTls(995), probe, pw)),
    ),
    check('rspamd', () => rspamdPing(RSPAMD_CONTROLLER)),
    check('rspamd-gtube', () => rspamdGtube(RSPAMD_CONTROLLER), 20_000),
    // mail.antivirus: Rspamd fails open, so clamd down means mail goes unscanned.
    ...(ctx.antivirus ? [check('clamd', () => clamdPing(CLAMD_SOCKET, 8_000))] : []),
    ...daemonRoleChecks(ctx),
    check('sogo', () =>
      pageCheck(`https://${ctx.vpnAddress}/SOGo/`, ctx.fqdn, { status: 200, contains: 'SOGo' }),
    ),
    check('nginx-vpn', () =>
      pageCheck(`https://${ctx.vpnAddress}/.well-known/caldav`, ctx.fqdn, { status: 301 }),
    ),
    check('nginx-public', () => pageCheck(`http://${publicAddress}/`, ctx.fqdn, { status: 301 })),
    check('wireguard', async () =>
      assessWireguard(await wireguardPeers(), now(), ctx.monitoring.alerts.wireguardHandshakeAge),
    ),
    check('fail2ban', async () => {
      const running = new Set(await fail2banJails());
      const missing = expectedJails(ctx).filter((j) => !running.has(j));
      return missing.length
        ? critical(`jail(s) not running: ${missing.join(', ')}`)
        : ok(`${running.size} jails up`);
    }),
    check('queue', async () => assessQueue(await queueFacts(now()))),
    ...diskPaths(ctx).map((path) =>
      check(`disk-${path}`, async () => assessDisk(path, await diskPercent(path))),
    ),
    check('certificate', async () =>
      assessCertificate(ctx.tls.certFile, await certificateValidTo(ctx.tls.certFile), now()),
    ),
    ...backupChecks(ctx),
    ...outboundChecks(ctx, now, reuseOutboundMs),
  ];
}

/**
 * Port 25 to the internet: the connect and the greeting each get 8 s, QUIT the rest. With
 * `reuseOutboundMs` (the timer's runs) an open way found within that time is not tried again.
 */
function outboundChecks(ctx: MailHostContext, now: () => number, reuseMs: number): Check[] {
  const domain = ctx.monitoring.outboundProbe;
  if (!domain) return [];
  return [
    check(
      'outbound-25',
      async () => {
        const at = now();
        const recorded = await readRecordedOutbound();
        const reused = reusableOutbound(recorded, domain, at, reuseMs);
        if (reused && recorded) {
          const f = assessOutbound(domain, reused);
          const minutes = Math.round((at - recorded.at) / 60_000);
          return { ...f, detail: `${f.detail} (tried ${minutes} min ago)` };
        }
        const attempt = await tryOutboundSmtp(domain, 8_000);
        await recordOutbound({ at, domain, attempt });
        return assessOutbound(domain, attempt);
      },
      30_000,
    ),
  ];
}

/**
 * The backup work's status, once, shared by its three lines. Reading it (restic's
 * snapshots, pgBackRest's info) takes a few seconds; the three checks wait for one read.
 */
function backupChecks(ctx: MailHostContext): Check[] {
  let status: ReturnType<typeof backupStatus> | undefined;
  const read = () => (status ??= backupStatus(ctx));
  const names = [
    'backup-files',
    ...(ctx.postgres.mode === 'native' ? ['backup-database'] : []),
    'wal-archive',
  ];
  return names.map((name) =>
    check(
      name,
      async () =>
        backupFindings(await read()).find(([n]) => n === name)?.[1] ??
        warning('not reported by the backup status'),
      30_000,
    ),
  );
}
