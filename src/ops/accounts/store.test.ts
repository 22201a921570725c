import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  outcome,
  postgresRoot,
  useMigratedMailPostgres,
} from '../../../test/support/postgres17.js';
import { hostTransaction } from '../../db/index.js';
import * as store from './store.js';

const root = postgresRoot();
const PASSWORD = 'correct horse battery staple';

/** Whether `hash` ({SHA512-CRYPT}$6$salt$...) is the hash of `password`, by openssl itself. */
function verifies(hash: string, password: string): boolean {
  const crypt = hash.replace('{SHA512-CRYPT}', '');
  const salt = crypt.split('$')[2] ?? '';
  const r = spawnSync('openssl', ['passwd', '-6', '-salt', salt, '-stdin'], {
    input: `${password}\n`,
    encoding: 'utf8',
  });
  return r.stdout.trim() === crypt;
}

const storedHash = async (address: string) =>
  (
    await hostTransaction((db) =>
      db.rows<{ password: string }>('SELECT password FROM mailboxes WHERE address = $1', [address]),
    )
  )[0]?.password ?? '';

describe.skipIf(!root)('the account store on a real PostgreSQL 17', { timeout: 120_000 }, () => {
  useMigratedMailPostgres(root ?? '');

  it('adds, lists and refuses to add a domain twice', async () => {
    await store.addDomain('Store.Test');
    expect(await outcome(store.addDomain('store.test'))).toEqual(['E_DOMAIN_EXISTS', 2]);
    expect(await outcome(store.addDomain('not a domain'))).toEqual(['E_BAD_DOMAIN', 2]);
    expect(await store.listDomains()).toEqual([{ domain: 'store.test', mailboxes: 0, aliases: 0 }]);
  });

  it('adds a mailbox with a SHA512-CRYPT hash, and refuses what it cannot add', async () => {
    await store.addMailbox('Ann@store.test', PASSWORD, 1024 ** 3);
    expect(await store.listMailboxes()).toEqual([
      { address: 'ann@store.test', quotaBytes: 1024 ** 3, active: true },
    ]);
    expect(verifies(await storedHash('ann@store.test'), PASSWORD)).toBe(true);
    expect(await outcome(store.addMailbox('ann@store.test', PASSWORD, 0))).toEqual([
      'E_MAILBOX_EXISTS',
      2,
    ]);
    expect(await outcome(store.addMailbox('ann@unknown.test', PASSWORD, 0))).toEqual([
      'E_UNKNOWN_DOMAIN',
      2,
    ]);
    expect(await outcome(store.addMailbox('bob@store.test', 'short', 0))).toEqual([
      'E_WEAK_PASSWORD',
      2,
    ]);
    expect(await store.listMailboxes('store.test')).toHaveLength(1);
    expect(await store.listMailboxes('other.test')).toEqual([]);
  });

  it('changes a password and a quota, and names a mailbox that is not there', async () => {
    const before = await storedHash('ann@store.test');
    await store.setPassword('ann@store.test', `${PASSWORD} 2`);
    const after = await storedHash('ann@store.test');
    expect(after).not.toBe(before);
    expect(verifies(after, `${PASSWORD} 2`)).toBe(true);
    await store.setQuota('ann@store.test', 500 * 1024 ** 2);
    expect((await store.listMailboxes())[0]?.quotaBytes).toBe(500 * 1024 ** 2);
    expect(await outcome(store.setPassword('nobody@store.test', PASSWORD))).toEqual([
      'E_UNKNOWN_MAILBOX',
      2,
    ]);
    expect(await outcome(store.setQuota('nobody@store.test', 0))).toEqual(['E_UNKNOWN_MAILBOX', 2]);
  });

  it('disables and enables a mailbox, saying whether it changed anything', async () => {
    expect(await store.setMailboxActive('ann@store.test', false)).toBe(true);
    expect(await store.setMailboxActive('ann@store.test', false)).toBe(false);
    expect((await store.listMailboxes())[0]?.active).toBe(false);
    expect(await store.setMailboxActive('ann@store.test', true)).toBe(true);
    expect((await store.listMailboxes())[0]?.active).toBe(true);
    expect(await outcome(store.setMailboxActive('nobody@store.test', false))).toEqual([
      'E_UNKNOWN_MAILBOX',
      2,
    ]);
  });

  it('keeps aliases and mailboxes apart, and adds a destination only once', async () => {
    await store.addAlias('info@store.test', ['ann@store.test', 'out@elsewhere.test']);
    await store.addAlias('info@store.test', ['ann@store.test']);
    expect(await store.listAliases()).toEqual([
      { source: 'info@store.test', destination: 'ann@store.test' },
      { source: 'info@store.test', destination: 'out@elsewhere.test' },
    ]);
    expect(await outcome(store.addAlias('ann@store.test', ['x@store.test']))).toEqual([
      'E_ALIAS_IS_MAILBOX',
      2,
    ]);
    expect(await outcome(store.addMailbox('info@store.test', PASSWORD, 0))).toEqual([
      'E_MAILBOX_EXISTS',
      2,
    ]);
    expect(await outcome(store.addAlias('info@unknown.test', ['ann@store.test']))).toEqual([
      'E_UNKNOWN_DOMAIN',
      2,
    ]);
    expect(await outcome(store.removeAlias('none@store.test'))).toEqual(['E_UNKNOWN_ALIAS', 2]);
    expect(await store.listDomains()).toEqual([{ domain: 'store.test', mailboxes: 1, aliases: 2 }]);
  });

  it('gives one of many concurrent adds of one address the mailbox, the rest E_MAILBOX_EXISTS', async () => {
    const tries = await Promise.all(
      Array.from({ length: 6 }, () => outcome(store.addMailbox('race@store.test', PASSWORD, 0))),
    );
    expect(tries.filter((t) => t === 'resolved')).toHaveLength(1);
    expect(tries.filter((t) => t !== 'resolved')).toEqual(
      Array.from({ length: 5 }, () => ['E_MAILBOX_EXISTS', 2]),
    );
    await store.removeMailbox('race@store.test');
  });

  it('removes a mailbox with the aliases that deliver to it; a domain only once it is empty', async () => {
    expect(await outcome(store.removeDomain('store.test'))).toEqual(['E_DOMAIN_NOT_EMPTY', 1]);
    expect(await outcome(store.removeDomain('unknown.test'))).toEqual(['E_UNKNOWN_DOMAIN', 2]);
    await store.removeMailbox('ann@store.test');
    expect(await outcome(store.removeMailbox('ann@store.test'))).toEqual(['E_UNKNOWN_MAILBOX', 2]);
    expect(await store.listAliases()).toEqual([
      { source: 'info@store.test', destination: 'out@elsewhere.test' },
    ]);
    await store.removeDomain('store.test');
    expect(await store.listDomains()).toEqual([]);
    expect(await store.listAliases()).toEqual([]);
  });
});
