#!/usr/bin/env bash
# Profiler CPU per sampling instant of `spyglass record --states` against plain wall mode, on
# the same target of N threads (bench/targets/threads.py: 2 spinning, the others blocked in
# sleep, a lock, a socket, a pipe, a timed queue.get), for N = 10 and 50, Python 3.11 and 3.13
# (PYTHONS, THREADS to change). CPU is the profiler process's user+sys (wait4 rusage) / the
# sampling instants it reports; median of REPS (3); the ratio and the extra cost per thread
# sample are printed. Also shows spyglass's own account of the state readings (how many were
# answered from the previous reading, fd lookups, stat reads).
source "$(dirname "$0")/lib/common.sh"
ensure_spyglass
check_cpus
echo "# $(basename "$0") on $(uname -n), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# spyglass: $SPYGLASS ($(cd "$REPO_DIR" && git rev-parse --short HEAD 2>/dev/null || echo '?'))"
# shellcheck disable=SC2086
harness states --pythons ${PYTHONS:-3.11 3.13} --threads ${THREADS:-10 50} \
    --rate "${RATE:-200}" --duration "${DURATION:-3}" --reps "${REPS:-3}" "$@"
