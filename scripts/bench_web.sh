#!/usr/bin/env bash
# Web benchmark (docs/benchmarks.md#web): requests per second and latency percentiles of
# a person page and an API read, logged in, on the N-person operation (default 100,000),
# measured with wrk (Debian) on loopback, on SQLite and PostgreSQL.
#
# Every read of a person is audited (`person.view`), so each request also commits one
# audit entry under the writer lock: that cost is part of what is measured.
#
#   scripts/bench_web.sh [PEOPLE] [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${1:-100000}
SECONDS_EACH=${2:-20}
CONNS=${3:-16}
WORK=${HAVEN_BENCH_DIR:-/tmp/haven-bench}
mkdir -p "$WORK"
command -v wrk >/dev/null || { echo "bench_web: install wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release -q -p haven-cli
HAVEN=$PWD/target/release/haven
export HAVEN_ACTOR=bench

SCEN=$WORK/scen-$PEOPLE
if [ ! -f "$SCEN/households.csv" ]; then
  $HAVEN scenario camp-closure --seed 1 --people "$PEOPLE" --out "$SCEN" >/dev/null
fi
PERSON=$(awk -F, 'NR == int('"$PEOPLE"' / 2) + 1 {print $2}' "$SCEN/households.csv")
[ -n "$PERSON" ] || PERSON=P-000001

run() { # DB-URL LABEL
  local db=$1 label=$2 port server login token cookie
  $HAVEN --db "$db" import dir "$SCEN" >/dev/null
  $HAVEN --db "$db" agency add UNHCR --name "UN refugee agency" >/dev/null
  HAVEN_PASSWORD=bench-password-long $HAVEN --db "$db" user add bench --name Bench \
    --role registration_officer --agency UNHCR >/dev/null 2>&1 || true
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  $HAVEN --db "$db" serve --listen "127.0.0.1:$port" >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/login" >/dev/null && break; sleep 0.1; done
  login=$(curl -s -c "$WORK/jar" -H 'content-type: application/json' \
    -d '{"username":"bench","password":"bench-password-long"}' "http://127.0.0.1:$port/api/login")
  cookie=$(awk '$6 == "haven_session" {print $7}' "$WORK/jar")
  [ -n "$cookie" ] || { echo "bench_web: login failed: $login" >&2; kill $server; exit 1; }
  for path in "/people/$PERSON" "/api/people/$PERSON" "/api/search?q=Mohammad%20Ahmadi"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: haven_session=$cookie" "http://127.0.0.1:$port$path")
    [ "$code" = 200 ] || { echo "bench_web: $path answered $code" >&2; kill $server; exit 1; }
    out=$(wrk -t2 -c"$CONNS" -d"${SECONDS_EACH}s" --latency -H "Cookie: haven_session=$cookie" \
      "http://127.0.0.1:$port$path")
    rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(printf '%s\n' "$out" | awk '$1 == "50%" {print $2}')
    p99=$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')
    errs=$(printf '%s\n' "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
    printf '%-10s %-34s %10s req/s   p50 %8s   p99 %8s  %s\n' "$label" "$path" "$rps" "$p50" "$p99" "$errs"
  done
  kill $server; wait $server 2>/dev/null || true
}

echo "operation: $PEOPLE people; person $PERSON; wrk -t2 -c$CONNS -d${SECONDS_EACH}s on loopback, 2 cores shared by wrk and Haven"
DB=$WORK/web.db
rm -f "$DB" "$DB-wal" "$DB-shm"
run "sqlite://$DB" sqlite

export HAVEN_PG_PORT=${HAVEN_PG_PORT:-54349} HAVEN_PG_DIR=$WORK/pg-web
PG=$(scripts/pg-test.sh start)
trap 'scripts/pg-test.sh stop' EXIT
run "$PG" postgres
