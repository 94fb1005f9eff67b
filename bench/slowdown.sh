#!/usr/bin/env bash
# Slowdown of CPU-bound Python work pinned to CPU 0 while a profiler samples it at 1 kHz from
# CPU 1. Goal: spyglass <= 1%.
# 1. The figure (harness toggle): one target process runs PAIRS (40) pairs of fixed chunks of
#    work (~0.25 s on 3.11); the profiler stays attached and is stopped (SIGSTOP) for one chunk
#    of each pair and running for the other, in random order. Per pair, running/stopped; the
#    median over pairs with its distribution-free 95% CI, for wall and for CPU time. Conditions:
#    nothing attached (an A/A check of the method: its CI must hold 0), spyglass, a do-nothing
#    process that only wakes up 1000 times a second (bench/lib/wakeup.c: the floor any 1 kHz
#    sampler pays here; skipped without a C compiler), py-spy --nonblocking. (py-spy's blocking
#    mode cannot be stopped safely while it holds the target stopped: it is in part 2.)
# 2. Separate runs (harness slowdown): a fresh process per run, alone / spyglass / waker /
#    py-spy --nonblocking / py-spy (blocking), interleaved, REPS (7) rounds; REPS=0 skips it.
# PYTHONS="3.11 3.12" adds 3.12.
source "$(dirname "$0")/lib/common.sh"
bench_setup
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
waker=()
if ${CC:-cc} -O2 -o "$tmp/wakeup" "$BENCH_DIR/lib/wakeup.c" 2>/dev/null; then
    waker=(--wakeup-bin "$tmp/wakeup")
fi
# shellcheck disable=SC2086
# 1. In one process, the profiler stopped and continued between chunks of work (the figure).
harness toggle --pythons ${PYTHONS:-3.11} --rate 1000 --pairs "${PAIRS:-40}" "${waker[@]}"
# 2. Separate processes per condition, py-spy's blocking mode included (REPS=0 skips it).
if [ "${REPS:-7}" -gt 0 ]; then
    harness slowdown --pythons ${PYTHONS:-3.11} --rate 1000 --reps "${REPS:-7}" "${waker[@]}" "$@"
fi
