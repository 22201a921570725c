export { runAudit, type AuditOptions } from './gather.js';
export { formatReport } from './report.js';
export type { AuditCheck, AuditReport, TlsScan } from './types.js';
