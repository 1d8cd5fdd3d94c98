#!/usr/bin/env bash
# Haven's whole test suite, from a fresh clone: formatting, lints, and every test on
# SQLite and on a real PostgreSQL server started here on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  echo "test: installing PostgreSQL" >&2
  if [ "$(id -u)" = "0" ]; then apt-get install -y -q postgresql >/dev/null; else sudo apt-get install -y -q postgresql >/dev/null; fi
fi

export HAVEN_TEST_POSTGRES_URL
HAVEN_TEST_POSTGRES_URL=$(scripts/pg-test.sh start)
trap 'scripts/pg-test.sh stop' EXIT
echo "test: PostgreSQL at $HAVEN_TEST_POSTGRES_URL" >&2

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
