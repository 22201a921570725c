import type { UserSpamSettings } from '../../render/rspamd/user-settings.js';
import { UserError } from '../../util/errors.js';
import { parseAddress } from '../accounts/address.js';
import { psql } from '../accounts/psql.js';
import { readAllSpamSettings, syncUserSettingsMap } from './settings-map.js';

/** Per-user spam settings: the operations behind `mailctl spam`. Each change reaches Rspamd at once. */

export interface Thresholds {
  reject?: number | null;
  addHeader?: number | null;
  greylist?: number | null;
}

async function mailbox(input: string): Promise<string> {
  const { address } = parseAddress(input);
  const r = await psql(`SELECT 1 FROM mailboxes WHERE address = :'a';`, { a: address });
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
  const all = await readAllSpamSettings();
  if (input === undefined) return all;
  const address = await mailbox(input);
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

/** Sets (a number) or clears (null) a mailbox's own thresholds; undefined leaves one as it is. */
export async function setThresholds(input: string, t: Thresholds): Promise<void> {
  const address = await mailbox(input);
  const [current] = await showSpamSettings(address);
  const merged = {
    reject: t.reject === undefined ? (current?.rejectScore ?? null) : t.reject,
    addHeader: t.addHeader === undefined ? (current?.addHeaderScore ?? null) : t.addHeader,
    greylist: t.greylist === undefined ? (current?.greylistScore ?? null) : t.greylist,
  };
  checkThresholdOrder(merged);
  const v = (n: number | null) => (n === null ? '' : String(n));
  await psql(
    `INSERT INTO spam_settings (address) VALUES (:'a') ON CONFLICT DO NOTHING;
UPDATE spam_settings SET reject_score = NULLIF(:'r', '')::real,
       add_header_score = NULLIF(:'h', '')::real, greylist_score = NULLIF(:'g', '')::real
 WHERE address = :'a';`,
    { a: address, r: v(merged.reject), h: v(merged.addHeader), g: v(merged.greylist) },
  );
  await syncUserSettingsMap();
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
  const address = await mailbox(input);
  if (senders.length === 0) throw new UserError('E_USAGE', 'name at least one sender');
  const parsed = senders.map(parseSender).join(',');
  const [on, off] =
    list === 'allow' ? ['allow_senders', 'block_senders'] : ['block_senders', 'allow_senders'];
  await psql(
    `INSERT INTO spam_settings (address) VALUES (:'a') ON CONFLICT DO NOTHING;
UPDATE spam_settings
   SET ${on} = ARRAY(SELECT DISTINCT x FROM unnest(${on} || string_to_array(:'s', ',')) x ORDER BY x),
       ${off} = ARRAY(SELECT x FROM unnest(${off}) x WHERE x <> ALL (string_to_array(:'s', ',')) ORDER BY x)
 WHERE address = :'a';`,
    { a: address, s: parsed },
  );
  await syncUserSettingsMap();
}

/** Takes senders off both lists. */
export async function unlistSenders(input: string, senders: readonly string[]): Promise<void> {
  const address = await mailbox(input);
  if (senders.length === 0) throw new UserError('E_USAGE', 'name at least one sender');
  const parsed = senders.map(parseSender);
  const [current] = await showSpamSettings(address);
  const missing = parsed.filter(
    (s) => !current?.allowSenders.includes(s) && !current?.blockSenders.includes(s),
  );
  if (missing.length)
    throw new UserError(
      'E_UNKNOWN_SENDER',
      `${missing.join(', ')} is on neither list of ${address}`,
    );
  await psql(
    `UPDATE spam_settings
   SET allow_senders = ARRAY(SELECT x FROM unnest(allow_senders) x WHERE x <> ALL (string_to_array(:'s', ',')) ORDER BY x),
       block_senders = ARRAY(SELECT x FROM unnest(block_senders) x WHERE x <> ALL (string_to_array(:'s', ',')) ORDER BY x)
 WHERE address = :'a';`,
    { a: address, s: parsed.join(',') },
  );
  await syncUserSettingsMap();
}
