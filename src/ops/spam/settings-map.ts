import { existsSync } from 'node:fs';
import {
  USER_SETTINGS_MAP,
  renderUserSettings,
  type UserSpamSettings,
} from '../../render/rspamd/user-settings.js';
import { hostTransaction, type Db } from '../../db/index.js';
import { writeRspamdMap } from '../rspamd/map-file.js';

/**
 * Every mailbox's spam settings with the aliases that deliver to it alone (a catch-all or
 * an alias shared by several mailboxes cannot carry one user's settings).
 */
export async function readAllSpamSettings(db?: Db): Promise<UserSpamSettings[]> {
  const query = (q: Db) =>
    q.rows<{
      address: string;
      reject_score: number | null;
      add_header_score: number | null;
      greylist_score: number | null;
      allow_senders: string[];
      block_senders: string[];
      aliases: string[];
    }>(`
SELECT s.address, s.reject_score, s.add_header_score, s.greylist_score,
       s.allow_senders, s.block_senders,
       ARRAY(SELECT a.source FROM aliases a
              WHERE a.destination = s.address AND a.source NOT LIKE '@%'
                AND NOT EXISTS (SELECT 1 FROM aliases b
                                 WHERE b.source = a.source AND b.destination <> s.address)
              ORDER BY a.source) AS aliases
  FROM spam_settings s JOIN mailboxes m ON m.address = s.address AND m.active
 ORDER BY s.address`);
  const rows = await (db ? query(db) : hostTransaction(query));
  return rows.map((r) => ({
    address: r.address,
    aliases: r.aliases,
    rejectScore: r.reject_score,
    addHeaderScore: r.add_header_score,
    greylistScore: r.greylist_score,
    allowSenders: r.allow_senders,
    blockSenders: r.block_senders,
  }));
}

/** Brings the settings map in line with the database. */
export async function syncUserSettingsMap(): Promise<boolean> {
  return writeRspamdMap(USER_SETTINGS_MAP, renderUserSettings(await readAllSpamSettings()));
}

/** Before the database exists (first apply), an empty map lets Rspamd start cleanly. */
export async function ensureUserSettingsMap(): Promise<void> {
  if (!existsSync(USER_SETTINGS_MAP))
    await writeRspamdMap(USER_SETTINGS_MAP, renderUserSettings([]));
}
