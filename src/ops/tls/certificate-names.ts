import { X509Certificate } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import type { MailHostContext } from '../../render/host-context.js';
import { servedDomains } from '../dkim/signing-map.js';

/**
 * The names a domain's clients and senders reach this host under, besides its own name:
 * the MTA-STS policy host (RFC 8461 section 3.3) and the clients' autoconfiguration hosts.
 * Pure.
 */
export function domainServiceNames(domains: readonly string[]): string[] {
  return domains.flatMap((d) => [`mta-sts.${d}`, `autoconfig.${d}`, `autodiscover.${d}`]);
}

/** Whether `name` resolves to one of `addresses`; a name that does not resolve is false. */
async function resolvesTo(name: string, addresses: readonly string[]): Promise<boolean> {
  const timeout = new Promise<[]>((resolve) => setTimeout(() => resolve([]), 5_000).unref());
  const found = await Promise.race([lookup(name, { all: true }).catch(() => []), timeout]);
  return found.some((a) => addresses.includes(a.address));
}

/**
 * The names the ACME certificate covers: the host name, and each domain's service names
 * that already resolve to this host. An HTTP-01 challenge for a name still missing from DNS
 * would fail the whole order, so those wait (`pending`) until the records `mailctl dns`
 * prints are published; the next apply asks for them.
 */
export async function acmeCertificateNames(
  ctx: MailHostContext,
): Promise<{ names: string[]; pending: string[] }> {
  const candidates = domainServiceNames(await servedDomains(ctx.domains));
  const ok = await Promise.all(candidates.map((n) => resolvesTo(n, ctx.publicAddresses)));
  return {
    names: [ctx.fqdn, ...candidates.filter((_, i) => ok[i])],
    pending: candidates.filter((_, i) => !ok[i]),
  };
}

/** The DNS names a PEM certificate covers (its subjectAltName), or [] without one. */
export async function certificateNames(pemFile: string): Promise<string[]> {
  const pem = await readFile(pemFile, 'utf8').catch(() => undefined);
  if (pem === undefined) return [];
  const san = new X509Certificate(pem).subjectAltName ?? '';
  return san
    .split(/,\s*/)
    .filter((e) => e.startsWith('DNS:'))
    .map((e) => e.slice(4));
}

/** Whether two name lists hold the same names, in any order. */
export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const [x, y] = [new Set(a), new Set(b)];
  return x.size === y.size && [...x].every((n) => y.has(n));
}
