import type { MailHostContext } from '../../render/host-context.js';
import {
  PGBACKREST_OFFSITE_REPO,
  pgbackrestOffsiteLocation,
  pgbackrestRepo,
  resticOffsiteRepo,
  resticRepo,
} from '../../render/backup/index.js';
import { UserError } from '../../util/errors.js';
import { run } from '../../util/exec.js';
import { pgbackrest, resticEnv, resticOffsite } from './tools.js';
import {
  pgbackrestVerifyFindings,
  readDataSubset,
  resticCheckFindings,
  type VerifyResult,
} from './verify-report.js';

/**
 * Reads the repositories back: `restic check` (all the data with `readData`, else the day's
 * seventh of it) and, in native mode, `pgbackrest verify` (every backup file and WAL segment
 * against its checksum); with backup.offsite the same again on the server's copies, each
 * reported as its own repository. Changes nothing; both tools take the repository's lock.
 */
export async function verifyBackups(
  ctx: MailHostContext,
  opts: { readData: boolean; now: number },
): Promise<VerifyResult[]> {
  const results: VerifyResult[] = [];
  const native = ctx.postgres.mode === 'native';
  const subset = opts.readData ? '--read-data' : `--read-data-subset=${readDataSubset(opts.now)}`;
  const check = ['check', '--json', subset];
  const r = await run('restic', check, {
    env: resticEnv(ctx.paths.backups),
    timeoutMs: 6 * 3600_000,
  });
  results.push({
    repository: 'files',
    location: resticRepo(ctx.paths.backups),
    check: `restic check ${subset}`,
    ...resticCheckFindings(r.code, r.stdout, r.stderr),
  });
  if (native) results.push(await pgbackrestVerify(1, pgbackrestRepo(ctx.paths.backups)));
  const o = ctx.backup.offsite;
  if (o) {
    const off = await resticOffsite(o, check, false);
    results.push({
      repository: 'files-offsite',
      location: resticOffsiteRepo(o),
      check: `restic check ${subset}`,
      ...resticCheckFindings(off.code, off.stdout, off.stderr),
    });
    if (native)
      results.push(await pgbackrestVerify(PGBACKREST_OFFSITE_REPO, pgbackrestOffsiteLocation(o)));
  }
  return results;
}

async function pgbackrestVerify(repo: number, location: string): Promise<VerifyResult> {
  // Info on the console: that is where pgBackRest names each bad file.
  const v = await pgbackrest(
    [`--repo=${repo}`, '--output=text', '--verbose', '--log-level-console=info', 'verify'],
    { must: false },
  );
  return {
    repository: repo === 1 ? 'database' : 'database-offsite',
    location,
    check: `pgbackrest --repo=${repo} verify`,
    ...pgbackrestVerifyFindings(v.code, v.stdout, v.stderr),
  };
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
