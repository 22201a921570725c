import { existsSync } from 'node:fs';
import { PG_PASS_FILE, PG_SERVICE_FILE, PG_SERVICE_NAME } from '../../render/postgres/index.js';
import { mustRun, run } from '../../util/exec.js';
import { UserError } from '../../util/errors.js';

export const MAIL_DATABASE = 'mailctl';

/**
 * Runs SQL on the host's PostgreSQL as the `postgres` superuser over the local socket (peer
 * authentication: no password exists to leak). Values are passed as psql variables and
 * quoted by psql itself (:'name'), never spliced into the SQL text.
 */
export async function psql(
  sql: string,
  vars: Record<string, string> = {},
  database = MAIL_DATABASE,
): Promise<string[][]> {
  const container = existsSync(PG_PASS_FILE);
  const args = ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-d'];
  args.push(container ? `service=${PG_SERVICE_NAME} dbname=${database}` : database);
  for (const [k, v] of Object.entries(vars)) args.push('-v', `${k}=${v}`);
  const r = container
    ? await run('psql', args, {
        input: sql,
        env: { ...process.env, PGSERVICEFILE: PG_SERVICE_FILE },
      })
    : await run('runuser', ['-u', 'postgres', '--', 'psql', ...args], { input: sql });
  if (r.code !== 0) {
    const msg = r.stderr.replace(/^psql:<stdin>:\d+: /gm, '').trim();
    if (
      /could not connect|No such file or directory|does not exist/.test(msg) &&
      /database|server|socket/.test(msg)
    ) {
      throw new UserError(
        'E_DB_UNAVAILABLE',
        `the mail database is not reachable on this host (run 'mailctl apply' first): ${msg}`,
      );
    }
    throw new Error(`psql failed: ${msg}`);
  }
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}

/** A SHA512-CRYPT hash in Dovecot's {SCHEME} form; the password travels on stdin only. */
export async function hashPassword(password: string): Promise<string> {
  // openssl passwd -6 is glibc's SHA512-CRYPT, which Dovecot and SOGo both verify.
  const r = await mustRun('openssl', ['passwd', '-6', '-stdin'], { input: `${password}\n` });
  return `{SHA512-CRYPT}${r.stdout.trim()}`;
}
