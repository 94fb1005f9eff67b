#!/usr/bin/env bash
# Functional tests of `spyglass record --async` on tests/targets/asyncwork.py (a main task that
# gathers 20 named tasks, each a chain of three coroutines; 18 await sleeps, 2 burn CPU and time
# their own bursts), checked with tests/functional/async_check.py:
#   tasks VERSION     (3.14+) every stack of a worker reads Task main, main at the gather, Task
#                     WORKER, outer, middle, inner at their awaits (and asyncio's sleep as the leaf
#                     of a suspended one), parents before children, in >= 99.9% of their samples;
#                     each worker is sampled as often as main waiting at the gather (within 8%);
#                     of the samples in the CPU tasks' bursts (burn), the share under Task cpu-0
#                     matches cpu-0's share of the burst time the target measured (within
#                     max(2.5, 4 sigma) points). The share of the whole event loop's samples is
#                     noted, not checked: on a loaded machine the sampler runs less while the
#                     target burns CPU than while it waits, which no attribution can undo;
#   options VERSION   (3.14+) --states ends suspended workers in <await> and running ones in a
#                     thread state; --mode cpu adds no stack of a suspended task; --threads roots
#                     them in the loop's thread; attaching by PID works; -f raw converted by
#                     `report` holds the same chains, and its chrome trace a track per suspended
#                     task; a 3.8-3.13 program exec'ing the target
#                     gets one line, then tasks; without --async no Task frame appears;
#   older VERSION     (3.8-3.13 and Debian's python3.11) one 'spyglass: --async:' line saying
#                     what cannot be done, a valid profile without Task frames, exit 0;
#   debug VERSION     Debian's Py_DEBUG builds of 3.14+ (scripts/cpython.sh 3.15-dbg), when
#                     installed: as tasks.
# Statistical checks get three attempts (other load on the machine skews a run; a defect fails
# every time).
#
# usage: SPYGLASS=/abs/path/to/spyglass tests/functional/async.sh [REGEX]
#   REGEX: the groups to run: tasks, options, older, debug (names include the version: 'tasks
#   3.15').
# Prints 'ok - NAME' or 'FAIL - NAME: WHY' per check, then 'N passed, N failed'.
set -u

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init --copy async "$@"
TARGET=$ROOT/tests/targets/asyncwork.py
CHECKER=$ROOT/tests/functional/async_check.py
TIMEOUT=${SPYGLASS_TEST_TIMEOUT:-60}
HPY=/usr/bin/python3
[[ -x $HPY ]] || HPY=$(command -v python3)
BG=()
lib_kill_at_exit BG

ask() { "$HPY" "$CHECKER" "$@"; }

expect_ok() {
    if ((RC != 0)); then
        why "exit status $RC"
        show "$T/$1.err"
        return 1
    fi
}

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

NEW=()   # 3.14+
NEW_V=()
OLD=()   # 3.8-3.13
OLD_V=()
while read -r v py; do
    case $v in
    3.[0-7].*) ;;
    3.8.* | 3.9.* | 3.1[0-3].*)
        OLD+=("$py")
        OLD_V+=("$v")
        ;;
    *)
        NEW+=("$py")
        NEW_V+=("$v")
        ;;
    esac
done < <(list_pythons)
if [[ -x /usr/bin/python3.11 ]] && test_version "$(py_version /usr/bin/python3.11)"; then
    OLD+=(/usr/bin/python3.11)
    OLD_V+=("system-$(py_version /usr/bin/python3.11)")
fi
DBG=()
DBG_V=()
while read -r v py; do
    case $v in
    3.[0-9].* | 3.1[0-3].*) ;;
    *)
        DBG+=("$py")
        DBG_V+=("$v-debug")
        ;;
    esac
done < <(list_pythons --debug)
echo "# spyglass: $SG_ORIG; with task offsets: ${NEW_V[*]:-none}; without: ${OLD_V[*]:-none};" \
    "debug builds: ${DBG_V[*]:-none}"

# 1. Chains, presence and the CPU tasks' shares.
tasks_attempt() {
    local py=$1 v=$2 attempt=$3 n out share loop truth t sd b0 b1 n_loop n_burn
    n=tasks-$v.$attempt
    local prof=$T/$n.txt
    run "$n" "$SG" record --async --rate 1000 -o "$prof" -- "$py" "$TARGET" "$T/$n.self" 3
    expect_ok "$n" || return
    if ! out=$(ask chains "$prof" "$TARGET" 2>&1); then
        why "chains: ${out//$'\n'/ | }"
        return
    fi
    note "$out"
    if ! out=$(ask presence "$prof" "$TARGET" 2>&1); then
        why "presence: $out"
        return
    fi
    note "$out"
    read -r loop b0 b1 <"$T/$n.self" || {
        why "the target wrote no self-measured times"
        return
    }
    for t in cpu-0 cpu-1; do
        read -r share n_loop < <(ask share "$prof" "$TARGET" "$t")
        truth=$(awk -v l="$loop" -v b="$([[ $t == cpu-0 ]] && echo "$b0" || echo "$b1")" \
            'BEGIN { printf "%.2f", 100 * b / l }')
        note "$t: ${share:-?}% of $n_loop event-loop samples, self-measured $truth% of the loop's time"
    done
    read -r share n_burn < <(ask burn "$prof" "$TARGET" cpu-0) || {
        why "no sample in burn"
        return
    }
    truth=$(awk -v a="$b0" -v b="$b1" 'BEGIN { printf "%.2f", 100 * a / (a + b) }')
    sd=$(awk -v p="$truth" -v n="$n_burn" 'BEGIN { printf "%.2f", 100 * sqrt(p / 100 * (1 - p / 100) / n) }')
    note "cpu-0 in the bursts: spyglass $share% of $n_burn samples, self-measured $truth% (sigma $sd)"
    awk -v a="$share" -v b="$truth" -v s="$sd" 'BEGIN { d = a - b; if (d < 0) d = -d;
        t = 4 * s; if (t < 2.5) t = 2.5; exit !(d <= t) }' ||
        why "cpu-0 has $share% of the burst samples, the target measured $truth% of the burst time (sigma $sd)"
    awk -v b="$b0" -v l="$loop" 'BEGIN { exit !(b / l > 0.15 && b / l < 0.85) }' ||
        why "workload broken: cpu-0 burst $b0 s of $loop s"
    ((${#WHY[@]})) && show "$T/$n.err"
}

t_tasks() {
    check_begin "${3:-tasks} $2: Task frames, chains, presence, CPU shares"
    with_retry tasks_attempt "$1" "$2"
    check_end
}

# 2. Options with --async.
t_options() {
    local py=$1 v=$2 n out pid want
    n=states-$v
    check_begin "options $v: --states: <await> on suspended tasks"
    run "$n" "$SG" record --async --states --rate 300 -o "$T/$n.txt" -- "$py" "$TARGET" "$T/$n.self" 1
    if expect_ok "$n"; then
        out=$(ask states "$T/$n.txt" "$TARGET" 2>&1) || why "$out"
        grep -q '<await>' "$T/$n.txt" || why "no <await> leaf"
        grep -qE '^ .* await  function \(file\)$' "$T/$n.err" ||
            why "the summary's state table has no await column"
    fi
    check_end

    n=cpu-$v
    check_begin "options $v: --mode cpu: only running tasks"
    run "$n" "$SG" record --async --mode cpu --rate 300 -o "$T/$n.txt" -- "$py" "$TARGET" "$T/$n.self" 1
    if expect_ok "$n"; then
        grep -q 'Task cpu-0' "$T/$n.txt" || why "no Task cpu-0 frame"
        if grep 'Task ' "$T/$n.txt" | grep -qv 'run_forever'; then
            why "a stack with a Task frame outside the event loop (a suspended task)"
            show "$T/$n.txt"
        fi
    fi
    check_end

    n=threads-$v
    check_begin "options $v: --threads roots suspended tasks in the loop's thread"
    run "$n" "$SG" record --async --threads --rate 300 -o "$T/$n.txt" -- "$py" "$TARGET" "$T/$n.self" 1
    if expect_ok "$n"; then
        out=$(grep 'Task sleeper-03' "$T/$n.txt" | grep -cv '^thread MainThread ([0-9]*);')
        [[ $out == 0 ]] || why "$out stacks of sleeper-03 not rooted in the main thread"
        grep -q '^thread MainThread ([0-9]*);Task main;main ' "$T/$n.txt" ||
            why "no 'thread MainThread;Task main;main' stack"
        out=$(ask chains "$T/$n.txt" "$TARGET" 2>&1) || why "chains: ${out//$'\n'/ | }"
    fi
    check_end

    n=attach-$v
    check_begin "options $v: attach by PID"
    "$py" "$TARGET" "$T/$n.self" 3 "$T/$n.ready" </dev/null >/dev/null 2>&1 &
    pid=$!
    BG+=("$pid")
    local i
    for ((i = 0; i < 200; i++)); do
        [[ -s $T/$n.ready ]] && break
        sleep 0.05
    done
    if [[ -s $T/$n.ready ]]; then
        run "$n" "$SG" record --async --pid "$pid" --duration 1 --rate 300 -o "$T/$n.txt"
        if expect_ok "$n"; then
            out=$(ask chains "$T/$n.txt" "$TARGET" 2>&1) || why "chains: ${out//$'\n'/ | }"
            grep -q 'async: 21 task names seen' "$T/$n.err" || why "the summary does not count 21 tasks"
        fi
    else
        why "the target did not start"
    fi
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    check_end

    n=raw-$v
    check_begin "options $v: -f raw and chrome"
    run "$n" "$SG" record --async --rate 300 -f raw -o "$T/$n.spyraw" -- "$py" "$TARGET" "$T/$n.self" 1
    if expect_ok "$n"; then
        run "$n.collapsed" "$SG" report -o "$T/$n.txt" "$T/$n.spyraw"
        expect_ok "$n.collapsed" && {
            out=$(ask chains "$T/$n.txt" "$TARGET" 2>&1) || why "chains: ${out//$'\n'/ | }"
        }
        run "$n.chrome" "$SG" report -f chrome -o "$T/$n.json" "$T/$n.spyraw"
        if expect_ok "$n.chrome"; then
            out=$("$HPY" - "$T/$n.json" <<'EOF'
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
names = {e["args"]["name"] for e in ev if e.get("name") == "thread_name"}
tasks = [e for e in ev if e.get("cat") == "task"]
missing = [n for n in ["Task sleeper-%02d" % i for i in range(18)] if n not in names]
print("missing tracks: %s; task events: %d" % (missing, len(tasks)))
sys.exit(1 if missing or not tasks else 0)
EOF
            ) || why "chrome: $out"
        fi
    fi
    check_end

    if ((${#OLD[@]})); then
        n=exec-$v
        check_begin "options $v: across an exec from ${OLD_V[0]}"
        # The first Python waits 1 s before its exec: spyglass must have found it first (an
        # ASan build on a loaded machine took longer than an immediate exec: CI saw only 3.15).
        run "$n" "$SG" record --async --rate 300 -o "$T/$n.txt" -- "${OLD[0]}" -c \
            "import os, sys, time; time.sleep(1); os.execv(sys.argv[1], sys.argv[1:])" "$py" \
            "$TARGET" "$T/$n.self" 1
        if expect_ok "$n"; then
            grep -q "^spyglass: --async: Python .* publishes no asyncio debug offsets" "$T/$n.err" ||
                why "no line about the first Python"
            grep -q "exec'd .*sampling the new image" "$T/$n.err" || why "no exec line"
            # 21 tasks; sampled from the new image's start, the main task may be caught under
            # its first name, before main() renames it (CI: 'Task Task-1' in one stack): a 22nd.
            want=21
            grep -q '\(^\|;\)Task Task-1;' "$T/$n.txt" && want=22
            grep -q "^spyglass: async: $want task names seen" "$T/$n.err" ||
                why "no task count ($want task names expected)"
            out=$(ask chains "$T/$n.txt" "$TARGET" 2>&1) || why "chains: ${out//$'\n'/ | }"
            ((${#WHY[@]})) && show "$T/$n.err"
        fi
        check_end
    fi

    n=off-$v
    check_begin "options $v: no Task frame without --async"
    run "$n" "$SG" record --rate 300 -o "$T/$n.txt" -- "$py" "$TARGET" "$T/$n.self" 1
    if expect_ok "$n"; then
        out=$(ask notasks "$T/$n.txt" "$TARGET" 2>&1) || why "$out"
        grep -qE '^spyglass: (--)?async' "$T/$n.err" && why "an async line in the summary"
    fi
    check_end
}

# 3. Pythons without asyncio debug offsets: one line, a profile without tasks.
t_older() {
    local py=$1 v=$2 n out
    n=older-$v
    check_begin "older $v: --async says what it cannot do, records without tasks"
    run "$n" "$SG" record --async --rate 200 -o "$T/$n.txt" -- "$py" "$TARGET" "$T/$n.self" 0.5
    if expect_ok "$n"; then
        out=$(grep -c -- '--async' "$T/$n.err")
        [[ $out == 1 ]] || why "$out lines about --async on stderr"
        grep -qE '^spyglass: --async: Python 3\.[0-9]+ publishes no asyncio debug offsets \(3\.14 and later do\)' "$T/$n.err" ||
            why "no plain line saying why"
        out=$(ask notasks "$T/$n.txt" "$TARGET" 2>&1) || why "$out"
        grep -qE '(^|;)(BaseEventLoop\.)?run_forever \(' "$T/$n.txt" || why "no event-loop stack in the profile"
        ((${#WHY[@]})) && show "$T/$n.err"
    fi
    check_end
}

for i in "${!NEW[@]}"; do
    want "tasks ${NEW_V[$i]}" && t_tasks "${NEW[$i]}" "${NEW_V[$i]}"
    want "options ${NEW_V[$i]}" && t_options "${NEW[$i]}" "${NEW_V[$i]}"
done
for i in "${!OLD[@]}"; do
    want "older ${OLD_V[$i]}" && t_older "${OLD[$i]}" "${OLD_V[$i]}"
done
for i in "${!DBG[@]}"; do
    want "debug ${DBG_V[$i]}" && t_tasks "${DBG[$i]}" "${DBG_V[$i]}" debug
done
lib_finish
