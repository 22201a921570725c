import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { HostChange } from '../../plan/host-steps.js';
import {
  PGBACKREST_CIPHER_SECRET,
  RESTIC_PASSWORD_FILE,
  resticRepo,
} from '../../render/backup/index.js';
import type { MailHostContext } from '../../render/host-context.js';
import { SECRETS_DIR } from '../../apply/secrets.js';
import { applyOffsiteSetup, isOffsiteChange, offsiteSetupChanges } from './offsite-setup.js';
import { pgbackrest, pgbackrestInfo, restic } from './tools.js';

const FIRST_BACKUP = 'first full PostgreSQL backup';

/**
 * What the backups still need on this host: the restic password and repository, and in
 * native mode a first full backup (the base every point-in-time
 * recovery starts from). Reads only.
 */
export async function backupSetupChanges(ctx: MailHostContext): Promise<HostChange[]> {
  const changes: HostChange[] = [];
  const repo = resticRepo(ctx.paths.backups);
  if (!existsSync(RESTIC_PASSWORD_FILE))
    changes.push({
      kind: 'secret',
      action: 'create',
      target: RESTIC_PASSWORD_FILE,
      detail: "the restic repository's password",
    });
  if (!existsSync(`${repo}/config`))
    changes.push({ kind: 'file', action: 'create', target: repo, detail: 'restic init' });
  if (ctx.postgres.mode === 'native') {
    // The stanza itself is made before the files go live (the backup-stanza step).
    const stanza = await pgbackrestInfo();
    if (!stanza?.backup.length)
      changes.push({
        kind: 'database',
        action: 'run',
        target: FIRST_BACKUP,
        detail: 'the base of point-in-time recovery',
      });
  }
  return [...changes, ...(await offsiteSetupChanges(ctx))];
}

/** Makes what backupSetupChanges reported; returns what it did, the password's warning once. */
export async function applyBackupSetup(
  ctx: MailHostContext,
  changes: readonly HostChange[],
): Promise<string[]> {
  const notes: string[] = [];
  const repo = resticRepo(ctx.paths.backups);
  for (const c of changes.filter((x) => !isOffsiteChange(x))) {
    if (c.kind === 'secret' && c.target === RESTIC_PASSWORD_FILE) {
      await mkdir(dirname(RESTIC_PASSWORD_FILE), { recursive: true, mode: 0o700 });
      await writeFile(RESTIC_PASSWORD_FILE, `${randomBytes(32).toString('base64url')}\n`, {
        mode: 0o600,
        flag: 'wx',
      });
      notes.push(
        `made the backup keys ${RESTIC_PASSWORD_FILE} (restic) and ` +
          `${SECRETS_DIR}/${PGBACKREST_CIPHER_SECRET} (pgBackRest). WARNING: without them the ` +
          'backups cannot be read; copy both off this host now and keep them safe: ' +
          "'mailctl backup recovery-kit' prints them, with the off-site SSH key, as one file " +
          '(this is said once)',
      );
    } else if (c.kind === 'file' && c.target === repo) {
      await restic(ctx.paths.backups, ['init', '--quiet']);
      notes.push(`made the restic repository ${repo}`);
    } else if (c.kind === 'database' && c.target === FIRST_BACKUP) {
      // It waits until archive_command has stored the WAL it ends on: the proof that
      // archiving works, before anything depends on it.
      await pgbackrest(['--type=full', 'backup']);
      notes.push(`took the ${FIRST_BACKUP}`);
    }
  }
  return [...notes, ...(await applyOffsiteSetup(ctx, changes))];
}
