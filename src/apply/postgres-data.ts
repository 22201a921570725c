import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NATIVE_DATA_DIR, postgresModeSwitchProblem } from '../plan/postgres-mode-switch.js';
import type { MailHostContext } from '../render/host-context.js';
import { UserError } from '../util/errors.js';

/**
 * Refuses (E_POSTGRES_MODE_SWITCH, exit 1) a postgres.mode whose data directory is empty
 * while the other mode's holds the host's cluster; plan and apply both call it first.
 */
export function refusePostgresModeSwitch(ctx: Pick<MailHostContext, 'postgres'>): void {
  const problem = postgresModeSwitchProblem(ctx, {
    native: existsSync(join(NATIVE_DATA_DIR, 'PG_VERSION')),
    container: existsSync(join(ctx.postgres.dataDir, 'PG_VERSION')),
  });
  if (problem) throw new UserError('E_POSTGRES_MODE_SWITCH', problem, { exitCode: 1 });
}
