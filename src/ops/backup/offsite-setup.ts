import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { HostChange } from '../../plan/host-steps.js';
import {
  OFFSITE_SSH_KEY,
  PGBACKREST_OFFSITE_KEY,
  PGBACKREST_OFFSITE_REPO,
  resticOffsiteRepo,
} from '../../render/backup/index.js';
import type { MailHostContext, OffsiteContext } from '../../render/host-context.js';
import { mustRun, run } from '../../util/exec.js';
import { pgbackrest, pgbackrestInfo, resticOffsite, stanzaExists } from './tools.js';

const KEY_COPY = 'the off-site key for pgBackRest (postgres)';
const RESTIC_INIT = 'restic init (off-site)';
const STANZA_INIT = 'stanza-create (off-site repo2)';

/** Whether a change is the off-site copy's (applyOffsiteSetup's to make). */
export const isOffsiteChange = (c: HostChange) =>
  c.target === OFFSITE_SSH_KEY || [KEY_COPY, RESTIC_INIT, STANZA_INIT].includes(c.detail ?? '');

/** What the off-site copy still needs: the host's key, pgBackRest's copy, both repositories. */
export async function offsiteSetupChanges(ctx: MailHostContext): Promise<HostChange[]> {
  const o = ctx.backup.offsite;
  if (!o) return [];
  const changes: HostChange[] = [];
  const keyMissing = !existsSync(OFFSITE_SSH_KEY);
  if (keyMissing)
    changes.push({
      kind: 'secret',
      action: 'create',
      target: OFFSITE_SSH_KEY,
      detail: `the host's SSH key for ${o.host} (its public part is printed once)`,
    });
  const native = ctx.postgres.mode === 'native';
  if (native && (keyMissing || !(await sameFile(OFFSITE_SSH_KEY, PGBACKREST_OFFSITE_KEY))))
    changes.push({
      kind: 'file',
      action: 'create',
      target: PGBACKREST_OFFSITE_KEY,
      detail: KEY_COPY,
    });
  // Without the key nothing can be asked of the server yet: both repositories are to make.
  const reach = keyMissing ? undefined : await resticOffsite(o, ['cat', 'config'], false);
  if (reach?.code !== 0)
    changes.push({
      kind: 'file',
      action: 'create',
      target: resticOffsiteRepo(o),
      detail: RESTIC_INIT,
    });
  if (native && (keyMissing || !stanzaExists(await pgbackrestInfo(PGBACKREST_OFFSITE_REPO))))
    changes.push({
      kind: 'database',
      action: 'create',
      target: `pgBackRest repo${PGBACKREST_OFFSITE_REPO} on ${o.host}`,
      detail: STANZA_INIT,
    });
  return changes;
}

/**
 * Makes them. The server may not accept the key yet (it was made a moment ago): then the
 * repositories are left for the next apply, with a note that says what to do, and the
 * apply goes on (mail does not depend on it).
 */
export async function applyOffsiteSetup(
  ctx: MailHostContext,
  changes: readonly HostChange[],
): Promise<string[]> {
  const o = ctx.backup.offsite;
  if (!o) return [];
  const notes: string[] = [];
  for (const c of changes) {
    if (c.kind === 'secret' && c.target === OFFSITE_SSH_KEY) {
      await mkdir(dirname(OFFSITE_SSH_KEY), { recursive: true, mode: 0o700 });
      await mustRun('ssh-keygen', [
        '-q',
        '-t',
        'ed25519',
        '-N',
        '',
        '-C',
        `mailctl-backup@${ctx.fqdn}`,
        '-f',
        OFFSITE_SSH_KEY,
      ]);
      const pub = (await readFile(`${OFFSITE_SSH_KEY}.pub`, 'utf8')).trim();
      notes.push(
        `made the host's SSH key for the off-site server ${OFFSITE_SSH_KEY}; authorize its ` +
          `public part for ${o.user} on ${o.host} (this is said once): ${pub}`,
      );
    } else if (c.detail === KEY_COPY) {
      await copyKeyForPostgres();
      notes.push(`gave pgBackRest its copy of the off-site key (${PGBACKREST_OFFSITE_KEY})`);
    } else if (c.detail === RESTIC_INIT) {
      const r = await resticOffsite(o, ['init', '--quiet'], false);
      notes.push(
        r.code === 0
          ? `made the off-site restic repository ${resticOffsiteRepo(o)}`
          : unreachable(o, 'restic', r.stderr),
      );
    } else if (c.detail === STANZA_INIT) {
      const r = await pgbackrest(['stanza-create'], { must: false });
      notes.push(
        r.code === 0
          ? `made pgBackRest's stanza in repo${PGBACKREST_OFFSITE_REPO} on ${o.host}`
          : unreachable(o, 'pgBackRest', r.stderr || r.stdout),
      );
    }
  }
  return notes;
}

const unreachable = (o: OffsiteContext, tool: string, why: string) =>
  `WARNING: ${tool} cannot use the off-site server ${o.user}@${o.host}:${o.port} yet ` +
  `(${lastLine(why)}); authorize the key printed when it was made (ssh-keygen -y -f ` +
  `${OFFSITE_SSH_KEY}), then run mailctl apply again`;

const lastLine = (s: string) => s.trim().split('\n').filter(Boolean).at(-1) ?? 'no answer';

async function sameFile(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([a, b].map((p) => readFile(p, 'utf8').catch(() => undefined)));
  return x !== undefined && x === y;
}

/** pgBackRest runs as postgres and cannot read root's secrets: it gets its own copy. */
export async function copyKeyForPostgres(): Promise<void> {
  const dir = dirname(PGBACKREST_OFFSITE_KEY);
  const ids = await run('id', ['-u', 'postgres']);
  const gid = await run('id', ['-g', 'postgres']);
  const uid = Number(ids.stdout.trim());
  const g = Number(gid.stdout.trim());
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chown(dir, uid, g);
  for (const [from, to, mode] of [
    [OFFSITE_SSH_KEY, PGBACKREST_OFFSITE_KEY, 0o600],
    [`${OFFSITE_SSH_KEY}.pub`, `${PGBACKREST_OFFSITE_KEY}.pub`, 0o644],
  ] as const) {
    await writeFile(to, await readFile(from), { mode });
    await chmod(to, mode);
    await chown(to, uid, g);
  }
}
