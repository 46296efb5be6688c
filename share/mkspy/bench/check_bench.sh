#!/bin/sh
# Throughput of mkspy-check: generated candidates checked per second, on one core.
# Run from the repository root:  sh share/mkspy/bench/check_bench.sh [N]
# N (default 20000) candidates are rendered by mkspy-gen from share/mkspy/examples in every
# strategy and option, repeated to N records, then checked by one release mkspy-check -q
# (one process, one thread at a time). "Per core" divides by the CPU time the process used,
# so it does not depend on what else the machine runs; "wall" does.
# Set MKSPY_SCRATCH to build in another scratch folder.
set -eu
n=${1:-20000}
scratch=${MKSPY_SCRATCH:-.build}
for p in mkspy-spec mkspy-gen mkspy-check; do
    swift build -c release --scratch-path "$scratch" --product "$p" >/dev/null
done
bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for spec in share/mkspy/examples/*/spec.json; do
    for options in "" "--async" "--stream" "--async --stream"; do
        # shellcheck disable=SC2086
        "$bin/mkspy-spec" "$spec" | "$bin/mkspy-gen" --strategies predict,cot,react $options >>"$dir/seed.jsonl"
    done
done
seeds=$(wc -l <"$dir/seed.jsonl")
awk -v n="$n" '{ line[NR] = $0 } END { for (i = 0; i < n; i++) print line[i % NR + 1] }' "$dir/seed.jsonl" >"$dir/candidates.jsonl"
bytes=$(wc -c <"$dir/candidates.jsonl")
/usr/bin/time -f '%e %U %S %M' -o "$dir/time" "$bin/mkspy-check" -q "$dir/candidates.jsonl" >"$dir/out.jsonl"
read -r secs user sys kib <"$dir/time"
clean=$(grep -c '"check":{"diagnostics":\[\],"ok":true,' "$dir/out.jsonl" || true)
awk -v n="$n" -v s="$secs" -v u="$user" -v y="$sys" -v k="$kib" -v b="$bytes" -v seeds="$seeds" -v clean="$clean" 'BEGIN {
    cpu = u + y; if (cpu <= 0) cpu = 0.01
    printf "mkspy-check: %d generated candidates (%d distinct, %.1f MB), %d clean, in %.2f s wall, %.2f s CPU\n", n, seeds, b / 1e6, clean, s, cpu
    printf "mkspy-check: %.0f programs/s wall, %.0f programs/s per core (goal >= 1000), peak RSS %.1f MiB\n", n / s, n / cpu, k / 1024 }'
echo "reproduce: sh share/mkspy/bench/check_bench.sh $n"
