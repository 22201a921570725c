import { createPublicKey } from 'node:crypto';
import { UserError } from '../../util/errors.js';

/**
 * The base64 SubjectPublicKeyInfo of a DKIM RSA key, from any of the forms an administrator
 * or `rspamadm dkim_keygen` has at hand: the bare base64, `p=<base64>`, or the whole TXT
 * record (quoted strings, parentheses and all). Throws E_DKIM_KEY unless it decodes to an
 * RSA key of at least 1024 bits, the minimum verifiers accept (RFC 8301 section 3.2):
 * a record with a broken key fails every signature silently.
 */
export function dkimPublicKeyBase64(input: string, where: string): string {
  const flat = input.replace(/["()\s]/g, '');
  const b64 = /(?:^|;)p=([A-Za-z0-9+/]+=*)/.exec(flat)?.[1] ?? flat;
  if (!/^[A-Za-z0-9+/]+=*$/.test(b64)) {
    throw new UserError('E_DKIM_KEY', `${where}: the DKIM public key is not base64`);
  }
  let bits: number | undefined;
  try {
    const key = createPublicKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'spki' });
    bits = key.asymmetricKeyType === 'rsa' ? key.asymmetricKeyDetails?.modulusLength : undefined;
  } catch (cause) {
    throw new UserError('E_DKIM_KEY', `${where}: the DKIM public key is not an SPKI key`, {
      cause,
    });
  }
  if (bits === undefined || bits < 1024) {
    throw new UserError('E_DKIM_KEY', `${where}: the DKIM key must be RSA of 1024 bits or more`);
  }
  return b64;
}
