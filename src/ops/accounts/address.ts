import { UserError } from '../../util/errors.js';

export interface MailAddress {
  address: string;
  localPart: string;
  domain: string;
}

// Deliberately narrower than RFC 5321: the local parts people create mailboxes for, with
// no quoting, so that every daemon and every SQL view treats them the same way.
const LOCAL_RE = /^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?$/;
const DOMAIN_RE = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function parseDomain(input: string): string {
  const domain = input.trim().toLowerCase();
  if (!DOMAIN_RE.test(domain))
    throw new UserError('E_BAD_DOMAIN', `'${input}' is not a valid domain name`);
  return domain;
}

/** Parses a mailbox address; `@domain` alone (a catch-all alias source) only when allowed. */
export function parseAddress(input: string, opts: { allowCatchAll?: boolean } = {}): MailAddress {
  const address = input.trim().toLowerCase();
  const at = address.lastIndexOf('@');
  if (at < 0) throw new UserError('E_BAD_ADDRESS', `'${input}' is not a mail address (no @)`);
  const localPart = address.slice(0, at);
  const domain = parseDomain(address.slice(at + 1));
  if (localPart === '' && opts.allowCatchAll) return { address: `@${domain}`, localPart, domain };
  if (!LOCAL_RE.test(localPart) || localPart.includes('..')) {
    throw new UserError(
      'E_BAD_ADDRESS',
      `'${input}' is not a valid mail address (local part '${localPart}')`,
    );
  }
  return { address, localPart, domain };
}

const SIZE_RE = /^(\d+(?:\.\d+)?)\s*([KMGT]?)B?$/i;

/** Parses a quota such as 500M, 2G or 0 (unlimited) into bytes. */
export function parseSize(input: string): number {
  const m = SIZE_RE.exec(input.trim());
  if (!m?.[1])
    throw new UserError(
      'E_BAD_SIZE',
      `'${input}' is not a size (use e.g. 500M, 2G, 0 for unlimited)`,
    );
  const unit =
    { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[(m[2] ?? '').toUpperCase()] ?? 1;
  return Math.round(Number(m[1]) * unit);
}
