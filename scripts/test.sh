#!/usr/bin/env bash
# Haven's whole test suite, from a fresh clone: formatting, lints, and every test on
# SQLite and on a real PostgreSQL server started here on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

# Installs Debian packages (refreshing the package lists once if they are stale).
install_packages() {
  local sudo=""
  [ "$(id -u)" = "0" ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q "$@" >/dev/null 2>&1 ||
    { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q "$@" >/dev/null; }
}

if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  echo "test: installing PostgreSQL" >&2
  install_packages postgresql
fi

# The browser tests drive Debian's Chromium through chromedriver, on loopback only.
if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
  echo "test: installing chromium and chromium-driver" >&2
  install_packages chromium chromium-driver
fi

# The API fuzzing installs schemathesis from PyPI into a virtual environment.
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  echo "test: installing python3-venv" >&2
  install_packages python3-venv
fi

export HAVEN_TEST_POSTGRES_URL
HAVEN_TEST_POSTGRES_URL=$(scripts/pg-test.sh start)
trap 'scripts/pg-test.sh stop' EXIT
echo "test: PostgreSQL at $HAVEN_TEST_POSTGRES_URL" >&2

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
# The API against its own OpenAPI document (schemathesis), with the binary just built.
scripts/api-fuzz.sh
