import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SECRETS_DIR } from '../../apply/secrets.js';
import {
  aliasLoopThrough,
  formatAliasLoop,
  refuseIfDeclared,
  withAlias,
  type AliasGraph,
  type ClusterDeclarations,
} from '../../spec/index.js';
import { UserError } from '../../util/errors.js';
import { parseAddress } from './address.js';
import { endSessions } from './sessions.js';
import * as store from './store.js';

/** Where apply keeps a seeded mailbox's first password (see apply/mail-host-steps.ts). */
export function initialPasswordFile(address: string): string {
  return join(SECRETS_DIR, `mailbox-${address}`);
}

/**
 * What removing a mailbox does to the aliases that deliver to it (pure): each loses that
 * destination, and an alias left with none goes.
 */
export function aliasesAfterRemoval(
  address: string,
  aliases: readonly { source: string; destination: string }[],
): string[] {
  const to = (s: string) => aliases.filter((a) => a.source === s).map((a) => a.destination);
  const sources = [
    ...new Set(aliases.filter((a) => a.destination === address).map((a) => a.source)),
  ];
  return sources.map((s) => {
    const rest = to(s).filter((d) => d !== address);
    return rest.length
      ? `alias ${s} no longer delivers to it (still to ${rest.join(', ')})`
      : `alias ${s} (it delivered only to ${address})`;
  });
}

/**
 * Removes a mailbox the cluster file does not declare, and everything that would let it
 * come back or keep working: its SOGo data, its initial-password secret (a declared mailbox
 * seeded again would otherwise get it back), the aliases' destinations that point at it,
 * and its open sessions. Its mail stays on disk. Returns the lines saying what went.
 */
export async function removeMailboxEntirely(
  input: string,
  declared: ClusterDeclarations | undefined,
): Promise<string[]> {
  const a = parseAddress(input).address;
  if (declared)
    refuseIfDeclared(
      declared,
      'mailbox',
      a,
      `remove it there, then run 'mailctl mailbox remove ${a}'`,
    );
  const aliases = aliasesAfterRemoval(a, await store.listAliases());
  await store.removeMailbox(a);
  const secret = initialPasswordFile(a);
  await rm(secret, { force: true });
  return [
    `removed mailbox ${a}, with its SOGo calendars, contacts and settings and its initial-password secret (${secret})`,
    ...aliases.map((l) => `  ${l}`),
    ...(await endSessions(a)).map((l) => `  ${l}`),
  ];
}

/** Changes a mailbox's password and ends its sessions, so the old password stops working now. */
export async function changePassword(input: string, password: string): Promise<string[]> {
  const a = parseAddress(input).address;
  await store.setPassword(a, password);
  return [`changed the password of ${a}`, ...(await endSessions(a)).map((l) => `  ${l}`)];
}

/**
 * Suspends or restores a mailbox. Disabled, it is missing from every view the daemons read
 * (no IMAP, POP3, SOGo or submission login), mail to it is refused at RCPT with 550 5.2.1,
 * and its mail, aliases and settings stay as they are.
 */
export async function setMailboxEnabled(input: string, enabled: boolean): Promise<string[]> {
  const a = parseAddress(input).address;
  const changed = await store.setMailboxActive(a, enabled);
  const state = enabled ? 'enabled' : 'disabled';
  if (!changed) return [`mailbox ${a} was already ${state}`];
  if (enabled) return [`enabled mailbox ${a}: it logs in and receives mail again`];
  return [
    `disabled mailbox ${a}: it cannot log in or send, and mail to it is refused (550 5.2.1); its mail stays`,
    ...(await endSessions(a)).map((l) => `  ${l}`),
  ];
}

/** Refuses an alias change that would loop (Postfix would defer its mail for ever). */
export async function refuseAliasLoop(
  source: string,
  destinations: readonly string[],
): Promise<void> {
  const aliases = new Map<string, string[]>();
  for (const r of await store.listAliases())
    aliases.set(r.source, [...(aliases.get(r.source) ?? []), r.destination]);
  const graph: AliasGraph = {
    aliases,
    mailboxes: new Set((await store.listMailboxes()).map((m) => m.address)),
  };
  const loop = aliasLoopThrough(withAlias(graph, source, destinations), source);
  if (loop)
    throw new UserError(
      'E_ALIAS_LOOP',
      `alias ${source} would loop: ${formatAliasLoop(loop)} (Postfix would defer its mail for ever)`,
    );
}
