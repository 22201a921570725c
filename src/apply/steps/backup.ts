import { applyBackupSetup, backupSetupChanges } from '../../ops/backup/setup.js';
import type { HostStep } from '../../plan/host-steps.js';
import type { MailHostContext } from '../../render/host-context.js';

/**
 * The backups' repositories and keys, once the services run (pgBackRest's stanza needs
 * PostgreSQL up, with pgBackRest's archive_command live).
 */
export function backupStep(ctx: MailHostContext): HostStep {
  return {
    name: 'backup',
    phase: 'after-activate',
    observe: () => backupSetupChanges(ctx),
    apply: (changes) => applyBackupSetup(ctx, changes),
  };
}
