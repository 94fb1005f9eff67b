# shellcheck shell=bash
# The common part of the functional test scripts (run.sh, bench.sh, timeit.sh, ...): the
# spyglass binary, a work directory, the check counters and their report, sanitizer reports,
# and the installed CPythons. A script sources it and calls lib_init first:
#
#     set -u
#     source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#     lib_init NAME "$@"          # or: lib_init --copy NAME "$@"
#     if want GROUP; then ... ok "GROUP: what held" / fail "GROUP: what" "why" FILES... ; fi
#     lib_finish                  # 'N passed, N failed', exit 0 or 1
#
# lib_init [--copy] NAME [REGEX] sets:
#   ROOT     the repository
#   SG       the spyglass binary, an absolute path: $SPYGLASS, else $ROOT/spyglass. With --copy,
#            a copy in $T (the tree's binary may be rebuilt while a long suite runs); SG_ORIG is
#            the binary given. A missing binary ends the script: 'FAIL - setup', exit 1.
#   ONLY     REGEX, the groups to run (default '.', all); see want
#   T        a new directory tests/out/NAME.XXXXXX: removed at exit when no check failed,
#            kept (and named) otherwise
#   PASSED, FAILED   the counters of ok/fail and check_end
#   SAN_RE   what a sanitizer report looks like (ASan, UBSan, LSan)
#   JPY      the Python that validates JSON with jsonschema (scripts/deps.sh test installs it):
#            $SPYGLASS_TEST_PYTHON, else python3 on PATH
#   PYENV_DIR  pyenv's root: `pyenv root`, else ~/.pyenv
# and the environment of every check: LC_ALL=C.UTF-8, PYTHONDONTWRITEBYTECODE=1, no
# PYTHONPATH, PYTHONHOME or PYTHONSTARTUP. Ctrl-C exits 130, SIGTERM 143 (after the clean-up).
#
# Two ways to report a check, both counted and both ending in the same summary:
#   ok NAME / fail NAME WHY [FILE...]          one call per check; fail shows the first 40
#                                              lines of each FILE as '#   ' lines
#   check_begin NAME; why TEXT; show FILE...; note TEXT; check_end
#                                              reasons gathered along the way: the check fails
#                                              when any was given (check_end shows the FILEs);
#                                              ERRFILES named by the script are searched for
#                                              sanitizer reports
# and three helpers for checks: run NAME CMD (timeout, outputs in $T/NAME.out/.err, status in
# RC), expect_rc WANT NAME, wait_file FILE SECONDS.
# Output lines are 'ok - NAME', 'FAIL - NAME: WHY' and comments starting with '#'.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SAN_RE='AddressSanitizer|runtime error:|LeakSanitizer'
PASSED=0
FAILED=0
LIB_AT_EXIT=()

ok() {
    echo "ok - $1"
    PASSED=$((PASSED + 1))
}

fail() {
    echo "FAIL - $1: $2"
    FAILED=$((FAILED + 1))
    shift 2
    local f
    for f in "$@"; do
        [[ -f $f ]] && sed -n '1,40s/^/#   /p' "$f"
    done
}

# want GROUP: true when GROUP matches the REGEX given to the script.
want() { [[ $1 =~ $ONLY ]]; }

# san_check FILE WHAT: a sanitizer report in FILE (a command's stderr) fails the check
# 'sanitizer', naming WHAT (the command).
san_check() {
    if grep -qE "$SAN_RE" "$1" 2>/dev/null; then
        fail "sanitizer" "report while running: $2" "$1"
    fi
}

check_begin() {
    CHECK=$1
    WHY=()
    SHOW=()
    ERRFILES=()
}
why() { WHY+=("$*"); }
show() { SHOW+=("$@"); }
note() { echo "#   $CHECK: $*"; }

check_end() {
    local f w msg=
    for f in "${ERRFILES[@]}"; do
        if grep -qE "$SAN_RE" "$f" 2>/dev/null; then
            WHY+=("sanitizer report on spyglass's stderr")
            grep -m1 -E -B2 -A30 "$SAN_RE" "$f" >"$f.sanitizer"
            SHOW+=("$f.sanitizer")
        fi
    done
    if ((${#WHY[@]} == 0)); then
        ok "$CHECK"
        return
    fi
    for w in "${WHY[@]}"; do
        msg+=${msg:+; }$w
    done
    echo "FAIL - $CHECK: $msg"
    local -A seen=()
    for f in "${SHOW[@]}"; do
        [[ -n ${seen[$f]:-} ]] && continue
        seen[$f]=1
        if [[ -s $f ]]; then
            echo "#   --- ${f#"$T"/}:"
            head -n 25 "$f" | cut -c1-400 | sed 's/^/#   /'
        else
            echo "#   --- ${f#"$T"/}: (empty or missing)"
        fi
    done
    FAILED=$((FAILED + 1))
}

# run NAME CMD [ARGS...]: run a command under timeout (TIMEOUT seconds: $SPYGLASS_TEST_TIMEOUT,
# else 40, unless the script set TIMEOUT) with stdout in $T/NAME.out and stderr in $T/NAME.err
# (checked for sanitizer reports by check_end); its exit status is left in RC.
run() {
    local name=$1
    shift
    timeout -k 5 "${TIMEOUT:-${SPYGLASS_TEST_TIMEOUT:-40}}" "$@" </dev/null >"$T/$name.out" 2>"$T/$name.err"
    RC=$?
    ERRFILES+=("$T/$name.err")
    ((RC == 124)) && why "timed out after ${TIMEOUT:-${SPYGLASS_TEST_TIMEOUT:-40}}s: $*"
}

# expect_rc WANT NAME: the last command's exit status must be WANT.
expect_rc() {
    if ((RC != $1)); then
        why "exit status $RC, expected $1"
        show "$T/$2.err"
    fi
}

# wait_file FILE SECONDS: wait until FILE exists and is not empty.
wait_file() {
    local i
    for ((i = 0; i < $2 * 20; i++)); do
        [[ -s $1 ]] && return 0
        sleep 0.05
    done
    return 1
}

# lib_at_exit COMMAND: run COMMAND (a string, eval'd) at exit, before the work directory goes.
lib_at_exit() { LIB_AT_EXIT+=("$1"); }

# lib_kill_at_exit ARRAY: at exit, SIGKILL every PID in the array named ARRAY (as it is then).
lib_kill_at_exit() { lib_at_exit "lib_kill_all $1"; }
lib_kill_all() {
    local -n lib_pids=$1
    local p
    for p in "${lib_pids[@]}"; do
        kill -KILL "$p" 2>/dev/null
    done
}

lib_cleanup() {
    local c
    for c in "${LIB_AT_EXIT[@]}"; do
        eval "$c"
    done
    if ((FAILED == 0)); then
        rm -rf "$T"
    else
        echo "# files kept in $T"
    fi
}

# lib_finish: print the summary line that CI reads and exit 0, or 1 when a check failed.
lib_finish() {
    echo "$PASSED passed, $FAILED failed"
    ((FAILED == 0))
    exit
}

lib_init() {
    local copy=0
    if [[ ${1:-} == --copy ]]; then
        copy=1
        shift
    fi
    local name=$1
    ONLY=${2:-.}
    export LC_ALL=C.UTF-8 PYTHONDONTWRITEBYTECODE=1
    unset PYTHONPATH PYTHONHOME PYTHONSTARTUP
    SG=${SPYGLASS:-$ROOT/spyglass}
    case $SG in /*) ;; *) SG=$PWD/$SG ;; esac
    SG_ORIG=$SG
    if [[ ! -x $SG ]]; then
        fail "setup" "no executable spyglass at $SG (set SPYGLASS)"
        lib_finish
    fi
    mkdir -p "$ROOT/tests/out"
    T=$(mktemp -d "$ROOT/tests/out/$name.XXXXXX")
    trap lib_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    if ((copy)); then
        cp "$SG" "$T/spyglass" && SG=$T/spyglass
    fi
    JPY=${SPYGLASS_TEST_PYTHON:-$(command -v python3)}
    PYENV_DIR=$(pyenv root 2>/dev/null) || PYENV_DIR=
    [[ -n $PYENV_DIR && -d $PYENV_DIR/versions ]] || PYENV_DIR=$HOME/.pyenv
}

# py_version PY: print the version of interpreter PY ("3.11.7"); fails when it does not run.
py_version() {
    "$1" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null
}

# list_pythons [--debug] [PY...]: print 'VERSION PATH' for every CPython 3 of pyenv
# ($PYENV_DIR/versions/3.*/bin/python3) and every PY given, that runs, sorted by version.
# Debug builds (Py_DEBUG: Debian's python3.Xd, installed by scripts/cpython.sh 3.X-dbg into
# versions/3.X.Y-debug) are left out; with --debug only they are listed.
# SPYGLASS_TEST_VERSIONS, when set, is a regex on 'X.Y.Z' that keeps only some of them: `make
# asan` runs the sanitized binary on one CPython of each layout the unwinder knows (3.7 to be
# refused, 3.8 for 3.8-3.10, 3.11, 3.12, 3.14 and 3.15 for the _Py_DebugOffsets ones), the plain
# run on all.
list_pythons() {
    local py v d want=0
    local probe='import sys; print("%d.%d.%d" % sys.version_info[:3], int(hasattr(sys, "gettotalrefcount")))'
    [[ ${1:-} == --debug ]] && want=1 && shift
    for py in "$PYENV_DIR"/versions/3.*/bin/python3 "$@"; do
        [[ -x $py ]] || continue
        read -r v d < <("$py" -c "$probe" 2>/dev/null) || continue
        [[ -n $v && $d == "$want" ]] || continue
        test_version "$v" && echo "$v $py"
    done | sort -V
}

# test_version X.Y.Z: is this version one SPYGLASS_TEST_VERSIONS keeps (all when unset)?
test_version() {
    [[ -z ${SPYGLASS_TEST_VERSIONS:-} || $1 =~ ${SPYGLASS_TEST_VERSIONS} ]]
}

# The ranking checks of a statistical comparison make RANK_ATTEMPTS attempts, each ranking two
# things whose true ratio is known and computing the 95% interval of their ratio. The interval
# misses the truth in 5% of attempts by design (more on a loaded machine, and with the truth's
# own error), so rank_verdict NAME RANKED COVERED DETAIL [FILE...] passes the check NAME when
# the ranking was right in all attempts (RANKED of them) and the interval covered the truth in
# at least 4 (COVERED): an interval of 80% real coverage fails this with probability 3%, one of
# 90% with 0.3%. DETAIL (the intervals) goes into the line; the FILEs are shown on failure.
RANK_ATTEMPTS=7
rank_verdict() {
    local name=$1 ranked=$2 covered=$3 detail=$4 n=$RANK_ATTEMPTS
    shift 4
    if ((ranked == n && covered >= 4)); then
        ok "$name: ranked right $ranked/$n, the ratio CI covers the truth in $covered/$n: $detail"
    else
        fail "$name" "ranked right $ranked/$n (exit ${RC:-?}), CI covers the truth in $covered/$n: $detail" "$@"
    fi
}

# json_check SCHEMA FILE [EXPR]: FILE is JSON that validates against the JSON Schema SCHEMA
# (draft 2020-12) and for which the Python expression EXPR holds (its document is j). Prints why
# not; fails then.
json_check() {
    "$JPY" - "$1" "$2" "${3:-True}" <<'EOF'
import json, sys, jsonschema
schema, j = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:3])
jsonschema.Draft202012Validator(schema).validate(j)
assert eval("(" + sys.argv[3] + ")"), "does not hold: " + sys.argv[3]
EOF
}
