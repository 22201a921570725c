#!/bin/sh
# The entrypoint of mailctl's PostgreSQL 17 image, built from Debian 13's packages where no
# registry is reachable. It keeps the official postgres image's documented contract:
# POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE (required on first start), POSTGRES_USER
# (postgres), POSTGRES_DB, PGDATA (/var/lib/postgresql/data), the *.sh and *.sql files in
# /docker-entrypoint-initdb.d run once on first start, and arguments passed to postgres.
set -eu
bin=/usr/lib/postgresql/17/bin
PGDATA=${PGDATA:-/var/lib/postgresql/data}
export PGDATA
if [ "$(id -u)" = 0 ]; then
  # Read while still root, as the official image does (its file_env runs before it drops
  # to postgres): mailctl's secret files are root's alone (0600).
  if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
    POSTGRES_PASSWORD=$(cat "$POSTGRES_PASSWORD_FILE")
    export POSTGRES_PASSWORD
    unset POSTGRES_PASSWORD_FILE
  fi
  mkdir -p "$PGDATA" /run/postgresql
  chown postgres:postgres "$PGDATA" /run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
  POSTGRES_PASSWORD=$(cat "$POSTGRES_PASSWORD_FILE")
fi
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "entrypoint: POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE is required to initialise $PGDATA" >&2
    exit 1
  fi
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  "$bin/initdb" --username="$user" --pwfile="$pwfile" --encoding=UTF8 --auth-local=trust \
    --auth-host=scram-sha-256
  rm -f "$pwfile"
  # As the official image: every address may try, with SCRAM (the host's port mapping
  # decides who reaches it).
  echo 'host all all all scram-sha-256' >>"$PGDATA/pg_hba.conf"
  "$bin/pg_ctl" -w -o "-c listen_addresses='' -c unix_socket_directories=/run/postgresql" start
  sql() { "$bin/psql" -v ON_ERROR_STOP=1 -h /run/postgresql -U "$user" "$@"; }
  if [ "$db" != postgres ]; then
    sql -d postgres -c "CREATE DATABASE \"$db\""
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) . "$f" ;;
      *.sql) sql -d "$db" -f "$f" ;;
    esac
  done
  "$bin/pg_ctl" -w -m fast stop
fi
# The server's environment is readable in /proc: the password stays out of it.
unset POSTGRES_PASSWORD
exec "$bin/postgres" -c listen_addresses='*' -c unix_socket_directories=/run/postgresql "$@"
