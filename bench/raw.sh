#!/usr/bin/env bash
# What writing the raw format as it samples (record -f raw) adds to the profiler's CPU, against
# the collapsed output (written once at the end), on the same target: bench/targets/threads.py
# with N threads (THREADS, default 10: 2 spinning, the others blocked), Python 3.11 (PYTHON),
# --rate RATE (1000) for DURATION s (2), REPS (5) alternating pairs. CPU is the sampler's own
# account (the "us per sample" record prints: its CPU over the sampling loop / instants), so the
# start-up and the final write are left out; the median of each and the cost per thread sample
# are printed. Goal: raw costs at most 10% more per sampling instant.
source "$(dirname "$0")/lib/common.sh"
ensure_spyglass
check_cpus
THREADS=${THREADS:-10} RATE=${RATE:-1000} DURATION=${DURATION:-2} REPS=${REPS:-5}
PY=$(ls -d "$PYENV_ROOT"/versions/"${PYTHON:-3.11}".*/bin/python3 2>/dev/null | sort -V | tail -n1)
[ -n "$PY" ] || die "no Python ${PYTHON:-3.11} in $PYENV_ROOT/versions"
echo "# $(basename "$0") on $(uname -n), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# spyglass: $SPYGLASS ($(cd "$REPO_DIR" && git rev-parse --short HEAD 2>/dev/null || echo '?'))"
tmp=$(mktemp -d)
target=
cleanup() {
    [ -n "$target" ] && kill "$target" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
pin() { if [ "$1" -ge 0 ]; then echo taskset -c "$1"; fi; }

# shellcheck disable=SC2046
$(pin "$TARGET_CPU") "$PY" "$BENCH_DIR/targets/threads.py" "$THREADS" >"$tmp/ready" &
target=$!
for _ in $(seq 100); do
    grep -q ready "$tmp/ready" 2>/dev/null && break
    sleep 0.1
done
grep -q ready "$tmp/ready" || die "the target did not start"

# run FMT FILE: one recording; prints "us_per_instant thread_samples instants".
run() {
    local err=$tmp/err
    # shellcheck disable=SC2046
    $(pin "$PROF_CPU") "$SPYGLASS" record --pid "$target" -r "$RATE" -d "$DURATION" --top 0 \
        -f "$1" -o "$2" 2>"$err" || die "spyglass record failed: $(tail -n1 "$err")"
    local us instants samples
    us=$(sed -n 's/.*profiler used [0-9.]* s of CPU (\([0-9.]*\) us.*/\1/p' "$err")
    instants=$(sed -n 's/^spyglass: \([0-9]*\) samples of process.*/\1/p' "$err")
    if [ "$1" = raw ]; then
        samples=$("$SPYGLASS" report "$2" | awk '{ s += $NF } END { print s }')
    else
        samples=$(awk '{ s += $NF } END { print s }' "$2")
    fi
    echo "$us $samples $instants"
}

for rep in $(seq "$REPS"); do
    for fmt in collapsed raw; do
        read -r us samples instants < <(run $fmt "$tmp/out.$fmt")
        echo "$fmt $us $samples $instants" >>"$tmp/runs"
        printf '  rep %d %-9s %6.2f us per instant, %7d thread samples in %5d instants, %7d bytes\n' \
            "$rep" "$fmt" "$us" "$samples" "$instants" "$(wc -c <"$tmp/out.$fmt")"
    done
done
"${HARNESS_PY:-python3}" - "$tmp/runs" "$THREADS" "$RATE" <<'EOF'
import statistics, sys
runs = [l.split() for l in open(sys.argv[1])]
med = {f: statistics.median(float(r[1]) for r in runs if r[0] == f) for f in ("collapsed", "raw")}
per = statistics.median(int(r[2]) / int(r[3]) for r in runs if r[0] == "raw")
extra = (med["raw"] - med["collapsed"]) / per
print("  median: collapsed %.2f us, raw %.2f us per instant (%.1f thread samples each): raw adds "
      "%.3f us per thread sample" % (med["collapsed"], med["raw"], per, extra))
ratio = med["raw"] / med["collapsed"]
print("RESULT raw %s threads @ %s Hz: %.3f x collapsed's CPU per instant (goal <= 1.10): %s"
      % (sys.argv[2], sys.argv[3], ratio, "PASS" if ratio <= 1.10 else "FAIL"))
EOF
