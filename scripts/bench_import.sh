#!/usr/bin/env bash
# Import and search benchmark (docs/benchmarks.md).
#
# Imports the N-person camp-closure scenario (default 1,000,000) into SQLite and into
# PostgreSQL with Haven — validation, ledger movements and audit entries included — and,
# beside it, loads the same households.csv into a bare table with `sqlite3 .import` and
# `psql \copy`: the ceiling. Then measures search latency in-process.
#
#   scripts/bench_import.sh [PEOPLE]
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${1:-1000000}
WORK=${HAVEN_BENCH_DIR:-/tmp/haven-bench}
mkdir -p "$WORK"
cargo build --release -q -p haven-cli
HAVEN=$PWD/target/release/haven
export HAVEN_ACTOR=bench

now() { date +%s.%N; }
rate() { python3 -c "import sys; n,t=float(sys.argv[1]),float(sys.argv[2]); print(f'{t:8.2f} s  {n/t:>10,.0f} persons/s')" "$1" "$2"; }

SCEN=$WORK/scen-$PEOPLE
if [ ! -f "$SCEN/households.csv" ]; then
  $HAVEN scenario camp-closure --seed 1 --people "$PEOPLE" --out "$SCEN" >/dev/null
fi
echo "scenario: $PEOPLE people, $(($(wc -l < "$SCEN/households.csv") - 1)) rows, $(du -h "$SCEN/households.csv" | cut -f1)"

# --- SQLite -----------------------------------------------------------------------
DB=$WORK/bench.db
rm -f "$DB" "$DB-wal" "$DB-shm"
$HAVEN --db "sqlite://$DB" init >/dev/null
$HAVEN --db "sqlite://$DB" import sites "$SCEN/sites.csv" >/dev/null
$HAVEN --db "sqlite://$DB" import units "$SCEN/shelter_units.csv" >/dev/null
t0=$(now); $HAVEN --db "sqlite://$DB" import households "$SCEN/households.csv" >/dev/null; t1=$(now)
SQLITE_HAVEN=$(python3 -c "print($t1-$t0)")
$HAVEN --db "sqlite://$DB" ledger --json | python3 -c "import json,sys; r=json.load(sys.stdin); assert r['balanced'] and r['registered']==$PEOPLE, r"

RAW=$WORK/raw.db
rm -f "$RAW"
t0=$(now); sqlite3 "$RAW" -cmd ".mode csv" ".import $SCEN/households.csv people" ; t1=$(now)
SQLITE_RAW=$(python3 -c "print($t1-$t0)")

# --- PostgreSQL ---------------------------------------------------------------------
export HAVEN_PG_PORT=54339 HAVEN_PG_DIR=$WORK/pg
PG=$(scripts/pg-test.sh start)
trap 'scripts/pg-test.sh stop' EXIT
$HAVEN --db "$PG" init >/dev/null
$HAVEN --db "$PG" import sites "$SCEN/sites.csv" >/dev/null
$HAVEN --db "$PG" import units "$SCEN/shelter_units.csv" >/dev/null
t0=$(now); $HAVEN --db "$PG" import households "$SCEN/households.csv" >/dev/null; t1=$(now)
PG_HAVEN=$(python3 -c "print($t1-$t0)")
$HAVEN --db "$PG" ledger --json | python3 -c "import json,sys; r=json.load(sys.stdin); assert r['balanced'] and r['registered']==$PEOPLE, r"
COLS=$(head -1 "$SCEN/households.csv" | tr -d '\r' | sed 's/,/ text,/g; s/$/ text/')
psql -q "$PG" -c "CREATE TABLE people_raw ($COLS)"
t0=$(now); psql -q "$PG" -c "\\copy people_raw FROM '$SCEN/households.csv' WITH (FORMAT csv, HEADER true)"; t1=$(now)
PG_RAW=$(python3 -c "print($t1-$t0)")

echo
echo "import of $PEOPLE persons (validation, ledger and audit included for Haven)"
printf "  %-28s %s\n" "Haven -> SQLite" "$(rate "$PEOPLE" "$SQLITE_HAVEN")"
printf "  %-28s %s\n" "sqlite3 .import (ceiling)" "$(rate "$PEOPLE" "$SQLITE_RAW")"
printf "  %-28s %s\n" "Haven -> PostgreSQL" "$(rate "$PEOPLE" "$PG_HAVEN")"
printf "  %-28s %s\n" "psql \\copy (ceiling)" "$(rate "$PEOPLE" "$PG_RAW")"
python3 -c "print(f'  share of ceiling: SQLite {$SQLITE_RAW/$SQLITE_HAVEN:.0%}, PostgreSQL {$PG_RAW/$PG_HAVEN:.0%}')"

echo
$HAVEN --db "sqlite://$DB" bench search --queries 900
echo
echo "(PostgreSQL)"
$HAVEN --db "$PG" bench search --queries 900
