import { UserError } from '../../util/errors.js';
import { parseAddress, parseDomain } from './address.js';
import { hashPassword, psql } from './psql.js';
import { removeSogoUserData } from './sogo-data.js';

/** Accounts in the mail database: the operations behind `mailctl domain|mailbox|alias`. */

export interface MailboxRow {
  address: string;
  quotaBytes: number;
  active: boolean;
}

export async function listDomains(): Promise<
  { domain: string; mailboxes: number; aliases: number }[]
> {
  const rows = await psql(
    `SELECT d.name,
            (SELECT count(*) FROM mailboxes m WHERE m.domain = d.name),
            (SELECT count(*) FROM aliases a WHERE a.source LIKE '%@' || d.name)
       FROM domains d ORDER BY d.name;`,
  );
  return rows.map(([domain, m, a]) => ({
    domain: domain ?? '',
    mailboxes: Number(m),
    aliases: Number(a),
  }));
}

export async function addDomain(input: string): Promise<void> {
  const domain = parseDomain(input);
  const r = await psql(
    `INSERT INTO domains (name) VALUES (:'d') ON CONFLICT DO NOTHING RETURNING name;`,
    { d: domain },
  );
  if (r.length === 0) throw new UserError('E_DOMAIN_EXISTS', `domain ${domain} already exists`);
}

export async function removeDomain(input: string): Promise<void> {
  const domain = parseDomain(input);
  await requireDomain(domain);
  const [[count] = ['0']] = await psql(`SELECT count(*) FROM mailboxes WHERE domain = :'d';`, {
    d: domain,
  });
  if (Number(count) > 0) {
    throw new UserError(
      'E_DOMAIN_NOT_EMPTY',
      `domain ${domain} still has ${count} mailbox(es); remove them first`,
    );
  }
  await psql(
    `DELETE FROM aliases WHERE source LIKE '%@' || :'d'; DELETE FROM domains WHERE name = :'d';`,
    { d: domain },
  );
}

async function requireDomain(domain: string): Promise<void> {
  const r = await psql(`SELECT 1 FROM domains WHERE name = :'d';`, { d: domain });
  if (r.length === 0)
    throw new UserError(
      'E_UNKNOWN_DOMAIN',
      `domain ${domain} is not served here (add it with 'mailctl domain add ${domain}')`,
    );
}

export async function listMailboxes(domain?: string): Promise<MailboxRow[]> {
  const rows = await psql(
    `SELECT address, quota_bytes, active FROM mailboxes WHERE (:'d' = '' OR domain = :'d') ORDER BY address;`,
    { d: domain ? parseDomain(domain) : '' },
  );
  return rows.map(([address, q, active]) => ({
    address: address ?? '',
    quotaBytes: Number(q),
    active: active === 't',
  }));
}

export async function addMailbox(
  input: string,
  password: string,
  quotaBytes: number,
): Promise<void> {
  const a = parseAddress(input);
  await requireDomain(a.domain);
  const clash = await psql(
    `SELECT 'mailbox' FROM mailboxes WHERE address = :'a' UNION ALL SELECT 'alias' FROM aliases WHERE source = :'a';`,
    { a: a.address },
  );
  if (clash.length)
    throw new UserError('E_MAILBOX_EXISTS', `${a.address} already exists as ${clash[0]?.[0]}`);
  const hash = await hashPassword(checkPassword(password));
  await psql(
    `INSERT INTO mailboxes (address, domain, local_part, password, quota_bytes) VALUES (:'a', :'d', :'l', :'h', :'q');`,
    { a: a.address, d: a.domain, l: a.localPart, h: hash, q: String(quotaBytes) },
  );
}

async function requireMailbox(address: string): Promise<void> {
  const r = await psql(`SELECT 1 FROM mailboxes WHERE address = :'a';`, { a: address });
  if (r.length === 0) throw new UserError('E_UNKNOWN_MAILBOX', `there is no mailbox ${address}`);
}

export async function setPassword(input: string, password: string): Promise<void> {
  const a = parseAddress(input);
  await requireMailbox(a.address);
  await psql(`UPDATE mailboxes SET password = :'h' WHERE address = :'a';`, {
    a: a.address,
    h: await hashPassword(checkPassword(password)),
  });
}

/** Sets whether a mailbox may log in and receive mail; false when it already was so. */
export async function setMailboxActive(input: string, active: boolean): Promise<boolean> {
  const a = parseAddress(input);
  await requireMailbox(a.address);
  const r = await psql(
    `UPDATE mailboxes SET active = :'v' WHERE address = :'a' AND active <> :'v' RETURNING 1;`,
    { a: a.address, v: String(active) },
  );
  return r.length > 0;
}

export async function setQuota(input: string, quotaBytes: number): Promise<void> {
  const a = parseAddress(input);
  await requireMailbox(a.address);
  await psql(`UPDATE mailboxes SET quota_bytes = :'q' WHERE address = :'a';`, {
    a: a.address,
    q: String(quotaBytes),
  });
}

/** Removes the account; its mail stays on disk until an administrator deletes it. */
export async function removeMailbox(input: string): Promise<void> {
  const a = parseAddress(input);
  await requireMailbox(a.address);
  // SOGo's data first: if that fails, the mailbox is still there to remove again.
  await removeSogoUserData(a.address);
  await psql(
    `DELETE FROM aliases WHERE destination = :'a'; DELETE FROM mailboxes WHERE address = :'a';`,
    { a: a.address },
  );
}

export async function listAliases(): Promise<{ source: string; destination: string }[]> {
  const rows = await psql(`SELECT source, destination FROM aliases ORDER BY source, destination;`);
  return rows.map(([source, destination]) => ({
    source: source ?? '',
    destination: destination ?? '',
  }));
}

export async function addAlias(
  sourceInput: string,
  destinations: readonly string[],
): Promise<void> {
  const source = parseAddress(sourceInput, { allowCatchAll: true });
  await requireDomain(source.domain);
  if (destinations.length === 0)
    throw new UserError('E_USAGE', 'an alias needs at least one destination');
  const targets = destinations.map((d) => parseAddress(d).address);
  const clash = await psql(`SELECT 1 FROM mailboxes WHERE address = :'a';`, { a: source.address });
  if (clash.length)
    throw new UserError(
      'E_ALIAS_IS_MAILBOX',
      `${source.address} is a mailbox; an alias cannot shadow it`,
    );
  for (const t of targets) {
    await psql(
      `INSERT INTO aliases (source, destination) VALUES (:'s', :'t') ON CONFLICT DO NOTHING;`,
      { s: source.address, t },
    );
  }
}

export async function removeAlias(sourceInput: string): Promise<void> {
  const source = parseAddress(sourceInput, { allowCatchAll: true });
  const r = await psql(`DELETE FROM aliases WHERE source = :'s' RETURNING 1;`, {
    s: source.address,
  });
  if (r.length === 0) throw new UserError('E_UNKNOWN_ALIAS', `there is no alias ${source.address}`);
}

function checkPassword(password: string): string {
  if (password.length < 12)
    throw new UserError('E_WEAK_PASSWORD', 'the password needs at least 12 characters');
  if (/[\r\n\0]/.test(password))
    throw new UserError('E_BAD_PASSWORD', 'the password may not contain line breaks or NUL');
  return password;
}
