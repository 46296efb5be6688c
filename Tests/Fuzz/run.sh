#!/bin/sh
# Fuzzes the Python parser with libFuzzer: sh Tests/Fuzz/run.sh [RUNS] (default 1000000).
set -e
mkdir -p .build-parser/fuzz-corpus
swiftc -sanitize=fuzzer -parse-as-library -O Sources/PythonSyntax/*.swift Tests/Fuzz/fuzz_parser.swift \
    -o .build-parser/fuzz_parser
.build-parser/fuzz_parser -runs="${1:-1000000}" -max_len=4096 -timeout=10 -print_final_stats=1 \
    .build-parser/fuzz-corpus Tests/PythonSyntaxTests/Fixtures/features
