import type { AuditCheck, TlsFinding, TlsScan } from './types.js';

/** testssl.sh severities that fail the audit: anything above LOW. */
const FAILING = new Set(['MEDIUM', 'HIGH', 'CRITICAL']);
/** Protocol ids in testssl's output and the names the report uses. */
const PROTOCOLS: Record<string, string> = {
  SSLv2: 'SSLv2',
  SSLv3: 'SSLv3',
  TLS1: 'TLS1.0',
  TLS1_1: 'TLS1.1',
  TLS1_2: 'TLS1.2',
  TLS1_3: 'TLS1.3',
};
const ALLOWED_PROTOCOLS = ['TLS1.2', 'TLS1.3'];

/**
 * Reads testssl.sh's JSON (--jsonfile, a flat array of findings); pure. With a self-signed
 * certificate (tls.mode: self-signed) the certificate's own findings (trust chain, lifetime,
 * revocation: ids `cert_*`) are expected and kept apart as accepted; nothing else is.
 */
export function parseTestssl(port: number, json: string, selfSigned: boolean): TlsScan {
  const all = JSON.parse(json) as TlsFinding[];
  const protocols = all
    .filter((f) => PROTOCOLS[f.id] && /^offered/.test(f.finding))
    .map((f) => PROTOCOLS[f.id] ?? f.id);
  const notable = all.filter(
    (f) => FAILING.has(f.severity) || f.severity === 'LOW' || f.severity === 'FATAL',
  );
  const accepted = selfSigned ? notable.filter((f) => f.id.startsWith('cert_')) : [];
  return {
    port,
    protocols,
    findings: notable.filter((f) => !accepted.includes(f)),
    accepted,
  };
}

/** Only TLS 1.2 and 1.3, nothing rated above LOW, and a scan that completed (pure). */
export function evaluateTls(scan: TlsScan): AuditCheck {
  const problems = [
    ...scan.protocols.filter((p) => !ALLOWED_PROTOCOLS.includes(p)).map((p) => `offers ${p}`),
    ...ALLOWED_PROTOCOLS.filter((p) => p === 'TLS1.2' && !scan.protocols.includes(p)).map(
      (p) => `does not offer ${p}`,
    ),
    ...scan.findings
      .filter((f) => FAILING.has(f.severity) || f.severity === 'FATAL')
      .map((f) => `${f.severity} ${f.id}: ${f.finding}`),
  ];
  const low = scan.findings.filter((f) => f.severity === 'LOW').length;
  return {
    id: `tls-${scan.port}`,
    ok: problems.length === 0,
    detail: problems.length
      ? problems.join('; ')
      : `${scan.protocols.join(', ')}; nothing above LOW (${low} LOW` +
        `${scan.accepted.length ? `, ${scan.accepted.length} certificate findings accepted for a self-signed certificate` : ''})`,
  };
}

/** The TLS scan could not run because this machine has no testssl (pure). */
export function evaluateTlsScannerMissing(): AuditCheck {
  return {
    id: 'tls',
    ok: false,
    detail:
      'testssl is not installed on this machine: install it (Debian, Ubuntu: apt install testssl.sh; ' +
      'elsewhere: https://testssl.sh), or pass --no-tls to skip the TLS scan',
  };
}
