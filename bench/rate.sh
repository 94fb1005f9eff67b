#!/usr/bin/env bash
# Effective sampling rate and the intervals between consecutive samples (median, p1, p99) on
# one busy thread (5-frame stack whose leaf cycles through 256 lines, Python 3.11): spyglass vs
# py-spy --nonblocking at --rate 1000 and 10000, 5 s per run, median of REPS (3). spyglass's
# intervals come from its raw file's instants; py-spy's from an extra run with --format
# chrometrace (its raw format has no times), which marks only samples whose stack changed.
# Goal: spyglass >= 99% of the requested rate.
source "$(dirname "$0")/lib/common.sh"
bench_setup
harness rate --python "${PYTHON:-3.11}" --rates 1000 10000 --duration "${DURATION:-5}" \
    --reps "${REPS:-3}" "$@"
