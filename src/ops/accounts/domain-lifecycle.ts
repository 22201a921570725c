import { dkimKeyFile, DKIM_SIGNING_MAP } from '../../render/rspamd/dkim-signing.js';
import { VMAIL_DIR } from '../../spec/host-context.js';
import { UserError } from '../../util/errors.js';
import { ensureDkimKey, removeDkimKey } from '../dkim/keys.js';
import { syncDkimSigningMap } from '../dkim/signing-map.js';
import { parseDomain } from './address.js';
import { removeMailboxEntirely } from './mailbox-lifecycle.js';
import * as store from './store.js';

/**
 * A domain added at run time gets what a declared one gets at apply: its row, its DKIM key,
 * and its line in Rspamd's signing map (live at once, no reload). Returns what it made.
 */
export async function addServedDomain(input: string): Promise<string[]> {
  const domain = parseDomain(input);
  await store.addDomain(domain);
  const made: string[] = [`domain ${domain}`];
  if (await ensureDkimKey(domain)) made.push(`its DKIM key ${dkimKeyFile(domain)}`);
  if (await syncDkimSigningMap())
    made.push(`Rspamd signs its mail from now on (${DKIM_SIGNING_MAP})`);
  return made;
}

/** What removing a domain deletes: the lines `mailctl domain remove` prints. */
export interface DomainRemoval {
  domain: string;
  mailboxes: string[];
  /** Alias lines (`source -> destination`) that go with the domain or its mailboxes. */
  aliases: string[];
}

export async function domainRemoval(input: string): Promise<DomainRemoval> {
  const domain = parseDomain(input);
  const served = await store.listDomains();
  if (!served.some((d) => d.domain === domain))
    throw new UserError('E_UNKNOWN_DOMAIN', `domain ${domain} is not served here`);
  const mailboxes = (await store.listMailboxes(domain)).map((m) => m.address);
  const inDomain = (a: string) => a.slice(a.lastIndexOf('@') + 1) === domain;
  const aliases = (await store.listAliases())
    .filter((a) => inDomain(a.source) || mailboxes.includes(a.destination))
    .map((a) => `${a.source} -> ${a.destination}`);
  return { domain, mailboxes, aliases };
}

/** The lines that say exactly what a removal deleted, and what it left. */
export function removalText(r: DomainRemoval): string[] {
  return [
    `removed domain ${r.domain}, and with it:`,
    ...r.mailboxes.map(
      (m) =>
        `  mailbox ${m}, with its SOGo calendars, contacts and settings and its initial-password secret`,
    ),
    ...r.aliases.map((a) => `  alias ${a}`),
    `  its DKIM key ${dkimKeyFile(r.domain)} and its line in Rspamd's signing map (its mail is no longer signed)`,
    ...(r.mailboxes.length
      ? [
          `Their mail stays on disk in ${VMAIL_DIR}/${r.domain}/: delete it there once it is no longer needed.`,
        ]
      : []),
    `Remove its DNS records (MX, SPF, DKIM, DMARC) from the ${r.domain} zone.`,
  ];
}

/**
 * Stops serving a domain. With mailboxes left it is refused unless `force`, which removes
 * them first (each as `mailctl mailbox remove` would), then the domain's aliases, the
 * domain, its DKIM key and its signing entry.
 */
export async function removeServedDomain(r: DomainRemoval, force: boolean): Promise<void> {
  if (r.mailboxes.length && !force)
    throw new UserError(
      'E_DOMAIN_NOT_EMPTY',
      `domain ${r.domain} still has ${r.mailboxes.length} mailbox(es): ${r.mailboxes.join(', ')}; ` +
        `remove them first, or pass --force to delete them with the domain`,
      { exitCode: 1 },
    );
  // Each as `mailctl mailbox remove` would: secret, aliases and sessions go too.
  for (const m of r.mailboxes) await removeMailboxEntirely(m, undefined);
  await store.removeDomain(r.domain);
  // The key goes only once nothing can sign with it: first out of the map, then off disk.
  await syncDkimSigningMap();
  await removeDkimKey(r.domain);
}
