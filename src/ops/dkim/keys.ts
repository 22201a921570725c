import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DKIM_SELECTOR, dkimKeyFile } from '../../render/rspamd/dkim-signing.js';
import { mustRun } from '../../util/exec.js';

/**
 * Makes a domain's DKIM key on the host if it has none: RSA 2048 (every verifier accepts
 * it; ed25519 signatures are still ignored by many receivers), readable by Rspamd only.
 * The private key never leaves the host. Returns true when it created one.
 */
export async function ensureDkimKey(domain: string, owner = '_rspamd'): Promise<boolean> {
  const file = dkimKeyFile(domain);
  if (existsSync(file)) return false;
  await mkdir(dirname(file), { recursive: true, mode: 0o750 });
  // rspamadm writes the private key to -k and prints the DNS record, which we do not keep:
  // `mailctl dns` derives the record from the key itself, so the two can never disagree.
  await mustRun('rspamadm', [
    'dkim_keygen',
    '-b',
    '2048',
    '-s',
    DKIM_SELECTOR,
    '-d',
    domain,
    '-k',
    file,
  ]);
  await mustRun('chown', [`${owner}:${owner}`, file, dirname(file)]);
  await mustRun('chmod', ['0640', file]);
  return true;
}

/** The public half of a DKIM key as the base64 DER (SubjectPublicKeyInfo) a DKIM p= tag holds. */
export async function dkimPublicKey(file: string): Promise<string> {
  const r = await mustRun('openssl', ['pkey', '-in', file, '-pubout']);
  // The PEM body is exactly the base64 of the DER encoding.
  return r.stdout
    .split('\n')
    .filter((line) => line && !line.startsWith('-----'))
    .join('');
}

/**
 * Deletes a domain's private key (its domain was removed). A domain added again later gets a
 * new key, and so a new DKIM record to publish. Returns whether there was one.
 */
export async function removeDkimKey(domain: string): Promise<boolean> {
  const file = dkimKeyFile(domain);
  if (!existsSync(file)) return false;
  await rm(file);
  return true;
}
