import type { MailHostContext } from '../../render/host-context.js';
import { pgbackrestRepo, resticRepo } from '../../render/backup/index.js';
import { UserError } from '../../util/errors.js';
import { run } from '../../util/exec.js';
import { pgbackrest, resticEnv } from './tools.js';
import {
  pgbackrestVerifyFindings,
  readDataSubset,
  resticCheckFindings,
  type VerifyResult,
} from './verify-report.js';

/**
 * Reads the repositories back: `restic check` (all the data with `readData`, else the day's
 * seventh of it) and, in native mode, `pgbackrest verify` (every backup file and WAL segment
 * against its checksum). Changes nothing; both tools take the repository's lock.
 */
export async function verifyBackups(
  ctx: MailHostContext,
  opts: { readData: boolean; now: number },
): Promise<VerifyResult[]> {
  const results: VerifyResult[] = [];
  const subset = opts.readData ? '--read-data' : `--read-data-subset=${readDataSubset(opts.now)}`;
  const r = await run('restic', ['check', '--json', subset], {
    env: resticEnv(ctx.paths.backups),
    timeoutMs: 6 * 3600_000,
  });
  results.push({
    repository: 'files',
    location: resticRepo(ctx.paths.backups),
    check: `restic check ${subset}`,
    ...resticCheckFindings(r.code, r.stdout, r.stderr),
  });
  if (ctx.postgres.mode === 'native') {
    // Info on the console: that is where pgBackRest names each bad file.
    const v = await pgbackrest(
      ['--repo=1', '--output=text', '--verbose', '--log-level-console=info', 'verify'],
      {
        must: false,
      },
    );
    results.push({
      repository: 'database',
      location: pgbackrestRepo(ctx.paths.backups),
      check: 'pgbackrest verify',
      ...pgbackrestVerifyFindings(v.code, v.stdout, v.stderr),
    });
  }
  return results;
}

/** E_BACKUP_DAMAGED (exit 1) naming what is damaged, when any repository is. */
export function damageError(results: readonly VerifyResult[]): UserError | undefined {
  const bad = results.filter((r) => !r.ok);
  if (!bad.length) return undefined;
  return new UserError(
    'E_BACKUP_DAMAGED',
    bad
      .map(
        (r) =>
          `${r.repository} repository ${r.location}: ` +
          (r.damaged.length ? `damaged: ${r.damaged.join(', ')}` : (r.problem ?? 'check failed')),
      )
      .join('; '),
    { exitCode: 1 },
  );
}
