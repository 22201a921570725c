export { runAudit, type AuditOptions } from './gather.js';
export { parseAuditOptions, type AuditPlan, type RawAuditOptions } from './options.js';
export { AUDIT_SIDES, type AuditSide } from './reachable-ports.js';
export { runRemoteAudit, type RemoteAuditOptions } from './remote.js';
export { formatReport } from './report.js';
export type { AuditCheck, AuditReport, TlsScan } from './types.js';
