#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL server (Debian's postgresql package), so the suite proves the
# code works on PostgreSQL as well as SQLite. Usage: tests/with-postgres.sh COMMAND...  (the command sees
# HOUSING_TEST_POSTGRES_URL). The server lives in a temporary folder and is stopped on exit.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
data=$(mktemp -d /tmp/housing-pg.XXXXXX)
port=${HOUSING_TEST_POSTGRES_PORT:-55439}
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$data"
cleanup() { as_owner "$bin/pg_ctl" -D "$data/db" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$data"; }
trap cleanup EXIT
as_owner "$bin/initdb" -D "$data/db" -A trust -U postgres >/dev/null
# Durability is irrelevant for a test server; without fsync each CREATE DATABASE … TEMPLATE is fast.
as_owner "$bin/pg_ctl" -D "$data/db" -l "$data/server.log" -w -o \
  "-k $data -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
export HOUSING_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
"$@"
