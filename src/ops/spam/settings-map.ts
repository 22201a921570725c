import { existsSync } from 'node:fs';
import {
  USER_SETTINGS_MAP,
  renderUserSettings,
  type UserSpamSettings,
} from '../../render/rspamd/user-settings.js';
import { psql } from '../accounts/psql.js';
import { writeRspamdMap } from '../rspamd/map-file.js';

/**
 * Every mailbox's spam settings with the aliases that deliver to it alone (a catch-all or
 * an alias shared by several mailboxes cannot carry one user's settings).
 */
export async function readAllSpamSettings(): Promise<UserSpamSettings[]> {
  const rows = await psql(`
SELECT s.address, coalesce(s.reject_score::text, ''), coalesce(s.add_header_score::text, ''),
       coalesce(s.greylist_score::text, ''),
       array_to_string(s.allow_senders, ','), array_to_string(s.block_senders, ','),
       coalesce((SELECT string_agg(a.source, ',' ORDER BY a.source) FROM aliases a
                  WHERE a.destination = s.address AND a.source NOT LIKE '@%'
                    AND NOT EXISTS (SELECT 1 FROM aliases b
                                     WHERE b.source = a.source AND b.destination <> s.address)), '')
  FROM spam_settings s JOIN mailboxes m ON m.address = s.address AND m.active
 ORDER BY s.address;`);
  const num = (v: string | undefined) => (v ? Number(v) : null);
  const split = (v: string | undefined) => (v ? v.split(',') : []);
  return rows.map(([address, reject, addHeader, greylist, allow, block, aliases]) => ({
    address: address ?? '',
    aliases: split(aliases),
    rejectScore: num(reject),
    addHeaderScore: num(addHeader),
    greylistScore: num(greylist),
    allowSenders: split(allow),
    blockSenders: split(block),
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
