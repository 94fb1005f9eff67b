#!/usr/bin/env bash
# Intact stacks while the target recurses quickly through distinct functions f0..f49
# (Python 3.8, 3.9, 3.10): spyglass --rate 1000 and 10000, py-spy --rate 1000
# --nonblocking and blocking, 4 s per run, median of REPS (3).
# Goal: spyglass >= 99% intact.
# Then, outside the goal, one run each on EXTRA_PYTHONS (3.11 3.12 3.13; EXTRA_PYTHONS=""
# skips them), whose frames live in the data stack rather than in frame objects.
source "$(dirname "$0")/lib/common.sh"
bench_setup
# shellcheck disable=SC2086
harness torn --pythons ${PYTHONS:-3.8 3.9 3.10} --duration "${DURATION:-4}" --reps "${REPS:-3}" \
    --extra-pythons ${EXTRA_PYTHONS-3.11 3.12 3.13} --extra-reps "${EXTRA_REPS:-1}" "$@"
