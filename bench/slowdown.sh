#!/usr/bin/env bash
# Slowdown of a fixed CPU-bound workload (~2.4 s on 3.11) pinned to CPU 0 while a profiler
# samples it at 1 kHz from CPU 1: alone / spyglass / a do-nothing process that only wakes up
# 1000 times a second on CPU 1 (bench/lib/wakeup.c: the floor any 1 kHz sampler pays on this
# machine; skipped without a C compiler) / py-spy --nonblocking / py-spy (blocking),
# interleaved, REPS (7) rounds; medians. PYTHONS="3.11 3.12" adds 3.12.
# Goal: spyglass <= 1%.
source "$(dirname "$0")/lib/common.sh"
bench_setup
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
waker=()
if ${CC:-cc} -O2 -o "$tmp/wakeup" "$BENCH_DIR/lib/wakeup.c" 2>/dev/null; then
    waker=(--wakeup-bin "$tmp/wakeup")
fi
# shellcheck disable=SC2086
harness slowdown --pythons ${PYTHONS:-3.11} --rate 1000 --reps "${REPS:-7}" "${waker[@]}" "$@"
