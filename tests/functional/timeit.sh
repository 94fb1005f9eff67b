#!/usr/bin/env bash
# Functional tests of `spyglass timeit`: real CPython interpreters of every installed version
# (pyenv's 3.8+ and /usr/bin/python3), real statements, the terminal report read back.
#
# usage: SPYGLASS=/abs/path/to/spyglass tests/functional/timeit.sh [REGEX]
#   REGEX: run only the checks whose group matches: rank, aa, setup, pythons, versions, errors,
#   interrupt, preempt, profile, usage, exports, baseline, verdict.
# Prints 'ok - NAME' or 'FAIL - NAME: WHY' per check, then 'N passed, N failed'.
set -u

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init timeit "$@"

# Run spyglass timeit (quiet); stdout to $T/out, stderr to $T/err, exit code in RC. A sanitizer
# report fails. Every run is bounded by `timeout`, so a hang fails instead of blocking.
sg() {
    timeout -k 5 120 "$SG" timeit -q "$@" >"$T/out" 2>"$T/err" </dev/null
    RC=$?
    san_check "$T/err" "spyglass timeit $*"
}

# Interpreters: pyenv's 3.8+ and /usr/bin/python3.
PYS=()
while read -r v py; do
    case $v in 3.[0-7].*) ;; *) PYS+=("$py") ;; esac
done < <(list_pythons /usr/bin/python3)
# The helper Python that parses reports and measures the truth: a pyenv 3.11 (as the default
# python3 of these tests), else the first one.
HPY=
for py in "${PYS[@]}"; do
    [[ $py == */3.11.*/* ]] && HPY=$py
done
HPY=${HPY:-${PYS[0]:-}}
if [[ -z $HPY ]]; then
    fail "setup" "no CPython >= 3.8 in $PYENV_DIR/versions or /usr/bin/python3"
    lib_finish
fi
echo "# spyglass: $SG; pythons: ${PYS[*]}"
SCHEMA=$ROOT/docs/timeit-schema.json

# check_json FILE EXPR: FILE validates against docs/timeit-schema.json and the Python
# expression EXPR holds for its document j. Prints why not.
check_json() { json_check "$SCHEMA" "$1" "$2"; }

# The summary line of a two-benchmark report as "FASTER SLOWER RATIO LO HI P SIGNIFICANT": RATIO
# is slower/faster with its 95% CI; a non-significant line gives the ratio as reported
# (benchmark over reference). Prints nothing when there is no summary line.
summary() {
    "$HPY" - "$1" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"^  '(.*)' is ([0-9.]+)× faster than '(.*)' \(95% CI ([0-9.]+)–([0-9.]+), "
              r"p[<=]([0-9.]+)\)$", text, re.M)
if m:
    print(m[1], m[3], m[2], m[4], m[5], m[6], "yes")
    sys.exit()
m = re.search(r"^  '(.*)' and '(.*)': no significant difference \(ratio ([0-9.]+), 95% CI "
              r"([0-9.]+)–([0-9.]+), p[<=]([0-9.]+)\)$", text, re.M)
if m:
    print(m[2], m[1], m[3], m[4], m[5], m[6], "no")
EOF
}

if want rank; then
    # sorted(range(1000)) against sorted(range(10000)) (about 11x here). The true ratio is
    # measured independently in the same attempt: 3 fresh processes of the same interpreter,
    # each alternating 6 values of each statement (after a warm-up pair) timed with
    # time.perf_counter, the ratio of the per-loop medians per process, the median of those.
    # sorted(range(1000)) must be ranked faster, the interval must cover the measured ratio, with
    # the rule of rank_verdict.
    cat >"$T/truth.py" <<'EOF'
import statistics, time
def per_loop(stmt, loops):
    code = compile("for _ in range(%d):\n    %s" % (loops, stmt), "<truth>", "exec")
    t = time.perf_counter()
    exec(code)
    return (time.perf_counter() - t) / loops
a, b = [], []
for _ in range(7):  # the first pair is a warm-up
    a.append(per_loop("sorted(range(1000))", 500))
    b.append(per_loop("sorted(range(10000))", 50))
print(statistics.median(b[1:]) / statistics.median(a[1:]))
EOF
    ranked=0 covered=0 cis=()
    for attempt in $(seq "$RANK_ATTEMPTS"); do
        sg --python "$HPY" -p 5 -n 3 --min-value-time 0.01 'sorted(range(1000))' \
            'sorted(range(10000))'
        [[ $RC == 0 ]] || break
        truth=$(for k in 1 2 3; do "$HPY" "$T/truth.py"; done |
            "$HPY" -c 'import statistics, sys; print(statistics.median(map(float, sys.stdin)))')
        read -r fast slow ratio lo hi p sig < <(summary "$T/out")
        [[ ${fast:-} == 'sorted(range(1000))' && $sig == yes ]] && ranked=$((ranked + 1))
        "$HPY" -c "import sys; sys.exit(not ($lo <= $truth <= $hi))" && covered=$((covered + 1))
        cis+=("$(printf '%.2f in [%.2f, %.2f]' "$truth" "${lo:-0}" "${hi:-0}")")
    done
    rank_verdict "rank: sorted(range(1000)) faster" "$ranked" "$covered" "${cis[*]}" \
        "$T/out" "$T/err"
fi

if want aa; then
    # The same statement twice, 20 times: at most one comparison may be declared significant.
    sig=0 runs=0
    for i in $(seq 20); do
        sg --python "$HPY" -p 6 -n 3 --min-value-time 0.005 'sum(range(100))' 'sum(range(100))'
        [[ $RC == 0 ]] || break
        runs=$((runs + 1))
        read -r _ _ _ _ _ _ s < <(summary "$T/out")
        [[ ${s:-} == yes ]] && sig=$((sig + 1))
    done
    if ((runs == 20 && sig <= 1)); then
        ok "aa: A/A declared significant in $sig of 20 repetitions"
    else
        fail "aa" "A/A declared significant in $sig of $runs repetitions (exit $RC; at most 1 of 20 allowed)" \
            "$T/out" "$T/err"
    fi
fi

# per_loop FILE N: the N-th benchmark's median per-loop time in seconds, and its value time.
per_loop() {
    "$HPY" - "$1" "$2" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
scale = {"ns": 1e-9, "µs": 1e-6, "ms": 1e-3, "s": 1}
med = re.findall(r"Per loop \(median\): +([0-9.]+) (ns|µs|ms|s) ", text)
val = re.findall(r"Loops per value: +[0-9]+ \(([0-9.]+) (ns|µs|ms|s) a value\)", text)
k = int(sys.argv[2]) - 1
print(float(med[k][0]) * scale[med[k][1]], float(val[k][0]) * scale[val[k][1]])
EOF
}

if want setup; then
    # A setup that sleeps 1 s runs once per process (3 processes here: the calibration and 2
    # workers), and the per-loop time is that of the same run without it.
    t0=$(date +%s.%N)
    sg --python "$HPY" -p 2 -n 3 --min-value-time 0.02 -s 'import time' -s 'time.sleep(1)' \
        -s 'x = list(range(200))' 'sum(x)'
    t1=$(date +%s.%N)
    cp "$T/out" "$T/sleepy.out"
    read -r slow vslow < <(per_loop "$T/sleepy.out" 1 2>/dev/null)
    sg --python "$HPY" -p 2 -n 3 --min-value-time 0.02 -s 'x = list(range(200))' 'sum(x)'
    read -r fast vfast < <(per_loop "$T/out" 1 2>/dev/null)
    if [[ $RC == 0 && -n ${slow:-} && -n ${fast:-} ]] &&
        "$HPY" -c "import sys; sys.exit(not (1 / 3 < $slow / $fast < 3 and $vslow < 0.2 and $t1 - $t0 >= 3))"; then
        ok "setup: a 1 s sleep in the setup (3 processes, $(printf '%.1f' "$("$HPY" -c "print($t1 - $t0)")") s) leaves the time per loop alone: $(printf '%.3g s against %.3g s' "$slow" "$fast")"
    else
        fail "setup" "per loop ${slow:-?} s with the sleep, ${fast:-?} s without; a value ${vslow:-?} s; run $(
            "$HPY" -c "print($t1 - $t0)") s" "$T/sleepy.out" "$T/out" "$T/err"
    fi
    # The teardown runs once per process, after the values, and sees the setup's names.
    sg --python "$HPY" -p 2 -n 2 --min-value-time 0.005 -s "x = 'done'" \
        --teardown "open('$T/td.' + str(__import__('os').getpid()), 'w').write(x)" 'len(x)'
    n=$(cat "$T"/td.* 2>/dev/null | grep -o done | wc -l)
    if [[ $RC == 0 && $n == 3 ]]; then
        ok "setup: the teardown ran once in each of 3 processes with the setup's names"
    else
        fail "setup: teardown" "exit $RC, $n teardown files" "$T/err"
    fi
fi

if want pythons; then
    # Two interpreters named by pyenv version prefix, compared in one run.
    a=$(ls -d "$PYENV_DIR"/versions/3.8.* 2>/dev/null | head -n1)
    b=$(ls -d "$PYENV_DIR"/versions/3.13.* 2>/dev/null | head -n1)
    if [[ -n $a && -n $b ]]; then
        va=${a##*/} vb=${b##*/}
        sg -p 3 -n 2 --min-value-time 0.01 --python 3.8 --python 3.13 'sorted(range(300))'
        read -r f s _ _ _ _ _ < <(summary "$T/out")
        if [[ $RC == 0 ]] && grep -q "^  Python $va ($a/bin/python3)" "$T/out" &&
            grep -q "^  Python $vb ($b/bin/python3)" "$T/out" &&
            [[ "$f $s" == "$va $vb" || "$f $s" == "$vb $va" ]]; then
            ok "pythons: --python 3.8 --python 3.13 ran $va and $vb, compared in one summary"
        else
            fail "pythons" "exit $RC, summary '${f:-} ${s:-}'" "$T/out" "$T/err"
        fi
    else
        fail "pythons" "pyenv 3.8 and 3.13 are needed in $PYENV_DIR/versions"
    fi
fi

if want versions; then
    # Every installed CPython 3.8+ runs a quick timeit and reports its own version.
    for py in "${PYS[@]}"; do
        v=$("$py" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
        sg --python "$py" -p 2 -n 2 -w 0 --min-value-time 0.005 -s 'x = list(range(50))' \
            'sorted(x)'
        if [[ $RC == 0 ]] && grep -q "^  Python $v (" "$T/out" &&
            grep -q "Per loop (median): .* 4 values in 2 processes" "$T/out"; then
            ok "versions: $v ($py)"
        else
            fail "versions: $v ($py)" "exit $RC" "$T/out" "$T/err"
        fi
    done
fi

if want errors; then
    # Each: exit 1 and one line on stderr with the interpreter's own message.
    one_line() { # NAME PATTERN
        if [[ $RC == 1 ]] && [[ $(wc -l <"$T/err") == 1 ]] && grep -q "^spyglass: timeit: .*$2" "$T/err"; then
            ok "errors: $1"
        else
            fail "errors: $1" "exit $RC (want 1), stderr:" "$T/err"
        fi
    }
    sg --python "$HPY" 'sorted(range(10)'
    one_line "syntax error in the statement" "failed: SyntaxError: "
    sg --python "$HPY" '1 / 0'
    one_line "exception in the statement" "'1 / 0' on Python '.*' failed: ZeroDivisionError: division by zero$"
    sg --python "$HPY" -s 'x = undefined_name' 'x'
    one_line "exception in the setup" "failed: NameError: name 'undefined_name' is not defined$"
    sg --python "$HPY" --teardown 'raise RuntimeError("td")' -p 1 -n 1 --min-value-time 0.001 'pass'
    one_line "exception in the teardown" "failed: RuntimeError: td$"
    sg --python /nonexistent/bin/python3 'pass'
    one_line "missing interpreter" "cannot start Python '/nonexistent/bin/python3': not found$"
    sg --python 3.99 'pass'
    one_line "unknown version" "cannot start Python '3.99': not found$"
    t0=$(date +%s)
    sg --python "$HPY" -t 1 'while True: pass'
    t1=$(date +%s)
    one_line "hang stopped by --timeout" "was stopped: timed out after 1 s$"
    if ((t1 - t0 <= 5)); then
        ok "errors: the hung statement was killed within $((t1 - t0)) s"
    else
        fail "errors: timeout" "took $((t1 - t0)) s"
    fi
    old=$(ls -d "$PYENV_DIR"/versions/3.7.* "$PYENV_DIR"/versions/3.6.* 2>/dev/null | head -n1)
    if [[ -n $old ]]; then
        sg --python "$old/bin/python3" 'pass'
        one_line "Python older than 3.8 refused" "needs 3.8 or newer$"
    fi
fi

if want interrupt; then
    # Ctrl-C: the report of what was measured, exit 130, no worker left behind.
    mark="spyglass-interrupt-$$"
    "$SG" timeit -q --python "$HPY" -p 1000 --min-value-time 0.01 --export-json "$T/int.json" \
        "sum(range(100))  # $mark" >"$T/out" 2>"$T/err" </dev/null &
    pid=$!
    sleep 2
    kill -INT $pid
    wait $pid
    RC=$?
    sleep 0.2
    left=$(pgrep -f "$mark" | wc -l)
    n=$(grep -o "values in [0-9]* process" "$T/out" | grep -o "[0-9]*")
    if [[ $RC == 130 && ${n:-0} -ge 1 && $left == 0 ]] && grep -q "^Interrupted: " "$T/out"; then
        ok "interrupt: Ctrl-C reports the values of $n processes, exits 130, leaves no worker"
    else
        fail "interrupt" "exit $RC, ${n:-no} processes reported, $left workers left" "$T/out" "$T/err"
    fi
    if check_json "$T/int.json" "j['metadata']['interrupted'] is True and \
            sum(len(w['values']) for w in j['benchmarks'][0]['workers']) >= 1" >"$T/v" 2>&1; then
        ok "interrupt: the JSON export is written too, marked interrupted"
    else
        fail "interrupt: export" "exit $RC" "$T/v" "$T/err"
    fi
fi

if want preempt; then
    # A competitor on the same CPU that runs 30 ms out of every 150: CPU-bound values it
    # preempts are timed again (JSON "retaken", a warning); a statement that sleeps never is.
    taskset -c 0 "$HPY" -c $'import time\nend = time.time() + 40\nwhile time.time() < end:\n    t = time.time() + 0.03\n    while time.time() < t: pass\n    time.sleep(0.12)' &
    SPIN=$!
    pin() {
        timeout -k 5 120 taskset -c 0 "$SG" timeit -q --python "$HPY" -p 2 -n 4 --min-value-time 0.05 \
            --export-json "$T/p.json" "$@" >"$T/out" 2>"$T/err" </dev/null
        RC=$?
        san_check "$T/err" "spyglass timeit $*"
    }
    # Other load on CPU 0 can keep every value below the CPU-bound share (nothing is then
    # retaken, rightly): up to three attempts.
    for attempt in 1 2 3; do
        pin 'x = 1 + 1'
        [[ $RC == 0 ]] && check_json "$T/p.json" "j['benchmarks'][0]['retaken'] > 0" 2>/dev/null && break
        echo "#   preempt: attempt $attempt retook no value; trying again"
    done
    # The truth when nothing was retaken: a probe on CPU 0, timing 30 slices of 50 ms (a value's
    # length) with its own thread clock. timeit retakes only when it saw the statement hold the
    # CPU for 90% of a value (TIMEIT_CPU_BOUND); when the probe never gets 90% either, other work
    # keeps CPU 0 busy all the time and no value can be told from a preempted one.
    probe=$(taskset -c 0 "$HPY" -c $'import time\nbest = 0\nfor _ in range(30):\n    w, c = time.perf_counter(), time.thread_time()\n    while time.perf_counter() - w < 0.05: pass\n    best = max(best, (time.thread_time() - c) / (time.perf_counter() - w))\nprint("%.2f" % best)')
    if [[ $RC == 0 ]] && check_json "$T/p.json" "j['benchmarks'][0]['retaken'] > 0 and sum(len(w['values']) for w in j['benchmarks'][0]['workers']) == 8" 2>"$T/why" &&
        grep -q "values were timed again: the process lost the CPU" "$T/out" "$T/err"; then
        ok "preempt: preempted values timed again ($("$HPY" -c "import json; print(json.load(open('$T/p.json'))['benchmarks'][0]['retaken'])") of 8), 8 values kept, warned"
    elif [[ $RC == 0 ]] && awk -v b="$probe" 'BEGIN { exit !(b != "" && b < 0.9) }' &&
        check_json "$T/p.json" "j['benchmarks'][0]['retaken'] == 0 and sum(len(w['values']) for w in j['benchmarks'][0]['workers']) == 8" 2>"$T/why"; then
        ok "preempt: CPU 0 never free for a whole value (a probe's best share $probe): nothing retaken, rightly, 8 values kept"
    else
        fail "preempt: retaken" "exit $RC, probe's best CPU share ${probe:-none}; $(tail -2 "$T/why")" "$T/out" "$T/err"
    fi
    pin -s 'import time' 'time.sleep(0.002)'
    if [[ $RC == 0 ]] && check_json "$T/p.json" "j['benchmarks'][0]['retaken'] == 0" 2>"$T/why"; then
        ok "preempt: a statement that sleeps is never timed again"
    else
        fail "preempt: sleep" "exit $RC; $(tail -2 "$T/why")" "$T/out" "$T/err"
    fi
    kill $SPIN 2>/dev/null
    wait $SPIN 2>/dev/null
fi

if want profile; then
    # --profile: the timing, then the top functions of the statement's loop.
    sg --python "$HPY" -p 2 -n 2 --min-value-time 0.01 --profile \
        -s $'def work(n):\n    return sorted(str(i) for i in range(n))' 'work(2000)'
    if [[ $RC == 0 ]] && grep -q "^Profile of 'work(2000)' (Python .*): [0-9]* samples" "$T/out" &&
        grep -A3 "^Top functions by own time" "$T/out" | grep -q "timeit.<locals>.work"; then
        ok "profile: the top functions of the loop are listed after the timing"
    else
        fail "profile" "exit $RC" "$T/out" "$T/err"
    fi
fi

if want usage; then
    usage_err() { # NAME PATTERN
        if [[ $RC == 2 ]] && [[ $(wc -l <"$T/err") == 1 ]] && grep -q "^spyglass: timeit: .*$2" "$T/err"; then
            ok "usage: $1"
        else
            fail "usage: $1" "exit $RC (want 2)" "$T/err"
        fi
    }
    sg
    usage_err "no statement" "no statement given"
    sg -p 0 pass
    usage_err "bad --processes" "invalid value '0' for --processes"
    sg --bogus pass
    usage_err "unknown option" "unknown option '--bogus'"
    sg --reference 3 a b
    usage_err "--reference out of range" "only 2 benchmarks"
    sg --python "$HPY" -p 1 -n 1 -l 10 $'for i in range(3):\n    pass\n\nx = 1' 'x = 1'
    if [[ $RC == 0 ]] && grep -q "^Benchmark 1: for i in range(3): pass; x = 1$" "$T/out" &&
        grep -q "^  Loops per value:    10 (" "$T/out" && grep -q "one process per benchmark" "$T/out"; then
        ok "usage: a statement of several lines is labelled on one line; --loops; one-process warning"
    else
        fail "usage: labels" "exit $RC" "$T/out" "$T/err"
    fi
    "$SG" timeit --show-driver >"$T/driver.py"
    if "$HPY" -c "import sys; compile(open(sys.argv[1]).read(), 'driver', 'exec')" "$T/driver.py" &&
        [[ $("$SG" timeit --help | head -n1) == "usage: spyglass timeit"* ]]; then
        ok "usage: --help, and --show-driver prints Python that compiles"
    else
        fail "usage: --show-driver" "does not compile" "$T/driver.py"
    fi
fi

if want exports; then
    A='sorted(range(2000))' B='sum(range(500))'
    sg --python "$HPY" -p 5 -n 2 --min-value-time 0.005 --export-json "$T/t.json" \
        --export-csv "$T/t.csv" --export-markdown "$T/t.md" "$A" "$B"
    if [[ $RC == 0 ]] && grep -q "^Benchmark 2: $B" "$T/out" && check_json "$T/t.json" "
        j['statements'] == ['$A', '$B'] and len(j['benchmarks']) == 2 and
        all(len(b['workers']) == 5 and all(len(w['values']) == 2 for w in b['workers'])
            for b in j['benchmarks']) and
        sorted(b['comparison'] is None for b in j['benchmarks']) == [False, True] and
        all(b['comparison']['reference'] == 1 - i for i, b in enumerate(j['benchmarks'])
            if b['comparison']) and
        j['metadata']['cpu_count'] >= 1 and j['metadata']['interrupted'] is False and
        j['pythons'][0]['path'] == '$HPY'" >"$T/v" 2>&1; then
        ok "exports: JSON validates against docs/timeit-schema.json: 2 benchmarks x 5 workers x 2 values, one comparison, the machine"
    else
        fail "exports: json" "exit $RC" "$T/v" "$T/err"
    fi
    if "$HPY" - "$T/t.csv" "$A" "$B" <<'EOF'; then
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
assert [r["statement"] for r in rows] == sys.argv[2:4], rows
assert all(int(r["values"]) == 10 and int(r["workers"]) == 5 and float(r["median"]) > 0
           for r in rows), rows
assert sum(r["ratio"] != "" for r in rows) == 1, rows
EOF
        ok "exports: CSV has one summary row per benchmark"
    else
        fail "exports: csv" "exit $RC" "$T/t.csv"
    fi
    if [[ $(grep -c '^|' "$T/t.md") == 4 ]] && grep -q "^| 2 | " "$T/t.md" &&
        grep -qF " | $B | " "$T/t.md"; then
        ok "exports: Markdown table of 2 rows"
    else
        fail "exports: markdown" "want a header, a rule and 2 rows" "$T/t.md"
    fi
    sg --python "$HPY" -p 2 -n 2 --min-value-time 0.005 --export-json - "$B"
    tail -n 1 "$T/out" >"$T/stdout.json"
    if [[ $RC == 0 ]] && grep -q "^Benchmark 1: $B" "$T/out" &&
        check_json "$T/stdout.json" "len(j['benchmarks']) == 1" >"$T/v" 2>&1; then
        ok "exports: --export-json - writes the JSON to standard output after the report"
    else
        fail "exports: stdout" "exit $RC" "$T/v" "$T/out"
    fi
    # A full disk: the report is printed, then one error line, exit 1. Three processes a side
    # cannot reach p < 0.01: said in a warning.
    sg --python "$HPY" -p 3 -n 2 --min-value-time 0.005 --export-json /dev/full "$A" "$B"
    if [[ $RC == 1 && $(wc -l <"$T/err") == 1 ]] && grep -q "^spyglass: .*/dev/full" "$T/err" &&
        grep -q "^Benchmark 2: $B" "$T/out" &&
        grep -q "^Warning: .*with 3 and 3 processes .* cannot reach p < 0.01.*use -p 5 or more" "$T/out"; then
        ok "exports: /dev/full is one error line and exit 1 after the report; too few processes are warned of"
    else
        fail "exports: /dev/full" "exit $RC" "$T/err" "$T/out"
    fi
    # An export that cannot be created is refused before anything runs.
    sg --python "$HPY" --export-csv /nonexistent/dir/x.csv "$B"
    if [[ $RC == 1 && $(wc -l <"$T/err") == 1 && ! -s $T/out ]] &&
        grep -q "^spyglass: .*/nonexistent/dir/x.csv" "$T/err"; then
        ok "exports: an unwritable path is one error line, exit 1, before running"
    else
        fail "exports: unwritable" "exit $RC" "$T/err" "$T/out"
    fi
fi

if want baseline; then
    # Statements that sleep: a value can be no shorter than its sleep, whatever the load, which
    # gives the edited baselines below a known truth.
    A='time.sleep(0.002)' B='time.sleep(0.001)' C='time.sleep(0.0005)'
    base() { sg --python "$HPY" -p 5 -n 2 --min-value-time 0.005 -s 'import time' "$@"; }
    base --export-json "$T/base.json" "$A" "$B"
    # The same statements against their own export: no regression (a loaded machine may make
    # one attempt differ, so up to 3).
    for attempt in 1 2 3; do
        base --baseline "$T/base.json" --export-json "$T/same.json" "$A" "$B"
        [[ $RC == 4 ]] || break
    done
    if [[ $RC == 0 && $(grep -c "^  Baseline: .*× the baseline's median" "$T/out") == 2 ]] &&
        check_json "$T/same.json" "all(b['baseline']['regression'] in (True, False)
            for b in j['benchmarks'])" >"$T/v" 2>&1; then
        ok "baseline: a run compared with its own export exits 0 (attempt $attempt), compared in the report and the JSON"
    else
        fail "baseline: same" "exit $RC" "$T/v" "$T/out" "$T/err"
    fi
    # A baseline (values edited) where A took a quarter of its sleep, less than any run of it
    # can, and B 200 times its sleep (a loaded CI made one process's 1 ms sleeps take 30 ms
    # each: 20 times was not enough); C is not in it.
    "$HPY" - "$T/base.json" "$T/edited.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1], encoding="utf-8"))
for b in j["benchmarks"]:
    v = 0.0005 if b["statement"] == 0 else 0.2
    for w in b["workers"]:
        w["values"] = [v * (1 + 0.01 * k) for k in range(len(w["values"]))]
json.dump(j, open(sys.argv[2], "w", encoding="utf-8"))
EOF
    base --baseline "$T/edited.json" --export-json "$T/slow.json" "$A" "$B" "$C"
    lines=$(grep "^  Baseline:" "$T/out")
    slower=': [0-9.]+% slower  REGRESSION$' faster=': [0-9.]+% faster$'
    if [[ $RC == 4 && $(wc -l <"$T/err") == 1 ]] &&
        grep -q "^spyglass: timeit: significant slowdown of more than 5% against the baseline$" "$T/err" &&
        [[ $(sed -n 1p <<<"$lines") =~ $slower ]] && [[ $(sed -n 2p <<<"$lines") =~ $faster ]] &&
        [[ $(sed -n 3p <<<"$lines") == "  Baseline:           not in the baseline" ]] &&
        check_json "$T/slow.json" "[b['baseline'] and b['baseline']['regression']
            for b in j['benchmarks']] == [True, False, None] and j['max_regression'] == 5" \
            >"$T/v" 2>&1; then
        ok "baseline: 4x slower exits 4 (REGRESSION), 4x faster is said, a statement not in the baseline too"
    else
        fail "baseline: regression" "exit $RC" "$T/v" "$T/out" "$T/err"
    fi
    "$SG" bench -q --runs 2 --export-json "$T/bench.json" true >/dev/null 2>&1
    sg --python "$HPY" --baseline "$T/bench.json" "$B"
    if [[ $RC == 1 && $(wc -l <"$T/err") == 1 && ! -s $T/out ]] &&
        grep -q "^spyglass: timeit: cannot use baseline '.*bench.json': not a spyglass timeit export" "$T/err"; then
        ok "baseline: a bench export is refused in one line before running"
    else
        fail "baseline: foreign" "exit $RC" "$T/err"
    fi
fi

if want verdict; then
    # One rule for bench and timeit (src/verdict.h): the same A/B data through both must give
    # the same verdict, the same words, the same JSON flags and the same exit code. A (the run)
    # sleeps a list of durations, one per run: bench runs `sh pop.sh`, which sleeps the next one;
    # timeit runs one value of one loop per process (-p N -n 1 -w 0 -l 1), its setup reading the
    # next one. B (the baseline) is a list of numbers written as each tool's --baseline file.
    # A run of bench takes its sleep plus a few ms (two processes start; more on a busy
    # machine), a value of timeit its sleep plus well under 1 ms: a delay only lengthens A, and
    # wherever A must rank below B, B is longer by 37 ms or more. So every A/B pair ranks the
    # same way in both tools, and the verdict of each case is known before it runs.
    V=$T/verdict
    mkdir -p "$V"
    cat >"$V/pop.sh" <<'EOF'
# One run of A: sleep the next duration of $1/durs ($1/ctr counts the runs).
read -r n <"$1/ctr"
echo $((n + 1)) >"$1/ctr"
i=0
while read -r s; do
    if [ "$i" = "$n" ]; then exec sleep "$s"; fi
    i=$((i + 1))
done <"$1/durs"
exit 1
EOF
    STMT='time.sleep(d)'
    SETUP=(-s 'import time' -s "n = int(open('$V/ctr').read())"
        -s "open('$V/ctr', 'w').write(str(n + 1))"
        -s "d = float(open('$V/durs').read().split()[n])")
    # vfiles "A..." "B...": durations in ms; A into $V/durs, B as both baselines (timeit's file
    # names the interpreter by its version, as timeit does when it runs one).
    vfiles() {
        "$HPY" - "$V" "$STMT" "$1" "$2" <<'EOF'
import json, sys
v, stmt = sys.argv[1:3]
py = "%d.%d.%d" % sys.version_info[:3]  # how timeit names a single interpreter
a, b = ([float(x) / 1000 for x in s.split()] for s in sys.argv[3:5])
open(v + "/durs", "w").write("".join("%.4f\n" % x for x in a))
json.dump({"schema": "spyglass-bench/1", "commands": [{"name": "job"}],
           "runs": [{"command": 0, "wall": x, "timed_out": False} for x in b]},
          open(v + "/bench-base.json", "w"))
json.dump({"schema": "spyglass-timeit/1", "pythons": [{"name": py}], "statements": [stmt],
           "benchmarks": [{"python": 0, "statement": 0, "workers": [{"values": [x]} for x in b]}]},
          open(v + "/timeit-base.json", "w"))
EOF
    }
    # vrun TOOL N [OPTIONS...]: run TOOL (bench or timeit) on A against B, N runs; prints
    # "RC RUNS SIGNIFICANT REGRESSION P WORDS" (RUNS: durations A used; WORDS: the baseline line's
    # verdict without its percentage). The export is $V/TOOL.json, the output $V/TOOL.out/.err.
    vrun() {
        local tool=$1 n=$2 rc
        shift 2
        echo 0 >"$V/ctr"
        if [[ $tool == bench ]]; then
            timeout -k 5 120 "$SG" bench -q --runs "$n" -n job --baseline "$V/bench-base.json" \
                --export-json "$V/bench.json" "$@" "sh $V/pop.sh $V" >"$V/bench.out" 2>"$V/bench.err" </dev/null
        else
            timeout -k 5 120 "$SG" timeit -q --python "$HPY" -p "$n" -n 1 -w 0 -l 1 "${SETUP[@]}" \
                --baseline "$V/timeit-base.json" --export-json "$V/timeit.json" "$@" "$STMT" \
                >"$V/timeit.out" 2>"$V/timeit.err" </dev/null
        fi
        rc=$?
        "$HPY" - "$tool" "$V" "$rc" <<'EOF'
import json, re, sys
tool, v, rc = sys.argv[1:4]
try:
    j = json.load(open("%s/%s.json" % (v, tool), encoding="utf-8"))
    b = (j["commands"] if tool == "bench" else j["benchmarks"])[0]["baseline"]
    m = re.search(r"^  Baseline: .*\): (.*)$", open("%s/%s.out" % (v, tool), encoding="utf-8").read(), re.M)
    words = re.sub(r"^[0-9.]+% ", "", m[1]).replace(" ", "_")
    print(rc, open(v + "/ctr").read().strip(), b["significant"], b["regression"], b["p"], words)
except Exception as e:
    print(rc, open(v + "/ctr").read().strip(), "-", "-", "-", "unreadable:", type(e).__name__)
EOF
    }
    # vcase NAME N WANT_RC WANT_WORDS [OPTIONS...]: both tools on the current files; both must
    # use the N durations once, exit WANT_RC and say WANT_WORDS, with the same JSON flags.
    # vheld: did the last bench and timeit runs keep the premise of every case: each run no
    # shorter than its sleep, and the runs in the same order as their durations, against every
    # B value and among themselves where sleeps differ by more than 20 ms (the verdicts depend on
    # that order: the rank test alone, the medians on the same groups of runs)? A loaded machine delays starts, by up to a second
    # (CI: bench's runs 48 ms to 1.458 s for sleeps of 40 to 62 ms), which may reorder them.
    vheld() {
        "$HPY" - "$V" <<'EOF2'
import json, sys
v = sys.argv[1]
durs = [float(x) for x in open(v + "/durs").read().split()]
try:
    base = [r["wall"] for r in json.load(open(v + "/bench-base.json"))["runs"]]
    b = [r["wall"] for r in json.load(open(v + "/bench.json"))["runs"]]
    t = [x for w in json.load(open(v + "/timeit.json"))["benchmarks"][0]["workers"] for x in w["values"]]
except Exception:
    sys.exit(0)  # no export: the case's own checks say why


def same_order(m):
    if len(m) != len(durs) or any(x < d - 0.001 for x, d in zip(m, durs)):
        return False
    # Runs of A whose sleeps differ by less than 20 ms may swap (start-up delays vary by 10 ms
    # and more on a busy machine) without changing a verdict: the medians lie on groups of runs
    # over 40 ms apart.
    pairs = [(x, d, y, e) for x, d in zip(m, durs) for y, e in zip(m, durs) if abs(d - e) > 0.02]
    pairs += [(x, d, z, z) for x, d in zip(m, durs) for z in base if d != z]
    return all((x > y) == (d > e) for x, d, y, e in pairs)


sys.exit(0 if same_order(b) and same_order(t) else 1)
EOF2
    }
    # vcase NAME N WANT_RC WANT_WORDS [OPTIONS...]: both tools on the current files; both must
    # use the N durations once, exit WANT_RC and say WANT_WORDS, with the same JSON flags. Up to
    # three attempts until one keeps the runs in their durations' order (vheld).
    vcase() {
        local name=$1 n=$2 want_rc=$3 want=$4 sig=True reg=False tool rc runs jsig jreg p words
        local line4="significant slowdown of more than [0-9.]*% against the baseline" attempt
        shift 4
        [[ $want == no_significant_change ]] && sig=False
        [[ $want == *REGRESSION ]] && reg=True
        check_begin "verdict: $name"
        for attempt in 1 2 3; do
            WHY=()
            VP=
            for tool in bench timeit; do
                read -r rc runs jsig jreg p words < <(vrun "$tool" "$n" "$@")
                [[ $runs == "$n" ]] || why "$tool used $runs durations of $n"
                [[ $rc == "$want_rc" ]] || why "$tool exit $rc, want $want_rc"
                [[ $words == "$want" ]] || why "$tool said '${words//_/ }', want '${want//_/ }'"
                [[ $jsig == "$sig" && $jreg == "$reg" ]] ||
                    why "$tool JSON significant $jsig, regression $jreg; want $sig, $reg"
                if [[ $want_rc == 4 ]] && ! grep -qx "spyglass: $tool: $line4" "$V/$tool.err"; then
                    why "$tool: no line for exit 4"
                fi
                VP+="$p "
            done
            vheld && break
            note "attempt $attempt: delays put runs out of their durations' order (the machine is busy)"
            ((attempt < 3)) || why "no attempt kept the runs in their durations' order"
        done
        json_check "$ROOT/docs/bench-schema.json" "$V/bench.json" >"$V/v" 2>&1 ||
            why "bench JSON: $(tail -1 "$V/v")"
        json_check "$SCHEMA" "$V/timeit.json" >"$V/v" 2>&1 || why "timeit JSON: $(tail -1 "$V/v")"
        ERRFILES=("$V/bench.err" "$V/timeit.err")
        show "$V/bench.out" "$V/bench.err" "$V/timeit.out" "$V/timeit.err"
        ((${#WHY[@]})) || note "both exit $rc and say '${want//_/ }'; p $VP(bench, timeit)"
        check_end
    }
    # Unimodal: A 40..62 ms; B half of it (a regression: exit 4; with --max-regression 400 a
    # slowdown within the tolerance: exit 0), then three times it (faster).
    a=$(seq 40 2 62 | tr '\n' ' ')
    vfiles "$a" "$(seq 20 1 31 | tr '\n' ' ')"
    vcase "B half of A is a regression" 12 4 "slower__REGRESSION"
    vcase "the same within --max-regression 400 is only slower" 12 0 "slower" --max-regression 400
    vfiles "$a" "$(seq 120 6 186 | tr '\n' ' ')"
    vcase "B three times A is faster" 12 0 "faster"
    # p and the interval disagree. 30 a side: B = 14 low (20..33 ms), 2 middle (110, 111), 14
    # high (160..173); A = 14 low (60..73), 2 middle (115, 116), 14 high (210..223). Every low A
    # beats every low B, every high A beats every B: U = 648 of 900, an exact two-sided p of
    # 0.003 < 0.01; but the medians sit on the two middle values, between gaps, so the bootstrap
    # interval of their ratio (1.05) spans about 0.44 to 6.9 and holds 1. Not significant, so no
    # regression even with --max-regression 0 (bench's former rule, p < alpha alone, exited 4).
    vfiles "$(seq 60 73 | tr '\n' ' ') 115 116 $(seq 210 223 | tr '\n' ' ')" \
        "$(seq 20 33 | tr '\n' ' ') 110 111 $(seq 160 173 | tr '\n' ' ')"
    vcase "p < alpha with an interval holding 1 is no change" 30 0 "no_significant_change" \
        --max-regression 0
    read -r pb pt <<<"$VP"
    if "$HPY" -c "import sys; sys.exit(not (float('$pb') < 0.01 and float('$pt') < 0.01))" 2>/dev/null; then
        ok "verdict: that case's test alone says p < 0.01 in both (bench $pb, timeit $pt)"
    else
        fail "verdict: p below alpha" "p $pb (bench), $pt (timeit): the data did not reach the disputed case" \
            "$V/bench.out" "$V/timeit.out"
    fi
fi

lib_finish
