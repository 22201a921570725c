import { createHash, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { DkimPublicKey, DnsRecordsInput } from '../../render/dns/index.js';
import type { MailHostContext } from '../../render/host-context.js';
import { mtaStsPolicyId, renderMtaStsPolicy } from '../../render/mta-sts/index.js';
import { DKIM_SELECTOR, dkimKeyFile } from '../../render/rspamd/dkim-signing.js';
import { dkimPublicKey } from './keys.js';
import { servedDomains } from './signing-map.js';

/**
 * What `mailctl dns` needs to list the records of every served domain (the database's and
 * the cluster file's) with the public half of each one's DKIM key. `unkeyed` names the
 * domains that have no key yet (no apply since they were declared): they get no DKIM record.
 */
export async function dnsRecordsInput(
  ctx: MailHostContext,
): Promise<{ input: DnsRecordsInput; unkeyed: string[] }> {
  const domains = await servedDomains(ctx.domains);
  const dkim: Record<string, DkimPublicKey> = {};
  const unkeyed: string[] = [];
  for (const d of domains) {
    const file = dkimKeyFile(d);
    if (existsSync(file))
      dkim[d] = { selector: DKIM_SELECTOR, publicKey: await dkimPublicKey(file) };
    else unkeyed.push(d);
  }
  const spki = await certificateSpkiSha256(ctx.tls.certFile);
  return {
    input: {
      domains,
      fqdn: ctx.fqdn,
      publicAddresses: ctx.publicAddresses,
      dkim,
      // Senders can only verify the policy host's certificate if a public CA issued it.
      ...(ctx.tls.acme ? { mtaStsPolicyId: mtaStsPolicyId(renderMtaStsPolicy(ctx)) } : {}),
      ...(spki ? { tlsaSpkiSha256: spki } : {}),
    },
    unkeyed,
  };
}

/** SHA-256 of the certificate's SubjectPublicKeyInfo (TLSA 3 1 1), or undefined without one. */
export async function certificateSpkiSha256(certFile: string): Promise<string | undefined> {
  const pem = await readFile(certFile, 'utf8').catch(() => undefined);
  if (pem === undefined) return undefined;
  const spki = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('hex');
}
