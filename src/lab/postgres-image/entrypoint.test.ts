/**
 * The entrypoint of the lab's PostgreSQL image keeps the official postgres image's
 * environment contract: run for real in the Debian 13 checker root (whose postgresql-17 is
 * the package the image is built from), as podman would start it, as root.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rootFile } from '../../render/types.js';
import { debian13Root, runInDebian13Root } from '../../../test/support/debian13-root.js';

const ENTRYPOINT = readFileSync(new URL('./entrypoint.sh', import.meta.url), 'utf8');
const root = debian13Root('usr/lib/postgresql/17/bin/postgres');

// Each start runs in the background, as the container's main process, until its socket
// answers (bounded: 60 s; 20 s was too few once, at load 15); the queries go over that
// socket as the superuser, then it is stopped (SIGINT, the image's STOPSIGNAL) and waited for.
const SCRIPT = `
set -u
export PGDATA=/srv/data
start() {
  /usr/local/bin/docker-entrypoint.sh -c listen_addresses= -c port=5499 "$@" >>/srv/log 2>&1 &
  pid=$!
  for i in $(seq 300); do [ -S /run/postgresql/.s.PGSQL.5499 ] && break; sleep 0.2; done
}
q() { runuser -u postgres -- /usr/lib/postgresql/17/bin/psql -h /run/postgresql -p 5499 -U postgres -At "$@"; }
stop() { kill -INT "$pid"; wait "$pid"; }
mkdir -p /srv
POSTGRES_DB=mailtest start
echo "first: $(q -d postgres -c "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database")"
echo "scram: $(q -d postgres -c "SELECT left(rolpassword, 14) FROM pg_authid WHERE rolname = 'postgres'")"
echo "init: $(q -d mailtest -c "SELECT count(*) FROM from_init_script")"
echo "hba: $(tail -n 1 /srv/data/pg_hba.conf)"
echo "owner: $(stat -c %U /srv/data)"
q -d mailtest -c "INSERT INTO from_init_script VALUES (2)" >/dev/null
stop
unset POSTGRES_PASSWORD_FILE
start
echo "again: $(q -d mailtest -c "SELECT count(*) FROM from_init_script")"
stop
cat /srv/log >&2
`;

describe.skipIf(!root)("the PostgreSQL image's entrypoint", () => {
  it('initialises PGDATA with the password file, POSTGRES_DB and the init scripts, once', () => {
    const r = runInDebian13Root(
      root ?? '',
      [
        rootFile('test', '/usr/local/bin/docker-entrypoint.sh', ENTRYPOINT, 0o755),
        rootFile('test', '/run/secrets/pw', 'correct horse', 0o600),
        rootFile(
          'test',
          '/docker-entrypoint-initdb.d/10-table.sql',
          'CREATE TABLE from_init_script (n int); INSERT INTO from_init_script VALUES (1);\n',
        ),
      ],
      ['env', 'POSTGRES_PASSWORD_FILE=/run/secrets/pw', 'sh', '-c', SCRIPT],
    );
    expect(r.stdout, r.stderr).toContain('first: mailtest,postgres,template0,template1');
    expect(r.stdout).toContain('scram: SCRAM-SHA-256$');
    expect(r.stdout).toContain('init: 1');
    expect(r.stdout).toContain('hba: host all all all scram-sha-256');
    expect(r.stdout).toContain('owner: postgres');
    // The second start keeps the data, runs no init script, and needs no password.
    expect(r.stdout).toContain('again: 2');
  }, 150_000);

  it('refuses to initialise without a password, and starts nothing', () => {
    const r = runInDebian13Root(
      root ?? '',
      [rootFile('test', '/usr/local/bin/docker-entrypoint.sh', ENTRYPOINT, 0o755)],
      [
        'sh',
        '-c',
        'PGDATA=/srv/data /usr/local/bin/docker-entrypoint.sh; echo "exit $?"; ls /srv/data | wc -l',
      ],
    );
    expect(r.stdout, r.stderr).toMatch(/exit 1\n0\n/);
    expect(r.stderr).toContain('POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE is required');
  }, 60_000);
});
