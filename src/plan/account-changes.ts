import {
  aliasLoopThrough,
  formatAliasLoop,
  type AliasGraph,
  type ClusterDeclarations,
} from '../spec/index.js';
import { UserError } from '../util/errors.js';
import type { HostChange } from './host-steps.js';

/** The accounts in the mail database, as apply observes them. */
export interface ObservedAccounts {
  domains: ReadonlySet<string>;
  /** Address → quota in bytes. */
  mailboxes: ReadonlyMap<string, number>;
  /** Source → its destinations. */
  aliases: ReadonlyMap<string, readonly string[]>;
  /** Send-as grants, each `login → address`; undefined before migration 0006 made the table. */
  sendAs?: ReadonlySet<string>;
}

/** How a send-as grant is keyed and shown: `login → address`. */
export const sendAsKey = (login: string, address: string) => `${login} → ${address}`;

/** The grant a key names (the inverse of sendAsKey). */
export function parseSendAsKey(key: string): { login: string; address: string } | undefined {
  const [login, address, ...rest] = key.split(' → ');
  return login && address && rest.length === 0 ? { login, address } : undefined;
}

/** A quota as people write it in the cluster file: 500M, 2G, unlimited. */
export function formatQuota(bytes: number): string {
  if (bytes === 0) return 'unlimited';
  for (const [unit, size] of [
    ['T', 1024 ** 4],
    ['G', 1024 ** 3],
    ['M', 1024 ** 2],
    ['K', 1024],
  ] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x) => b.includes(x));

/**
 * What apply changes so that the database has what the cluster file declares (pure): a
 * declared domain, mailbox or alias that is missing is created, a declared mailbox's quota
 * and a declared alias's destination set are made exactly as declared. Nothing else the
 * file does not declare is ever removed or changed, and what no file decides (a password,
 * whether a mailbox is enabled) is never touched: those belong to the CLI. Send-as grants
 * are the file's alone (no command makes one: a grant is a security decision, kept where
 * it is reviewed), so the grants table is made exactly the file's: one taken out of the
 * file is withdrawn.
 *
 * Refuses (and so changes nothing) when the declared accounts cannot coexist with those the
 * CLI made: a declared mailbox that is an alias, a declared alias that is a mailbox, or
 * aliases that would loop.
 */
export function accountChanges(
  declared: ClusterDeclarations,
  observed: ObservedAccounts,
): HostChange[] {
  const at = (line: number) => `declared in ${declared.file}:${line}`;
  const changes: HostChange[] = [];
  for (const d of declared.domains) {
    if (!observed.domains.has(d.name))
      changes.push({ kind: 'domain', action: 'create', target: d.name, detail: at(d.line) });
  }
  for (const m of declared.mailboxes) {
    if (observed.aliases.has(m.address))
      throw new UserError(
        'E_MAILBOX_EXISTS',
        `${m.address} is ${at(m.line)} as a mailbox, but is an alias on this host: remove the alias ('mailctl alias remove ${m.address}') or the declaration`,
        { exitCode: 1 },
      );
    const quota = observed.mailboxes.get(m.address);
    if (quota === undefined)
      changes.push({
        kind: 'mailbox',
        action: 'create',
        target: m.address,
        detail: `quota ${formatQuota(m.quotaBytes)}, ${at(m.line)}`,
      });
    else if (quota !== m.quotaBytes)
      changes.push({
        kind: 'mailbox',
        action: 'update',
        target: m.address,
        detail: `quota ${formatQuota(quota)} → ${formatQuota(m.quotaBytes)}, ${at(m.line)}`,
      });
  }
  const graph: AliasGraph = {
    aliases: new Map([
      ...observed.aliases,
      ...declared.aliases.map((a) => [a.source, a.destinations] as const),
    ]),
    mailboxes: new Set([...observed.mailboxes.keys(), ...declared.mailboxes.map((m) => m.address)]),
  };
  for (const a of declared.aliases) {
    const now = observed.aliases.get(a.source);
    if (now && sameSet(now, a.destinations)) continue;
    if (observed.mailboxes.has(a.source))
      throw new UserError(
        'E_ALIAS_IS_MAILBOX',
        `${a.source} is ${at(a.line)} as an alias, but is a mailbox on this host; an alias cannot shadow it`,
        { exitCode: 1 },
      );
    const loop = aliasLoopThrough(graph, a.source);
    if (loop)
      throw new UserError(
        'E_ALIAS_LOOP',
        `alias ${a.source} (${at(a.line)}) would loop with the aliases on this host: ${formatAliasLoop(loop)}`,
        { exitCode: 1 },
      );
    const to = a.destinations.join(', ');
    changes.push({
      kind: 'alias',
      action: now ? 'update' : 'create',
      target: a.source,
      detail: `${now ? `${now.join(', ')} → ` : '→ '}${to}, ${at(a.line)}`,
    });
  }
  const grants = new Map(declared.sendAs.map((g) => [sendAsKey(g.login, g.address), g]));
  for (const [key, g] of grants)
    if (!observed.sendAs?.has(key))
      changes.push({ kind: 'send-as', action: 'create', target: key, detail: at(g.line) });
  for (const key of [...(observed.sendAs ?? [])].sort())
    if (!grants.has(key))
      changes.push({
        kind: 'send-as',
        action: 'remove',
        target: key,
        detail: `no longer granted in ${declared.file}`,
      });
  return changes;
}
