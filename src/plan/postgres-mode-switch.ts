import type { MailHostContext } from '../render/host-context.js';

/** Where Debian's postgresql-17 keeps the native mode's cluster (17/main). */
export const NATIVE_DATA_DIR = '/var/lib/postgresql/17/main';

/** Which data directories on the host hold a PostgreSQL cluster (a PG_VERSION file). */
export interface PostgresDataFacts {
  native: boolean;
  container: boolean;
}

/**
 * Whether applying postgres.mode would start an empty database beside the one that holds
 * this host's data (pure): the mode names one data directory, and the host's cluster is in
 * the other one's only. Returns the refusal to report, or undefined. mailctl does not move
 * the data itself: a dump and restore between the two servers needs both running at once,
 * each with its own roles, and is the administrator's to check.
 */
export function postgresModeSwitchProblem(
  ctx: Pick<MailHostContext, 'postgres'>,
  facts: PostgresDataFacts,
): string | undefined {
  const { mode, dataDir, database } = ctx.postgres;
  const wanted = mode === 'container' ? facts.container : facts.native;
  const other = mode === 'container' ? facts.native : facts.container;
  if (wanted || !other) return undefined;
  const [from, oldDir, newDir] =
    mode === 'container'
      ? ['native', NATIVE_DATA_DIR, dataDir]
      : ['container', dataDir, NATIVE_DATA_DIR];
  return (
    `postgres.mode is ${mode}, but this host's database is the ${from} mode's (${oldDir}), and ` +
    `${newDir} holds none: apply would start an empty database beside it. Either set ` +
    `postgres.mode back to ${from}, or move the data yourself: dump the ${database} database ` +
    `(pg_dump) from the ${from} server, apply in ${mode} mode with the old data directory ` +
    'moved aside, and restore the dump into the new server (docs/install.md, "Switching postgres.mode")'
  );
}
