import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certificateNames, domainServiceNames, sameNames } from './certificate-names.js';

describe('the names of the ACME certificate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailctl-names-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are, per domain, the MTA-STS policy host and the autoconfiguration hosts', () => {
    expect(domainServiceNames(['example.com'])).toEqual([
      'mta-sts.example.com',
      'autoconfig.example.com',
      'autodiscover.example.com',
    ]);
  });

  it('are read back from a certificate, to see whether it covers them all', async () => {
    const cert = join(dir, 'c.pem');
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
        ...['-subj', '/CN=mail.example.com', '-days', '2'],
        ...['-addext', 'subjectAltName=DNS:mail.example.com,DNS:mta-sts.example.com,IP:192.0.2.1'],
        ...['-keyout', join(dir, 'k.pem'), '-out', cert],
      ],
      { stdio: 'ignore' },
    );
    const names = await certificateNames(cert);
    expect(names).toEqual(['mail.example.com', 'mta-sts.example.com']);
    expect(sameNames(names, ['mta-sts.example.com', 'mail.example.com'])).toBe(true);
    expect(sameNames(names, ['mail.example.com'])).toBe(false);
    expect(await certificateNames(join(dir, 'none.pem'))).toEqual([]);
  });
});
