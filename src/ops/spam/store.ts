import type { UserSpamSettings } from '../../render/rspamd/user-settings.js';
import { UserError } from '../../util/errors.js';
import { parseAddress } from '../accounts/address.js';
import { hostTransaction, type Db } from '../../db/index.js';
import { changeAccounts } from '../accounts/store.js';
import { readAllSpamSettings, syncUserSettingsMap } from './settings-map.js';

/** Per-user spam settings: the operations behind `mailctl spam`. Each change reaches Rspamd at once. */

export interface Thresholds {
  reject?: number | null;
  addHeader?: number | null;
  greylist?: number | null;
}

/** The mailbox's address, inside the command's transaction; E_UNKNOWN_MAILBOX if none. */
async function mailbox(db: Db, input: string): Promise<string> {
  const { address } = parseAddress(input);
  const r = await db.rows('SELECT 1 FROM mailboxes WHERE address = $1', [address]);
  if (r.length === 0) throw new UserError('E_UNKNOWN_MAILBOX', `there is no mailbox ${address}`);
  return address;
}

/** A sender on an allow or block list: a whole address, or `@domain` for all of a domain. */
export function parseSender(input: string): string {
  return parseAddress(input, { allowCatchAll: true }).address;
}

/** A score the user typed; Rspamd's own defaults run from about 4 to 15. */
export function parseScore(option: string, input: string): number {
  const n = Number(input);
  if (input.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1000)
    throw new UserError('E_BAD_SCORE', `${option}: '${input}' is not a score from 0 to 1000`);
  return n;
}

/** Greylisting must start below the header, the header below rejection. */
export function checkThresholdOrder(t: Required<Thresholds>): void {
  const order: [string, number | null][] = [
    ['greylist', t.greylist],
    ['add-header', t.addHeader],
    ['reject', t.reject],
  ];
  const set = order.filter((e): e is [string, number] => e[1] !== null);
  for (let i = 1; i < set.length; i++) {
    const [lowName, low] = set[i - 1] ?? ['', 0];
    const [highName, high] = set[i] ?? ['', 0];
    if (low > high)
      throw new UserError(
        'E_BAD_SCORE',
        `the ${lowName} score (${low}) must not be above the ${highName} score (${high})`,
      );
  }
}

export async function showSpamSettings(input?: string): Promise<UserSpamSettings[]> {
  return hostTransaction((db) => settingsOf(db, input));
}

async function settingsOf(db: Db, input?: string): Promise<UserSpamSettings[]> {
  const all = await readAllSpamSettings(db);
  if (input === undefined) return all;
  const address = await mailbox(db, input);
  return [
    all.find((s) => s.address === address) ?? {
      address,
      aliases: [],
      rejectScore: null,
      addHeaderScore: null,
      greylistScore: null,
      allowSenders: [],
      blockSenders: [],
    },
  ];
}

interface OwnSettings {
  rejectScore: number | null;
  addHeaderScore: number | null;
  greylistScore: number | null;
  allowSenders: string[];
  blockSenders: string[];
}

/**
 * One change to a mailbox's settings in one transaction, from its own row (a disabled
 * mailbox keeps its settings too); Rspamd's map follows at once.
 */
async function changeSettings(
  input: string,
  fn: (db: Db, address: string, current: OwnSettings | undefined) => Promise<void>,
): Promise<void> {
  await changeAccounts(async (db) => {
    const address = await mailbox(db, input);
    const [current] = await db.rows<OwnSettings>(
      `SELECT reject_score AS "rejectScore", add_header_score AS "addHeaderScore",
              greylist_score AS "greylistScore", allow_senders AS "allowSenders",
              block_senders AS "blockSenders"
         FROM spam_settings WHERE address = $1`,
      [address],
    );
    await fn(db, address, current);
  });
  await syncUserSettingsMap();
}

/** Sets (a number) or clears (null) a mailbox's own thresholds; undefined leaves one as it is. */
export async function setThresholds(input: string, t: Thresholds): Promise<void> {
  await changeSettings(input, async (db, address, current) => {
    const merged = {
      reject: t.reject === undefined ? (current?.rejectScore ?? null) : t.reject,
      addHeader: t.addHeader === undefined ? (current?.addHeaderScore ?? null) : t.addHeader,
      greylist: t.greylist === undefined ? (current?.greylistScore ?? null) : t.greylist,
    };
    checkThresholdOrder(merged);
    await db.rows(
      `INSERT INTO spam_settings (address, reject_score, add_header_score, greylist_score)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (address) DO UPDATE SET reject_score = $2, add_header_score = $3,
          greylist_score = $4`,
      [address, merged.reject, merged.addHeader, merged.greylist],
    );
  });
}

/**
 * Puts senders on a mailbox's allow or block list; a sender is on at most one of them, so
 * listing it on one takes it off the other.
 */
export async function listSenders(
  input: string,
  list: 'allow' | 'block',
  senders: readonly string[],
): Promise<void> {
  if (senders.length === 0) throw new UserError('E_USAGE', 'name at least one sender');
  const parsed = senders.map(parseSender);
  await changeSettings(input, async (db, address, current) => {
    const on = new Set([
      ...((list === 'allow' ? current?.allowSenders : current?.blockSenders) ?? []),
      ...parsed,
    ]);
    const off = ((list === 'allow' ? current?.blockSenders : current?.allowSenders) ?? []).filter(
      (x) => !parsed.includes(x),
    );
    const [allow, block] = list === 'allow' ? [on, off] : [off, on];
    await writeSenders(db, address, [...allow], [...block]);
  });
}

/** Takes senders off both lists. */
export async function unlistSenders(input: string, senders: readonly string[]): Promise<void> {
  if (senders.length === 0) throw new UserError('E_USAGE', 'name at least one sender');
  const parsed = senders.map(parseSender);
  await changeSettings(input, async (db, address, current) => {
    const allow = current?.allowSenders ?? [];
    const block = current?.blockSenders ?? [];
    const missing = parsed.filter((s) => !allow.includes(s) && !block.includes(s));
    if (missing.length)
      throw new UserError(
        'E_UNKNOWN_SENDER',
        `${missing.join(', ')} is on neither list of ${address}`,
      );
    const keep = (l: string[]) => l.filter((x) => !parsed.includes(x));
    await writeSenders(db, address, keep(allow), keep(block));
  });
}

async function writeSenders(
  db: Db,
  address: string,
  allow: readonly string[],
  block: readonly string[],
): Promise<void> {
  const sorted = (l: readonly string[]): string[] => [...l].sort();
  await db.rows(
    `INSERT INTO spam_settings (address, allow_senders, block_senders) VALUES ($1, $2, $3)
     ON CONFLICT (address) DO UPDATE SET allow_senders = $2, block_senders = $3`,
    [address, sorted(allow), sorted(block)],
  );
}
