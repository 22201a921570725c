import { mkdir, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import * as accounts from '../../ops/accounts/store.js';
import {
  accountChanges,
  parseSendAsKey,
  sendAsKey,
  type ObservedAccounts,
} from '../../plan/account-changes.js';
import type { HostStep } from '../../plan/host-steps.js';
import type { ClusterDeclarations } from '../../spec/index.js';
import { SECRETS_DIR } from '../secrets.js';
import { readDatabase } from './database-state.js';

const NO_ACCOUNTS: ObservedAccounts = {
  domains: new Set(),
  mailboxes: new Map(),
  aliases: new Map(),
};

async function observeAccounts(): Promise<ObservedAccounts> {
  const read = async (): Promise<ObservedAccounts> => {
    const aliases = new Map<string, string[]>();
    for (const a of await accounts.listAliases())
      aliases.set(a.source, [...(aliases.get(a.source) ?? []), a.destination]);
    return {
      domains: new Set((await accounts.listDomains()).map((d) => d.domain)),
      mailboxes: new Map((await accounts.listMailboxes()).map((m) => [m.address, m.quotaBytes])),
      aliases,
    };
  };
  const grants = async () =>
    new Set((await accounts.listSendAs()).map((g) => sendAsKey(g.login, g.address)));
  const observed = (await readDatabase(read, 'public.mailboxes')) ?? NO_ACCOUNTS;
  return { ...observed, sendAs: await readDatabase(grants, 'public.send_as') };
}

/**
 * The accounts the cluster file declares (accountChanges decides what changes: what is
 * declared and missing or different; never what the CLI made).
 */
export function accountsStep(declared: ClusterDeclarations): HostStep {
  return {
    name: 'accounts',
    phase: 'after-activate',
    async observe() {
      return accountChanges(declared, await observeAccounts());
    },
    async apply(changes) {
      const notes: string[] = [];
      for (const c of changes) {
        if (c.kind === 'domain') {
          await accounts.addDomain(c.target);
          notes.push(`added domain ${c.target}`);
        } else if (c.kind === 'mailbox') {
          const quota = declared.mailboxes.find((m) => m.address === c.target)?.quotaBytes ?? 0;
          if (c.action === 'update') {
            await accounts.setQuota(c.target, quota);
            notes.push(`set the quota of ${c.target} (${c.detail ?? ''})`);
            continue;
          }
          // The first password is generated and kept on the host for the administrator to
          // read (and change with `mailctl mailbox passwd`); it is never printed. Always a
          // new one: a file left from a mailbox removed earlier must not bring its password
          // back.
          const file = `${SECRETS_DIR}/mailbox-${c.target}`;
          const password = randomBytes(18).toString('base64url');
          await mkdir(SECRETS_DIR, { recursive: true, mode: 0o700 });
          await rm(file, { force: true });
          await writeFile(file, `${password}\n`, { mode: 0o600 });
          await accounts.addMailbox(c.target, password, quota);
          notes.push(`added mailbox ${c.target} (initial password in ${file})`);
        } else if (c.kind === 'alias') {
          const destinations =
            declared.aliases.find((a) => a.source === c.target)?.destinations ?? [];
          if (c.action === 'update') await accounts.removeAlias(c.target);
          await accounts.addAlias(c.target, destinations);
          notes.push(`${c.action === 'update' ? 'changed' : 'added'} alias ${c.target}`);
        } else if (c.kind === 'send-as') {
          const grant =
            c.action === 'create'
              ? declared.sendAs.find((g) => sendAsKey(g.login, g.address) === c.target)
              : parseSendAsKey(c.target);
          if (!grant) continue;
          await accounts.setSendAs(grant, c.action === 'create');
          notes.push(`${c.action === 'create' ? 'granted' : 'withdrew'} send-as ${c.target}`);
        }
      }
      return notes;
    },
  };
}
