import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certificateSpkiSha256 } from './dns-input.js';

describe('the TLSA 3 1 1 value of a certificate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailctl-tlsa-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the SHA-256 of its public key, as openssl computes it', async () => {
    const cert = join(dir, 'c.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        '/CN=mail.example.com',
        '-days',
        '2',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const expected = execFileSync('sh', [
      '-c',
      `openssl x509 -in ${cert} -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum`,
    ])
      .toString()
      .split(' ')[0];
    expect(await certificateSpkiSha256(cert)).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is absent when there is no certificate yet', async () => {
    expect(await certificateSpkiSha256(join(dir, 'none.pem'))).toBeUndefined();
  });
});
