import { describe, expect, it } from 'vitest';
import { dkimPublicKeyBase64 } from './dkim-key.js';
import { DKIM_RSA2048, ED25519_SPKI, RSA512 } from './test-keys.js';

describe('dkimPublicKeyBase64', () => {
  it('accepts the bare base64, the p= value and a whole TXT record as rspamadm prints it', () => {
    const record =
      'dkim._domainkey IN TXT ( "v=DKIM1; k=rsa; "\n' +
      `\t"p=${DKIM_RSA2048.slice(0, 200)}"\n\t"${DKIM_RSA2048.slice(200)}" ) ;`;
    for (const form of [
      DKIM_RSA2048,
      `p=${DKIM_RSA2048}`,
      `v=DKIM1; k=rsa; p=${DKIM_RSA2048}`,
      record,
    ]) {
      expect(dkimPublicKeyBase64(form, 'dkim.example.com')).toBe(DKIM_RSA2048);
    }
  });

  it('refuses what would publish a broken or weak key, naming where it came from', () => {
    expect(() => dkimPublicKeyBase64('not a key!', 'dkim.example.com')).toThrow(
      /dkim\.example\.com: .*not base64/,
    );
    expect(() => dkimPublicKeyBase64('AAAA', 'x')).toThrow(/not an SPKI key/);
    expect(() => dkimPublicKeyBase64(RSA512, 'x')).toThrow(/1024 bits/);
    expect(() => dkimPublicKeyBase64(ED25519_SPKI, 'x')).toThrow(/RSA/);
  });
});
