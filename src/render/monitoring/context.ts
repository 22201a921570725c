/** What the alert rules compare with; every value comes from `monitoring.alerts` in the cluster file. */
export interface AlertThresholds {
  /** Seconds a daemon's unit may be inactive before ServiceDown fires. */
  serviceDownFor: number;
  /** Deferred messages in the queue, and for how many seconds, before QueueDeferred fires. */
  queueDeferredMax: number;
  queueDeferredFor: number;
  /** Seconds a message may wait in the queue before QueueMessageOld fires. */
  queueOldestAge: number;
  diskWarningPercent: number;
  diskCriticalPercent: number;
  /** Days before the certificate's notAfter when CertificateExpiring fires. */
  certificateDays: number;
  /** Seconds since the last good backup before BackupStale fires. */
  backupMaxAge: number;
  /** Failed logins (IMAP, POP3, submission) within 5 minutes that make a burst. */
  authFailuresPer5m: number;
  /** Fail2ban bans within 10 minutes that make a storm. */
  fail2banBansPer10m: number;
  memoryPercent: number;
  /** Seconds a health check may stay critical before HealthCheckCritical fires. */
  healthCriticalFor: number;
  /** Seconds since a VPN peer's last handshake before health warns and WireguardHandshakeStale fires. */
  wireguardHandshakeAge: number;
}

export interface MonitoringContext {
  /** node, postfix and postgres exporters, Dovecot's stats endpoint, the textfile metrics. */
  exporters: boolean;
  /** Prometheus and Alertmanager on the host itself. */
  prometheus: boolean;
  /** Prometheus's --storage.tsdb.retention.time, in seconds. */
  retentionSeconds: number;
  /** Where Alertmanager mails alerts. */
  alertEmail: string;
  /** Alertmanager also POSTs every notification here, when set. */
  webhookUrl?: string;
  /** The domain whose MX `mailctl health` tries on port 25 (outbound SMTP), when set. */
  outboundProbe?: string;
  alerts: AlertThresholds;
}

/** The defaults of the cluster file's `monitoring` (schema.ts), for tests. */
export function defaultMonitoring(
  overrides: Partial<MonitoringContext> = {},
  alertEmail = 'postmaster@example.com',
): MonitoringContext {
  return {
    exporters: true,
    prometheus: false,
    retentionSeconds: 15 * 86_400,
    alertEmail,
    outboundProbe: 'gmail.com',
    alerts: {
      serviceDownFor: 120,
      queueDeferredMax: 50,
      queueDeferredFor: 900,
      queueOldestAge: 86_400,
      diskWarningPercent: 80,
      diskCriticalPercent: 90,
      certificateDays: 14,
      backupMaxAge: 26 * 3600,
      authFailuresPer5m: 50,
      fail2banBansPer10m: 20,
      memoryPercent: 85,
      healthCriticalFor: 600,
      wireguardHandshakeAge: 86_400,
    },
    ...overrides,
  };
}
