#!/bin/sh
# Time and peak memory of mkspy-spec, mkspy-gen and mkspy-check on one spec whose types are
# a chain of aliases ("T0": "str", "T1": "T0", ...), at 1k, 2k, 5k and 10k aliases.
# Run from the repository root:  sh share/mkspy/bench/alias_chain_bench.sh [N...]
# Time must grow linearly with N: doubling N doubles the seconds, no more.
set -eu
swift build -c release --product mkspy-spec >/dev/null
swift build -c release --product mkspy-gen >/dev/null
swift build -c release --product mkspy-check >/dev/null
bin=$(swift build -c release --show-bin-path)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
[ $# -gt 0 ] || set -- 1000 2000 5000 10000
for n in "$@"; do
    python3 - "$n" >"$dir/spec.json" <<'PY'
import json, sys
n = int(sys.argv[1])
types = {"T0": "str"}
for i in range(1, n):
    types[f"T{i}"] = f"T{i - 1}"
last = f"T{n - 1}"
print(json.dumps({
    "name": "chain", "description": "Answer through a chain of aliases.", "types": types,
    "inputs": {"question": last}, "outputs": {"answer": last},
    "operations": [{"name": "respond", "inputs": {"question": last}, "outputs": {"answer": last},
                    "instruction": "Answer the question."}],
    "metric": {"kind": "exact", "field": "answer"}}))
PY
    previous=spec.json
    for tool in spec gen check; do
        /usr/bin/time -v -o "$dir/time" "$bin/mkspy-$tool" "$dir/$previous" >"$dir/$tool.jsonl" 2>"$dir/err" ||
            { echo "mkspy-$tool failed at $n aliases:"; cat "$dir/err"; exit 1; }
        previous=$tool.jsonl
        awk -v n="$n" -v tool="mkspy-$tool" '
            /Elapsed \(wall clock\)/ { split($NF, t, ":"); secs = (length(t) == 3) ? t[1] * 3600 + t[2] * 60 + t[3] : t[1] * 60 + t[2] }
            /Maximum resident set size/ { kib = $NF }
            END { printf "%-12s %6d aliases: %7.2f s, peak RSS %6.1f MiB\n", tool, n, secs, kib / 1024 }' "$dir/time"
    done
done
echo "reproduce: sh share/mkspy/bench/alias_chain_bench.sh"
