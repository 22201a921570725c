import { describe, expect, it } from 'vitest';
import { evaluateTls, evaluateTlsScannerMissing, parseTestssl } from './tls.js';

const f = (id: string, severity: string, finding: string) => ({ id, severity, finding });
/** The shape of testssl.sh 3.2's --jsonfile output (a flat array), trimmed. */
const GOOD = [
  f('engine_problem', 'WARN', 'No engine or GOST support via engine'),
  f('SSLv2', 'OK', 'not offered'),
  f('SSLv3', 'OK', 'not offered'),
  f('TLS1', 'INFO', 'not offered'),
  f('TLS1_1', 'INFO', 'not offered'),
  f('TLS1_2', 'OK', 'offered'),
  f('TLS1_3', 'OK', 'offered with final'),
  f('FS_TLS12_sig_algs', 'LOW', 'RSA+SHA1'),
  f('cert_chain_of_trust', 'CRITICAL', 'failed (self signed).'),
  f('cert_extlifeSpan', 'MEDIUM', '825 > 398 days'),
];

describe('parseTestssl and evaluateTls', () => {
  it('passes TLS 1.2/1.3 with LOW findings; a self-signed certificate is accepted as such', () => {
    const scan = parseTestssl(465, JSON.stringify(GOOD), true);
    expect(scan.protocols).toEqual(['TLS1.2', 'TLS1.3']);
    expect(scan.accepted.map((a) => a.id)).toEqual(['cert_chain_of_trust', 'cert_extlifeSpan']);
    const check = evaluateTls(scan);
    expect(check).toMatchObject({ id: 'tls-465', ok: true });
    expect(check.detail).toContain('2 certificate findings accepted');
  });

  it('fails the same certificate findings when the certificate should be a real one', () => {
    const check = evaluateTls(parseTestssl(465, JSON.stringify(GOOD), false));
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('CRITICAL cert_chain_of_trust');
  });

  it('fails TLS 1.0 and anything above LOW that is not the certificate', () => {
    const bad = [
      ...GOOD.filter((x) => x.id !== 'TLS1'),
      f('TLS1', 'LOW', 'offered (deprecated)'),
      f('LUCKY13', 'MEDIUM', 'potentially VULNERABLE'),
    ];
    const check = evaluateTls(parseTestssl(993, JSON.stringify(bad), true));
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('offers TLS1.0');
    expect(check.detail).toContain('MEDIUM LUCKY13');
  });

  it('fails a scan that did not complete', () => {
    const check = evaluateTls(
      parseTestssl(995, JSON.stringify([f('scanProblem', 'FATAL', 'no TLS')]), true),
    );
    expect(check.ok).toBe(false);
    expect(check.detail).toMatch(/FATAL scanProblem/);
  });

  it('fails, saying how to get testssl or skip the scan, where testssl is missing', () => {
    const check = evaluateTlsScannerMissing();
    expect(check).toMatchObject({ id: 'tls', ok: false });
    expect(check.detail).toContain('apt install testssl.sh');
    expect(check.detail).toContain('--no-tls');
  });
});
