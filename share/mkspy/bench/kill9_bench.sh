#!/bin/sh
# The loop of share/mkspy/mkspy.mk killed with SIGKILL at N random points (default 100), the
# archive's last line cut short after half of them, then resumed to its end; prints the kills,
# records, pairs, complete records lost, pairs scored twice and LM answers repeated (calls in
# flight at a kill). It is the test KillNineTests with more kills (the test runs 20).
#
#     sh share/mkspy/bench/kill9_bench.sh [N]
set -eu
cd "$(dirname "$0")/../../.."
MKSPY_KILL_POINTS=${1:-100} swift test --filter KillNineTests 2>&1 | grep -E '^kill9:|✘|passed|failed'
