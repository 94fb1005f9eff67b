#!/usr/bin/env bash
# Run every benchmark in turn (about 30 minutes on 2 CPUs) and finish with the RESULT lines
# of all of them. The whole output is also saved to bench/results/YYYYmmdd-HHMMSS.txt
# (NO_SAVE=1: don't). Arguments: which benchmarks (rate cost maxrate slowdown torn timeit
# states monitor raw html async coverage whole; default all). Environment variables are passed on (REPS, PYTHONS, TARGET_CPU, PROF_CPU, ...).
set -uo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=(rate cost maxrate slowdown torn timeit states monitor raw html async coverage whole)
if [ "${NO_SAVE:-0}" = 1 ]; then
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
else
    mkdir -p "$dir/results"
    log="$dir/results/$(date +%Y%m%d-%H%M%S).txt"
fi
failed=()
for b in "${benches[@]}"; do
    if [ ! -x "$dir/$b.sh" ]; then
        echo "run-all: no benchmark '$b'" | tee -a "$log" >&2
        failed+=("$b")
        continue
    fi
    start=$(date +%s)
    "$dir/$b.sh" 2>&1 | tee -a "$log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || failed+=("$b")
    echo "# $b.sh took $(( $(date +%s) - start )) s" | tee -a "$log"
done
{
    echo
    echo "== summary"
    grep '^RESULT' "$log"
    [ ${#failed[@]} -eq 0 ] || echo "run-all: failed to run: ${failed[*]}"
} | tee -a "$log.sum"
cat "$log.sum" >> "$log" && rm -f "$log.sum"
[ "${NO_SAVE:-0}" = 1 ] || echo "(saved to $log)"
[ ${#failed[@]} -eq 0 ]
