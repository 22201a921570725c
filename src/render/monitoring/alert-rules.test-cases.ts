/**
 * `promtool test rules` cases for every alert (used by alert-rules.test.ts): each alert has
 * series on which it must fire and series on which it must stay quiet. Times are from 0,
 * which is also what time() returns at the start of a promtool test.
 */
export interface RuleCase {
  alert: string;
  /** promtool's `interval` between the samples of `series`. */
  interval: string;
  series: Record<string, string>;
  evalTime: string;
  /** The alerts expected at evalTime (labels beyond alertname, and annotations); [] when quiet. */
  expect: { labels: Record<string, string>; annotations: Record<string, string> }[];
}

const doc = (anchor: string) => `docs/monitoring.md#${anchor}`;

export const RULE_CASES: readonly RuleCase[] = [
  {
    alert: 'ServiceDown',
    interval: '15s',
    series: {
      'node_systemd_unit_state{name="dovecot.service",state="active"}': '0x20',
      'node_systemd_unit_state{name="postfix.service",state="active"}': '1x20',
    },
    evalTime: '3m',
    expect: [
      {
        labels: { severity: 'critical', name: 'dovecot.service', state: 'active' },
        annotations: { summary: 'dovecot.service is not running', runbook: doc('servicedown') },
      },
    ],
  },
  {
    // Down for less than service_down_for (2m): pending, not firing.
    alert: 'ServiceDown',
    interval: '15s',
    series: { 'node_systemd_unit_state{name="dovecot.service",state="active"}': '1x4 0x8' },
    evalTime: '3m',
    expect: [],
  },
  {
    alert: 'MetricsTargetDown',
    interval: '15s',
    series: {
      'up{job="dovecot",instance="127.0.0.1:9900"}': '0x20',
      'up{job="node",instance="127.0.0.1:9100"}': '1x20',
    },
    evalTime: '3m',
    expect: [
      {
        labels: { severity: 'warning', job: 'dovecot', instance: '127.0.0.1:9900' },
        annotations: {
          summary: 'Prometheus cannot scrape dovecot at 127.0.0.1:9900',
          runbook: doc('metricstargetdown'),
        },
      },
    ],
  },
  {
    alert: 'MetricsTargetDown',
    interval: '15s',
    series: { 'up{job="node",instance="127.0.0.1:9100"}': '1x20' },
    evalTime: '3m',
    expect: [],
  },
  {
    alert: 'QueueDeferred',
    interval: '1m',
    series: {
      'postfix_showq_message_size_bytes_count{queue="deferred"}': '60x20',
      'postfix_showq_message_size_bytes_count{queue="active"}': '500x20',
    },
    evalTime: '16m',
    expect: [
      {
        labels: { severity: 'warning' },
        annotations: {
          summary: '60 messages deferred in the Postfix queue',
          runbook: doc('queuedeferred'),
        },
      },
    ],
  },
  {
    // Many active (being delivered) but few deferred messages are no problem.
    alert: 'QueueDeferred',
    interval: '1m',
    series: {
      'postfix_showq_message_size_bytes_count{queue="deferred"}': '40x20',
      'postfix_showq_message_size_bytes_count{queue="active"}': '500x20',
    },
    evalTime: '16m',
    expect: [],
  },
  {
    alert: 'QueueMessageOld',
    interval: '1m',
    series: { mailctl_queue_oldest_message_age_seconds: '90000x5' },
    evalTime: '2m',
    expect: [
      {
        labels: { severity: 'warning' },
        annotations: {
          summary: 'a message has waited 1d 1h 0m 0s in the Postfix queue',
          runbook: doc('queuemessageold'),
        },
      },
    ],
  },
  {
    alert: 'QueueMessageOld',
    interval: '1m',
    series: { mailctl_queue_oldest_message_age_seconds: '3600x5' },
    evalTime: '2m',
    expect: [],
  },
  {
    // 85% full: the warning only.
    alert: 'DiskSpaceLow',
    interval: '1m',
    series: {
      'node_filesystem_avail_bytes{mountpoint="/var/mail",fstype="ext4"}': '15x10',
      'node_filesystem_size_bytes{mountpoint="/var/mail",fstype="ext4"}': '100x10',
      'node_filesystem_avail_bytes{mountpoint="/run",fstype="tmpfs"}': '1x10',
      'node_filesystem_size_bytes{mountpoint="/run",fstype="tmpfs"}': '100x10',
    },
    evalTime: '6m',
    expect: [
      {
        labels: { severity: 'warning', mountpoint: '/var/mail', fstype: 'ext4' },
        annotations: { summary: '/var/mail is 85% full', runbook: doc('diskspacelow') },
      },
    ],
  },
  {
    // 95% full: both; Alertmanager's inhibit rule mails only the critical one.
    alert: 'DiskSpaceLow',
    interval: '1m',
    series: {
      'node_filesystem_avail_bytes{mountpoint="/",fstype="ext4"}': '5x10',
      'node_filesystem_size_bytes{mountpoint="/",fstype="ext4"}': '100x10',
    },
    evalTime: '6m',
    expect: (['warning', 'critical'] as const).map((severity) => ({
      labels: { severity, mountpoint: '/', fstype: 'ext4' },
      annotations: { summary: '/ is 95% full', runbook: doc('diskspacelow') },
    })),
  },
  {
    alert: 'DiskSpaceLow',
    interval: '1m',
    series: {
      'node_filesystem_avail_bytes{mountpoint="/",fstype="ext4"}': '50x10',
      'node_filesystem_size_bytes{mountpoint="/",fstype="ext4"}': '100x10',
    },
    evalTime: '6m',
    expect: [],
  },
  {
    alert: 'CertificateExpiring',
    interval: '1m',
    series: { mailctl_certificate_expiry_timestamp_seconds: `${10 * 86_400}x5` },
    evalTime: '0m',
    expect: [
      {
        labels: { severity: 'warning' },
        annotations: {
          summary: 'the TLS certificate expires in 10d 0h 0m 0s',
          runbook: doc('certificateexpiring'),
        },
      },
    ],
  },
  {
    alert: 'CertificateExpiring',
    interval: '1m',
    series: { mailctl_certificate_expiry_timestamp_seconds: `${30 * 86_400}x5` },
    evalTime: '0m',
    expect: [],
  },
  {
    // The last good backup at time 0; 27 hours later it is stale.
    alert: 'BackupStale',
    interval: '1h',
    series: { 'mailctl_backup_last_success_timestamp_seconds{repository="files"}': '0x30' },
    evalTime: '27h',
    expect: [
      {
        labels: { severity: 'critical', repository: 'files' },
        annotations: {
          summary: 'no good files backup for 1d 3h 0m 0s',
          runbook: doc('backupstale'),
        },
      },
    ],
  },
  {
    alert: 'BackupStale',
    interval: '1h',
    series: { 'mailctl_backup_last_success_timestamp_seconds{repository="files"}': '0x30' },
    evalTime: '25h',
    expect: [],
  },
  {
    alert: 'WalArchiveFailing',
    interval: '1m',
    series: { mailctl_wal_archive_failed_total: '0 0 0 1 1 1 1' },
    evalTime: '5m',
    expect: [
      {
        labels: { severity: 'critical' },
        annotations: {
          summary: 'PostgreSQL failed to archive WAL segments',
          runbook: doc('walarchivefailing'),
        },
      },
    ],
  },
  {
    alert: 'WalArchiveFailing',
    interval: '1m',
    series: { mailctl_wal_archive_failed_total: '0x10' },
    evalTime: '5m',
    expect: [],
  },
  {
    // 20 a minute: 100 in 5 minutes.
    alert: 'AuthFailureBurst',
    interval: '1m',
    series: { dovecot_auth_failure_total: '0+20x10' },
    evalTime: '6m',
    expect: [
      {
        labels: { severity: 'warning' },
        annotations: {
          summary: '100 failed logins in 5 minutes',
          runbook: doc('authfailureburst'),
        },
      },
    ],
  },
  {
    alert: 'AuthFailureBurst',
    interval: '1m',
    series: { dovecot_auth_failure_total: '0+5x10' },
    evalTime: '6m',
    expect: [],
  },
  {
    // 5 bans a minute in two jails: 100 in 10 minutes.
    alert: 'Fail2banBanStorm',
    interval: '1m',
    series: {
      'mailctl_fail2ban_bans_total{jail="dovecot"}': '0+5x20',
      'mailctl_fail2ban_bans_total{jail="postfix-sasl"}': '0+5x20',
    },
    evalTime: '12m',
    expect: [
      {
        labels: { severity: 'warning' },
        annotations: {
          summary: '100 addresses banned in 10 minutes',
          runbook: doc('fail2banbanstorm'),
        },
      },
    ],
  },
  {
    alert: 'Fail2banBanStorm',
    interval: '1m',
    series: { 'mailctl_fail2ban_bans_total{jail="dovecot"}': '0+1x20' },
    evalTime: '12m',
    expect: [],
  },
  {
    alert: 'MemoryHigh',
    interval: '1m',
    series: { node_memory_MemAvailable_bytes: '10x20', node_memory_MemTotal_bytes: '100x20' },
    evalTime: '12m',
    expect: [
      {
        labels: { severity: 'warning' },
        annotations: { summary: 'memory is 90% used', runbook: doc('memoryhigh') },
      },
    ],
  },
  {
    alert: 'MemoryHigh',
    interval: '1m',
    series: { node_memory_MemAvailable_bytes: '50x20', node_memory_MemTotal_bytes: '100x20' },
    evalTime: '12m',
    expect: [],
  },
  {
    // Critical in three runs (10 minutes and more): fires; a unit is ServiceDown's.
    alert: 'HealthCheckCritical',
    interval: '1m',
    series: {
      'mailctl_health_check_status{check="imap"}': '2x15',
      'mailctl_health_check_status{check="pop3"}': '0x15',
      'mailctl_health_check_status{check="unit-dovecot.service"}': '2x15',
    },
    evalTime: '11m',
    expect: [
      {
        labels: { severity: 'critical', check: 'imap' },
        annotations: {
          summary: 'mailctl health: imap is critical',
          runbook: doc('healthcheckcritical'),
        },
      },
    ],
  },
  {
    // A warning for long, and one critical run that the next one cleared.
    alert: 'HealthCheckCritical',
    interval: '1m',
    series: {
      'mailctl_health_check_status{check="queue"}': '1x15',
      'mailctl_health_check_status{check="imap"}': '0x4 2x5 0x5',
    },
    evalTime: '11m',
    expect: [],
  },
  {
    // The last run began at 0; 20 minutes later nothing has run since.
    alert: 'HealthCheckNotRunning',
    interval: '1m',
    series: { mailctl_health_last_run_timestamp_seconds: '0x20' },
    evalTime: '20m',
    expect: [
      {
        labels: { severity: 'warning' },
        annotations: {
          summary: 'mailctl health last ran 20m 0s ago',
          runbook: doc('healthchecknotrunning'),
        },
      },
    ],
  },
  {
    // A run every 5 minutes.
    alert: 'HealthCheckNotRunning',
    interval: '5m',
    series: { mailctl_health_last_run_timestamp_seconds: '0+300x5' },
    evalTime: '20m',
    expect: [],
  },
  {
    // One peer last seen at 0, 25 hours ago; the other 10 minutes ago.
    alert: 'WireguardHandshakeStale',
    interval: '1h',
    series: {
      'mailctl_wireguard_peer_last_handshake_timestamp_seconds{peer="laptopkey="}': '0x25',
      'mailctl_wireguard_peer_last_handshake_timestamp_seconds{peer="phonekey="}': `0+3600x24 ${25 * 3600 - 600}`,
    },
    evalTime: '25h',
    expect: [
      {
        labels: { severity: 'warning', peer: 'laptopkey=' },
        annotations: {
          summary: 'VPN peer laptopkey= last shook hands 1d 1h 0m 0s ago',
          runbook: doc('wireguardhandshakestale'),
        },
      },
    ],
  },
  {
    alert: 'WireguardHandshakeStale',
    interval: '1h',
    series: {
      'mailctl_wireguard_peer_last_handshake_timestamp_seconds{peer="laptopkey="}': '0x25',
    },
    evalTime: '23h',
    expect: [],
  },
];

/** The promtool test file for `cases` against the rules file at `rulesPath`. */
export function promtoolTestFile(rulesPath: string, cases: readonly RuleCase[]) {
  return {
    rule_files: [rulesPath],
    evaluation_interval: '1m',
    tests: cases.map((c) => ({
      name: `${c.alert} ${c.expect.length ? 'fires' : 'stays quiet'}`,
      interval: c.interval,
      input_series: Object.entries(c.series).map(([series, values]) => ({ series, values })),
      alert_rule_test: [
        {
          eval_time: c.evalTime,
          alertname: c.alert,
          exp_alerts: c.expect.map((e) => ({
            exp_labels: e.labels,
            exp_annotations: e.annotations,
          })),
        },
      ],
    })),
  };
}
