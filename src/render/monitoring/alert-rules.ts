import { stringify } from 'yaml';
import type { MonitoringContext } from './context.js';
import { promDuration } from './duration.js';

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: 'warning' | 'critical' };
  annotations: { summary: string; runbook: string };
}

/** docs/monitoring.md has a section per alert; the annotation points there. */
const runbook = (anchor: string) => `docs/monitoring.md#${anchor}`;

/**
 * The alerts, from the cluster file's thresholds (pure). Each expression reads metrics of
 * one exporter: node-exporter (systemd units, filesystems, memory, and the textfile
 * metrics `mailctl metrics textfile` writes), the Postfix exporter and Dovecot's stats
 * endpoint.
 */
export function alertRules(m: MonitoringContext): AlertRule[] {
  const a = m.alerts;
  return [
    {
      alert: 'ServiceDown',
      expr: 'node_systemd_unit_state{state="active"} == 0',
      for: promDuration(a.serviceDownFor),
      labels: { severity: 'critical' },
      annotations: {
        summary: '{{ $labels.name }} is not running',
        runbook: runbook('servicedown'),
      },
    },
    {
      alert: 'MetricsTargetDown',
      expr: 'up == 0',
      for: promDuration(a.serviceDownFor),
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Prometheus cannot scrape {{ $labels.job }} at {{ $labels.instance }}',
        runbook: runbook('metricstargetdown'),
      },
    },
    {
      alert: 'QueueDeferred',
      expr: `sum(postfix_showq_message_size_bytes_count{queue="deferred"}) > ${a.queueDeferredMax}`,
      for: promDuration(a.queueDeferredFor),
      labels: { severity: 'warning' },
      annotations: {
        summary: '{{ $value }} messages deferred in the Postfix queue',
        runbook: runbook('queuedeferred'),
      },
    },
    {
      alert: 'QueueMessageOld',
      expr: `mailctl_queue_oldest_message_age_seconds > ${a.queueOldestAge}`,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'a message has waited {{ $value | humanizeDuration }} in the Postfix queue',
        runbook: runbook('queuemessageold'),
      },
    },
    ...(['warning', 'critical'] as const).map((severity): AlertRule => ({
      alert: 'DiskSpaceLow',
      expr:
        '100 * (1 - node_filesystem_avail_bytes{fstype!~"tmpfs|ramfs"} / ' +
        `node_filesystem_size_bytes{fstype!~"tmpfs|ramfs"}) > ${
          severity === 'warning' ? a.diskWarningPercent : a.diskCriticalPercent
        }`,
      for: '5m',
      labels: { severity },
      annotations: {
        summary: '{{ $labels.mountpoint }} is {{ $value | printf "%.0f" }}% full',
        runbook: runbook('diskspacelow'),
      },
    })),
    {
      alert: 'CertificateExpiring',
      expr: `mailctl_certificate_expiry_timestamp_seconds - time() < ${a.certificateDays * 86_400}`,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'the TLS certificate expires in {{ $value | humanizeDuration }}',
        runbook: runbook('certificateexpiring'),
      },
    },
    {
      alert: 'BackupStale',
      expr: `time() - mailctl_backup_last_success_timestamp_seconds > ${a.backupMaxAge}`,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'no good {{ $labels.repository }} backup for {{ $value | humanizeDuration }}',
        runbook: runbook('backupstale'),
      },
    },
    {
      alert: 'WalArchiveFailing',
      expr: 'increase(mailctl_wal_archive_failed_total[15m]) > 0',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'PostgreSQL failed to archive WAL segments',
        runbook: runbook('walarchivefailing'),
      },
    },
    {
      alert: 'AuthFailureBurst',
      expr: `sum(increase(dovecot_auth_failure_total[5m])) > ${a.authFailuresPer5m}`,
      labels: { severity: 'warning' },
      annotations: {
        summary: '{{ $value | printf "%.0f" }} failed logins in 5 minutes',
        runbook: runbook('authfailureburst'),
      },
    },
    {
      alert: 'Fail2banBanStorm',
      expr: `sum(increase(mailctl_fail2ban_bans_total[10m])) > ${a.fail2banBansPer10m}`,
      labels: { severity: 'warning' },
      annotations: {
        summary: '{{ $value | printf "%.0f" }} addresses banned in 10 minutes',
        runbook: runbook('fail2banbanstorm'),
      },
    },
    {
      alert: 'MemoryHigh',
      expr: `100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) > ${a.memoryPercent}`,
      for: '10m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'memory is {{ $value | printf "%.0f" }}% used',
        runbook: runbook('memoryhigh'),
      },
    },
    {
      // The unit-* checks are ServiceDown's, sooner; the rest (a refused IMAP login, GTUBE
      // let through, a missing jail) no exporter sees.
      alert: 'HealthCheckCritical',
      expr: 'mailctl_health_check_status{check!~"unit-.*"} == 2',
      for: promDuration(a.healthCriticalFor),
      labels: { severity: 'critical' },
      annotations: {
        summary: 'mailctl health: {{ $labels.check }} is critical',
        runbook: runbook('healthcheckcritical'),
      },
    },
    {
      // mailctl-health.timer runs every 5 minutes; three missed runs and the health alerts
      // above are blind.
      alert: 'HealthCheckNotRunning',
      expr: 'time() - mailctl_health_last_run_timestamp_seconds > 900',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'mailctl health last ran {{ $value | humanizeDuration }} ago',
        runbook: runbook('healthchecknotrunning'),
      },
    },
    {
      alert: 'WireguardHandshakeStale',
      expr: `time() - mailctl_wireguard_peer_last_handshake_timestamp_seconds > ${a.wireguardHandshakeAge}`,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'VPN peer {{ $labels.peer }} last shook hands {{ $value | humanizeDuration }} ago',
        runbook: runbook('wireguardhandshakestale'),
      },
    },
  ];
}

/** The rules file Prometheus loads (rule_files in prometheus.yml). */
export function alertRulesYaml(m: MonitoringContext, header: string): string {
  return (
    header + stringify({ groups: [{ name: 'mailctl', rules: alertRules(m) }] }, { lineWidth: 0 })
  );
}
