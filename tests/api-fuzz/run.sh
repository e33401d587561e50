#!/usr/bin/env bash
# Fuzzes the JSON API with schemathesis (PyPI) against its own OpenAPI document: every
# operation, as an administrator and as a district officer, on a small demo database.
# Fails on any 5xx answer and on any answer that breaks the documented schema.
#
#   tests/api-fuzz/run.sh BINARY DATABASE_URL PORT
#
# BINARY is a built `jakpreneur`; DATABASE_URL a SQLite file that does not exist yet or an
# empty PostgreSQL database; schemathesis is taken from $SCHEMATHESIS (default: on PATH).
set -euo pipefail
bin=$1 db=$2 port=$3
st=${SCHEMATHESIS:-schemathesis}
work=$(mktemp -d)
export JAKPRENEUR__SECURITY__DATA_KEY_FILE="$work/jakpreneur.key"
export JAKPRENEUR__SECURITY__AUDIT_CHECKPOINT_FILE="$work/checkpoints.jsonl"
# The fuzzer sends thousands of requests from one address.
export JAKPRENEUR__SECURITY__LOGIN_ATTEMPTS_PER_MINUTE=1000000
export JAKPRENEUR__SECURITY__PUBLIC_REQUESTS_PER_MINUTE=1000000
export JAKPRENEUR_LOG=error

"$bin" --db "$db" migrate >/dev/null
account() { # username role [region]
  local region=()
  [ $# -gt 2 ] && region=(--region "$3")
  printf 'Fuzz-%s-%s-%s\n' "$1" "$RANDOM" "$RANDOM" |
    "$bin" --db "$db" user add --username "$1" --role "$2" "${region[@]}" --password-stdin >/dev/null
  "$bin" --db "$db" token create --username "$1" --name fuzz | tail -n 1
}
admin=$(account fuzzadmin admin)
officer=$(account fuzzcamat district_officer 31.71.01)
"$bin" --db "$db" demo --members 300 --seed 16 >/dev/null

"$bin" --db "$db" serve --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" \
    "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 1
done

status=0
for who in admin officer; do
  token=${!who}
  echo "--- schemathesis as the $who"
  "$st" run "http://127.0.0.1:$port/api/v1/openapi.json" \
    --checks not_a_server_error,response_schema_conformance \
    --header "Authorization: Bearer $token" \
    --phases examples,coverage,fuzzing \
    --max-examples "${FUZZ_EXAMPLES:-25}" \
    --workers 1 \
    --seed 20261204 \
    --no-color || status=1
done
if grep -qi "panicked" "$work/serve.log"; then
  echo "the server logged a panic:"; grep -i -A3 "panicked" "$work/serve.log"; status=1
fi
exit $status
