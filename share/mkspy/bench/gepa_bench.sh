#!/bin/sh
# dspy.GEPA against mkspy: builds the release binaries, then runs gepa_bench.py (flags pass
# through) with the Python that has dspy==3.4.1: MKSPY_PYTHON, else the runtime mkspy set up
# in ~/.cache/mkspy, else python3.
#
#   sh share/mkspy/bench/gepa_bench.sh [--seeds 0,1,2,3,4] [--budget 200] [--latency-ms 100] [--jobs 8]
set -eu
cd "$(dirname "$0")/../../.."
swift build -c release >&2
BIN=$(swift build -c release --show-bin-path)
PY=${MKSPY_PYTHON:-}
if [ -z "$PY" ]; then
  for p in "${XDG_CACHE_HOME:-$HOME/.cache}"/mkspy/venv-*/bin/python; do [ -x "$p" ] && PY=$p; done
fi
PY=${PY:-python3}
"$PY" -c 'import dspy, gepa' 2>/dev/null || {
  echo "gepa_bench.sh: $PY has no dspy; set MKSPY_PYTHON to a Python with dspy==3.4.1 (run any mkspy tool once to set up its own)" >&2
  exit 3
}
exec "$PY" share/mkspy/bench/gepa_bench.py --bin "$BIN" "$@"
