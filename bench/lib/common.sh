# Sourced by bench/*.sh: locate the repo, spyglass, the pyenv interpreters and py-spy.
# Environment overrides: SPYGLASS, PYSPY, PYENV_ROOT, TARGET_CPU (0), PROF_CPU (1), REPS,
# BENCH_VERBOSE=1 (tool output), BENCH_KEEP=1 (keep the profiles written).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
export SPYGLASS=${SPYGLASS:-$REPO_DIR/spyglass}
if [ -z "${PYENV_ROOT:-}" ]; then
    PYENV_ROOT=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
fi
export PYENV_ROOT
export TARGET_CPU=${TARGET_CPU:-0} PROF_CPU=${PROF_CPU:-1}

# The harness runs on pyenv's 3.11 (the python3 py-spy is installed into).
HARNESS_PY=$(ls -d "$PYENV_ROOT"/versions/3.11.*/bin/python3 2>/dev/null | sort -V | tail -n1 || true)
[ -n "$HARNESS_PY" ] || HARNESS_PY=$(command -v python3)

die() { echo "bench: $*" >&2; exit 1; }

ensure_spyglass() {
    if [ ! -x "$SPYGLASS" ]; then
        echo "bench: building spyglass (make -C $REPO_DIR)" >&2
        make -C "$REPO_DIR" >&2 || die "make failed"
    fi
    [ -x "$SPYGLASS" ] || die "no spyglass at $SPYGLASS"
}

# The real py-spy binary (not a pyenv shim: a shim would add a bash start-up to the
# CPU measured for py-spy).
find_pyspy() {
    local scripts
    scripts=$("$HARNESS_PY" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
    if [ -x "$scripts/py-spy" ]; then echo "$scripts/py-spy"; return; fi
    if command -v pyenv >/dev/null && pyenv which py-spy >/dev/null 2>&1; then
        pyenv which py-spy; return
    fi
    local p
    p=$(command -v py-spy 2>/dev/null || true)
    case "$p" in */shims/*|"") return 1 ;; esac
    echo "$p"
}

ensure_pyspy() {
    if [ -n "${PYSPY:-}" ]; then export PYSPY; return; fi
    if ! PYSPY=$(find_pyspy); then
        echo "bench: installing py-spy (python3 -m pip install -q py-spy)" >&2
        "$HARNESS_PY" -m pip install -q py-spy >&2 || die "cannot install py-spy"
        PYSPY=$(find_pyspy) || die "py-spy installed but not found"
    fi
    export PYSPY
}

check_cpus() {
    local n
    n=$(nproc)
    if [ "$n" -lt 2 ] || [ "$TARGET_CPU" -ge "$n" ] || [ "$PROF_CPU" -ge "$n" ]; then
        echo "bench: warning: $n CPU(s); pinning disabled (TARGET_CPU=PROF_CPU=-1)" >&2
        export TARGET_CPU=-1 PROF_CPU=-1
    fi
}

bench_setup() {
    ensure_spyglass
    ensure_pyspy
    check_cpus
    echo "# $(basename "$0") on $(uname -n), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# spyglass: $SPYGLASS ($(cd "$REPO_DIR" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$REPO_DIR" && git diff --quiet HEAD -- src 2>/dev/null || echo ', src modified'))"
    echo "# py-spy:   $PYSPY ($("$PYSPY" --version 2>/dev/null))"
}

harness() {
    "$HARNESS_PY" -u "$BENCH_DIR/lib/harness.py" "$@"
}
