#!/usr/bin/env bash
# A property-based run of schemathesis (from PyPI) against Haven's API and its own
# OpenAPI document: a demo operation is served on loopback, and for each role a logged-in
# session is fuzzed. Fails on any server error or any response the document does not
# describe (status code, content type, schema), or any request that breaks the
# document's schema yet is accepted.
#
# One check is left out: positive_data_acceptance, which expects every request that fits
# the schema to succeed. A schema cannot say everything a use case checks (that a site
# exists, a date of birth is not in the future, a claim is at the right stage); such a
# request is refused with a documented 400 or 409, which does not contradict the document.
#
#   scripts/api-fuzz.sh [EXAMPLES]      (default 30 examples per operation)
#
# HAVEN_BIN picks the binary (default target/debug/haven, as built by cargo test).
set -euo pipefail
cd "$(dirname "$0")/.."

examples=${1:-30}
haven=${HAVEN_BIN:-${CARGO_TARGET_DIR:-target}/debug/haven}
venv=${HAVEN_FUZZ_VENV:-target/schemathesis-venv}
[ -x "$haven" ] || cargo build -q --bin haven
if [ ! -x "$venv/bin/schemathesis" ]; then
  echo "api-fuzz: installing schemathesis into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'schemathesis>=4.3,<5'
fi

work=$(mktemp -d)
db="sqlite://$work/haven.db"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$haven" --db "$db" demo --no-serve --people 400 >/dev/null
"$haven" --db "$db" serve --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -sf "$base/api/openapi.json" >/dev/null && break; sleep 0.1; done

status=0
for user in ${HAVEN_FUZZ_USERS:-registration sites rsd resettlement delegation monitor admin}; do
  login=$(curl -s -c "$work/jar" -H 'content-type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"demo-$user-password\"}" "$base/api/login")
  token=$(printf '%s' "$login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
  cookie=$(awk '$6 == "haven_session" {print $7}' "$work/jar")
  echo "api-fuzz: as $user" >&2
  # Logging out would end the session being fuzzed; logging in is fuzzed anonymously below.
  "$venv/bin/schemathesis" run "$base/api/openapi.json" \
    --checks all --exclude-checks positive_data_acceptance --max-examples "$examples" --seed 1 \
    --exclude-path /api/logout --exclude-path /api/login \
    -H "Cookie: haven_session=$cookie" -H "X-CSRF-Token: $token" \
    --no-color >"$work/$user.log" 2>&1 || { status=1; sed -n '/FAILURES/,/WARNINGS/p' "$work/$user.log"; }
  grep -E "generated|passed|failed" "$work/$user.log" | tail -2 >&2
done
echo "api-fuzz: anonymous" >&2
"$venv/bin/schemathesis" run "$base/api/openapi.json" --checks all \
  --exclude-checks positive_data_acceptance --max-examples "$examples" \
  --seed 1 --no-color >"$work/anonymous.log" 2>&1 || { status=1; sed -n '/FAILURES/,/WARNINGS/p' "$work/anonymous.log"; }
grep -E "generated|passed|failed" "$work/anonymous.log" | tail -2 >&2
exit $status
