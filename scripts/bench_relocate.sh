#!/usr/bin/env bash
# Relocation planning benchmark (docs/benchmarks.md#relocation-planning).
#
# Imports the N-person camp-closure scenario (default 100,000: 31 closing camps, each
# with its temporary site) into SQLite and PostgreSQL, then runs `haven bench relocate`:
# the planner alone on the whole operation as one problem, and one real plan per camp
# through the use case (reads, plan, manifests and audit written in one transaction).
#
#   scripts/bench_relocate.sh [PEOPLE]
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${1:-100000}
WORK=${HAVEN_BENCH_DIR:-/tmp/haven-bench}
mkdir -p "$WORK"
cargo build --release -q -p haven-cli
HAVEN=$PWD/target/release/haven
export HAVEN_ACTOR=bench

SCEN=$WORK/scen-$PEOPLE
if [ ! -f "$SCEN/households.csv" ]; then
  $HAVEN scenario camp-closure --seed 1 --people "$PEOPLE" --out "$SCEN" >/dev/null
fi
echo "scenario: $PEOPLE people, $(($(wc -l < "$SCEN/households.csv") - 1)) rows"

echo "== SQLite"
DB=$WORK/relocate.db
rm -f "$DB" "$DB-wal" "$DB-shm"
$HAVEN --db "sqlite://$DB" import dir "$SCEN" >/dev/null
$HAVEN --db "sqlite://$DB" bench relocate
$HAVEN --db "sqlite://$DB" ledger --json | python3 -c "import json,sys; r=json.load(sys.stdin); assert r['balanced'] and r['registered']==$PEOPLE, r"

echo "== PostgreSQL"
export HAVEN_PG_PORT=${HAVEN_PG_PORT:-54349} HAVEN_PG_DIR=$WORK/pg-relocate
PG=$(scripts/pg-test.sh start)
trap 'scripts/pg-test.sh stop' EXIT
$HAVEN --db "$PG" import dir "$SCEN" >/dev/null
$HAVEN --db "$PG" bench relocate
$HAVEN --db "$PG" ledger --json | python3 -c "import json,sys; r=json.load(sys.stdin); assert r['balanced'] and r['registered']==$PEOPLE, r"
