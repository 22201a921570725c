import type { AuditCheck } from './types.js';

/** The project's target for the Lynis hardening index (recorded, not enforced). */
export const LYNIS_TARGET = 80;

/** The hardening index from Lynis's report file (/var/log/lynis-report.dat); pure. */
export function parseLynisReport(report: string): number | undefined {
  const m = /^hardening_index=(\d+)$/m.exec(report);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/**
 * Lynis ran and produced an index. The index itself is reported against the target but
 * does not fail the audit: it weighs many things a mail host has no use for.
 */
export function evaluateLynis(index: number | undefined): AuditCheck {
  return {
    id: 'lynis',
    ok: index !== undefined,
    detail:
      index === undefined
        ? 'Lynis produced no hardening index'
        : `hardening index ${index} (target ${LYNIS_TARGET}${index >= LYNIS_TARGET ? ', met' : ', not met'})`,
  };
}
