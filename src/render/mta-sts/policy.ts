import { createHash } from 'node:crypto';
import type { MailHostContext } from '../host-context.js';

/** Where senders fetch a domain's policy: https://mta-sts.<domain> + this path (RFC 8461 3.3). */
export const MTA_STS_POLICY_PATH = '/.well-known/mta-sts.txt';

/** The host name that serves a domain's policy (RFC 8461 section 3.3). */
export const mtaStsHost = (domain: string): string => `mta-sts.${domain}`;

/**
 * The MTA-STS policy (RFC 8461 section 3.2): the one MX of every domain is this host, so
 * every domain serves the same text. Lines end in CRLF, as the RFC's grammar writes them.
 */
export function renderMtaStsPolicy(ctx: Pick<MailHostContext, 'fqdn' | 'mtaSts'>): string {
  const lines = [
    'version: STSv1',
    `mode: ${ctx.mtaSts.mode}`,
    // A policy of mode none lists no MX: it only tells senders to drop what they cached.
    ...(ctx.mtaSts.mode === 'none' ? [] : [`mx: ${ctx.fqdn}`]),
    `max_age: ${ctx.mtaSts.maxAgeSeconds}`,
  ];
  return lines.map((l) => `${l}\r\n`).join('');
}

/**
 * The `id=` of the `_mta-sts` TXT record: senders fetch the policy again only when it
 * changes (RFC 8461 section 3.1: 1 to 32 letters and digits). Derived from the policy
 * text, so it changes exactly when the policy does and never when it does not.
 */
export function mtaStsPolicyId(policy: string): string {
  return createHash('sha256').update(policy).digest('hex').slice(0, 20);
}
