#!/bin/sh
# dspy.GEPA against mkspy on the simulated task suite (share/mkspy/bench/suite): builds the
# release binaries, then runs suite_bench.py (flags pass through) with the Python that has
# dspy==3.4.1: MKSPY_PYTHON, else the runtime mkspy set up in ~/.cache/mkspy, else python3.
#
#   sh share/mkspy/bench/suite_bench.sh [--split tune|report|all] [--seeds 0,1,2,3,4] [--budgets 200,400,800] [--parallel 2]
#   sh share/mkspy/bench/suite_bench.sh --overhead [--busy-core] [--seeds 0] [--budgets 400]
#   sh share/mkspy/bench/suite_bench.sh --split report --budgets 400 --fail-rate 0.1 --confined   # a provider that fails
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
  echo "suite_bench.sh: $PY has no dspy; set MKSPY_PYTHON to a Python with dspy==3.4.1 (run any mkspy tool once to set up its own)" >&2
  exit 3
}
exec "$PY" share/mkspy/bench/suite_bench.py --bin "$BIN" "$@"
