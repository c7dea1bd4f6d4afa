#!/bin/sh
# Usage: fuzz/trim-corpus.sh [FILES]  (default 40): minimizes each target's corpus
# (`cargo fuzz cmin`, set-cover merge), then keeps the seeds (seed-*, written by seeds.py),
# the regression inputs (crash-*) and a fixed sample of the rest up to FILES files, so the
# checked-in corpus stays small; prints the coverage the kept corpus reaches.
set -eu
cd "$(dirname "$0")"
keep="${1:-40}"
for t in $(cargo +nightly fuzz list); do
    nice -n 10 cargo +nightly fuzz cmin "$t" -- -set_cover_merge=1 >/dev/null 2>&1
    python3 seeds.py >/dev/null
    python3 - "$t" "$keep" <<'PY'
import hashlib, os, random, sys
target, keep = sys.argv[1], int(sys.argv[2])
d = os.path.join("corpus", target)
files = sorted(os.listdir(d))
fixed = [f for f in files if f.startswith(("seed-", "crash-"))]
seen = {hashlib.sha1(open(os.path.join(d, f), "rb").read()).hexdigest() for f in fixed}
rest = [f for f in files if f not in fixed]
for f in rest:  # a minimized copy of a seed or a regression input is the same input
    if f in seen:
        os.remove(os.path.join(d, f))
rest = [f for f in rest if f not in seen]
room = max(keep - len(fixed), 0)
kept = set(random.Random(15).sample(rest, min(room, len(rest))))
for f in rest:
    if f not in kept:
        os.remove(os.path.join(d, f))
PY
    printf '%s: %s files, ' "$t" "$(ls "corpus/$t" | wc -l)"
    nice -n 10 cargo +nightly fuzz run "$t" -- -runs=0 2>&1 | grep -E 'INITED' | sed 's/.*INITED //'
done
