import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clusterDeclarations } from '../spec/index.js';
import {
  accountChanges,
  formatQuota,
  parseSendAsKey,
  sendAsKey,
  type ObservedAccounts,
} from './account-changes.js';

const example = readFileSync(new URL('../../examples/cluster.yaml', import.meta.url), 'utf8');
const F = '/etc/mailctl/cluster.yaml';
const declared = clusterDeclarations(example, F);
const line = (text: string) => example.split('\n').findIndex((l) => l.includes(text)) + 1;

/** The database after a first apply of the example, plus what the CLI made. */
const converged = (
  extra: Partial<Record<keyof ObservedAccounts, unknown[]>> = {},
): ObservedAccounts => ({
  domains: new Set(['example.com', 'example.net', ...((extra.domains as string[]) ?? [])]),
  mailboxes: new Map([
    ['demo@example.com', 2 * 1024 ** 3],
    ['postmaster@example.net', 500 * 1024 ** 2],
    ...((extra.mailboxes as [string, number][]) ?? []),
  ]),
  aliases: new Map([
    ['postmaster@example.com', ['demo@example.com']],
    ['info@example.com', ['demo@example.com']],
    ...((extra.aliases as [string, string[]][]) ?? []),
  ]),
});

describe('accountChanges', () => {
  it('creates everything the file declares on an empty database', () => {
    const lines = accountChanges(declared, {
      domains: new Set(),
      mailboxes: new Map(),
      aliases: new Map(),
    }).map((c) => `${c.action} ${c.kind} ${c.target} (${c.detail})`);
    expect(lines).toEqual([
      `create domain example.com (declared in ${F}:${line('name: example.com')})`,
      `create domain example.net (declared in ${F}:${line('name: example.net')})`,
      `create mailbox demo@example.com (quota 2G, declared in ${F}:${line('local_part: demo')})`,
      `create mailbox postmaster@example.net (quota 500M, declared in ${F}:${line('local_part: postmaster')})`,
      `create alias postmaster@example.com (→ demo@example.com, declared in ${F}:${line('source: postmaster@example.com')})`,
      `create alias info@example.com (→ demo@example.com, declared in ${F}:${line('source: info@example.com')})`,
    ]);
  });

  it('says nothing once converged, whatever the CLI added, disabled or changed elsewhere', () => {
    expect(
      accountChanges(
        declared,
        converged({
          domains: ['example.info'],
          mailboxes: [['cli@example.com', 1024 ** 2]],
          aliases: [['sales@example.com', ['cli@example.com', 'demo@example.com']]],
        }),
      ),
    ).toEqual([]);
  });

  it('converges a declared quota and a declared destination set, and only those', () => {
    const observed = converged();
    (observed.mailboxes as Map<string, number>).set('demo@example.com', 1024 ** 3);
    (observed.aliases as Map<string, string[]>).set('info@example.com', [
      'demo@example.com',
      'cli@example.com',
    ]);
    expect(accountChanges(declared, observed)).toEqual([
      {
        kind: 'mailbox',
        action: 'update',
        target: 'demo@example.com',
        detail: `quota 1G → 2G, declared in ${F}:${line('local_part: demo')}`,
      },
      {
        kind: 'alias',
        action: 'update',
        target: 'info@example.com',
        detail: `demo@example.com, cli@example.com → demo@example.com, declared in ${F}:${line('source: info@example.com')}`,
      },
    ]);
  });

  it('refuses a declared alias that would loop with an alias the CLI made', () => {
    const observed = converged({ aliases: [['demo-fwd@example.org', ['info@example.com']]] });
    const withLoop = clusterDeclarations(
      example.replace(
        'source: info@example.com\n        destinations: [demo@example.com]',
        'source: info@example.com\n        destinations: [demo-fwd@example.org]',
      ),
      F,
    );
    expect(() => accountChanges(withLoop, observed)).toThrow(
      expect.objectContaining({
        code: 'E_ALIAS_LOOP',
        message: expect.stringContaining(
          'info@example.com → demo-fwd@example.org → info@example.com',
        ),
      }),
    );
  });

  it('refuses a declared mailbox that the CLI made an alias, and the reverse', () => {
    expect(() =>
      accountChanges(declared, {
        ...converged(),
        mailboxes: new Map(),
        aliases: new Map([['demo@example.com', ['x@example.org']]]),
      }),
    ).toThrow(expect.objectContaining({ code: 'E_MAILBOX_EXISTS' }));
    expect(() =>
      accountChanges(declared, {
        ...converged(),
        mailboxes: new Map([['info@example.com', 0]]),
        aliases: new Map(),
      }),
    ).toThrow(expect.objectContaining({ code: 'E_ALIAS_IS_MAILBOX' }));
  });
});

describe('accountChanges for send-as grants', () => {
  const granting = clusterDeclarations(
    example.replace(
      '      - local_part: postmaster\n        quota: 500M\n',
      '      - local_part: postmaster\n        quota: 500M\n        send_as: [billing@example.com]\n',
    ),
    F,
  );

  it('grants what the file grants, and withdraws what it no longer does', () => {
    expect(accountChanges(granting, converged())).toEqual([
      {
        kind: 'send-as',
        action: 'create',
        target: 'postmaster@example.net → billing@example.com',
        detail: `declared in ${F}:${line('quota: 500M') + 1}`,
      },
    ]);
    const granted = {
      ...converged(),
      sendAs: new Set(['postmaster@example.net → billing@example.com']),
    };
    expect(accountChanges(granting, granted)).toEqual([]);
    expect(accountChanges(declared, granted)).toEqual([
      {
        kind: 'send-as',
        action: 'remove',
        target: 'postmaster@example.net → billing@example.com',
        detail: `no longer granted in ${F}`,
      },
    ]);
  });

  it('names a grant by a key that reads back', () => {
    expect(parseSendAsKey(sendAsKey('a@example.net', '@example.com'))).toEqual({
      login: 'a@example.net',
      address: '@example.com',
    });
    expect(parseSendAsKey('a@example.net')).toBeUndefined();
  });
});

describe('formatQuota', () => {
  it('writes sizes as the cluster file does', () => {
    expect([0, 500 * 1024 ** 2, 2 * 1024 ** 3, 1536, 1000].map(formatQuota)).toEqual([
      'unlimited',
      '500M',
      '2G',
      '1536B',
      '1000B',
    ]);
  });
});
