#!/bin/sh
# mkspy-serve's cost: GET /jobs/{id} requests per second while a job runs, and the server's
# overhead on a job's wall time (the same loop, same task, seed and budget, run by make directly
# and as a job through the server). Offline: the rules stand-in on 127.0.0.1, stopped at the end.
#
#   sh share/mkspy/bench/serve_bench.sh
#   BENCH_CALLS=120 BENCH_SECONDS=10 BENCH_CLIENTS=4 MKSPY_BIN_DIR=.build/release sh share/mkspy/bench/serve_bench.sh
set -eu
cd "$(dirname "$0")/../../.."
ROOT=$(pwd)
CALLS=${BENCH_CALLS:-80}
SECONDS_LOAD=${BENCH_SECONDS:-5}
CLIENTS=${BENCH_CLIENTS:-2}
if [ -n "${MKSPY_BIN_DIR:-}" ]; then BIN=$(cd "$MKSPY_BIN_DIR" && pwd)
elif [ -x .build/release/mkspy-serve ]; then BIN=$ROOT/.build/release
else BIN=$ROOT/.build/debug; fi
[ -x "$BIN/mkspy-serve" ] || { echo "serve_bench: no $BIN/mkspy-serve; run swift build (or -c release) first" >&2; exit 2; }
PY=${MKSPY_PYTHON:-}
[ -n "$PY" ] || PY=$(ls -d "${XDG_CACHE_HOME:-$HOME/.cache}"/mkspy/venv-$(python3 -c "import hashlib,sys;print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest()[:16])" share/mkspy/runtime/requirements.txt)/bin/python 2>/dev/null || true)
[ -x "$PY" ] || { echo "serve_bench: the runtime (with fastapi) is not set up: start $BIN/mkspy-serve once, which sets it up, or set MKSPY_PYTHON" >&2; exit 3; }
TASK=share/mkspy/bench/rules_task
WORK=$(mktemp -d)
STANDIN_PID= SERVER_PID=
stop() {
  [ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null || true
  [ -z "$STANDIN_PID" ] || kill "$STANDIN_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap stop EXIT INT TERM
now() { python3 -c 'import time; print(time.monotonic())'; }
wait_for() { i=0; until [ -s "$1" ]; do i=$((i + 1)); [ $i -lt 600 ] || { echo "serve_bench: $2 did not start" >&2; exit 3; }; sleep 0.1; done; }

"$PY" share/mkspy/bench/rules_lm.py --rules $TASK/rules.json --port 0 --max-seconds 3600 > "$WORK/standin.out" 2>/dev/null &
STANDIN_PID=$!
wait_for "$WORK/standin.out" "the LM stand-in"
export MKSPY_LM=openai/standin MKSPY_LM_BASE=http://127.0.0.1:$(sed 's/[^0-9]//g' "$WORK/standin.out")/v1 MKSPY_LM_KEY=standin
export MKSPY_PYTHON=$PY MKSPY_SHARE=$ROOT/share/mkspy

# The job: the rules task with its rules written into the metric's source, as a client sends it.
"$PY" - "$TASK" "$CALLS" > "$WORK/job.json" <<'PYEOF'
import json, sys
task, calls = sys.argv[1], int(sys.argv[2])
rows = lambda n: [json.loads(l) for l in open(f"{task}/{n}.jsonl")]
source = open(f"{task}/metric.py").read().replace(
    'with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "rules.json"), encoding="utf-8") as _f:\n    RULES = json.load(_f)',
    "RULES = json.loads(%r)" % open(f"{task}/rules.json").read())
print(json.dumps({"spec": json.load(open(f"{task}/spec.json")), "metric": {"kind": "python", "source": source, "function": "metric"},
                  "train": rows("train"), "val": rows("val"), "test": rows("test"), "max_calls": calls, "children": 1, "seed": 0}))
PYEOF

# 1. The loop by make, in a directory laid out as the server lays a job's out.
mkdir -p "$WORK/make"
"$PY" - "$WORK/job.json" "$WORK/make" <<'PYEOF'
import json, sys
job, out = json.load(open(sys.argv[1])), sys.argv[2]
metric = {k: v for k, v in job["metric"].items() if k != "source"} | {"path": "metric.py"}
open(f"{out}/metric.py", "w").write(job["metric"]["source"])
json.dump({**job["spec"], "metric": metric}, open(f"{out}/spec.json", "w"))
for n in ("train", "val", "test"):
    open(f"{out}/{n}.jsonl", "w").write("".join(json.dumps(r) + "\n" for r in job[n]))
PYEOF
MAKE_CMD="make -s -f $ROOT/share/mkspy/mkspy.mk mkspy MKSPY_SHARE_DIR=$ROOT/share/mkspy MKSPY_BIN=$BIN/ RUN=. PYTHON=$PY SPEC=spec.json TRAIN=train.jsonl VAL=val.jsonl TEST=test.jsonl MAX_CALLS=$CALLS CHILDREN=1 SEED=0"
t0=$(now)
(cd "$WORK/make" && MKSPY_PROGRESS=json $MAKE_CMD SCORE_FLAGS="--cache lm-cache --log log.jsonl" EVOLVE_FLAGS="--cache lm-cache" > /dev/null 2>&1)
t1=$(now)

# 2. The same job through the server, followed by its event stream until it ends.
"$BIN/mkspy-serve" --port 0 --dir "$WORK/jobs" -q > "$WORK/url" 2> "$WORK/server.err" &
SERVER_PID=$!
wait_for "$WORK/url" "mkspy-serve"
URL=$(head -n 1 "$WORK/url")
submit() { curl -s -H 'Content-Type: application/json' --data-binary @"$WORK/job.json" "$URL/jobs" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }
t2=$(now)
ID=$(submit)
curl -sN "$URL/jobs/$ID/events" > /dev/null
t3=$(now)
STATUS=$(curl -s "$URL/jobs/$ID" | "$PY" -c 'import json,sys; j=json.load(sys.stdin); print(j["status"], j["metric_calls"], j["best_val"])')

# 3. Another such job, and GET /jobs/{id} as fast as CLIENTS keep-alive clients can while it runs.
ID2=$(submit)
sleep 2
cat > "$WORK/load.py" <<'PYEOF'
import http.client, sys, threading, time, urllib.parse
url, job, seconds, clients = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
host = urllib.parse.urlparse(url)
counts, errors, statuses = [0] * clients, [0] * clients, set()
def client(i):
    c = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        c.request("GET", f"/jobs/{job}")
        r = c.getresponse()
        body = r.read()
        if r.status != 200:
            errors[i] += 1
        else:
            statuses.add(body.split(b'"status":"')[1].split(b'"')[0].decode())
        counts[i] += 1
threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
print(f"{sum(counts) / seconds:.0f} {sum(errors)} {'/'.join(sorted(statuses))}")
PYEOF
LOAD=$("$PY" "$WORK/load.py" "$URL" "$ID2" "$SECONDS_LOAD" "$CLIENTS")
curl -s -X DELETE "$URL/jobs/$ID2" > /dev/null
IDLE=$("$PY" "$WORK/load.py" "$URL" "$ID2" "$SECONDS_LOAD" "$CLIENTS")

MAKE_S=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
SERVE_S=$(python3 -c "print(f'{$t3 - $t2:.1f}')")
OVER=$(python3 -c "print(f'{$t3 - $t2 - ($t1 - $t0):+.1f} s ({($t3 - $t2) / ($t1 - $t0) * 100 - 100:+.1f}%)')")
set -- $LOAD
echo "mkspy-serve bench: rules task, --children 1, --seed 0, max_calls $CALLS, rules stand-in on 127.0.0.1, $(nproc) cores, tools in $BIN"
echo "  job wall time by make:          $MAKE_S s"
echo "  job wall time via the server:   $SERVE_S s (POST to the end of its event stream; job: $STATUS)"
echo "  server overhead on wall time:   $OVER (one run each: the loop's own variance is of that order)"
echo "  GET /jobs/{id} while a job runs: $1 requests/s ($CLIENTS keep-alive clients, ${SECONDS_LOAD}s, $2 errors; status seen: $3)"
set -- $IDLE
echo "  GET /jobs/{id}, no job running:  $1 requests/s (same clients; status seen: $3)"
echo "  command: BENCH_CALLS=$CALLS BENCH_SECONDS=$SECONDS_LOAD BENCH_CLIENTS=$CLIENTS MKSPY_BIN_DIR=$BIN sh share/mkspy/bench/serve_bench.sh"
