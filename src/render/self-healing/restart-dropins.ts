import type { MailHostContext } from '../host-context.js';
import { postgresComponentFor } from '../postgres/index.js';
import {
  generatedHeader,
  rootFile,
  type ComponentDescriptor,
  type RenderedFile,
} from '../types.js';

export const RESTART_DROPIN_NAME = 'mailctl-restart.conf';

/** How long systemd waits before starting a crashed daemon again (RestartSec=). */
export const RESTART_DELAY_SECONDS = 3;
/**
 * Start limits: more than StartLimitBurst starts within StartLimitIntervalSec and systemd
 * gives up, leaves the unit `failed` (Result=start-limit-hit) and `mailctl health` reports
 * it. Wide enough for apply's own restarts and a daemon that crashes now and then; a daemon
 * that dies within seconds of every start is stopped after five tries instead of spinning.
 */
export const START_LIMIT = { intervalSeconds: 120, burst: 5 };

/**
 * The units whose main process is the daemon, in the order apply starts them. Debian's
 * postgresql.service is a oneshot wrapper (RemainAfterExit=yes, no process): Restart= there
 * would never fire, so the drop-in goes on the cluster's own unit, which owns the
 * postmaster. Debian 13's postfix.service, unlike 12's, is the main instance itself (it
 * Conflicts= with postfix@-.service). Not here: wg-quick@wg0 (oneshot; the tunnel is the
 * kernel's, or wireguard-go's, not a service's main PID) and the timers' oneshot services.
 */
export function supervisedUnits(ctx: Pick<MailHostContext, 'postgres' | 'vpnAddress'>): string[] {
  const [postgres] = postgresComponentFor(ctx).units;
  return [
    postgres ?? 'postgresql@17-main.service',
    'redis-server.service',
    'rspamd.service',
    'postfix.service',
    'dovecot.service',
    'memcached.service',
    'sogo.service',
    'nginx.service',
    'fail2ban.service',
    'ssh.service',
  ];
}

export const restartDropinPath = (unit: string): string =>
  `/etc/systemd/system/${unit}.d/${RESTART_DROPIN_NAME}`;

/**
 * Restart=on-failure covers what a crash looks like to systemd: an unclean exit code, a
 * signal (kill -9, SIGSEGV), a watchdog or start timeout; a clean `systemctl stop` or an
 * administrator's `postfix stop` is not restarted. Debian ships Restart=no for Postfix,
 * Dovecot, nginx and PostgreSQL, and Restart=always for Redis and memcached (always would
 * also undo a deliberate clean exit): one policy for all of them.
 */
export function renderRestartDropin(unit: string, service: readonly string[] = []): RenderedFile {
  const body = [
    '[Unit]',
    `StartLimitIntervalSec=${START_LIMIT.intervalSeconds}s`,
    `StartLimitBurst=${START_LIMIT.burst}`,
    '',
    '[Service]',
    ...service,
    'Restart=on-failure',
    `RestartSec=${RESTART_DELAY_SECONDS}s`,
    '',
  ].join('\n');
  return rootFile('self-healing', restartDropinPath(unit), `${generatedHeader()}${body}`);
}

/**
 * Run when PostgreSQL has started again (a crash, apply's restart, a restore): Dovecot's
 * auth processes lost their connections, and Debian 13's Dovecot (2.4.1+deb13u7) waits 1,
 * 5, 25, 125 s... between reconnects while failing every lookup at once. Ended with TERM,
 * auth and auth-worker are started again by Dovecot's master on the next login and connect
 * at once; open IMAP and POP3 sessions carry on (a reload would end them all:
 * shutdown_clients). `+`: as root whatever the unit's User=; `-`: nothing to end is fine.
 */
export const RESTART_DOVECOT_AUTH_AFTER_POSTGRES =
  'ExecStartPost=-+/usr/bin/pkill --signal TERM --full ^dovecot/auth';

export function renderSelfHealing(
  ctx: Pick<MailHostContext, 'postgres' | 'vpnAddress' | 'paths'>,
): RenderedFile[] {
  const [postgres = ''] = postgresComponentFor(ctx).units;
  const service: Readonly<Record<string, readonly string[]>> = {
    // Debian's unit has no PIDFile= and systemd cannot guess the master's PID (MainPID=0),
    // so it would never see the master die. master(8) writes it under queue_directory.
    'postfix.service': [`PIDFile=${ctx.paths.queue}/pid/master.pid`],
    [postgres]: [RESTART_DOVECOT_AUTH_AFTER_POSTGRES],
  };
  return supervisedUnits(ctx).map((unit) => renderRestartDropin(unit, service[unit]));
}

/**
 * systemd's own reading of the units with their drop-ins. It only warns about a value it
 * cannot parse (`Failed to parse Restart=...`) and exits 0, so any output fails the check.
 * man pages are not installed (--no-install-recommends), hence --man=no.
 */
export function selfHealingCheck(ctx: Pick<MailHostContext, 'postgres' | 'vpnAddress'>): string[] {
  const units = supervisedUnits(ctx).join(' ');
  return [
    'sh',
    '-c',
    `out=$(systemd-analyze verify --man=no ${units} 2>&1); [ -z "$out" ] || { printf '%s\\n' "$out" >&2; exit 1; }`,
  ];
}

export function selfHealingComponentFor(
  ctx: Pick<MailHostContext, 'postgres' | 'vpnAddress'>,
): ComponentDescriptor {
  return {
    name: 'self-healing',
    packages: [],
    // apply's daemon-reload (any change under /etc/systemd/) is all a drop-in of Restart= and
    // the start limits needs: the running daemons keep running and get the policy at once.
    units: [],
    onChange: 'restart',
    check: selfHealingCheck(ctx),
  };
}

/** Native PostgreSQL's, for the list of every component a mail host may have. */
export const selfHealingComponent = selfHealingComponentFor({
  postgres: { mode: 'native', database: '', port: 5432, dataDir: '', walArchiveDir: '' },
  vpnAddress: '',
});
