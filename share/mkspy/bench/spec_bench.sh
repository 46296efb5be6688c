#!/bin/sh
# Throughput and peak memory of mkspy-spec over 10,000 and 100,000 specs.
# Run from the repository root:  sh share/mkspy/bench/spec_bench.sh
# Memory must stay flat as the input grows: mkspy-spec streams one record at a time.
set -eu
swift build -c release --product mkspy-spec >/dev/null
bin=$(swift build -c release --show-bin-path)/mkspy-spec
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for n in 10000 100000; do
    python3 share/mkspy/bench/make_specs.py "$n" >"$dir/specs.jsonl"
    bytes=$(wc -c <"$dir/specs.jsonl")
    /usr/bin/time -f '%e %M' -o "$dir/time" "$bin" "$dir/specs.jsonl" >"$dir/out.jsonl"
    read -r secs kib <"$dir/time"
    records=$(wc -l <"$dir/out.jsonl")
    awk -v n="$n" -v r="$records" -v s="$secs" -v k="$kib" -v b="$bytes" 'BEGIN {
        printf "mkspy-spec: %d specs (%.1f MB) -> %d records in %.2f s: %.0f specs/s, %.1f MB/s, peak RSS %.1f MiB\n",
               n, b / 1e6, r, s, n / s, b / 1e6 / s, k / 1024 }'
done
echo "reproduce: sh share/mkspy/bench/spec_bench.sh"
