import { generatedHeader } from '../types.js';

/**
 * Where Rspamd reads the per-user settings from: a file map, which Rspamd re-reads on its
 * own (inotify, then mtime) whenever it is replaced, so a change needs no reload. The
 * directory is root's; only the file is readable by Rspamd's group.
 */
export const USER_SETTINGS_DIR = '/var/lib/rspamd/mailctl';
export const USER_SETTINGS_MAP = `${USER_SETTINGS_DIR}/user-settings.conf`;

/** The symbol a blocked sender's message gets; its weight is far above any reject score. */
export const BLOCKED_SENDER_SYMBOL = 'MAILCTL_BLOCKED_SENDER';
export const BLOCKED_SENDER_WEIGHT = 100;

/** One mailbox's spam settings, as stored in PostgreSQL (spam_settings). */
export interface UserSpamSettings {
  /** The mailbox address, lower-case. */
  address: string;
  /** Addresses that deliver only to this mailbox (its single-destination aliases). */
  aliases: readonly string[];
  rejectScore: number | null;
  addHeaderScore: number | null;
  greylistScore: number | null;
  /** Senders always let through: `user@domain` or `@domain`. */
  allowSenders: readonly string[];
  /** Senders always refused: `user@domain` or `@domain`. */
  blockSenders: readonly string[];
}

/**
 * An allowed sender's thresholds: out of any score's reach, so its mail gets no action from
 * its score, but it is still scanned. `whitelist = true` would skip every rule, and with
 * them the refusals that do not hang on a score (a forged From:, a DMARC p=reject failure,
 * outside mail claiming a hosted domain unsigned), which an allow list must not switch
 * off: it names addresses anyone can put in a From:. Not `null` either: an action set to
 * null is gone, and so is a pre-result asking for it.
 */
const ALLOWED_SCORE = 100_000;

// Rspamd's settings module tries priorities from high to low and stops at the first level
// where a rule with `apply` matched, so a block beats an allow, and both beat thresholds.
const PRIORITY = { block: 3, allow: 2, thresholds: 1 } as const;

const ucl = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
const list = (items: readonly string[]) => `[${items.map(ucl).join(', ')}]`;

/**
 * The settings map (UCL) for Rspamd's settings module, one rule per mailbox and kind.
 * Rules match on the SMTP recipient: Rspamd scans a message once for all its recipients,
 * so a message to several mailboxes gets the settings of the first rule that matches.
 */
export function renderUserSettings(users: readonly UserSpamSettings[]): string {
  const rules: string[] = [];
  for (const u of [...users].sort((a, b) => a.address.localeCompare(b.address))) {
    const rcpt = list([u.address, ...[...u.aliases].sort()]);
    if (u.blockSenders.length) {
      rules.push(
        `${ucl(`${u.address} block`)} {\n  priority = ${PRIORITY.block};\n  rcpt = ${rcpt};\n` +
          `  from = ${list([...u.blockSenders].sort())};\n` +
          `  apply { symbols = [${ucl(BLOCKED_SENDER_SYMBOL)}]; }\n}\n`,
      );
    }
    if (u.allowSenders.length) {
      rules.push(
        `${ucl(`${u.address} allow`)} {\n  priority = ${PRIORITY.allow};\n  rcpt = ${rcpt};\n` +
          `  from = ${list([...u.allowSenders].sort())};\n` +
          `  apply { actions { reject = ${ALLOWED_SCORE}; "add header" = ${ALLOWED_SCORE}; greylist = ${ALLOWED_SCORE}; } }\n}\n`,
      );
    }
    const actions: string[] = [];
    if (u.rejectScore !== null) actions.push(`reject = ${u.rejectScore};`);
    if (u.addHeaderScore !== null) actions.push(`"add header" = ${u.addHeaderScore};`);
    if (u.greylistScore !== null) actions.push(`greylist = ${u.greylistScore};`);
    if (actions.length) {
      rules.push(
        `${ucl(`${u.address} thresholds`)} {\n  priority = ${PRIORITY.thresholds};\n  rcpt = ${rcpt};\n` +
          `  apply { actions { ${actions.join(' ')} } }\n}\n`,
      );
    }
  }
  return `${generatedHeader()}# from the spam_settings table of the mail database ('mailctl spam ...')\n${rules.join('')}`;
}
