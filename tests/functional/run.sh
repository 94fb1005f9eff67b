#!/usr/bin/env bash
# Functional tests: drive the spyglass binary against real CPython processes (tests/targets/)
# of every installed CPython >= 3.8 (pyenv's, and Debian's static /usr/bin/python3), one test at
# a time (sampling accuracy suffers when cores are shared).
#
# usage: SPYGLASS=/abs/path/to/spyglass tests/functional/run.sh [REGEX]
#   REGEX: run only the groups whose name matches: split (and hotline), modes, recursion,
#   attach, exitcode, threads (and threads churn), threadnames, whole, subinterp, formats,
#   unicode, unsupported, badinput, signals, debug (debug builds). Example:
#   tests/functional/run.sh 'modes|threads'
# SPYGLASS_TEST_TIMEOUT: seconds allowed to any one command (default 40).
#
# Prints 'ok - NAME' or 'FAIL - NAME: WHY' (and the relevant output, as '#' lines) per check,
# then 'N passed, N failed'; exits 1 when a check failed. Any sanitizer report on spyglass's
# stderr fails the check that ran it. A failed run keeps its files in tests/out/functional.*.
set -u

# Test a copy: the tree's binary may be rebuilt while the suite runs.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init --copy functional "$@"
TARGETS=$ROOT/tests/targets
STACKS=$ROOT/tests/functional/stacks.py
TIMEOUT=${SPYGLASS_TEST_TIMEOUT:-40} # seconds allowed to any one command
export PYTHONIOENCODING=utf-8
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

NOBODY_DIR= # a copy of the binary that user nobody can run
BG=()       # PIDs to kill on exit

lib_kill_at_exit BG
lib_at_exit '[[ -n $NOBODY_DIR ]] && rm -rf "$NOBODY_DIR"'

# ---------------------------------------------------------------------------------------------
# Helpers

# The Python that runs tests/functional/stacks.py and the format checks.
HPY=/usr/bin/python3
[[ -x $HPY ]] || HPY=$(command -v python3)

stacks() { "$HPY" "$STACKS" "$@"; }

sg() {
    local name=$1
    shift
    run "$name" "$SG" "$@"
}

# one_error_line NAME [REGEX]: spyglass's stderr is exactly one line, starting with "spyglass: "
# (and matching REGEX).
one_error_line() {
    local f=$T/$1.err n
    n=$(wc -l <"$f")
    if ((n != 1)); then
        why "expected exactly one line on stderr, got $n"
        show "$f"
    elif ! head -n1 "$f" | grep -q '^spyglass: '; then
        why "the error line does not start with 'spyglass: '"
        show "$f"
    elif [[ -n ${2:-} ]] && ! grep -qE "$2" "$f"; then
        why "error message does not match /$2/"
        show "$f"
    fi
}

# Start a command in the background (killed on exit); its PID is left in BGPID.
start_bg() {
    "$@" </dev/null >/dev/null 2>&1 &
    BGPID=$!
    BG+=("$BGPID")
}
stop_bg() {
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    forget "$1"
}
# forget PID: PID was waited for (it may be reused: do not kill it on exit).
forget() {
    local p keep=()
    for p in "${BG[@]}"; do
        [[ $p == "$1" ]] || keep+=("$p")
    done
    BG=("${keep[@]}")
}

# wait_exit PID SECONDS: wait until the background PID exits; its status in RC (124: it did not).
wait_exit() {
    local i
    for ((i = 0; i < $2 * 20; i++)); do
        if ! kill -0 "$1" 2>/dev/null; then
            wait "$1"
            RC=$?
            forget "$1"
            return 0
        fi
        sleep 0.05
    done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    forget "$1"
    RC=124
    return 1
}

# Float comparisons: fcmp 'EXPR' (awk syntax, variables a b c) a b [c].
fcmp() { awk -v a="$2" -v b="${3:-0}" -v c="${4:-0}" "BEGIN { exit !($1) }"; }

# valid_profile NAME FILE FUNC: FILE is a non-empty collapsed profile with stacks of FUNC.
valid_profile() {
    local out share
    if ! out=$(stacks valid "$2" 2>&1); then
        why "$(basename "$2") is not a collapsed profile: $out"
        show "$2" "$T/$1.err"
        return 1
    fi
    share=$(stacks share "$2" "$3")
    if ! fcmp 'a > 0' "$share"; then
        why "no stack of $3 in $(basename "$2")"
        show "$2" "$T/$1.err"
        return 1
    fi
    return 0
}

# ---------------------------------------------------------------------------------------------
# Pythons

mapfile -t DEBUG_PYS < <(list_pythons --debug) # 'VERSION PATH' of the Py_DEBUG builds
PYS=()    # interpreters to test
LABELS=() # their names in check names
OLD_PY=   # a 3.6 or 3.7, which spyglass must refuse
OLD_V=
while read -r v py; do
    [[ -n $v ]] || continue
    case $v in
    3.[0-7].*)
        if [[ -z $OLD_PY || $v == 3.7.* ]]; then
            OLD_PY=$py
            OLD_V=$v
        fi
        ;;
    *)
        PYS+=("$py")
        LABELS+=("$v")
        ;;
    esac
done < <(list_pythons)
if [[ -x /usr/bin/python3 ]]; then
    PYS+=(/usr/bin/python3)
    LABELS+=("system-$(py_version /usr/bin/python3)")
fi
# The interpreters of the run-once checks: a 3.12 (else the newest pyenv one) and a 3.8.
PY_A=
PY_B=
for i in "${!PYS[@]}"; do
    case ${LABELS[$i]} in
    3.12.*) PY_A=${PYS[$i]} ;;
    3.8.*) PY_B=${PYS[$i]} ;;
    system-*) ;;
    *) [[ $PY_A == *3.12* ]] || PY_A=${PYS[$i]} ;;
    esac
done
label_of() {
    local i
    for i in "${!PYS[@]}"; do
        [[ ${PYS[$i]} == "$1" ]] && echo "${LABELS[$i]}" && return
    done
}
echo "# spyglass: $SG_ORIG (run as a copy: $SG)"
echo "# pythons: ${LABELS[*]}; debug builds: ${#DEBUG_PYS[@]}; refused: ${OLD_V:-none}; work dir: $T"
if ((${#PYS[@]} == 0)); then
    check_begin "setup"
    why "no CPython >= 3.8 found in $PYENV_DIR/versions or /usr/bin/python3"
    check_end
fi

# ---------------------------------------------------------------------------------------------
# Per-version checks

# Statistical checks get up to three attempts: other load on the machine can skew a run (a
# thread waiting for a CPU counts as running in cpu mode), while a real defect fails every time.
# Every attempt's stderr is checked for sanitizer reports. usage: with_retry FUNCTION ARGS...
# (FUNCTION gets the attempt number last and reports through why/show).
ATTEMPTS=3
with_retry() {
    local attempt
    for ((attempt = 1; attempt <= ATTEMPTS; attempt++)); do
        WHY=()
        SHOW=()
        "$@" "$attempt"
        ((${#WHY[@]} == 0)) && return
        ((attempt < ATTEMPTS)) && note "attempt $attempt failed (${WHY[*]}); trying again"
    done
}

# cpu_note NAME: how much CPU the launched target got, from spyglass's summary (for messages).
cpu_note() {
    sed -n "s/.* in \([0-9.]*\) s: .*/\1/p" "$T/$1.err" | head -n1 | {
        read -r wall
        cpu=$(grep -o "of the target's [0-9.]* s" "$T/$1.err" | grep -o '[0-9.]* s$')
        echo "the target used ${cpu:-?} of CPU in ${wall:-?} s"
    }
}

# 1, 2. The sampled split of CPU time between f and g matches the target's own measurement, and
# the hottest line of f is the loop body.
split_attempt() {
    local py=$1 v=$2 attempt=$3 n share selfpct
    n=split-$v.$attempt
    SPLIT_PROF=$T/$n.txt
    SPLIT_ERR=$T/$n.err
    local self=$T/$n.self
    sg "$n" record --rate 2000 -o "$SPLIT_PROF" -- "$py" "$TARGETS/split.py" "$self" 3
    expect_rc 0 "$n"
    ((RC == 0)) && valid_profile "$n" "$SPLIT_PROF" f || return
    share=$(stacks leafshare "$SPLIT_PROF" f g 2>&1) || {
        why "$share"
        return
    }
    if ! selfpct=$(awk '{ printf "%.2f", 100 * $1 }' "$self" 2>/dev/null) || [[ -z $selfpct ]]; then
        why "the target wrote no self-measured split"
        return
    fi
    note "f's share: spyglass $share%, self-measured $selfpct%"
    fcmp 'a - b <= 2 && b - a <= 2' "$share" "$selfpct" ||
        why "spyglass says f has $share% of the f+g samples, the target measured $selfpct%"
    fcmp 'b >= 70 && b <= 80' 0 "$selfpct" ||
        why "workload broken: self-measured f share $selfpct% is not 75 ± 5"
}

t_split() {
    local py=$1 v=$2 hot want_line
    check_begin "split $v"
    with_retry split_attempt "$py" "$v"
    check_end

    check_begin "hotline $v"
    ERRFILES+=("$SPLIT_ERR")
    want_line=$(grep -n '# HOT' "$TARGETS/split.py" | cut -d: -f1)
    if [[ ! -s $SPLIT_PROF ]]; then
        why "no profile (see split $v)"
    elif ! hot=$(stacks hotline "$SPLIT_PROF" f 2>&1); then
        why "$hot"
    elif [[ $hot != "$want_line" ]]; then
        why "the most sampled line of f is $hot, expected $want_line (the # HOT line)"
        show "$SPLIT_PROF"
    fi
    check_end
}

# 3. Modes: wall sees both threads, cpu and gil only the busy one. CHURN > 0: the target first
# runs that many short-lived threads (a profiler must not lose track of threads after many).
modes_attempt() {
    local py=$1 v=$2 mode=$3 churn=$4 attempt=$5 n prof shares s b
    n=modes-$mode-$v.$churn.$attempt
    prof=$T/$n.txt
    SLEEPBUSY_TRUTH=$T/$n.truth sg "$n" record --rate 500 --mode "$mode" -o "$prof" -- \
        "$py" "$TARGETS/sleepbusy.py" 1.5 - "$churn"
    expect_rc 0 "$n"
    ((RC == 0)) && valid_profile "$n" "$prof" busy || return
    shares=$(stacks share "$prof" sleeper busy)
    read -r s b <<<"$shares"
    note "stacks with sleeper: $s%, with busy: $b%"
    if [[ $mode == wall ]]; then
        fcmp 'a >= 40 && b >= 40' "$s" "$b" ||
            why "wall mode: sleeper in $s% and busy in $b% of the stacks, expected >= 40% each"
    else
        # busy() has most of the process's CPU, but not all: thread start-up (300 threads in
        # the churn variant) takes some, and more of it when load slows busy() down. Truth: the
        # target's own measure: busy must be in at least 90% of the stacks, or its share less 5
        # points when that is lower. cpu mode counts a runnable thread (waiting for a CPU too,
        # as load makes the churn threads do) as on CPU: its share is of the threads' runnable
        # time (schedstat); gil mode's is of the process's CPU clock.
        local want=90 truth
        truth=$(awk -v m="$mode" '{ if (m == "cpu" && $4 > 0) v = 100 * $3 / $4 - 5
            else if ($2 > 0) v = 100 * $1 / $2 - 5; else exit
            print (v < 90 ? v : 90) }' "$T/$n.truth" 2>/dev/null)
        [[ -n $truth ]] && want=$truth
        fcmp "b >= $want && a <= 5" "$s" "$b" ||
            why "$mode mode: busy in $b% (expected >= $want%: 90, or the target's own measure less 5), sleeper in $s% (expected <= 5%); $(cpu_note "$n"); busy/process CPU, busy/all runnable: $(cat "$T/$n.truth" 2>/dev/null)"
    fi
    ((${#WHY[@]})) && show "$prof"
}

t_modes() {
    local py=$1 v=$2 mode
    for mode in wall cpu gil; do
        check_begin "modes $mode $v"
        with_retry modes_attempt "$py" "$v" "$mode" 0
        check_end
    done
}

# 4. A 500-deep recursion is sampled whole.
t_recursion() {
    local py=$1 v=$2 n
    n=recursion-$v
    local prof=$T/$n.txt top nframes nrec root
    check_begin "recursion $v"
    sg "$n" record --rate 200 -o "$prof" -- "$py" "$TARGETS/recursion.py" 500 1.5
    expect_rc 0 "$n"
    if ((RC == 0)) && valid_profile "$n" "$prof" rec; then
        stacks top "$prof" >"$T/$n.top"
        nframes=$(head -n1 "$T/$n.top")
        nrec=$(tail -n +2 "$T/$n.top" | grep -c '^rec (')
        root=$(sed -n 2p "$T/$n.top")
        ((nrec == 500)) || why "the most common stack has $nrec rec frames, expected 500"
        [[ $root == "<module> ($TARGETS/recursion.py:"*")" ]] ||
            why "the root of the most common stack is '$root', expected <module> of recursion.py"
        ((nframes == 501)) || why "the most common stack has $nframes frames, expected 501"
        grep -q '; 0 truncated$' "$T/$n.err" || why "the summary reports truncated stacks"
        ((${#WHY[@]})) && show "$T/$n.top" "$T/$n.err"
    fi
    check_end
}

# 5. Attach to a running process: record and dump.
t_attach() {
    local py=$1 v=$2 n pid state
    n=attach-$v
    local prof=$T/$n.txt ready=$T/$n.ready
    start_bg "$py" "$TARGETS/spin.py" 20 "$ready"
    pid=$BGPID
    check_begin "attach record $v"
    if ! wait_file "$ready" 15; then
        why "the target did not start"
    else
        sg "$n" record --pid "$pid" --duration 1 -o "$prof"
        expect_rc 0 "$n"
        if ((RC == 0)) && valid_profile "$n" "$prof" spin_target; then
            grep -q 'spin_target (' "$prof" || why "no spin_target frame"
        fi
        state=$(ps -o stat= -p "$pid" 2>/dev/null)
        [[ $state == [RS]* ]] || why "the target is not running after the recording (state '$state')"
    fi
    check_end

    check_begin "attach dump $v"
    if [[ -s $ready ]]; then
        sg "dump-$v" dump --pid "$pid"
        expect_rc 0 "dump-$v"
        if ((RC == 0)); then
            grep -q 'spin_target (' "$T/dump-$v.out" || why "dump shows no spin_target frame"
            grep -q '"MainThread"' "$T/dump-$v.out" || why "dump shows no MainThread"
            ((${#WHY[@]})) && show "$T/dump-$v.out"
        fi
    else
        why "the target did not start"
    fi
    check_end
    stop_bg "$pid"
}

# 6. A launched command's exit code is passed through, 128+N when killed by signal N.
t_exitcode() {
    local py=$1 v=$2 n
    n=exit7-$v
    check_begin "exitcode 7 $v"
    sg "$n" record --rate 200 -o "$T/$n.txt" -- "$py" -c 'import sys, time; time.sleep(0.3); sys.exit(7)'
    expect_rc 7 "$n"
    ((RC == 7)) && valid_profile "$n" "$T/$n.txt" '<module>'
    check_end

    n=exit137-$v
    check_begin "exitcode SIGKILL $v"
    sg "$n" record --rate 200 -o "$T/$n.txt" -- "$py" -c \
        'import os, signal, time; time.sleep(0.3); os.kill(os.getpid(), signal.SIGKILL)'
    expect_rc 137 "$n"
    ((RC == 137)) && valid_profile "$n" "$T/$n.txt" '<module>'
    check_end
}

# 7. --threads roots each stack in 'thread NAME (TID)'.
t_threads() {
    local py=$1 v=$2 n pid tid out
    n=threads-$v
    local prof=$T/$n.txt comm
    check_begin "threads $v"
    sg "$n" record --threads --rate 200 -o "$prof" -- "$py" "$TARGETS/sleepbusy.py" 1 "$T/$n.info"
    expect_rc 0 "$n"
    if ((RC == 0)) && valid_profile "$n" "$prof" busy; then
        read -r pid tid <"$T/$n.info"
        out=$(stacks roots "$prof" busy "thread MainThread \\($pid\\)" 2>&1) || why "busy: $out"
        if ((tid == pid)); then
            why "the sleeper's TID $tid is the PID?"
        else
            out=$(stacks roots "$prof" sleeper "thread [^;]+ \\($tid\\)" 2>&1) || why "sleeper: $out"
        fi
        ((${#WHY[@]})) && show "$prof"
    fi
    check_end

    # Threads being started and joined all the time: every root is still a proper thread frame
    # (MainThread, or the kernel's name of the thread: the process's comm or "worker" where
    # CPython names OS threads, "?" for one that is gone).
    n=churn-$v
    prof=$T/$n.txt
    check_begin "threads churn $v"
    sg "$n" record --threads --rate 2000 -o "$prof" -- "$py" "$TARGETS/churn.py" 1 "$T/$n.info"
    expect_rc 0 "$n"
    if ((RC == 0)) && valid_profile "$n" "$prof" worker; then
        read -r pid comm <"$T/$n.info"
        out=$(stacks threadnames "$prof" "$pid" "$comm" worker '?' 2>&1) || why "$out"
    fi
    check_end
}

# 7'. Python thread names (threading's Thread.name): the --threads roots and dump show them,
# non-ASCII ones included, for a Thread subclass and for a thread that renames itself once
# running; the main thread is MainThread; a thread started with _thread keeps the kernel's name.
# check_names PROFILE INFO: every root is its thread's Python name (or, for the renaming thread,
# its first name; '?' for a thread gone), and each of them roots some stack.
check_names() {
    local out
    out=$("$HPY" - "$1" "$2" <<'EOF2' 2>&1
import re, sys
want, any_of = {}, {}
for line in open(sys.argv[2], encoding="utf-8"):
    f = line.split()
    want[f[1]] = f[2] if f[0] == "raw" else f[0]
    any_of[f[1]] = {want[f[1]], "before-rename"} if f[0] == "renamed-late" else {want[f[1]]}
seen, bad = set(), set()
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"thread (.*) \(([0-9]+)\);", line)
    if not m or not (m.group(1) in any_of.get(m.group(2), ()) or m.group(1) == "?"):
        bad.add(line.split(";")[0])
    elif m.group(1) == want.get(m.group(2)):
        seen.add(m.group(2))
missing = ["thread %s (%s)" % (want[t], t) for t in want if t not in seen]
if bad or missing:
    sys.exit("unexpected roots: %s; roots never seen: %s" % (
        ", ".join(sorted(bad)[:6]) or "none", ", ".join(missing) or "none"))
print("%d threads named as expected" % len(seen))
EOF2
    ) || why "$out"
}

t_threadnames() {
    local py=$1 v=$2 n pid name tid comm line
    n=tnames-$v
    local prof=$T/$n.txt info=$T/$n.info
    check_begin "threadnames record $v"
    sg "$n" record --threads --rate 200 -o "$prof" -- "$py" "$TARGETS/threadnames.py" 1.5 "$info"
    expect_rc 0 "$n"
    if ((RC == 0)) && valid_profile "$n" "$prof" spin; then
        if [[ ! -s $info ]]; then
            why "the target wrote no thread list"
        else
            grep -qF 'thread worker-1 (' "$prof" || why "no 'thread worker-1 (' root"
            grep -qF 'thread wörker-ü (' "$prof" || why "no 'thread wörker-ü (' root"
            check_names "$prof" "$info"
        fi
        ((${#WHY[@]})) && show "$prof" "$info"
    fi
    check_end

    n=tnames-dump-$v
    info=$T/$n.info
    check_begin "threadnames dump $v"
    start_bg "$py" "$TARGETS/threadnames.py" 20 "$info"
    pid=$BGPID
    if ! wait_file "$info" 15; then
        why "the target did not start"
    else
        sg "$n" dump --pid "$pid"
        expect_rc 0 "$n"
        if ((RC == 0)); then
            while read -r name tid comm; do
                [[ $name == raw ]] && name=$comm
                grep -qF "Thread $tid (" "$T/$n.out" || why "no thread $tid"
                line=$(grep -F "Thread $tid (" "$T/$n.out" | head -n1)
                [[ $line == *": \"$name\""* ]] || why "thread $tid is not named \"$name\": $line"
            done <"$info"
            ((${#WHY[@]})) && show "$T/$n.out" "$info"
        fi
    fi
    check_end
    stop_bg "$pid"
}

# 8. Whole stacks: programs whose stacks run through generator, coroutine and async-generator
# frames (tests/targets/pipelines.py), with a .pth file in the user site that runs code at
# start-up. Every written stack of the target's code (or of asyncio, which it runs) reaches its
# '<module>' frame (at most 0.5% may not: none should), the summary counts what was dropped, and
# no start-up '<string>' frame shows up inside a live stack. Then 200 dumps of a generator pipeline: no stack printed cut.
WHOLE_SHAPES=(gen yieldfrom genexpr asyncgen gather)
t_whole() {
    local py=$1 v=$2 n shape site out pid i cut=0 dropped=0 outer
    local ub=$T/userbase-$v
    site=$(PYTHONUSERBASE=$ub "$py" -c 'import site; print(site.getusersitepackages())') || site=
    if [[ -n $site ]]; then
        mkdir -p "$site"
        # An import line of a .pth file is exec()'d by site at start-up, as '<string>': here it
        # defines and runs a function (spyglass_pth) whose frames must never appear later.
        echo 'import os; exec("def spyglass_pth():\n return \"\".join(str(i) for i in range(3))\nos.environ.setdefault(\"SPYGLASS_PTH_RAN\", spyglass_pth())")' \
            >"$site/spyglass-test.pth"
    fi
    for shape in "${WHOLE_SHAPES[@]}"; do
        n=whole-$shape-$v
        check_begin "whole $shape $v"
        PYTHONUSERBASE=$ub sg "$n" record --rate 1000 -o "$T/$n.txt" -- \
            "$py" "$TARGETS/pipelines.py" "$shape" 1.5
        expect_rc 0 "$n"
        if ((RC == 0)); then
            out=$(stacks whole "$T/$n.txt" "$TARGETS/pipelines.py" 0.5 2>&1) || why "$out"
            grep -q 'invalid thread samples (.*not whole)' "$T/$n.err" ||
                why "the summary does not count the samples dropped as not whole"
            note "$(sed -n 's/^spyglass: \([0-9]* invalid thread samples.*\)/\1/p' "$T/$n.err"); cut/total written: $out"
            ((${#WHY[@]})) && show "$T/$n.err"
        fi
        check_end
    done
    # The site file must have run: else the '<string>' check above proved nothing.
    n=whole-pth-$v
    check_begin "whole .pth ran at start-up $v"
    PYTHONUSERBASE=$ub run "$n" "$py" -c 'import os; print(os.environ.get("SPYGLASS_PTH_RAN"))'
    grep -qx 012 "$T/$n.out" || why "the .pth file in $site did not run"
    check_end

    n=whole-dump-$v
    check_begin "whole 200 dumps $v"
    start_bg "$py" "$TARGETS/pipelines.py" gen 60 "$T/$n.ready"
    pid=$BGPID
    if wait_file "$T/$n.ready" 15; then
        for ((i = 0; i < 200; i++)); do
            run "$n" "$SG" dump --pid "$pid"
            if ((RC != 0)); then
                why "dump $i: exit status $RC"
                show "$T/$n.err"
                break
            fi
            # The main thread's block: its last frame is the outermost.
            outer=$(awk '/^Thread /{m = /"MainThread"/; d = /not read whole|changed while read/}
                         m && /^    /{last = $0} END {print (d ? "DROPPED" : last)}' "$T/$n.out")
            case $outer in
            DROPPED) dropped=$((dropped + 1)) ;;
            "    <module> ("*pipelines.py:*) ;;
            *)
                cut=$((cut + 1))
                cp "$T/$n.out" "$T/$n.cut.$cut"
                ;;
            esac
        done
        ((cut == 0)) || {
            why "$cut of 200 dumps printed a cut stack"
            show "$T/$n.cut.1"
        }
        note "200 dumps: $cut cut, $dropped marked as not read whole"
    else
        why "the target did not start"
    fi
    check_end
    stop_bg "$pid"
}

# 9. Subinterpreters: a thread running code in another interpreter is one stack per tick, the
# frames of its caller's interpreter (run_in) under those of the interpreter it runs in
# (sub_spin), and named with that interpreter's id.
t_subinterp() {
    local py=$1 v=$2 n=subinterp-$2 out ticks
    check_begin "subinterp $v"
    sg "$n" record --threads --rate 200 -o "$T/$n.txt" -- "$py" "$TARGETS/subinterp.py" 1.5
    if ((RC == 3)); then
        note "no subinterpreter module in this Python"
    else
        expect_rc 0 "$n"
        ((RC == 0)) && valid_profile "$n" "$T/$n.txt" sub_spin
    fi
    if ((RC == 0)); then
        ticks=$(sed -n 's/^spyglass: \([0-9]*\) samples of process.*/\1/p' "$T/$n.err")
        out=$("$HPY" - "$T/$n.txt" "${ticks:-0}" 2>&1 <<'PYEOF'
import re, sys
ticks, sub, bad = int(sys.argv[2]), 0, []
for line in open(sys.argv[1], encoding="utf-8"):
    st, c = line.rstrip("\n").rsplit(" ", 1)
    fr = st.split(";")
    if not fr[0].startswith("thread subworker"):
        continue
    sub += int(c)
    names = [f.split(" (")[0] for f in fr[1:]]
    if "sub_spin" in names:
        ok = re.fullmatch(r"thread subworker \[interpreter [1-9][0-9]*\] \([0-9]+\)", fr[0])
        ok = ok and "run_in" in names and names.index("run_in") < names.index("sub_spin")
        if not ok:
            bad.append(" > ".join([fr[0]] + names))
if bad:
    sys.exit("sub_spin not under run_in in a subinterpreter's thread frame: %s" % bad[0])
if sub > ticks:
    sys.exit("the subworker thread has %d samples in %d ticks: sampled more than once a tick"
             % (sub, ticks))
print("subworker: %d samples in %d ticks" % (sub, ticks))
PYEOF
        ) || why "$out"
        note "$out"
        ((${#WHY[@]})) && show "$T/$n.txt"
    fi
    check_end
}

for i in "${!PYS[@]}"; do
    py=${PYS[$i]}
    v=${LABELS[$i]}
    want split && t_split "$py" "$v"
    want modes && t_modes "$py" "$v"
    want recursion && t_recursion "$py" "$v"
    want attach && t_attach "$py" "$v"
    want exitcode && t_exitcode "$py" "$v"
    want threads && t_threads "$py" "$v"
    want threadnames && t_threadnames "$py" "$v"
    want whole && t_whole "$py" "$v"
    want subinterp && t_subinterp "$py" "$v"
done

# ---------------------------------------------------------------------------------------------
# Run-once checks

# 10. Output formats, chosen by -o's extension or --format.
t_formats() {
    local py=$1 v=$2 n out
    n=fmt-svg-$v
    check_begin "formats svg $v"
    sg "$n" record --rate 200 -o "$T/$n.svg" -- "$py" "$TARGETS/spin.py" 1
    expect_rc 0 "$n"
    if ((RC == 0)); then
        out=$("$HPY" -c 'import xml.dom.minidom, sys; xml.dom.minidom.parse(sys.argv[1])' \
            "$T/$n.svg" 2>&1) || why "not valid XML: $(tail -n1 <<<"$out")"
        grep -q 'spin_target' "$T/$n.svg" || why "spin_target is not in the SVG"
        head -c 300 "$T/$n.svg" | grep -q '<svg' || why "no <svg> element at the top"
    fi
    check_end

    n=fmt-json-$v
    check_begin "formats speedscope $v"
    sg "$n" record --rate 200 -o "$T/$n.json" -- "$py" "$TARGETS/spin.py" 1
    expect_rc 0 "$n"
    if ((RC == 0)); then
        out=$("$HPY" - "$T/$n.json" <<'EOF' 2>&1
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
frames = d["shared"]["frames"]
p = d["profiles"][0]
samples = p["samples"]
assert frames and samples, "no frames or no samples"
assert all(0 <= i < len(frames) for s in samples for i in s), "sample with a bad frame index"
assert len(p.get("weights", samples)) == len(samples), "weights and samples differ in length"
names = [frames[i]["name"] for s in samples for i in s]
assert "spin_target" in names, "no sample has a spin_target frame"
print(len(frames), "frames,", len(samples), "samples")
EOF
        ) || why "bad speedscope file: $(tail -n1 <<<"$out")"
        ((${#WHY[@]})) && show "$T/$n.json"
    fi
    check_end

    n=fmt-data-$v
    check_begin "formats collapsed $v"
    sg "$n" record --rate 200 --format collapsed -o "$T/$n.data" -- "$py" "$TARGETS/spin.py" 1
    expect_rc 0 "$n"
    ((RC == 0)) && valid_profile "$n" "$T/$n.data" spin_target
    check_end
}

# 11. Non-ASCII and hostile names: exact in collapsed output, escaped in the SVG.
t_unicode() {
    local py=$1 v=$2 n dir file name out
    dir="$T/tärget dir $v"
    file="$dir/naïve spaß ✓.py"
    mkdir -p "$dir"
    cp "$TARGETS/hostile_names.py" "$file"

    n=uni-$v
    check_begin "unicode collapsed $v"
    sg "$n" record --rate 200 -o "$T/$n.txt" -- "$py" "$file" 0.7
    expect_rc 0 "$n"
    if ((RC == 0)); then
        for name in 'naïve_函数' '<script>alert(1)</script>' "q\"u&o'te"; do
            grep -qF "$name ($file:" "$T/$n.txt" || why "no frame '$name ($file:LINE)'"
        done
        ((${#WHY[@]})) && show "$T/$n.txt"
    fi
    check_end

    n=uni-svg-$v
    check_begin "unicode svg $v"
    sg "$n" record --rate 200 -o "$T/$n.svg" -- "$py" "$file" 0.7
    expect_rc 0 "$n"
    if ((RC == 0)); then
        if grep -qF '<script>alert(1)</script>' "$T/$n.svg"; then
            why "the SVG holds a raw <script>alert(1)</script>"
        fi
        out=$("$HPY" - "$T/$n.svg" "$file" <<'EOF' 2>&1
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
texts = []
def walk(node):
    for c in node.childNodes:
        if c.nodeType in (c.TEXT_NODE, c.CDATA_SECTION_NODE):
            texts.append(c.data)
        walk(c)
walk(doc)
text = "\n".join(texts)
for name in ("naïve_函数", "<script>alert(1)</script>", "q\"u&o'te"):
    want = "%s (%s:" % (name, sys.argv[2])
    assert want in text, "no text %r" % want
EOF
        ) || why "$(tail -n1 <<<"$out")"
    fi
    check_end
}

# 9b. dump escapes control characters, quotes and backslashes in names.
t_dump_escapes() {
    local py=$1 v=$2 n pid
    n=dump-esc-$v
    check_begin "dump escapes $v"
    start_bg "$py" "$TARGETS/hostile_dump.py" 20 "$T/$n.ready"
    pid=$BGPID
    if wait_file "$T/$n.ready" 15; then
        sg "$n" dump --pid "$pid"
        expect_rc 0 "$n"
        if ((RC == 0)); then
            grep -q $'\x1b' "$T/$n.out" && why "a raw escape byte in the output"
            grep -q '^Thread 1 (active)' "$T/$n.out" && why "the thread name forged a line"
            grep -qF ': "evil\x0aThread 1 (active): \"x\"\x1b[2J"' "$T/$n.out" ||
                why "no escaped thread name"
            grep -qF '    f\x1bn\\ (' "$T/$n.out" || why "no escaped function name"
            ((${#WHY[@]})) && show "$T/$n.out"
        fi
    else
        why "the target did not start"
    fi
    check_end
    stop_bg "$pid"
}

# Python 3.6/3.7: refused with one line.
t_unsupported() {
    local py=$1 v=$2 n pid
    n=old-launch
    check_begin "unsupported $v launch"
    sg "$n" record -o "$T/$n.txt" -- "$py" -c 'import time; time.sleep(5)'
    ((RC != 0 && RC != 124)) || why "exit status $RC, expected non-zero"
    one_error_line "$n" 'not supported'
    check_end

    n=old-attach
    check_begin "unsupported $v attach"
    start_bg "$py" "$TARGETS/spin.py" 20 "$T/$n.ready"
    pid=$BGPID
    if wait_file "$T/$n.ready" 15; then
        sg "$n" record --pid "$pid" --duration 1 -o "$T/$n.txt"
        ((RC != 0 && RC != 124)) || why "exit status $RC, expected non-zero"
        one_error_line "$n" 'not supported'
    else
        why "the target did not start"
    fi
    check_end
    stop_bg "$pid"
}

# A CPython newer than spyglass knows: a copy of a Debian 3.13+ interpreter (its _Py_DebugOffsets
# in the executable's .PyRuntime section) whose published version is patched to 3.16.0, next to
# its own library (lib/ is a link); launched and attached, it is refused with one line that says
# so and names the versions that are supported.
t_unsupported_newer() {
    local src=$1 dir=$T/py316 exe off n pid
    exe=$(basename "$(readlink -f "$src")")
    check_begin "unsupported 3.16 launch"
    off=$(readelf -SW "$src" 2>/dev/null | awk '$2 == ".PyRuntime" { print $5 }')
    mkdir -p "$dir/bin"
    if [[ -z $off ]] || ! cp "$(readlink -f "$src")" "$dir/bin/$exe" ||
        ! ln -s "$(dirname "$(readlink -f "$src")")/../lib" "$dir/lib" ||
        ! printf '\xf0\x00\x10\x03\x00\x00\x00\x00' |
        dd of="$dir/bin/$exe" bs=1 seek=$((0x$off + 8)) conv=notrunc status=none; then
        why "cannot make a 3.16 copy of $src"
    else
        n=new-launch
        sg "$n" record -o "$T/$n.txt" -- "$dir/bin/$exe" -c 'import time; time.sleep(5)'
        ((RC != 0 && RC != 124)) || why "exit status $RC, expected non-zero"
        one_error_line "$n" 'Python 3\.16 is not supported yet \(spyglass supports 3\.8 to 3\.15\)'
    fi
    check_end

    n=new-attach
    check_begin "unsupported 3.16 attach"
    start_bg "$dir/bin/$exe" "$TARGETS/spin.py" 20 "$T/$n.ready"
    pid=$BGPID
    if wait_file "$T/$n.ready" 15; then
        sg "$n" record --pid "$pid" --duration 1 -o "$T/$n.txt"
        ((RC != 0 && RC != 124)) || why "exit status $RC, expected non-zero"
        one_error_line "$n" 'Python 3\.16 is not supported yet'
    else
        why "the 3.16 copy did not start"
    fi
    check_end
    stop_bg "$pid"
}

# 12. Bad input: one line on stderr and the documented exit code.
t_badinput() {
    local py=$1 n pid
    n=bad-nopid
    check_begin "badinput no such process"
    if kill -0 999999 2>/dev/null; then
        why "PID 999999 exists here"
    else
        sg "$n" record --pid 999999 --duration 1 -o "$T/$n.txt"
        expect_rc 1 "$n"
        one_error_line "$n" '999999'
        [[ -e $T/$n.txt ]] && why "a file was left behind: $T/$n.txt"
    fi
    check_end

    # A failed start leaves an existing output as it was, and never removes a device.
    n=bad-keep
    check_begin "badinput failed start keeps the output file"
    if kill -0 999999 2>/dev/null; then
        why "PID 999999 exists here"
    else
        echo "an earlier profile" > "$T/$n.txt"
        sg "$n" record --pid 999999 --duration 1 -o "$T/$n.txt"
        expect_rc 1 "$n"
        [[ $(cat "$T/$n.txt" 2>/dev/null) == "an earlier profile" ]] ||
            why "the existing file was changed or removed"
        sg "$n-null" record --pid 999999 --duration 1 -o /dev/null
        [[ -c /dev/null ]] || why "/dev/null is no longer a character device"
    fi
    check_end

    start_bg sleep 30
    pid=$BGPID
    sleep 0.1
    n=bad-notpy
    check_begin "badinput not python (record)"
    sg "$n" record --pid "$pid" --duration 1 -o "$T/$n.txt"
    expect_rc 1 "$n"
    one_error_line "$n" 'not a Python process'
    check_end
    n=bad-notpy-dump
    check_begin "badinput not python (dump)"
    sg "$n" dump --pid "$pid"
    expect_rc 1 "$n"
    one_error_line "$n" 'not a Python process'
    check_end
    stop_bg "$pid"

    n=bad-early
    check_begin "badinput target exits before --duration"
    start_bg "$py" "$TARGETS/spin.py" 0.7 "$T/$n.ready"
    pid=$BGPID
    if wait_file "$T/$n.ready" 15; then
        sg "$n" record --pid "$pid" --duration 5 -o "$T/$n.txt"
        expect_rc 3 "$n"
        valid_profile "$n" "$T/$n.txt" spin_target
    else
        why "the target did not start"
    fi
    check_end
    stop_bg "$pid"

    # Permission: spyglass as user nobody, the target as root.
    NOBODY_DIR=$(mktemp -d /tmp/spyglass-nobody.XXXXXX)
    chmod 755 "$NOBODY_DIR"
    cp "$SG" "$NOBODY_DIR/spyglass"
    chmod 755 "$NOBODY_DIR/spyglass"
    start_bg "$py" "$TARGETS/spin.py" 20 "$T/bad-perm.ready"
    pid=$BGPID
    wait_file "$T/bad-perm.ready" 15
    for n in bad-perm bad-perm-dump; do
        if [[ $n == bad-perm ]]; then
            check_begin "badinput permission denied (record)"
        else
            check_begin "badinput permission denied (dump)"
        fi
        if [[ $(id -u) != 0 ]]; then
            why "needs root (to run spyglass as nobody against a root process)"
        elif [[ ! -s $T/bad-perm.ready ]]; then
            why "the target did not start"
        else
            if [[ $n == bad-perm ]]; then
                run "$n" setpriv --reuid=nobody --regid=nogroup --clear-groups \
                    "$NOBODY_DIR/spyglass" record --pid "$pid" --duration 1
            else
                run "$n" setpriv --reuid=nobody --regid=nogroup --clear-groups \
                    "$NOBODY_DIR/spyglass" dump --pid "$pid"
            fi
            expect_rc 1 "$n"
            one_error_line "$n" 'not permitted'
        fi
        check_end
    done
    stop_bg "$pid"

    n=bad-nodir
    check_begin "badinput unwritable output"
    sg "$n" record -o /nonexistent-dir/x.txt -- "$py" -c 'pass'
    expect_rc 1 "$n"
    one_error_line "$n" '/nonexistent-dir/x.txt'
    check_end

    n=bad-full
    check_begin "badinput output to /dev/full"
    sg "$n" record --rate 200 -o /dev/full -- "$py" -c 'import time; time.sleep(0.3)'
    expect_rc 1 "$n"
    if (($(grep -c '^spyglass: .*No space left on device' "$T/$n.err") != 1)); then
        why "expected one 'spyglass: ...No space left on device' line"
        show "$T/$n.err"
    fi
    check_end

    n=bad-option
    check_begin "badinput unknown option"
    sg "$n" record --bogus -- "$py" -c 'pass'
    expect_rc 2 "$n"
    one_error_line "$n"
    check_end

    n=bad-notarget
    check_begin "badinput no --pid nor command"
    sg "$n" record --duration 1
    expect_rc 2 "$n"
    one_error_line "$n"
    check_end

    n=bad-pidandcmd
    check_begin "badinput both --pid and command"
    sg "$n" record --pid 1 -- "$py" -c 'pass'
    expect_rc 2 "$n"
    one_error_line "$n"
    check_end

    n=bad-badpid
    check_begin "badinput invalid --pid value"
    sg "$n" record --pid 12ab
    expect_rc 2 "$n"
    one_error_line "$n" '12ab'
    check_end

    n=bad-mode
    check_begin "badinput invalid --mode"
    sg "$n" record --mode fast -- "$py" -c 'pass'
    expect_rc 2 "$n"
    one_error_line "$n" 'fast'
    check_end

    n=bad-dump-nopid
    check_begin "badinput dump without --pid"
    sg "$n" dump
    expect_rc 2 "$n"
    one_error_line "$n"
    check_end

    n=bad-notpy-launch
    check_begin "badinput launched command is not python"
    sg "$n" record -o "$T/$n.txt" -- sh -c 'exit 3'
    expect_rc 3 "$n"
    one_error_line "$n" "^spyglass: 'sh' exited with code 3 before any Python stack was sampled$"
    check_end

    n=bad-notpy-killed
    check_begin "badinput launched command killed before python"
    sg "$n" record -o "$T/$n.txt" -- sh -c 'kill -9 $$'
    expect_rc 137 "$n"
    one_error_line "$n" "^spyglass: 'sh' killed by signal 9 \\(.*\\) before any Python stack was sampled$"
    check_end

    n=bad-cmd
    check_begin "badinput command cannot run"
    sg "$n" record -o "$T/$n.txt" -- /nonexistent/cmd
    expect_rc 127 "$n"
    if (($(grep -c '^spyglass: .*cannot run' "$T/$n.err") != 1)); then
        why "expected one 'spyglass: cannot run ...' line"
        show "$T/$n.err"
    fi
    check_end
}

# 13. SIGINT (like Ctrl-C) in launch mode, SIGTERM in attach mode: stop and write the profile.
t_signals() {
    local py=$1 n sgpid child pid
    n=sig-int
    check_begin "signals SIGINT in launch mode"
    "$SG" record --rate 200 -o "$T/$n.txt" -- "$py" "$TARGETS/spin.py" 30 "$T/$n.ready" \
        </dev/null >"$T/$n.out" 2>"$T/$n.err" &
    sgpid=$!
    BG+=("$sgpid")
    ERRFILES+=("$T/$n.err")
    if wait_file "$T/$n.ready" 15; then
        child=$(cat "$T/$n.ready")
        BG+=("$child")
        sleep 1
        kill -INT "$sgpid"
        if ! wait_exit "$sgpid" 5; then
            why "spyglass still running 5 s after SIGINT"
        else
            # spin.py exits 42 on KeyboardInterrupt: the signal reached it, its code came back.
            expect_rc 42 "$n"
            valid_profile "$n" "$T/$n.txt" spin_target
        fi
        if kill -0 "$child" 2>/dev/null; then
            why "the launched target still runs"
        else
            forget "$child"
        fi
    else
        why "the target did not start"
        wait_exit "$sgpid" 0
    fi
    check_end

    n=sig-term
    check_begin "signals SIGTERM in attach mode"
    start_bg "$py" "$TARGETS/spin.py" 30 "$T/$n.ready"
    pid=$BGPID
    if wait_file "$T/$n.ready" 15; then
        "$SG" record --rate 200 --pid "$pid" -o "$T/$n.txt" </dev/null >"$T/$n.out" 2>"$T/$n.err" &
        sgpid=$!
        BG+=("$sgpid")
        ERRFILES+=("$T/$n.err")
        sleep 1
        kill -TERM "$sgpid"
        if ! wait_exit "$sgpid" 5; then
            why "spyglass still running 5 s after SIGTERM"
        else
            expect_rc 0 "$n"
            valid_profile "$n" "$T/$n.txt" spin_target
        fi
        kill -0 "$pid" 2>/dev/null || why "the attached target died"
    else
        why "the target did not start"
    fi
    check_end
    stop_bg "$pid"
}

# 14. Debug builds (Py_DEBUG: Debian's python3.Xd, installed by scripts/cpython.sh 3.X-dbg):
# launched and attached like release builds, thread names included, and named 'X.Y.Z (debug)'
# in the summary and in dump's first line; a release build's summary does not say debug.
t_debug() {
    local py=$1 v=$2 l=$2-debug
    t_split "$py" "$l"
    t_attach "$py" "$l"
    t_threadnames "$py" "$l"
    check_begin "debug version $l"
    ERRFILES+=("$SPLIT_ERR")
    grep -qF "(Python $v (debug), " "$SPLIT_ERR" ||
        why "the summary of the launched run does not say 'Python $v (debug)'"
    grep -q "^Process [0-9]*: Python $v (debug) (" "$T/dump-$l.out" ||
        why "dump's first line does not say 'Python $v (debug)'"
    ((${#WHY[@]})) && show "$SPLIT_ERR" "$T/dump-$l.out"
    check_end
}

t_release_not_debug() {
    local py=$1 v=$2 n=release-$2
    check_begin "debug not said of release $v"
    sg "$n" record --rate 100 -o "$T/$n.txt" -- "$py" "$TARGETS/spin.py" 0.5
    expect_rc 0 "$n"
    grep -qF "(Python $v, " "$T/$n.err" || why "the summary does not say 'Python $v, '"
    check_end
}

if want debug; then
    if ((${#DEBUG_PYS[@]} == 0)); then
        check_begin "debug builds"
        why "no debug build (Py_DEBUG) in $PYENV_DIR/versions: scripts/cpython.sh 3.15-dbg installs one"
        check_end
    fi
    for line in "${DEBUG_PYS[@]}"; do
        t_debug "${line#* }" "${line%% *}"
    done
    [[ -n $PY_A ]] && t_release_not_debug "$PY_A" "$(label_of "$PY_A")"
fi

ONCE_PYS=()
[[ -n $PY_A ]] && ONCE_PYS+=("$PY_A")
[[ -n $PY_B && $PY_B != "$PY_A" ]] && ONCE_PYS+=("$PY_B")
if [[ -n $PY_A ]] && want modes; then
    check_begin "modes cpu after 300 threads $(label_of "$PY_A")"
    with_retry modes_attempt "$PY_A" "$(label_of "$PY_A")" cpu 300
    check_end
fi
for py in "${ONCE_PYS[@]}"; do
    want formats && t_formats "$py" "$(label_of "$py")"
    want unicode && t_unicode "$py" "$(label_of "$py")"
    want unicode && t_dump_escapes "$py" "$(label_of "$py")"
done
if want unsupported; then
    if [[ -n $OLD_PY ]]; then
        t_unsupported "$OLD_PY" "$OLD_V"
    else
        echo "# no Python 3.6/3.7 installed: unsupported-version checks skipped"
    fi
    # The newest interpreter whose executable holds _Py_DebugOffsets (Debian's static builds).
    NEW_SRC=
    for i in "${!PYS[@]}"; do
        [[ ${LABELS[$i]} == 3.1[3-9].* ]] &&
            readelf -SW "$(readlink -f "${PYS[$i]}")" 2>/dev/null | grep -q '\.PyRuntime' &&
            NEW_SRC=${PYS[$i]}
    done
    if [[ -n $NEW_SRC ]]; then
        t_unsupported_newer "$NEW_SRC"
    else
        echo "# no static CPython 3.13+ (scripts/cpython.sh 3.15): the 3.16 checks skipped"
    fi
fi
if [[ -n $PY_A ]]; then
    want badinput && t_badinput "$PY_A"
    want signals && t_signals "$PY_A"
fi

lib_finish
