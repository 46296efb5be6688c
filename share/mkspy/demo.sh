#!/bin/sh
# The whole mkspy loop, end to end: build release binaries (when missing or older than the
# sources), evolve a bundled task's program
# with spec → gen → check → score → evolve until the budget is spent, then write the best
# program (best.py) and a report (report.html) into ./mkspy-run/.
#
# Offline by default, against a local LM stand-in on 127.0.0.1 (stopped at the end). With
# MKSPY_LM set (and MKSPY_LM_BASE / MKSPY_LM_KEY as needed), it runs against that LM instead.
# The default task is the ticket-routing task of the GEPA benchmark, whose stand-in answers
# right only when the instruction states the task's hidden rules, so the scores climb as
# reflection learns them; MKSPY_DEMO_TASK names an example of share/mkspy/examples instead.
#
#   sh share/mkspy/demo.sh
#   MKSPY_DEMO_TASK=support_triage sh share/mkspy/demo.sh   a bundled example, generic stand-in
#   MKSPY_DEMO_TASK=rag_program sh share/mkspy/demo.sh      a DSPy program of your own (rag.py + metric.json)
#   MKSPY_DEMO_CALLS=300 MKSPY_DEMO_CHILDREN=4 MKSPY_RUN=/tmp/run sh share/mkspy/demo.sh
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
RUN=${MKSPY_RUN:-$ROOT/mkspy-run}
TASK=${MKSPY_DEMO_TASK:-rules}
CALLS=${MKSPY_DEMO_CALLS:-120}
CHILDREN=${MKSPY_DEMO_CHILDREN:-1}
case $TASK in
  rules) EX=share/mkspy/bench/rules_task
         STANDIN="share/mkspy/bench/rules_lm.py --rules $EX/rules.json"
         ABOUT="rules stand-in (share/mkspy/bench/rules_lm.py): right only when the instruction states the hidden rules" ;;
  *)     EX=share/mkspy/examples/$TASK
         STANDIN="share/mkspy/standin/standin_lm.py --answers $EX/train.jsonl"
         ABOUT="stand-in (share/mkspy/standin/standin_lm.py): oracle answers for train inputs, type-correct defaults otherwise; its answers do not depend on the instruction, so expect a flat curve" ;;
esac
# A spec, or a user's own program: a .py beside metric.json (rag_program).
SPEC=$EX/spec.json
METRIC=
if [ ! -f "$SPEC" ] && [ -f "$EX/metric.json" ]; then SPEC=$(ls "$EX"/*.py | head -n 1); METRIC=$EX/metric.json; fi
[ -f "$SPEC" ] || { echo "demo.sh: no task '$TASK' ($EX/spec.json)" >&2; exit 2; }
for split in train val; do
  [ -f "$EX/$split.jsonl" ] || { echo "demo.sh: task '$TASK' has no $EX/$split.jsonl to search on (see share/mkspy/examples/README.md for what it shows)" >&2; exit 2; }
done
TEST=
if [ -f "$EX/test.jsonl" ]; then TEST=$EX/test.jsonl; fi

# Build only when a release binary is missing or older than the sources. A binary whose
# sources did not change is not relinked, so after a build of all of them the stamp's time
# stands for theirs.
BIN=$(swift build -c release --show-bin-path)
STAMP=$BIN/.mkspy-demo-build
STALE=
for tool in mkspy-spec mkspy-gen mkspy-check mkspy-score mkspy-evolve; do
  if [ ! -x "$BIN/$tool" ]; then STALE="$BIN/$tool is missing"; break; fi
  REF=$BIN/$tool
  if [ -e "$STAMP" ]; then REF=$STAMP; fi
  NEWER=$(find Package.swift Sources -type f -newer "$REF" | head -n 1)
  if [ -n "$NEWER" ]; then STALE="$NEWER changed since $tool was built"; break; fi
done
if [ -n "$STALE" ]; then
  echo "== building release binaries (swift build -c release): $STALE"
  swift build -c release >&2
  touch "$STAMP"
else
  echo "== release binaries in $BIN are up to date with Package.swift and Sources/"
fi
PATH=$BIN:$PATH
export PATH

rm -rf "$RUN"
mkdir -p "$RUN"
STANDIN_PID=
stop_standin() { if [ -n "$STANDIN_PID" ]; then kill "$STANDIN_PID" 2>/dev/null || true; STANDIN_PID=; fi; }
trap stop_standin EXIT INT TERM
if [ -n "${MKSPY_LM:-}" ]; then
  echo "== LM: $MKSPY_LM (from MKSPY_LM)"
else
  python3 $STANDIN --host 127.0.0.1 --port 0 --max-seconds 3600 > "$RUN/standin.out" 2> "$RUN/standin.err" &
  STANDIN_PID=$!
  i=0
  until grep -q port "$RUN/standin.out" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 100 ] || { echo "demo.sh: the LM stand-in did not start; see $RUN/standin.err" >&2; exit 3; }
    sleep 0.1
  done
  PORT=$(sed 's/[^0-9]//g' "$RUN/standin.out")
  export MKSPY_LM=openai/standin MKSPY_LM_BASE=http://127.0.0.1:$PORT/v1 MKSPY_LM_KEY=standin
  echo "== LM: STAND-IN on 127.0.0.1:$PORT, not a real model: $ABOUT"
fi

echo "== evolving $SPEC for up to $CALLS metric calls (archive: $RUN/archive.jsonl)"
# The progress of mkspy-evolve (a line a step) and mkspy-score (redrawn on a terminal) shows on
# stderr; stdout carries only records, into the archive.
make -s -f share/mkspy/mkspy.mk mkspy MKSPY_SHARE_DIR=share/mkspy RUN="$RUN" SPEC="$SPEC" METRIC="$METRIC" \
  TRAIN="$EX/train.jsonl" VAL="$EX/val.jsonl" TEST="$TEST" MAX_CALLS="$CALLS" CHILDREN="$CHILDREN" JOBS=4 \
  CHECK_FLAGS="-q" SCORE_FLAGS="--cache $RUN/lm-cache" EVOLVE_FLAGS="--cache $RUN/lm-cache"

if [ -n "$TEST" ]; then
  jq -r '"best program \(.id) (\(.origin), generation \(.generation)): val \(.evolve.val.mean) on \(.evolve.val.n) examples, test \(.summary.mean) on \(.summary.scored)"' \
    "$RUN/best-test.jsonl"
else
  jq -r '"best program \(.id) (\(.origin), generation \(.generation)): val \(.evolve.val.mean) on \(.evolve.val.n) examples"' "$RUN/best.jsonl"
fi
if [ -n "$METRIC" ]; then echo "   $RUN/best.json is its state: $(basename "$SPEC" .py)'s program.load(\"$RUN/best.json\")"; fi
stop_standin
echo "== done: $RUN/best.py (the program), $RUN/report.html (open it in a browser), $RUN/archive.jsonl (rerun the loop to resume)"
if [ "$TASK" != rules ] && [ "${MKSPY_LM:-}" = openai/standin ]; then
  echo "   (the generic stand-in ignores instructions; for a run whose scores climb: sh share/mkspy/demo.sh)"
fi
