#!/usr/bin/env bash
# Do the ± margins of `spyglass record`'s summary hold? RUNS (100) short recordings quiet and
# RUNS with two busy loops on the CPUs (interleaved, in a shuffled order per pair) of
# tests/targets/split.py, which measures its own split of time between f and g: how often the
# printed 95% margin of f's share covers the truth, next to the margin's mean width. spyglass
# and py-spy --nonblocking are attached to the same run at once (py-spy prints no margin: the
# same Wilson formula is applied to its counts). --rate 100, 2 s per run, Python 3.11; about
# 11 minutes with the defaults. Goal: coverage >= 94%.
source "$(dirname "$0")/lib/common.sh"
bench_setup
harness coverage --python "${PYTHON:-3.11}" --rate "${RATE:-100}" --duration "${DURATION:-2}" \
    --runs "${RUNS:-100}" "$@"
