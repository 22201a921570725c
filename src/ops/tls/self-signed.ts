import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mustRun } from '../../util/exec.js';

/**
 * Until ACME issues a real certificate, every TLS port needs one that exists: a self-signed
 * certificate for the host name, made once on the host (the key never leaves it).
 * Returns true when it created one.
 */
export async function ensureSelfSignedCertificate(
  fqdn: string,
  certFile: string,
  keyFile: string,
): Promise<boolean> {
  if (existsSync(certFile) && existsSync(keyFile)) return false;
  await mkdir(dirname(certFile), { recursive: true });
  await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 });
  await mustRun('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:3072',
    '-nodes',
    '-sha256',
    '-days',
    '825',
    '-subj',
    `/CN=${fqdn}`,
    '-addext',
    `subjectAltName=DNS:${fqdn}`,
    '-addext',
    'extendedKeyUsage=serverAuth',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  await mustRun('chmod', ['0600', keyFile]);
  await mustRun('chmod', ['0644', certFile]);
  return true;
}
