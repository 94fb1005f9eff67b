#!/usr/bin/env bash
# `spyglass record --async` against CPython 3.15's own profiler (`python3.15 -m profiling.sampling
# attach --async-aware --async-mode all`, the one other tool that shows every task, not py-spy,
# which has no task view), in the same run, on the same target: tests/targets/asyncwork.py (a
# main task gathering 20 named tasks three coroutines deep; 18 asleep, cpu-0 and cpu-1 burning
# CPU in bursts they time themselves). Both attach by PID to a target in its steady state,
# pinned as the other bench scripts pin (TARGET_CPU, PROF_CPU), at RATE Hz for DURATION s;
# REPS runs each, alternating; and spyglass without --async ("plain", the cost of the stacks
# alone). Per run and as medians:
#   us/sample  the profiler process's CPU (user+sys, from the shell's `time`, start-up included)
#              per sampling instant it reports;
#   deep       of cpu-0's samples while it ran (its stack below the event loop for spyglass, a
#              stack not ending in asyncio's sleep for CPython's), the % whose leaf is burn, the
#              function it runs: what a profile can tell about a running task's own frames;
#   run%       cpu-0's samples while it ran, as a % of all its samples, next to the share of its
#              life the target measured in its bursts (truth).
# Figures can mislead: the target sleeps most of the time, so the profiler's CPU is not slowed
# by it; both tools read 21 tasks per sample (cost grows with tasks); on a loaded machine the
# profilers sample less while the target burns CPU, which lowers run% for both.
source "$(dirname "$0")/lib/common.sh"
ensure_spyglass
check_cpus
PY=${PY315:-$(ls -d "$PYENV_ROOT"/versions/3.15.*/bin/python3.15 2>/dev/null | grep -v debug | sort -V | tail -n1 || true)}
[ -n "$PY" ] && "$PY" -c 'import profiling.sampling' 2>/dev/null || die "no CPython 3.15 with profiling.sampling (scripts/cpython.sh 3.15)"
RATE=${RATE:-500}
DURATION=${DURATION:-3}
REPS=${REPS:-3}
TARGET=$REPO_DIR/tests/targets/asyncwork.py
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
echo "# $(basename "$0") on $(uname -n), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# spyglass: $SPYGLASS ($(cd "$REPO_DIR" && git rev-parse --short HEAD 2>/dev/null || echo '?')); peer: $PY -m profiling.sampling"
echo "# $RATE Hz, $DURATION s, $REPS runs each"

# Run a command pinned to CPU $1 (none when negative), in place of the shell that runs it.
pin() {
    local cpu=$1
    shift
    if [ "$cpu" -ge 0 ]; then exec taskset -c "$cpu" "$@"; else exec "$@"; fi
}
pinp() { if [ "$PROF_CPU" -ge 0 ]; then taskset -c "$PROF_CPU" "$@"; else "$@"; fi; }

# One run of tool ($1: spyglass or cpython); prints 'TOOL US_PER_SAMPLE DEEP RUN TRUTH SAMPLES'.
one() {
    local tool=$1 pid out=$W/$1.txt err=$W/$1.err t samples
    rm -f "$W/ready" "$W/self" "$out"
    (pin "$TARGET_CPU" "$PY" "$TARGET" "$W/self" "$((DURATION + 2))" "$W/ready" </dev/null >/dev/null 2>&1) &
    pid=$!
    for _ in $(seq 200); do [ -s "$W/ready" ] && break; sleep 0.05; done
    sleep 0.5
    TIMEFORMAT='%U %S'
    if [ "$tool" != cpython ]; then
        local async=--async
        [ "$tool" = plain ] && async=
        # shellcheck disable=SC2086
        { time pinp "$SPYGLASS" record $async --pid "$pid" -r "$RATE" -d "$DURATION" -o "$out" --top 0 2>"$err"; } 2>"$W/time"
        samples=$(sed -n 's/^spyglass: \([0-9]*\) samples of process.*/\1/p' "$err")
    else
        { time pinp "$PY" -m profiling.sampling attach "$pid" --async-aware --async-mode all --collapsed -o "$out" -r "$RATE" -d "$DURATION" >"$err" 2>&1; } 2>"$W/time"
        samples=$(sed -n 's/^Captured \([0-9]*\) samples.*/\1/p' "$err")
    fi
    wait "$pid" || true
    [ -n "${BENCH_VERBOSE:-}" ] && cat "$err" "$W/time" >&2
    t=$(awk '{ print $1 + $2 }' "$W/time")
    "$HARNESS_PY" - "$tool" "$out" "$W/self" "$t" "${samples:-0}" <<'EOF'
import sys
tool, path, self_path, cpu, samples = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
loop, b0, b1 = map(float, open(self_path).read().split())
ran = deep = allw = 0
for line in open(path, encoding="utf-8", errors="replace"):
    stack, _, w = line.rstrip("\n").rpartition(" ")
    w = int(w)
    f = stack.split(";")
    if tool != "cpython":
        if "Task cpu-0" not in f:
            continue
        running = any(x.startswith("BaseEventLoop.run_forever ") for x in f)
        leaf = f[-1].split(" (")[0]
    else:
        if not any(x.startswith("<task>:cpu-0:") for x in f):
            continue
        leaf = f[-1].split(":")[1] if f[-1].count(":") >= 2 else f[-1]
        running = leaf != "sleep"
    allw += w
    if running:
        ran += w
        deep += w if leaf == "burn" else 0
us = 1e6 * cpu / samples if samples else float("nan")
print("%s %.1f %.1f %.1f %.1f %d" % (tool, us, 100.0 * deep / ran if ran else 0,
      100.0 * ran / allw if allw else 0, 100.0 * b0 / (loop - 0.3), samples))
EOF
}

for r in $(seq "$REPS"); do
    for tool in spyglass cpython plain; do
        line=$(one "$tool")
        echo "$line" >>"$W/all"
        read -r name us deep run truth n <<<"$line"
        if [ "$name" = plain ]; then
            echo "run $r spyglass without --async: $us us/sample ($n samples)"
        else
            echo "run $r $name: $us us/sample ($n samples), deep $deep%, run% $run (truth $truth%)"
        fi
    done
done
med() { grep "^$1 " "$W/all" | awk -v c="$2" '{ print $c }' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for tool in spyglass cpython; do
    echo "RESULT async $tool: $(med "$tool" 2) us/sample, deep $(med "$tool" 3)%, run% $(med "$tool" 4) (truth $(med "$tool" 5)%)"
done
echo "RESULT async spyglass without --async: $(med plain 2) us/sample"
echo "RESULT async ratio: spyglass/cpython CPU per sample $(awk -v a="$(med spyglass 2)" -v b="$(med cpython 2)" 'BEGIN { printf "%.2f", a / b }')"
