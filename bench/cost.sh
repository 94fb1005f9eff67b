#!/usr/bin/env bash
# Profiler CPU per sample on a 20-frame stack, Python 3.11 and 3.13: spyglass at --rate
# 1000 and max, py-spy --nonblocking at --rate 1000 and 100000. CPU is the profiler
# process's user+sys (wait4 rusage) / samples in its output; median of REPS (3).
# Also measures the CPU cost of merely waking up 1000 times a second on this machine
# (bench/lib/wakeup.c; skipped without a C compiler), the floor under the 1 kHz figures.
# Goal: spyglass <= 5 us per sample.
source "$(dirname "$0")/lib/common.sh"
bench_setup
floor=()
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ${CC:-cc} -O2 -o "$tmp/wakeup" "$BENCH_DIR/lib/wakeup.c" 2>/dev/null; then
    pin=()
    [ "$PROF_CPU" -ge 0 ] && pin=(taskset -c "$PROF_CPU")
    floor=(--wakeup-us "$("${pin[@]}" "$tmp/wakeup" 1000 2)")
fi
# shellcheck disable=SC2086
harness cost --pythons ${PYTHONS:-3.11 3.13} --depth 20 --pyspy-high "${PYSPY_HIGH:-100000}" \
    --duration "${DURATION:-4}" --reps "${REPS:-3}" "${floor[@]}" "$@"
