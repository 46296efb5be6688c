#!/bin/sh
# Fuzzes mkspy-serve's API against its own OpenAPI schema with schemathesis (pinned in
# serve-requirements.txt, installed into a venv of its own, not the runtime's), against a live
# server on 127.0.0.1 whose LM is the stand-in. Passes when no request gets a 5xx.
#
#   sh Tests/Fuzz/serve_schemathesis.sh [BIN_DIR]    BIN_DIR: the built tools (default .build/debug)
#   FUZZ_EXAMPLES=100 FUZZ_SECONDS=600 sh Tests/Fuzz/serve_schemathesis.sh   (defaults 25 and 240: CI time)
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
BIN=$(cd "${1:-.build/debug}" && pwd)
VENV=${SCHEMATHESIS_VENV:-$ROOT/.build/schemathesis-venv}
PINS=$ROOT/Tests/Fuzz/serve-requirements.txt
if ! cmp -s "$PINS" "$VENV/pins.txt" 2>/dev/null; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-input -r "$PINS"
  cp "$PINS" "$VENV/pins.txt"
fi

WORK=$(mktemp -d)
STANDIN_PID= SERVER_PID=
stop() {
  [ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null || true
  [ -z "$STANDIN_PID" ] || kill "$STANDIN_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap stop EXIT INT TERM
python3 share/mkspy/standin/standin_lm.py --port 0 --max-seconds 1800 > "$WORK/standin.out" 2>/dev/null &
STANDIN_PID=$!
wait_for() {
  i=0
  until [ -s "$1" ]; do
    i=$((i + 1)); [ $i -lt 600 ] || { echo "serve_schemathesis: $2 did not start" >&2; cat "$WORK/server.err" >&2 2>/dev/null; exit 1; }
    sleep 0.1
  done
}
wait_for "$WORK/standin.out" "the LM stand-in"
export MKSPY_LM=openai/standin MKSPY_LM_BASE=http://127.0.0.1:$(sed 's/[^0-9]//g' "$WORK/standin.out")/v1 MKSPY_LM_KEY=standin
"$BIN/mkspy-serve" --port 0 --dir "$WORK/jobs" -q > "$WORK/url" 2> "$WORK/server.err" &
SERVER_PID=$!
wait_for "$WORK/url" "mkspy-serve"
URL=$(head -n 1 "$WORK/url")
echo "== schemathesis $("$VENV/bin/schemathesis" --version | sed 's/.*version //') against $URL/openapi.json"
status=0
cd "$WORK"  # schemathesis keeps a .schemathesis/ cache in the working directory
"$VENV/bin/schemathesis" run "$URL/openapi.json" --checks not_a_server_error --max-examples "${FUZZ_EXAMPLES:-25}" \
  --seed 1 --request-timeout 30 --max-time "${FUZZ_SECONDS:-240}" --workers 1 --no-color > "$WORK/fuzz.out" 2>&1 || status=$?
cat "$WORK/fuzz.out"
# The count in a plain closing line: schemathesis's own ends like a pytest line without one.
cases=$(sed -n 's/^ *\([0-9]*\) generated, .*/\1/p' "$WORK/fuzz.out" | tail -n 1)
passed=$(sed -n 's/.* generated, \([0-9]*\) passed.*/\1/p' "$WORK/fuzz.out" | tail -n 1)
echo "serve_schemathesis: ${passed:-0} passed, $(( ${cases:-0} - ${passed:-0} )) failed"
exit $status
