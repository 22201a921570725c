import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { OFFSITE_SSH_KEY, PGBACKREST_CIPHER_SECRET } from '../../render/backup/index.js';
import { RESTIC_PASSWORD_FILE } from '../../render/backup/index.js';
import type { MailHostContext } from '../../render/host-context.js';
import { readSecret } from '../../apply/secrets.js';
import { UserError } from '../../util/errors.js';
import { formatRecoveryKit, parseRecoveryKit, type RecoveryKit } from './recovery-kit.js';

/** This host's recovery kit, from its secrets (asked for: the one command that prints them). */
export async function recoveryKitText(ctx: MailHostContext): Promise<string> {
  if (!existsSync(RESTIC_PASSWORD_FILE))
    throw new UserError(
      'E_NO_BACKUP',
      "this host has no backup keys yet: run 'mailctl apply' first",
      { exitCode: 1 },
    );
  const kit: RecoveryKit = {
    host: ctx.fqdn,
    resticPassword: (await readFile(RESTIC_PASSWORD_FILE, 'utf8')).trim(),
    pgbackrestCipherPass: readSecret(PGBACKREST_CIPHER_SECRET),
    ...(existsSync(OFFSITE_SSH_KEY)
      ? { offsiteSshKey: await readFile(OFFSITE_SSH_KEY, 'utf8') }
      : {}),
  };
  return formatRecoveryKit(kit);
}

/** A kit from a file, or from standard input with '-' (never from the command line itself). */
export async function readRecoveryKit(path: string): Promise<RecoveryKit> {
  let text: string;
  if (path === '-') {
    text = '';
    for await (const chunk of process.stdin) text += String(chunk);
  } else {
    text = await readFile(path, 'utf8').catch((e: Error) => {
      throw new UserError(
        'E_BAD_RECOVERY_KIT',
        `cannot read the recovery kit ${path}: ${e.message}`,
      );
    });
  }
  return parseRecoveryKit(text);
}
