import type { AcmeContext, MailHostContext, OffsiteContext } from '../render/host-context.js';
import type { MonitoringContext } from '../render/monitoring/context.js';
import type { WazuhContext } from '../render/wazuh/context.js';
import { UserError } from '../util/errors.js';
import { ACME_DIRECTORIES, type Spec } from './schema.js';
import { canonicalNetwork } from '../util/ip-networks.js';

/** Where Dovecot keeps every mailbox's mail: `<dir>/<domain>/<local part>`. */
export const VMAIL_DIR = '/var/mail/vmail';

/** The narrow view one host's renderers take (pure); the mail host unless a name is given. */
export function hostContextFromSpec(spec: Spec, hostName?: string): MailHostContext {
  const host = hostName
    ? spec.hosts.find((h) => h.name === hostName)
    : spec.hosts.find((h) => h.roles.includes('mail'));
  if (!host)
    throw new UserError(
      'E_UNKNOWN_HOST',
      hostName
        ? `no host named ${hostName} in the cluster file`
        : 'no mail host in the cluster file',
    );
  return {
    name: host.name,
    fqdn: host.fqdn,
    publicAddresses: host.public_addresses,
    vpnAddress: host.vpn_address,
    size: { cpus: host.size.cpus, memoryBytes: host.size.memory },
    vpnSubnet: spec.vpn.subnet,
    vpnPort: spec.vpn.port,
    domains: spec.domains.map((d) => d.name).sort(),
    postgres: {
      mode: spec.postgres.mode,
      database: spec.postgres.database,
      port: spec.postgres.port,
      dataDir: spec.postgres.data_dir,
      walArchiveDir: spec.postgres.wal_archive_dir,
      ...(spec.postgres.image ? { image: spec.postgres.image } : {}),
    },
    adminAllow: spec.ssh.admin_allow.map(canonicalNetwork),
    fail2ban: {
      bantime: spec.fail2ban.bantime,
      findtime: spec.fail2ban.findtime,
      maxretry: spec.fail2ban.maxretry,
      vpn: { ...spec.fail2ban.vpn },
      adminAddresses: spec.fail2ban.admin_addresses.map(canonicalNetwork),
    },
    submissionLimit: {
      burst: spec.mail.submission_limit.burst,
      perHour: spec.mail.submission_limit.per_hour,
    },
    defaultQuotaBytes: spec.mail.default_quota,
    spam: {
      rejectScore: spec.mail.spam.reject,
      addHeaderScore: spec.mail.spam.add_header,
      greylistScore: spec.mail.spam.greylist,
    },
    ...(spec.mail.antivirus === 'clamav' ? { antivirus: 'clamav' as const } : {}),
    postscreen: {
      dnsblSites: [...spec.mail.postscreen.dnsbl_sites],
      dnsblThreshold: spec.mail.postscreen.dnsbl_threshold,
    },
    mtaSts: {
      mode: spec.mail.mta_sts.mode,
      maxAgeSeconds: spec.mail.mta_sts.max_age_days * 86_400,
    },
    tls: {
      certFile: `/etc/mailctl/tls/${host.fqdn}.crt`,
      keyFile: `/etc/mailctl/tls/${host.fqdn}.key`,
      ...(spec.tls.mode === 'acme' ? { acme: acmeContext(spec.tls.acme) } : {}),
    },
    paths: { vmail: VMAIL_DIR, queue: '/var/mail/queue', backups: '/var/mail/backups' },
    vmail: { user: 'vmail', group: 'vmail', uid: 5000, gid: 5000 },
    backup: {
      retention: { ...spec.backup.retention },
      ...(spec.backup.offsite ? { offsite: offsiteContext(spec.backup.offsite) } : {}),
    },
    ...(spec.monitoring.wazuh ? { wazuh: wazuhContext(spec.monitoring.wazuh, host.name) } : {}),
    resolver: {
      forwardTo: spec.resolver.forward_to,
      dnssec: spec.resolver.dnssec,
      trustAnchorFile: spec.resolver.trust_anchor_file,
    },
    monitoring: monitoringContext(spec, host.fqdn),
  };
}

function wazuhContext(w: NonNullable<Spec['monitoring']['wazuh']>, hostName: string): WazuhContext {
  const t = w.thresholds;
  const burst = (b: { count: number; within: number }) => ({ count: b.count, seconds: b.within });
  return {
    manager: w.manager,
    port: w.port,
    enrollmentPort: w.enrollment_port,
    agentName: w.agent_name ?? hostName,
    groups: w.groups,
    repository: w.repository,
    thresholds: {
      authFailures: burst(t.auth_failures),
      userAuthFailures: burst(t.user_auth_failures),
      relayDenied: burst(t.relay_denied),
      bans: burst(t.bans),
      deferred: burst(t.deferred),
    },
  };
}

function offsiteContext(o: NonNullable<Spec['backup']['offsite']>): OffsiteContext {
  const [, user = '', host = '', path = ''] = /^([^@]+)@([^:]+):(.*)$/.exec(o.sftp) ?? [];
  return { user, host, port: o.port, path: path.replace(/\/+$/, '') || '/', hostKey: o.host_key };
}

function monitoringContext(spec: Spec, fqdn: string): MonitoringContext {
  const m = spec.monitoring;
  const a = m.alerts;
  return {
    exporters: m.exporters,
    prometheus: m.prometheus,
    retentionSeconds: m.retention,
    // The address Postfix gives root's mail to (main.cf alias_maps): the first domain's postmaster.
    alertEmail: m.alert_email ?? `postmaster@${spec.domains.map((d) => d.name).sort()[0] ?? fqdn}`,
    ...(m.webhook_url ? { webhookUrl: m.webhook_url } : {}),
    ...(m.outbound_probe ? { outboundProbe: m.outbound_probe } : {}),
    alerts: {
      serviceDownFor: a.service_down_for,
      queueDeferredMax: a.queue_deferred_max,
      queueDeferredFor: a.queue_deferred_for,
      queueOldestAge: a.queue_oldest_age,
      diskWarningPercent: a.disk_warning_percent,
      diskCriticalPercent: a.disk_critical_percent,
      certificateDays: a.certificate_days,
      backupMaxAge: a.backup_max_age,
      authFailuresPer5m: a.auth_failures_per_5m,
      fail2banBansPer10m: a.fail2ban_bans_per_10m,
      memoryPercent: a.memory_percent,
      healthCriticalFor: a.health_critical_for,
      wireguardHandshakeAge: a.wireguard_handshake_age,
    },
  };
}

function acmeContext(acme: Extract<Spec['tls'], { mode: 'acme' }>['acme']): AcmeContext {
  const named = ACME_DIRECTORIES as Record<string, string>;
  return {
    directoryUrl: named[acme.directory] ?? acme.directory,
    email: acme.email,
    ...(acme.ca_file ? { caFile: acme.ca_file } : {}),
  };
}
