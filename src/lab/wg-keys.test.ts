import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateWgKeyPair } from './wg-keys.js';

describe('generateWgKeyPair', () => {
  it('produces 32-byte keys in standard base64, the public one derived from the private one', () => {
    const k = generateWgKeyPair();
    expect(Buffer.from(k.privateKey, 'base64')).toHaveLength(32);
    expect(k.privateKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const jwk = {
      kty: 'OKP',
      crv: 'X25519',
      d: Buffer.from(k.privateKey, 'base64').toString('base64url'),
      x: Buffer.from(k.publicKey, 'base64').toString('base64url'),
    };
    const derived = createPublicKey(createPrivateKey({ key: jwk, format: 'jwk' })).export({
      format: 'jwk',
    }).x;
    expect(Buffer.from(derived ?? '', 'base64url').toString('base64')).toBe(k.publicKey);
    expect(generateWgKeyPair().privateKey).not.toBe(k.privateKey);
  });
});
