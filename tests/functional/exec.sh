#!/usr/bin/env bash
# Functional tests of a target that replaces its program (os.execv) while `spyglass record`
# samples it (tests/targets/execself.py: phase_a() spins, then os.execv, then phase_b() spins in
# the new image), on every installed CPython >= 3.8 (pyenv's and Debian's static
# /usr/bin/python3.11, whose new image has the same addresses as the old):
#   self       launched: samples of phase A and of phase B, none holding both, every one whole
#              (rooted in execself.py's <module>), each phase sampled for at least half of what
#              the effective rate and the time the target measured itself spinning give; the
#              message "PID N exec'd PATH (Python V): sampling the new image"
#   attach     the same with --pid (phase A spins until spyglass has the target open)
#   version    into another CPython (each installed version into the next; Debian's into
#              pyenv's and back): both phases, "Python A then B" in the summary; into a
#              version spyglass refuses: its message, the profile of phase A, exit code 0
#   notpython  into /bin/sh -c 'sleep 0.5; exit 7': "exec'd PATH: not Python; stopped",
#              the profile of phase A, exit code 7; attached: same message, exit code 0; into
#              a long-running program: the profile is written before it ends
#   options    --threads --states -f raw (report to collapsed and chrome: time order across
#              the exec), --mode cpu and gil, --metric rss, --resources, --duration ending
#              during phase B, address randomisation off (setarch -R)
#   chain      record of a chain of 30 short-lived images (phase_c for 0.05 s each): phase_c
#              sampled for at least half of its time, 10 exec lines then one saying that
#              further execs are followed quietly, and the count in the summary; dump of
#              such a chain: each run shows stacks or says in one line why not
# Statistical checks get up to three attempts (a loaded machine can starve a run).
#
# usage: SPYGLASS=/abs/path/to/spyglass tests/functional/exec.sh [REGEX]
#   REGEX: the groups to run (self, attach, version, notpython, options, chain)
# Prints 'ok - NAME' or 'FAIL - NAME: WHY' per check, then 'N passed, N failed'.
set -u

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init --copy exec "$@"
TARGET=$ROOT/tests/targets/execself.py
TIMEOUT=${SPYGLASS_TEST_TIMEOUT:-40}
RATE=200
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
HPY=/usr/bin/python3
[[ -x $HPY ]] || HPY=$(command -v python3)

BG=()
lib_kill_at_exit BG

# expect_err NAME REGEX WHAT: spyglass's stderr has a line matching REGEX (extended).
expect_err() {
    grep -qE "$2" "$T/$1.err" || {
        why "no $3 on stderr (/$2/)"
        show "$T/$1.err"
    }
}

# opened_by PARENT PID SECONDS: until a child of PARENT (timeout, running spyglass) holds
# /proc/PID/mem open, i.e. spyglass has started to attach to PID.
opened_by() {
    local i c
    for ((i = 0; i < $3 * 20; i++)); do
        for c in $(ps -o pid= --ppid "$1"); do
            ls -l "/proc/$c/fd" 2>/dev/null | grep -q " -> /proc/$2/mem$" && return 0
        done
        sleep 0.05
    done
    return 1
}

# Float comparisons: fcmp 'EXPR' (awk syntax, variables a b) a b.
fcmp() { awk -v a="$2" -v b="${3:-0}" "BEGIN { exit !($1) }"; }

# eff_rate NAME: the effective rate of spyglass's summary.
eff_rate() {
    sed -n 's/.*: \([0-9.]*\) Hz effective.*/\1/p' "$T/$1.err" | head -n1
}

# phases PROFILE INFO RATE WANT [MIN_A]: the collapsed PROFILE of execself.py. WANT is 'ab'
# (both phases sampled), 'a' (phase A only: the new program was not sampled), 'a+' (phase A,
# and phase B not counted) or '-' (weights that are not samples: no count is checked). Every stack with
# a phase is whole (rooted in execself.py's <module>, under a thread frame if any) and holds one
# phase; each wanted phase has at least half of RATE x the seconds it spun (INFO, the target's
# own clock; MIN_A: the seconds of phase A known to be sampled, when attached later). Prints
# the counts; fails with the reasons.
phases() {
    "$HPY" - "$@" <<'EOF'
import sys
prof, info, rate, want = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
min_a = float(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[5] else None
spun = {}
for line in open(info):
    f = line.split()
    if f and f[0] in ("a", "b"):
        spun[f[0]] = float(f[3])
n = {"a": 0, "b": 0}
bad = []
for line in open(prof, encoding="utf-8", errors="surrogateescape"):
    stack, count = line.rstrip("\n").rsplit(" ", 1)
    frames = stack.split(";")
    names = [fr.split(" (")[0] for fr in frames]
    has = [p for p in "ab" if "phase_" + p in names]
    if len(has) > 1:
        bad.append("a stack holds both phases: " + stack[:300])
    for p in has:
        n[p] += int(count)
        root = frames[1] if frames[0].startswith("thread ") and len(frames) > 1 else frames[0]
        if not (root.startswith("<module> (") and "execself.py:" in root):
            bad.append("a stack of phase %s is not whole: %s" % (p, stack[:300]))
for p in "ab" if want != "-" else "":
    if p not in want:
        if n[p] and "+" not in want:
            bad.append("%d samples of phase %s, which was not to be sampled" % (n[p], p))
        continue
    if p not in spun:
        bad.append("the target did not run phase %s" % p)
        continue
    secs = min_a if p == "a" and min_a is not None else spun[p]
    if n[p] < 0.5 * rate * secs:
        bad.append("phase %s: %d samples, expected >= %.0f (half of %.1f Hz x %.2f s)" %
                   (p, n[p], 0.5 * rate * secs, rate, secs))
print("phase A %d samples, phase B %d (spun %s)" % (n["a"], n["b"], spun))
if bad:
    sys.exit("; ".join(bad[:3]))
EOF
}

# check_phases NAME PROFILE INFO WANT [MIN_A]: phases, with the effective rate of NAME's
# summary; reasons go to why.
check_phases() {
    local rate out
    rate=$(eff_rate "$1")
    [[ -n $rate ]] || rate=$RATE
    if out=$(phases "$2" "$3" "$rate" "$4" "${5:-}" 2>&1); then
        note "$out"
    else
        why "$out"
        show "$2" "$T/$1.err"
    fi
}

# ---------------------------------------------------------------------------------------------
# Pythons

PYS=()
LABELS=()
OLD_PY=
OLD_V=
while read -r v py; do
    [[ -n $v ]] || continue
    case $v in
    3.[0-7].*) [[ $v == 3.7.* || -z $OLD_PY ]] && OLD_PY=$py && OLD_V=$v ;;
    *)
        PYS+=("$py")
        LABELS+=("$v")
        ;;
    esac
done < <(list_pythons)
SYS_PY=
if [[ -x /usr/bin/python3 ]]; then
    SYS_PY=$(readlink -f /usr/bin/python3)
    PYS+=("$SYS_PY")
    LABELS+=("system-$(py_version "$SYS_PY")")
fi
echo "# spyglass: $SG_ORIG (run as a copy: $SG)"
echo "# pythons: ${LABELS[*]}; refused: ${OLD_V:-none}; work dir: $T"
if ((${#PYS[@]} == 0)); then
    check_begin "setup"
    why "no CPython >= 3.8 found"
    check_end
    lib_finish
fi
# The interpreter of the run-once checks: a pyenv 3.12, else the first one.
PY_A=${PYS[0]}
for i in "${!PYS[@]}"; do
    [[ ${LABELS[$i]} == 3.12.* ]] && PY_A=${PYS[$i]}
done

# refused NAME: spyglass refused the Python it launched (a version it does not support yet).
refused() {
    grep -q "is not supported" "$T/$1.err" && ! grep -q "exec'd" "$T/$1.err"
}

# ---------------------------------------------------------------------------------------------
# self: launched, the same interpreter again

self_attempt() {
    local py=$1 v=$2 attempt=$3 n info
    n=self-$v.$attempt
    info=$T/$n.info
    run "$n" "$SG" record --rate "$RATE" -o "$T/$n.txt" -- "$py" "$TARGET" a 1 "$info" - - self
    if refused "$n"; then
        SKIPPED="spyglass refuses this version: $(head -n1 "$T/$n.err")"
        return
    fi
    expect_rc 0 "$n"
    ((RC == 0)) || return
    expect_err "$n" "^spyglass: PID [0-9]+ exec'd /[^ ]+ \\(Python ${v#system-}\\): sampling the new image$" \
        "exec message"
    check_phases "$n" "$T/$n.txt" "$info" ab
}

t_self() {
    local py=$1 v=$2
    SKIPPED=
    check_begin "self $v"
    with_retry self_attempt "$py" "$v"
    if [[ -n $SKIPPED ]]; then
        echo "# self $v: skipped: $SKIPPED"
        return
    fi
    check_end
}

# Up to ATTEMPTS attempts of FUNCTION ARGS... (it gets the attempt number last).
ATTEMPTS=3
with_retry() {
    local attempt
    for ((attempt = 1; attempt <= ATTEMPTS; attempt++)); do
        WHY=()
        SHOW=()
        "$@" "$attempt"
        [[ -n ${SKIPPED:-} ]] && return
        ((${#WHY[@]} == 0)) && return
        ((attempt < ATTEMPTS)) && note "attempt $attempt failed (${WHY[*]}); trying again"
    done
}

# ---------------------------------------------------------------------------------------------
# attach: --pid; phase A spins until spyglass has the target open, then 1 s more

# attach_run NAME PY NEXT...: start execself.py (phase A waiting for a go file) and record it
# with --pid (extra options in AOPTS); RC is spyglass's status, INFO the target's info file.
attach_run() {
    local n=$1 py=$2 pid sgpid i
    shift 2
    INFO=$T/$n.info
    local ready=$T/$n.ready go=$T/$n.go
    "$py" "$TARGET" a 1 "$INFO" "$ready" "$go" "$@" </dev/null >/dev/null 2>&1 &
    pid=$!
    BG+=("$pid")
    if ! wait_file "$ready" 15; then
        why "the target did not start"
        RC=-1
        return
    fi
    timeout -k 5 "$TIMEOUT" "$SG" record --rate "$RATE" "${AOPTS[@]}" -o "$T/$n.txt" --pid "$pid" \
        </dev/null >"$T/$n.out" 2>"$T/$n.err" &
    sgpid=$!
    ERRFILES+=("$T/$n.err")
    opened_by "$sgpid" "$pid" 15 || why "spyglass did not open the target"
    sleep 0.2
    touch "$go"
    wait "$sgpid"
    RC=$?
    ((RC == 124)) && why "timed out after ${TIMEOUT}s"
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

attach_attempt() {
    local py=$1 v=$2 attempt=$3 n
    n=attach-$v.$attempt
    AOPTS=()
    attach_run "$n" "$py" self
    if refused "$n"; then
        SKIPPED="spyglass refuses this version"
        return
    fi
    expect_rc 0 "$n"
    ((RC == 0)) || return
    expect_err "$n" "^spyglass: PID [0-9]+ exec'd /[^ ]+ \\(Python ${v#system-}\\): sampling the new image$" \
        "exec message"
    check_phases "$n" "$T/$n.txt" "$INFO" ab 1
}

t_attach() {
    local py=$1 v=$2
    SKIPPED=
    check_begin "attach $v"
    with_retry attach_attempt "$py" "$v"
    if [[ -n $SKIPPED ]]; then
        echo "# attach $v: skipped: $SKIPPED"
        return
    fi
    check_end
}

for i in "${!PYS[@]}"; do
    want self && t_self "${PYS[$i]}" "${LABELS[$i]}"
    want attach && t_attach "${PYS[$i]}" "${LABELS[$i]}"
done

# ---------------------------------------------------------------------------------------------
# version: into another CPython

version_attempt() {
    local py=$1 v=$2 py2=$3 v2=$4 attempt=$5 n
    n=version-$v-$v2.$attempt
    run "$n" "$SG" record --rate "$RATE" -o "$T/$n.txt" -- "$py" "$TARGET" a 1 "$T/$n.info" - - "$py2"
    if refused "$n"; then
        SKIPPED="spyglass refuses $v"
        return
    fi
    expect_rc 0 "$n"
    ((RC == 0)) || return
    if grep -q "is not supported" "$T/$n.err"; then # a version spyglass refuses: told, then stopped
        expect_err "$n" "^spyglass: PID [0-9]+ exec'd /[^ ]+: Python [0-9.]+ is not supported .*; stopped$" \
            "'not supported; stopped' message"
        check_phases "$n" "$T/$n.txt" "$T/$n.info" a
        note "spyglass does not support ${v2#system-}: checked that it says so"
        return
    fi
    expect_err "$n" "^spyglass: PID [0-9]+ exec'd /[^ ]+ \\(Python ${v2#system-}\\): sampling the new image$" \
        "exec message"
    expect_err "$n" "\\(Python ${v#system-} then ${v2#system-}, wall mode\\)" "'A then B' versions"
    check_phases "$n" "$T/$n.txt" "$T/$n.info" ab
}

t_version() {
    SKIPPED=
    check_begin "version ${2} to ${4}"
    with_retry version_attempt "$@"
    if [[ -n $SKIPPED ]]; then
        echo "# version $2 to $4: skipped: $SKIPPED"
        return
    fi
    check_end
}

if want version; then
    NPY=${#PYS[@]}
    [[ -n $SYS_PY ]] && NPY=$((NPY - 1)) # pyenv's, by version
    for ((i = 0; i + 1 < NPY; i++)); do
        t_version "${PYS[$i]}" "${LABELS[$i]}" "${PYS[$((i + 1))]}" "${LABELS[$((i + 1))]}"
    done
    if [[ -n $SYS_PY && $PY_A != "$SYS_PY" ]]; then
        t_version "$SYS_PY" "${LABELS[-1]}" "$PY_A" "$(py_version "$PY_A")"
        t_version "$PY_A" "$(py_version "$PY_A")" "$SYS_PY" "${LABELS[-1]}"
    fi
    if [[ -n $OLD_PY ]]; then
        n=version-refused
        check_begin "version into $OLD_V (refused)"
        run "$n" "$SG" record --rate "$RATE" -o "$T/$n.txt" -- "$PY_A" "$TARGET" a 1 "$T/$n.info" - - "$OLD_PY"
        expect_rc 0 "$n"
        expect_err "$n" "^spyglass: PID [0-9]+ exec'd /[^ ]+: Python ${OLD_V%.*} is not supported \\(.*\\); stopped$" \
            "'not supported; stopped' message"
        check_phases "$n" "$T/$n.txt" "$T/$n.info" a
        check_end
    fi
fi

# ---------------------------------------------------------------------------------------------
# notpython: into a program that is not Python

if want notpython; then
    n=notpy-launch
    check_begin "notpython launched: message, phase A, exit code 7"
    run "$n" "$SG" record --rate "$RATE" -o "$T/$n.txt" -- "$PY_A" "$TARGET" a 1 "$T/$n.info" - - \
        cmd /bin/sh -c 'sleep 0.5; exit 7'
    expect_rc 7 "$n"
    expect_err "$n" "^spyglass: PID [0-9]+ exec'd /[^ ]+: not Python; stopped$" "'not Python' message"
    [[ -s $T/$n.txt ]] && check_phases "$n" "$T/$n.txt" "$T/$n.info" a || why "no profile written"
    check_end

    n=notpy-signal
    check_begin "notpython launched, killed by SIGTERM: exit code 143"
    run "$n" "$SG" record --rate "$RATE" -o "$T/$n.txt" -- "$PY_A" "$TARGET" a 0.5 "$T/$n.info" - - \
        cmd /bin/sh -c 'sleep 0.3; kill -TERM $$; sleep 5'
    expect_rc 143 "$n"
    [[ -s $T/$n.txt ]] && check_phases "$n" "$T/$n.txt" "$T/$n.info" a || why "no profile written"
    check_end

    # A long-running program: the summary and the profile come when it settles (about 1 s
    # after the exec: PY_EXEC_SETTLE_S), not when it ends 4 s later.
    n=notpy-long
    check_begin "notpython launched, long-running: profile written before it ends"
    "$SG" record --rate "$RATE" -o "$T/$n.txt" -- "$PY_A" "$TARGET" a 0.5 "$T/$n.info" - - \
        cmd /bin/sh -c 'sleep 4; exit 3' </dev/null >"$T/$n.out" 2>"$T/$n.err" &
    sgpid=$!
    BG+=("$sgpid")
    ERRFILES+=("$T/$n.err")
    written=0
    for ((i = 0; i < 70; i++)); do # 3.5 s
        if grep -q "samples of process" "$T/$n.err" 2>/dev/null; then
            written=1
            break
        fi
        sleep 0.05
    done
    ((written)) || why "no summary within 3.5 s of the start (the command runs 4.5 s)"
    [[ -s $T/$n.txt ]] || why "no profile written while the command runs"
    kill -0 "$sgpid" 2>/dev/null || why "spyglass did not wait for the command"
    wait "$sgpid"
    RC=$?
    expect_rc 3 "$n"
    check_end

    check_begin "notpython attached: message, phase A, exit code 0"
    AOPTS=()
    attach_run notpy-attach "$PY_A" cmd /bin/sh -c 'sleep 1.5; exit 7'
    n=notpy-attach
    expect_rc 0 "$n"
    expect_err "$n" "^spyglass: PID [0-9]+ exec'd /[^ ]+: not Python; stopped$" "'not Python' message"
    [[ -s $T/$n.txt ]] && check_phases "$n" "$T/$n.txt" "$INFO" a 1 || why "no profile written"
    check_end
fi

# ---------------------------------------------------------------------------------------------
# options: what the sampler keeps per image (threads, states, measures), raw files, time order

# chrome_order TRACE: every event of phase_a ends before the first of phase_b starts.
chrome_order() {
    "$HPY" - "$1" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1], encoding="utf-8"))
ev = t["traceEvents"] if isinstance(t, dict) else t
a = [e for e in ev if e.get("ph") == "X" and e.get("name", "").startswith("phase_a")]
b = [e for e in ev if e.get("ph") == "X" and e.get("name", "").startswith("phase_b")]
if not a or not b:
    sys.exit("events: %d of phase_a, %d of phase_b" % (len(a), len(b)))
end_a = max(e["ts"] + e["dur"] for e in a)
start_b = min(e["ts"] for e in b)
if end_a > start_b:
    sys.exit("phase_a runs until %.0f us, phase_b starts at %.0f us" % (end_a, start_b))
print("phase_a until %.3f s, phase_b from %.3f s" % (end_a / 1e6, start_b / 1e6))
EOF
}

options_raw_attempt() {
    local py=$1 v=$2 attempt=$3 n out pid
    n=opt-raw-$v.$attempt
    run "$n" "$SG" record --rate "$RATE" --threads --states -f raw -o "$T/$n.spyraw" \
        --resources "$T/$n.res.json" -- "$py" "$TARGET" a 1 "$T/$n.info" - - self
    expect_rc 0 "$n"
    ((RC == 0)) || return
    run "$n.rep" "$SG" report -f collapsed -o "$T/$n.txt" "$T/$n.spyraw"
    expect_rc 0 "$n.rep"
    run "$n.chrome" "$SG" report -f chrome -o "$T/$n.trace.json" "$T/$n.spyraw"
    expect_rc 0 "$n.chrome"
    ((${#WHY[@]})) && return
    check_phases "$n" "$T/$n.txt" "$T/$n.info" ab
    pid=$(awk '$1 == "a" {print $2}' "$T/$n.info")
    grep -v "^thread MainThread ($pid);" "$T/$n.txt" | grep -q . &&
        why "stacks not rooted in 'thread MainThread ($pid)'" && show "$T/$n.txt"
    grep "phase_" "$T/$n.txt" | grep -vq ";<cpu> [0-9]*$" &&
        why "a spinning stack does not end in <cpu>" && show "$T/$n.txt"
    out=$(chrome_order "$T/$n.trace.json" 2>&1) && note "$out" || why "chrome trace: $out"
    json_check "$ROOT/docs/monitor-schema.json" "$T/$n.res.json" 'j["exit_code"] == 0' \
        >"$T/$n.res.check" 2>&1 || {
        why "--resources file"
        show "$T/$n.res.check"
    }
}

options_mode_attempt() {
    local py=$1 v=$2 opt=$3 attempt=$4 n
    n=opt-${opt// /}-$v.$attempt
    # shellcheck disable=SC2086
    run "$n" "$SG" record --rate "$RATE" $opt -o "$T/$n.txt" -- "$py" "$TARGET" a 1 "$T/$n.info" - - self
    expect_rc 0 "$n"
    ((RC == 0)) || return
    if [[ $opt == *rss* ]]; then # bytes: phases present, no sample count to compare
        check_phases "$n" "$T/$n.txt" "$T/$n.info" -
        grep -q "weighted by RSS growth" "$T/$n.err" || why "no RSS line in the summary"
        return
    fi
    check_phases "$n" "$T/$n.txt" "$T/$n.info" ab
}

options_duration_attempt() {
    local py=$1 v=$2 attempt=$3 n
    n=opt-duration-$v.$attempt
    run "$n" "$SG" record --rate "$RATE" --duration 1.6 -o "$T/$n.txt" -- "$py" "$TARGET" a 1 "$T/$n.info" - - self
    expect_rc 0 "$n"
    ((RC == 0)) || return
    if ! grep -q ' in 1\.[5-7][0-9] s: ' "$T/$n.err"; then
        why "sampling did not end after 1.6 s"
        show "$T/$n.err"
    fi
    check_phases "$n" "$T/$n.txt" "$T/$n.info" a+
    grep -q "phase_b" "$T/$n.txt" || why "no sample of phase B before the duration ended"
}

options_aslr_attempt() {
    local py=$1 v=$2 attempt=$3 n
    n=opt-norandom-$v.$attempt
    run "$n" setarch "$(uname -m)" -R "$SG" record --rate 1000 -o "$T/$n.txt" -- "$py" "$TARGET" a 1 "$T/$n.info" - - self
    expect_rc 0 "$n"
    ((RC == 0)) || return
    check_phases "$n" "$T/$n.txt" "$T/$n.info" ab
}

if want options; then
    OPYS=("$PY_A")
    [[ -n $SYS_PY && $SYS_PY != "$PY_A" ]] && OPYS+=("$SYS_PY")
    for py in "${OPYS[@]}"; do
        v=$(py_version "$py")
        [[ $py == "$SYS_PY" ]] && v=system-$v
        check_begin "options --threads --states -f raw --resources $v"
        with_retry options_raw_attempt "$py" "$v"
        check_end
        for opt in "--mode cpu" "--mode gil" "--metric rss"; do
            check_begin "options $opt $v"
            with_retry options_mode_attempt "$py" "$v" "$opt"
            check_end
        done
        check_begin "options --duration ending in phase B $v"
        with_retry options_duration_attempt "$py" "$v"
        check_end
    done
    if command -v setarch >/dev/null; then
        check_begin "options randomisation off (setarch -R) $(py_version "$PY_A")"
        with_retry options_aslr_attempt "$PY_A" "$(py_version "$PY_A")"
        check_end
    else
        echo "# setarch not installed: the randomisation-off check is skipped"
    fi
fi

# ---------------------------------------------------------------------------------------------
# chain: a process that keeps replacing its program

chain_attempt() {
    local attempt=$1 n rate
    n=chain-record.$attempt
    run "$n" "$SG" record --rate "$RATE" -o "$T/$n.txt" -- "$PY_A" "$TARGET" c 0.05 "$T/$n.info" 30
    expect_rc 0 "$n"
    ((RC == 0)) || return
    local lines
    lines=$(grep -c "exec'd .*: sampling the new image$" "$T/$n.err")
    ((lines == 10)) || why "$lines exec lines, expected 10"
    expect_err "$n" "^spyglass: PID [0-9]+: further execs into Python are followed without a line each$" \
        "notice of quiet execs"
    expect_err "$n" "^spyglass: 29 execs followed$" "count of execs"
    rate=$(eff_rate "$n")
    local got
    got=$(awk '/phase_c \(/ { s += $NF } END { print s + 0 }' "$T/$n.txt")
    note "phase_c: $got samples at $rate Hz (30 images x 0.05 s)"
    fcmp 'a >= 0.5 * b * 1.5' "$got" "${rate:-$RATE}" ||
        why "phase_c has $got samples, expected >= half of 1.5 s at $rate Hz"
    ((${#WHY[@]})) && show "$T/$n.err"
}

if want chain; then
    check_begin "chain record of 30 images: each sampled"
    with_retry chain_attempt
    check_end

    n=dump-chain
    check_begin "dump of a chain of execs: stacks or one clear line"
    "$PY_A" "$TARGET" c 0.05 "$T/$n.info" 60 </dev/null >/dev/null 2>&1 &
    cpid=$!
    BG+=("$cpid")
    shown=0
    failed=0
    if wait_file "$T/$n.info" 15; then
        for ((k = 0; k < 30; k++)); do
            run "$n.$k" "$SG" dump --pid "$cpid"
            if ((RC == 0)); then
                grep -q "^Process $cpid: Python " "$T/$n.$k.out" || why "dump $k: no process line"
                grep -q "phase_c (" "$T/$n.$k.out" && shown=$((shown + 1))
            elif ((RC == 1)); then
                failed=$((failed + 1))
                if [[ $(wc -l <"$T/$n.$k.err") != 1 ]] || ! grep -q "^spyglass: " "$T/$n.$k.err"; then
                    why "dump $k failed without one 'spyglass: ' line"
                    show "$T/$n.$k.err"
                fi
            else
                why "dump $k: exit status $RC"
                show "$T/$n.$k.err"
            fi
            kill -0 "$cpid" 2>/dev/null || break
        done
        ((shown > 0)) || why "no dump showed phase_c"
        note "$k dumps: $shown showed phase_c, $failed said why not"
    else
        why "the chain did not start"
    fi
    kill -KILL "$cpid" 2>/dev/null
    wait "$cpid" 2>/dev/null
    check_end
fi

lib_finish
