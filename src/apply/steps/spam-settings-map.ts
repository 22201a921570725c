import { existsSync } from 'node:fs';
import { readAllSpamSettings } from '../../ops/spam/settings-map.js';
import { mapFileDiffers, writeRspamdMap } from '../../ops/rspamd/map-file.js';
import type { HostStep } from '../../plan/host-steps.js';
import { renderUserSettings, USER_SETTINGS_MAP } from '../../render/rspamd/user-settings.js';
import { readDatabase } from './database-state.js';

/**
 * Rspamd's per-user settings map names a file that must exist when Rspamd starts, before
 * there is a database to fill it from: an empty map until then.
 */
export const emptySpamSettingsMapStep: HostStep = {
  name: 'spam-settings-map (empty)',
  phase: 'before-files',
  async observe() {
    if (existsSync(USER_SETTINGS_MAP)) return [];
    return [
      {
        kind: 'file',
        action: 'create',
        target: USER_SETTINGS_MAP,
        detail: 'empty until the database has settings',
      },
    ];
  },
  async apply() {
    await writeRspamdMap(USER_SETTINGS_MAP, renderUserSettings([]));
    return [`made the empty per-user spam settings map ${USER_SETTINGS_MAP}`];
  },
};

/** The map as the database's spam settings render it; Rspamd re-reads it by itself. */
export const spamSettingsMapStep: HostStep = {
  name: 'spam-settings-map',
  phase: 'after-activate',
  async observe() {
    const settings = await readDatabase(readAllSpamSettings, 'public.spam_settings');
    if (!mapFileDiffers(USER_SETTINGS_MAP, renderUserSettings(settings ?? []))) return [];
    return [
      {
        kind: 'file',
        action: 'update',
        target: USER_SETTINGS_MAP,
        detail: "the mailboxes' spam settings",
      },
    ];
  },
  async apply() {
    const changed = await writeRspamdMap(
      USER_SETTINGS_MAP,
      renderUserSettings(await readAllSpamSettings()),
    );
    return changed ? ['updated the per-user spam settings map'] : [];
  },
};
