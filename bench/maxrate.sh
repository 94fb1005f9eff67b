#!/usr/bin/env bash
# Top sustained rate on one busy thread, 20-frame stack, Python 3.11 and 3.13: spyglass
# --rate max vs py-spy --rate 1000000 --nonblocking, 5 s per run, median of REPS (3).
# Goal: spyglass >= 150 kHz.
source "$(dirname "$0")/lib/common.sh"
bench_setup
# shellcheck disable=SC2086
harness maxrate --pythons ${PYTHONS:-3.11 3.13} --depth 20 --pyspy-rate "${PYSPY_RATE:-1000000}" \
    --duration "${DURATION:-5}" --reps "${REPS:-3}" "$@"
