/**
 * The health report: one line per check and an overall status (pure). Its JSON form is what
 * the timer appends to /var/log/mailctl/health.jsonl, one object per line; other tools
 * (Wazuh, the metrics exporter) read it, so the field names stay as they are.
 */

export type HealthStatus = 'ok' | 'warning' | 'critical';

export interface CheckResult {
  /** Stable, kebab-case: `smtp-25`, `disk-/var/mail`, `unit-dovecot.service` ... */
  name: string;
  status: HealthStatus;
  /** One line for a person: what was seen, and for a problem what is wrong. */
  detail: string;
  /** How long the check took, in milliseconds. */
  ms: number;
}

export interface HealthReport {
  /** When the run began, ISO 8601 in UTC. */
  ts: string;
  status: HealthStatus;
  checks: CheckResult[];
}

const RANK: Record<HealthStatus, number> = { ok: 0, warning: 1, critical: 2 };

/** The worst status of all checks; ok when there are none. */
export function overallStatus(checks: readonly Pick<CheckResult, 'status'>[]): HealthStatus {
  return checks.reduce<HealthStatus>(
    (worst, c) => (RANK[c.status] > RANK[worst] ? c.status : worst),
    'ok',
  );
}

/** `mailctl health`'s exit status: 0 ok, 1 warning, 2 critical (the README's table). */
export const exitCodeFor = (status: HealthStatus): number => RANK[status];

export function healthReport(ts: number, checks: CheckResult[]): HealthReport {
  return { ts: new Date(ts).toISOString(), status: overallStatus(checks), checks };
}

/** The human form: the worst first, then by name. */
export function reportLines(r: HealthReport): string[] {
  const sorted = [...r.checks].sort(
    (a, b) => RANK[b.status] - RANK[a.status] || a.name.localeCompare(b.name),
  );
  return [
    ...sorted.map((c) => `${c.status.toUpperCase().padEnd(8)} ${c.name}: ${c.detail}`),
    `health: ${r.status} (${r.checks.length} checks)`,
  ];
}

/** One line of health.jsonl: the report without indentation. */
export const jsonLine = (r: HealthReport): string => `${JSON.stringify(r)}\n`;
