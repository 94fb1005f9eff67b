#!/usr/bin/env bash
# spyglass monitor's own CPU use at a 10 ms interval on a 50-thread Python target (goal: at most
# 1% of one CPU), measured with wait4 like the other benchmarks, next to a psutil polling loop
# that does the same reads at the same interval (psutil is installed from PyPI into the
# harness's Python if missing). Knobs: REPS (5), DURATION (5 s), THREADS (50), PYTHON (3.11).
source "$(dirname "$0")/lib/common.sh"
ensure_spyglass
check_cpus
"$HARNESS_PY" -c 'import psutil' 2>/dev/null || "$HARNESS_PY" -m pip install -q psutil >&2 ||
    echo "bench: psutil could not be installed: no peer figure" >&2
echo "# $(basename "$0") on $(uname -n), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# spyglass: $SPYGLASS ($(cd "$REPO_DIR" && git rev-parse --short HEAD 2>/dev/null || echo '?'))"
# The floor: a process that only wakes up 1/interval times a second (lib/wakeup.c).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
floor=()
if ${CC:-cc} -O2 -o "$tmp/wakeup" "$BENCH_DIR/lib/wakeup.c" 2>/dev/null; then
    pin=()
    [ "$PROF_CPU" -ge 0 ] && pin=(taskset -c "$PROF_CPU")
    floor=(--wakeup-us "$("${pin[@]}" "$tmp/wakeup" 100 2)")
fi
harness monitor --python "${PYTHON:-3.11}" --threads "${THREADS:-50}" --reps "${REPS:-5}" \
    --duration "${DURATION:-5}" "${floor[@]}" "$@"
