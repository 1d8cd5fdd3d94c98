#!/usr/bin/env bash
# Starts (or stops) a throw-away PostgreSQL server on loopback for Haven's tests.
#   scripts/pg-test.sh start   -> prints the database URL on stdout
#   scripts/pg-test.sh stop
# The server runs from a temporary data folder; as root it runs as the `postgres` user,
# since PostgreSQL refuses to run as root.
set -euo pipefail
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PGPORT=${HAVEN_PG_PORT:-54329}
STATE=${HAVEN_PG_DIR:-/tmp/haven-pg-test}

as_pg() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
      echo "pg-test: PostgreSQL server binaries not found (install postgresql)" >&2
      exit 1
    fi
    if [ -f "$STATE/data/postmaster.pid" ]; then
      as_pg "$PGBIN/pg_ctl" -D "$STATE/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$STATE"
    mkdir -p "$STATE"
    [ "$(id -u)" = "0" ] && chown postgres: "$STATE"
    as_pg "$PGBIN/initdb" -D "$STATE/data" -U haven --auth=trust -E UTF8 --locale=C.UTF-8 >"$STATE/initdb.log" 2>&1 \
      || { cat "$STATE/initdb.log" >&2; exit 1; }
    as_pg "$PGBIN/pg_ctl" -D "$STATE/data" -l "$STATE/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $STATE -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null || { cat "$STATE/server.log" >&2; exit 1; }
    as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U haven haven
    echo "postgres://haven@127.0.0.1:$PGPORT/haven"
    ;;
  stop)
    if [ -n "$PGBIN" ] && [ -f "$STATE/data/postmaster.pid" ]; then
      as_pg "$PGBIN/pg_ctl" -D "$STATE/data" -m fast stop >/dev/null 2>&1 || true
    fi
    rm -rf "$STATE"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
