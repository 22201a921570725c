import { existsSync } from 'node:fs';
import type { DkimPublicKey, DnsRecordsInput } from '../../render/dns/index.js';
import type { MailHostContext } from '../../render/host-context.js';
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
  return {
    input: { domains, fqdn: ctx.fqdn, publicAddresses: ctx.publicAddresses, dkim },
    unkeyed,
  };
}
