import type { MailHostContext } from '../render/host-context.js';
import { certbotComponent, renderCertbot } from '../render/certbot/index.js';
import { clamavComponent, renderClamav } from '../render/clamav/index.js';
import { dovecotComponent, renderDovecot } from '../render/dovecot/index.js';
import { fail2banComponent, renderFail2ban } from '../render/fail2ban/index.js';
import { kernelModulesComponent, renderModprobeBlacklist } from '../render/kernel-modules/index.js';
import { firewallComponent, renderFirewall } from '../render/firewall/index.js';
import { ACME_WEBROOT, nginxComponent, renderNginx } from '../render/nginx/index.js';
import { postfixComponent, renderPostfix } from '../render/postfix/index.js';
import {
  ALPINE_POSTGRES_ID,
  POSTGRES_NATIVE_PERMISSIONS,
  postgresComponentFor,
  postgresNativeComponent,
  renderPostgres,
} from '../render/postgres/index.js';
import {
  backupComponentFor,
  pgbackrestRepo,
  POSTGRES_DUMP_DIR,
  renderBackup,
  resticRepo,
} from '../render/backup/index.js';
import { bannersComponent, renderBanners } from '../render/banners/index.js';
import { coreDumpsComponent, renderCoreDumpLimits } from '../render/core-dumps/index.js';
import { debsumsComponent, renderDebsumsDefault } from '../render/debsums/index.js';
import { idleShellComponent, renderIdleShell } from '../render/idle-shell/index.js';
import { loginDefsComponent, renderLoginDefsFiles } from '../render/login-defs/index.js';
import { needrestartComponent, renderNeedrestart } from '../render/needrestart/index.js';
import { logRotationComponent } from '../render/log-rotation/index.js';
import { processAccountingComponent } from '../render/process-accounting/index.js';
import { pwqualityComponent, renderPwquality } from '../render/pwquality/index.js';
import { redisComponent, renderRedis } from '../render/redis/index.js';
import {
  exportersComponent,
  prometheusComponent,
  renderDovecotStats,
  renderNginxStatus,
  renderExporters,
  renderPrometheus,
} from '../render/monitoring/index.js';
import { renderRspamd, rspamdComponent } from '../render/rspamd/index.js';
import { healthComponent, renderHealthTimer } from '../render/health/index.js';
import {
  renderSelfHealing,
  selfHealingComponent,
  selfHealingComponentFor,
} from '../render/self-healing/index.js';
import { renderSsh, sshComponent } from '../render/ssh/index.js';
import { renderUnbound, unboundComponent } from '../render/unbound/index.js';
import { mtaStsResolverComponent, renderMtaStsResolver } from '../render/mta-sts-resolver/index.js';
import { renderSysctl, sysctlComponent } from '../render/sysctl/index.js';
import {
  renderUnattended,
  unattendedUpgradesComponent,
} from '../render/unattended-upgrades/index.js';
import {
  memcachedComponent,
  renderMemcached,
  renderSogo,
  renderSogoNginx,
  sogoComponent,
} from '../render/sogo/index.js';
import type { ComponentDescriptor, RenderedFile } from '../render/types.js';
import { renderWazuh, wazuhComponent } from '../render/wazuh/index.js';
import {
  renderWireguard,
  wireguardComponent,
  type WireguardPeer,
} from '../render/wireguard/index.js';
import type { DesiredState } from './desired-state.js';

/**
 * Tools apply itself needs on the host; the ones `mailctl audit` runs there (Lynis for
 * the hardening index, testssl.sh for the TLS scan); and small hardening aids: debsums
 * (verify installed files against their packages), apt-show-versions (what has an update),
 * libpam-tmpdir (a private $TMPDIR per login).
 */
const BASE_PACKAGES = [
  'openssl',
  'git',
  'ca-certificates',
  'lynis',
  'testssl.sh',
  'debsums',
  'apt-show-versions',
  'libpam-tmpdir',
];

/**
 * Every component apply may converge on a mail host, with PostgreSQL in native mode (the
 * container mode's podman is not part of the lab).
 */
export function mailHostComponents(): ComponentDescriptor[] {
  return [
    wireguardComponent,
    firewallComponent,
    sysctlComponent,
    kernelModulesComponent,
    sshComponent,
    loginDefsComponent,
    pwqualityComponent,
    bannersComponent,
    idleShellComponent,
    coreDumpsComponent,
    processAccountingComponent,
    logRotationComponent,
    debsumsComponent,
    unattendedUpgradesComponent,
    needrestartComponent,
    postgresNativeComponent,
    backupComponentFor('native'),
    unboundComponent,
    redisComponent,
    rspamdComponent,
    mtaStsResolverComponent,
    postfixComponent,
    dovecotComponent,
    memcachedComponent,
    sogoComponent,
    nginxComponent,
    certbotComponent,
    selfHealingComponent,
    healthComponent,
    exportersComponent,
    prometheusComponent,
    fail2banComponent,
  ];
}

/** Every Debian package a mail host gets from apply (what the lab must have at hand offline). */
export function mailHostPackages(): string[] {
  const packages = mailHostComponents().flatMap((c) => c.packages);
  return [...new Set([...BASE_PACKAGES, ...packages])].sort();
}

/**
 * Everything one mail host should be, from its context and its VPN peers (pure).
 * The order of components is the order their units are activated in: the database
 * before the daemons that look things up in it.
 */
export function mailHostDesiredState(
  ctx: MailHostContext,
  peers: readonly WireguardPeer[],
): DesiredState {
  const parts: [ComponentDescriptor, RenderedFile[]][] = [
    [wireguardComponent, renderWireguard(ctx, peers)],
    // Right after the VPN: the ruleset always lets the tunnel in, and the services below
    // are reachable only as the ruleset allows from the moment they start.
    [firewallComponent, renderFirewall(ctx)],
    [sysctlComponent, renderSysctl()],
    [kernelModulesComponent, renderModprobeBlacklist()],
    [sshComponent, renderSsh()],
    [loginDefsComponent, renderLoginDefsFiles()],
    [pwqualityComponent, renderPwquality()],
    [bannersComponent, renderBanners()],
    [idleShellComponent, renderIdleShell()],
    [coreDumpsComponent, renderCoreDumpLimits()],
    [processAccountingComponent, []],
    [logRotationComponent, []],
    [debsumsComponent, renderDebsumsDefault()],
    [unattendedUpgradesComponent, renderUnattended()],
    [needrestartComponent, renderNeedrestart()],
    [postgresComponentFor(ctx), renderPostgres(ctx)],
    // Right after PostgreSQL: its archive_command is pgBackRest's.
    [backupComponentFor(ctx.postgres.mode, ctx.backup.offsite !== undefined), renderBackup(ctx)],
    // Rspamd resolves through the host's own resolver.
    [unboundComponent, renderUnbound(ctx)],
    // Rspamd keeps its state in Redis and connects to it at start.
    [redisComponent, renderRedis()],
    // Only with mail.antivirus: clamav, before Rspamd, which asks clamd. Like Wazuh, not in
    // mailHostComponents(): optional, its packages are prefetched by the lab on their own.
    ...(ctx.antivirus
      ? [[clamavComponent, renderClamav()] satisfies [ComponentDescriptor, RenderedFile[]]]
      : []),
    [rspamdComponent, renderRspamd(ctx)],
    // Postfix's smtp client asks it for other domains' MTA-STS policies.
    [mtaStsResolverComponent, renderMtaStsResolver()],
    // Postfix first: its check creates the queue's private/ directory, where Dovecot's
    // LMTP, auth and quota-status sockets live.
    [postfixComponent, renderPostfix(ctx)],
    [
      dovecotComponent,
      [...renderDovecot(ctx), ...(ctx.monitoring.exporters ? [renderDovecotStats()] : [])],
    ],
    // SOGo caches in memcached and logs in to Dovecot and Postfix.
    [memcachedComponent, renderMemcached()],
    [sogoComponent, renderSogo(ctx)],
    // It fronts the others (the Rspamd controller, SOGo) and serves the ACME webroot.
    [
      nginxComponent,
      [
        ...renderNginx(ctx),
        renderSogoNginx(),
        ...(ctx.monitoring.exporters ? [renderNginxStatus()] : []),
      ],
    ],
    // Only with tls.mode acme: the deploy hook and the timer's environment.
    ...(ctx.tls.acme
      ? [[certbotComponent, renderCertbot(ctx)] satisfies [ComponentDescriptor, RenderedFile[]]]
      : []),
    // Restart= and start limits for the daemons above; a daemon-reload is all they need.
    [selfHealingComponentFor(ctx), renderSelfHealing(ctx)],
    // `mailctl health` every few minutes, once everything it probes is up.
    [healthComponent, renderHealthTimer()],
    // After the daemons they watch, so that a first apply does not see them down.
    ...(ctx.monitoring.exporters
      ? [[exportersComponent, renderExporters(ctx)] satisfies [ComponentDescriptor, RenderedFile[]]]
      : []),
    ...(ctx.monitoring.prometheus
      ? [
          [prometheusComponent, renderPrometheus(ctx)] satisfies [
            ComponentDescriptor,
            RenderedFile[],
          ],
        ]
      : []),
    // Last: its jails read the journal and the logs of the daemons above.
    [fail2banComponent, renderFail2ban(ctx)],
    // Only with monitoring.wazuh: from Wazuh's own repository, so never in the lab's root
    // (mailHostComponents), which holds Debian's packages alone.
    ...(ctx.wazuh
      ? [[wazuhComponent, renderWazuh(ctx.wazuh)] satisfies [ComponentDescriptor, RenderedFile[]]]
      : []),
  ];
  const components = parts.map(([c]) => c);
  const pgOwner = ctx.postgres.mode === 'container' ? ALPINE_POSTGRES_ID : 'postgres';
  return {
    packages: [...new Set([...BASE_PACKAGES, ...components.flatMap((c) => c.packages)])],
    users: [
      {
        name: ctx.vmail.user,
        uid: ctx.vmail.uid,
        group: ctx.vmail.group,
        gid: ctx.vmail.gid,
        home: ctx.paths.vmail,
      },
    ],
    directories: [
      { path: ctx.paths.vmail, owner: ctx.vmail.user, group: ctx.vmail.group, mode: 0o750 },
      // Postfix's queue_directory; `postfix check` creates the queue's own subdirectories.
      { path: ctx.paths.queue, owner: 'root', group: 'root', mode: 0o755 },
      // Traversable, not listable: pgBackRest (as postgres) reaches its own repository
      // below; restic's is root's alone.
      { path: ctx.paths.backups, owner: 'root', group: 'root', mode: 0o711 },
      { path: resticRepo(ctx.paths.backups), owner: 'root', group: 'root', mode: 0o700 },
      ...(ctx.postgres.mode === 'native'
        ? [
            {
              path: pgbackrestRepo(ctx.paths.backups),
              owner: 'postgres',
              group: 'postgres',
              mode: 0o750,
            },
          ]
        : []),
      // certbot's HTTP-01 webroot, which nginx (www-data) serves on port 80.
      // mailctl's state: traversable, for nginx to reach the webroot below; what in it is
      // private (the config history) has its own 0700.
      { path: '/var/lib/mailctl', owner: 'root', group: 'root', mode: 0o755 },
      // The database's logical dump (container mode), with every role's verifier: root's.
      ...(ctx.postgres.mode === 'container'
        ? [{ path: POSTGRES_DUMP_DIR, owner: 'root', group: 'root', mode: 0o700 }]
        : []),
      { path: ACME_WEBROOT, owner: 'root', group: 'root', mode: 0o755 },
      // In container mode the image's postgres user (not the host's) owns data and archive.
      { path: ctx.postgres.walArchiveDir, owner: pgOwner, group: pgOwner, mode: 0o700 },
      ...(ctx.postgres.mode === 'container'
        ? [{ path: ctx.postgres.dataDir, owner: pgOwner, group: pgOwner, mode: 0o700 }]
        : // The postgres user's home (Debian makes it 0755), above the cluster's data.
          [{ path: '/var/lib/postgresql', owner: 'postgres', group: 'postgres', mode: 0o750 }]),
    ],
    permissions: ctx.postgres.mode === 'native' ? POSTGRES_NATIVE_PERMISSIONS : [],
    files: parts.flatMap(([, files]) => files),
    components,
  };
}
