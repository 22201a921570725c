import { readFile } from 'node:fs/promises';
import { UserError } from '../../util/errors.js';
import { run } from '../../util/exec.js';
import type { Progress } from '../../util/progress.js';
import { hostExecArgv } from '../exec.js';
import { processAlive, readLabState } from '../state.js';
import { LAB_POSTGRES_IMAGE, postgresImageScript } from './build-script.js';

export interface BuiltImage {
  tag: string;
  id: string;
  bytes: number;
}

/**
 * Builds PostgreSQL 17's image on a running lab host, into its podman storage, from the
 * packages its root prefetched (postgresImageScript). About 25 s on an idle machine.
 */
export async function buildLabPostgresImage(
  name: string,
  entrypointPath: string,
  progress: Progress,
): Promise<BuiltImage> {
  const state = await readLabState(name);
  if (!state || !processAlive(state.initPid)) {
    throw new UserError(
      'E_LAB_DOWN',
      `lab '${name}' is not running (start it with 'mailctl lab up')`,
    );
  }
  progress.step(`building ${LAB_POSTGRES_IMAGE} with buildah from Debian 13's postgresql-17`);
  const script = postgresImageScript(await readFile(entrypointPath, 'utf8'));
  const argv = hostExecArgv(state, ['sh', '-s']);
  const r = await run(argv[0] ?? 'nsenter', argv.slice(1), {
    input: script,
    timeoutMs: 10 * 60_000,
  });
  const [id, size] = r.stdout.trim().split('\n').at(-1)?.split(' ') ?? [];
  if (r.code !== 0 || !id) {
    const tail = r.stderr.trim().split('\n').slice(-3).join(' | ');
    throw new UserError(
      'E_LAB_IMAGE',
      `building ${LAB_POSTGRES_IMAGE} on lab '${name}' failed (exit ${r.code}): ${tail}`,
    );
  }
  return { tag: LAB_POSTGRES_IMAGE, id, bytes: Number(size) };
}
