/**
 * A real PostgreSQL 17 for tests, run from the Debian 13 checker root: initdb and postgres
 * run chrooted there as its postgres user, on a temporary directory bind-mounted into the
 * root in a private mount namespace (the root itself is never written), listening on a
 * Unix socket only. The server uses the pg_hba.conf and pg_ident.conf mailctl renders, so
 * tests log in exactly as mailctl does on a host: as root, by peer authentication.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, afterAll } from 'vitest';
import { useDatabase } from '../../src/db/host.js';
import { createDatabase, migrate } from '../../src/db/migrate.js';
import type { DbSettings } from '../../src/db/settings.js';
import { renderPostgres } from '../../src/render/postgres/index.js';
import { testHostContext } from '../../src/render/test-host-context.js';
import { debian13Root } from './debian13-root.js';

const BIN = '/usr/lib/postgresql/17/bin';
/** Where the temporary directory appears inside the root. */
const MOUNT = '/mnt';

/** The checker root, when MAILCTL_DEBIAN13_ROOT names one (CI); undefined skips the tests. */
export function postgresRoot(): string | undefined {
  if (!process.env.MAILCTL_DEBIAN13_ROOT) return undefined;
  return debian13Root(`${BIN.slice(1)}/postgres`, `${BIN.slice(1)}/initdb`);
}

export interface TestPostgres {
  /** The socket directory, as seen from this process. */
  socketDir: string;
  port: number;
  stop(): Promise<void>;
}

function postgresIds(root: string): { uid: number; gid: number } {
  const line = readFileSync(join(root, 'etc/passwd'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error(`${root} has no postgres user`);
  return { uid: Number(uid), gid: Number(gid) };
}

/** argv that runs `cmd` as postgres inside the root, with `dir` mounted at MOUNT. */
function inRoot(root: string, dir: string, cmd: string[]): string[] {
  return [
    '--mount',
    '--propagation',
    'private',
    'sh',
    '-c',
    'mount --bind "$1" "$2$3" && shift 3 && exec "$@"',
    'sh',
    dir,
    root,
    MOUNT,
    'chroot',
    '--userspec=postgres:postgres',
    root,
    ...cmd,
  ];
}

export async function startPostgres(
  root: string,
  conf: { hba: string; ident: string; port?: number },
): Promise<TestPostgres> {
  const port = conf.port ?? 5432;
  const dir = mkdtempSync('/tmp/mailctl-pg-');
  chmodSync(dir, 0o755);
  const { uid, gid } = postgresIds(root);
  for (const sub of ['data', 'sock']) {
    mkdirSync(join(dir, sub));
    chownSync(join(dir, sub), uid, gid);
  }
  writeFileSync(join(dir, 'pg_hba.conf'), conf.hba);
  writeFileSync(join(dir, 'pg_ident.conf'), conf.ident);
  const init = spawnSync(
    'unshare',
    inRoot(root, dir, [
      `${BIN}/initdb`,
      '-D',
      `${MOUNT}/data`,
      '-U',
      'postgres',
      '--no-sync',
      '-E',
      'UTF8',
      '--locale=C',
    ]),
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr}${init.stdout}`);
  }
  const server: ChildProcess = spawn(
    'unshare',
    inRoot(root, dir, [
      `${BIN}/postgres`,
      '-D',
      `${MOUNT}/data`,
      '-p',
      String(port),
      '-k',
      `${MOUNT}/sock`,
      '-c',
      'listen_addresses=',
      '-c',
      `hba_file=${MOUNT}/pg_hba.conf`,
      '-c',
      `ident_file=${MOUNT}/pg_ident.conf`,
      '-c',
      'fsync=off',
    ]),
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  server.stderr?.on('data', (b: Buffer) => (log += b.toString()));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const socketDir = join(dir, 'sock');
  const stop = async () => {
    // SIGINT is PostgreSQL's fast shutdown: it ends the sessions and checkpoints.
    if (server.exitCode === null) server.kill('SIGINT');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  while (!log.includes('ready to accept connections')) {
    if (server.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`postgres did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!existsSync(join(socketDir, `.s.PGSQL.${port}`))) {
    await stop();
    throw new Error(`postgres is up but has no socket in ${socketDir}: ${log}`);
  }
  return { socketDir, port, stop };
}

/**
 * A server with the pg_hba.conf and pg_ident.conf mailctl renders for the test host, made
 * this process's mail database (src/db/host.ts). It has no mail database yet.
 */
export async function startMailPostgres(
  root: string,
): Promise<{ server: TestPostgres; settings: DbSettings }> {
  const ctx = testHostContext();
  const file = (name: string) =>
    renderPostgres(ctx).find((f) => f.path.endsWith(name))?.content ?? '';
  const server = await startPostgres(root, {
    hba: file('/pg_hba.conf'),
    ident: file('/pg_ident.conf'),
    port: ctx.postgres.port,
  });
  const settings: DbSettings = {
    mode: 'native',
    host: server.socketDir,
    port: server.port,
    database: ctx.postgres.database,
  };
  useDatabase(settings);
  return { server, settings };
}

/** The UserError code and exit code a promise rejects with, or what it settled with. */
export async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    const u = e as { name?: string; code?: unknown; exitCode?: unknown };
    return u.name === 'UserError' ? [u.code, u.exitCode] : e;
  }
}

/**
 * For a describe block: a mail PostgreSQL 17 from `root`, with mailctl's database made and
 * migrated before its tests, and stopped after them.
 */
export function useMigratedMailPostgres(root: string): void {
  let server: TestPostgres | undefined;
  beforeAll(async () => {
    ({ server } = await startMailPostgres(root));
    await createDatabase();
    await migrate();
  }, 300_000);
  afterAll(() => server?.stop(), 60_000);
}
