#!/usr/bin/env bash
# spyglass timeit against pyperf timeit (PyPI), both with their default settings, on the same
# interpreter (3.11), for x = 1 + 1-class statements: REPS (3) rounds per statement, alternating
# which tool goes first. Goals: per-loop median within 5% of pyperf's, sd of the values no
# larger than pyperf's, in less wall time.
source "$(dirname "$0")/lib/common.sh"
ensure_spyglass
check_cpus
py=$(ls -d "$PYENV_ROOT"/versions/${PYTHON:-3.11}.*/bin/python3 2>/dev/null | sort -V | tail -n1)
[ -n "$py" ] || die "no Python ${PYTHON:-3.11} under $PYENV_ROOT/versions"
"$py" -c 'import pyperf' 2>/dev/null || "$py" -m pip install -q pyperf >&2 || die "cannot install pyperf"
echo "# $(basename "$0") on $(uname -n), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# pyperf $("$py" -c 'import pyperf; print(pyperf.__version__)')"
harness timeit --python "${PYTHON:-3.11}" --reps "${REPS:-3}" "$@"
