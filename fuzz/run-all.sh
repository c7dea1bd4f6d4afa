#!/bin/sh
# Usage: fuzz/run-all.sh [SECONDS]  (default 600, the issue's ten minutes): every target in turn, one at a time, niced; logs in fuzz/logs/, stats at the end of each.
set -eu; cd "$(dirname "$0")"; mkdir -p logs; for t in $(cargo +nightly fuzz list); do nice -n 10 cargo +nightly fuzz run "$t" -- -max_total_time="${1:-600}" -max_len=16384 -print_final_stats=1 >"logs/$t.log" 2>&1 || { echo "$t: FAILED, see fuzz/logs/$t.log and fuzz/artifacts/$t/"; continue; }; echo "$t: $(grep -E '^#[0-9]+.*(DONE|pulse)' "logs/$t.log" | tail -n 1)"; done
