import type { AuditCheck, AuditReport, TlsScan } from './types.js';

export function buildReport(
  checks: AuditCheck[],
  tls: TlsScan[],
  lynis?: AuditReport['lynis'],
): AuditReport {
  return { ok: checks.every((c) => c.ok), checks, tls, ...(lynis ? { lynis } : {}) };
}

/**
 * The report as an administrator reads it: one PASS/FAIL line per check (pure). A remote
 * audit says first what it looked at, and what only the host itself can check.
 */
export function formatReport(report: AuditReport): string {
  const r = report.remote;
  const lines = [
    ...(r
      ? [
          `audit of ${r.host} at ${r.address} from the ${r.side} side (listening sockets and Lynis: run mailctl audit on the host)`,
          '',
        ]
      : []),
    ...report.checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'}  ${c.id.padEnd(26)} ${c.detail}`),
  ];
  const failed = report.checks.filter((c) => !c.ok).length;
  lines.push(
    '',
    failed
      ? `${failed} of ${report.checks.length} checks FAILED`
      : `all ${report.checks.length} checks passed`,
  );
  return `${lines.join('\n')}\n`;
}
