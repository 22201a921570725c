import { generateKeyPairSync } from 'node:crypto';

export interface WgKeyPair {
  privateKey: string;
  publicKey: string;
}

/** A WireGuard key pair: raw X25519 keys in standard base64, the form wg(8) reads. */
export function generateWgKeyPair(): WgKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const priv = privateKey.export({ format: 'jwk' }).d;
  const pub = publicKey.export({ format: 'jwk' }).x;
  if (!priv || !pub) throw new Error('x25519 key export returned no key material');
  const b64 = (b64url: string) => Buffer.from(b64url, 'base64url').toString('base64');
  return { privateKey: b64(priv), publicKey: b64(pub) };
}
