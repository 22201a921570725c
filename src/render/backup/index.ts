import type { MailHostContext } from '../host-context.js';
import type { RenderedFile } from '../types.js';
import { renderPgbackrestConf } from './pgbackrest-conf.js';
import { renderBackupUnits } from './units.js';
import { OFFSITE_KNOWN_HOSTS, offsiteKnownHostsLine } from './paths.js';
import { generatedHeader, rootFile } from '../types.js';

export { backupComponentFor } from './component.js';
export * from './paths.js';
export { PGBACKREST_ARCHIVE_COMMAND, PGBACKREST_CIPHER_SECRET } from './pgbackrest-conf.js';
export {
  backupTimers,
  POSTGRES_DUMP_DIR,
  postgresDumpFile,
  REDIS_DUMP,
  resticPaths,
} from './units.js';
export { SOGO_DUMP_DIR, SOGO_TOOL, SOGO_USER } from './sogo-dump.js';

/** pgBackRest's configuration (native mode) and the backup units with their timers. */
export function renderBackup(ctx: MailHostContext): RenderedFile[] {
  return [
    ...(ctx.postgres.mode === 'native' ? [renderPgbackrestConf(ctx)] : []),
    ...renderBackupUnits(ctx),
    // The off-site server's host key, for ssh (restic) and pgBackRest alike; public, so
    // readable by postgres too.
    ...(ctx.backup.offsite
      ? [
          rootFile(
            'backup',
            OFFSITE_KNOWN_HOSTS,
            `${generatedHeader()}${offsiteKnownHostsLine(ctx.backup.offsite)}\n`,
          ),
        ]
      : []),
  ];
}
