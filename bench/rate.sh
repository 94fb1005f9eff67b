#!/usr/bin/env bash
# Effective sampling rate on one busy thread (5-frame stack, Python 3.11): spyglass vs
# py-spy --nonblocking at --rate 1000 and 10000, 5 s per run, median of REPS (3).
# Goal: spyglass >= 99% of the requested rate.
source "$(dirname "$0")/lib/common.sh"
bench_setup
harness rate --python "${PYTHON:-3.11}" --rates 1000 10000 --duration "${DURATION:-5}" \
    --reps "${REPS:-3}" "$@"
