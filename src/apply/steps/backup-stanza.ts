import { applyStanzaFirst, stanzaFirstChanges } from '../../ops/backup/stanza-first.js';
import type { HostStep } from '../../plan/host-steps.js';
import type { MailHostContext } from '../../render/host-context.js';

/**
 * pgBackRest's local stanza, before the files go live: PostgreSQL starts archiving with
 * pgBackRest's archive_command as soon as its new configuration is active, and each
 * segment it archives before the stanza exists is a failure on record (pg_stat_archiver).
 */
export function backupStanzaStep(ctx: MailHostContext): HostStep {
  return {
    name: 'backup-stanza',
    phase: 'before-files',
    observe: () => Promise.resolve(stanzaFirstChanges(ctx)),
    apply: () => applyStanzaFirst(ctx),
  };
}
