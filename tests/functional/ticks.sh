#!/usr/bin/env bash
# Functional tests of the sampling schedule (src/sampler_sched.h) on a real CPython target: a
# recorder stopped with SIGSTOP in the middle of a run does not fire the ticks it missed when it
# continues; it counts them ("N ticks missed"), its samples and missed ticks add up to the time,
# and no two consecutive sampling instants of the raw file are closer than a quarter period.
# The bounds come from the stopped time the test measures itself, so they hold on a busy machine
# (load only lowers the samples and raises the missed ticks).
#
# usage: SPYGLASS=/abs/path/to/spyglass tests/functional/ticks.sh [REGEX]
#   REGEX: run only the groups that match: stop.
# Prints 'ok - NAME' or 'FAIL - NAME: WHY' per check, then 'N passed, N failed'.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init --copy ticks "$@"
TARGETS=$ROOT/tests/targets
BG=()

cleanup() {
    local p
    for p in "${BG[@]}"; do
        kill -CONT "$p" 2>/dev/null
        kill -KILL "$p" 2>/dev/null
    done
}
lib_at_exit cleanup

# One CPython is enough (the schedule does not depend on the version): a 3.12, else the newest.
PY=$(list_pythons | awk '$1 ~ /^3\.12\./ { print $2; exit }')
[[ -n $PY ]] || PY=$(list_pythons | awk '$1 ~ /^3\.([89]|1[0-9])\./ { p = $2 } END { print p }')
if [[ -z $PY ]]; then
    fail "setup" "no CPython >= 3.8 in $PYENV_DIR/versions"
    lib_finish
fi
echo "# spyglass: $SG_ORIG (run as a copy); python: $PY ($(py_version "$PY"))"

# state PID: the process state letter (R, S, T...), empty when gone.
state() { sed -n 's/^[0-9]* (.*) \(.\) .*/\1/p' "/proc/$1/stat" 2>/dev/null; }

# us: microseconds of the wall clock, without a fork.
us() { echo $((${EPOCHREALTIME/./})); }

# instants FILE: the raw file's facts and its sampling instants, decoded independently of
# spyglass (docs/raw-format.md): 'META samples missed' from the last META record, then one line
# per instant: its time in ns since sampling started.
instants() {
    "$JPY" - "$1" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
def varint(i):
    v = s = 0
    while True:
        c = data[i]; i += 1
        v |= (c & 0x7f) << s; s += 7
        if not c & 0x80:
            return v, i
assert data[:8] == b"\x89SPYRAW\n", "not a raw file"
ver, i = varint(8)
assert ver == 1, ver
t, times, meta, opened = 0, [], {}, False
while i < len(data):
    typ = data[i]
    n, p = varint(i + 1)
    end, i = p + n, p + n
    if typ == 1:  # META: protobuf-style fields
        meta = {}
        while p < end:
            tag, p = varint(p)
            if tag & 7 == 0:
                meta[tag >> 3], p = varint(p)
            elif tag & 7 == 1:
                p += 8
            else:
                ln, p = varint(p)
                p += ln
    elif typ == 5:  # SAMPLES: a delta, then triples; a delta of 0 continues the instant
        dt, p = varint(p)
        if dt or not opened:
            t += dt
            times.append(t)
            opened = True
print("META", meta.get(10, -1), meta.get(13, -1))
for x in times:
    print(x)
EOF
}

# The stop test. A CPU-bound target; spyglass attached at 1 kHz for 4 s, writing raw; stopped
# (SIGSTOP) for about 0.5 s after 1.5 s. The stopped time is measured from the moment the
# process is seen stopped to the moment SIGCONT is sent: a lower bound of the real one, which
# makes the bound on samples below conservative.
t_stop() {
    local n=stop pid sgpid i t1 t2 stopped_us
    local raw=$T/$n.spyraw err=$T/$n.err
    check_begin "stop: a recorder stopped 0.5 s of 4 s at 1 kHz skips the missed ticks"
    "$PY" "$TARGETS/spin.py" 60 "$T/$n.ready" </dev/null >/dev/null 2>&1 &
    pid=$!
    BG+=("$pid")
    if ! wait_file "$T/$n.ready" 15; then
        why "the target did not start"
        check_end
        return
    fi
    "$SG" record --pid "$pid" --rate 1000 --duration 4 -f raw -o "$raw" --top 0 \
        </dev/null >"$T/$n.out" 2>"$err" &
    sgpid=$!
    BG+=("$sgpid")
    ERRFILES+=("$err")
    wait_file "$raw" 15 || why "no raw file after 15 s"
    sleep 1.5
    kill -STOP "$sgpid"
    for ((i = 0; i < 2000; i++)); do # until it is seen stopped
        [[ $(state "$sgpid") == T ]] && break
        sleep 0.001
    done
    t1=$(us)
    sleep 0.5
    t2=$(us)
    kill -CONT "$sgpid"
    stopped_us=$((t2 - t1))
    [[ $(state "$sgpid") == "" ]] && why "spyglass was gone when continued"
    for ((i = 0; i < 300; i++)); do
        kill -0 "$sgpid" 2>/dev/null || break
        sleep 0.05
    done
    wait "$sgpid"
    RC=$?
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    ((RC == 0)) || why "record exit $RC"
    check_stop "$raw" "$err" "$stopped_us"
    show "$err"
    check_end
}

# check_stop RAW ERR STOPPED_US: the checks of the stop test.
check_stop() {
    local raw=$1 err=$2 stopped_us=$3 ticks elapsed missed bound due meta_s meta_m
    read -r ticks elapsed < <(sed -n 's/^spyglass: \([0-9]*\) samples of .* in \([0-9.]*\) s: .*/\1 \2/p' "$err")
    missed=$(sed -n 's/^spyglass: \([0-9]*\) ticks missed (.*spyglass did not get the CPU.*/\1/p' "$err")
    if [[ -z ${ticks:-} || -z ${elapsed:-} ]]; then
        why "no summary line"
        return
    fi
    # 1. Samples: at most one per period of the time not stopped, plus 100 (the renewal
    # process's count over 3.5 s has a standard deviation of about 17), and at most 3.6k.
    bound=$(awk -v e="$elapsed" -v s="$stopped_us" 'BEGIN { printf "%d", 1000 * (e - s / 1e6) + 100 }')
    note "$ticks samples in $elapsed s, stopped for $((stopped_us / 1000)) ms (measured): at most $bound allowed; ${missed:-no} ticks missed"
    ((ticks <= bound)) || why "$ticks samples, more than $bound: the missed ticks were fired late"
    ((ticks <= 3600)) || why "$ticks samples, more than 3600"
    ((ticks >= 500)) || why "only $ticks samples"
    # 2. The summary reports the missed ticks: at least those of the stop.
    if [[ -z $missed ]]; then
        why "the summary does not report missed ticks"
    else
        ((missed * 1000 >= stopped_us * 9 / 10)) ||
            why "$missed ticks missed, fewer than the $((stopped_us / 1000)) ms stopped"
        # 3. Samples and missed ticks add up to the time sampled (3% + 20).
        due=$(awk -v e="$elapsed" 'BEGIN { printf "%d", 1000 * e }')
        (((ticks + missed) * 100 >= due * 97 - 2000 && (ticks + missed) * 100 <= due * 103 + 2000)) ||
            why "$ticks samples + $missed missed ticks is not about $due (1 kHz x $elapsed s)"
    fi
    # 4. The raw file: its facts, and its instants at least a quarter period apart.
    if ! instants "$raw" >"$T/instants" 2>"$T/instants.err"; then
        why "decoder: $(tail -n1 "$T/instants.err")"
        return
    fi
    read -r _ meta_s meta_m <"$T/instants"
    ((meta_s == ticks)) || why "the raw file says $meta_s instants, the summary $ticks"
    ((meta_m == ${missed:-0})) || why "the raw file says $meta_m ticks missed, the summary ${missed:-0}"
    awk -v stop="$stopped_us" 'NR == 1 { next }
        NR > 2 { g = $1 - prev; if (g < min || NR == 3) min = g; if (g > max) max = g;
                 if (g < 250000) close_++ }
        { prev = $1; n++ }
        END { printf "%d %d %d %d\n", n, min, max, close_ }' "$T/instants" >"$T/gaps"
    local ninst min max close_
    read -r ninst min max close_ <"$T/gaps"
    note "$ninst instants in the raw file; gaps between them from $((min / 1000)) us to $((max / 1000000)) ms"
    ((ninst == ticks)) || why "$ninst instants in the raw file, $ticks in the summary"
    ((close_ == 0)) || why "$close_ consecutive instants closer than 250 us (a quarter period), the closest $((min / 1000)) us"
    ((max / 1000 >= stopped_us)) || why "no gap as long as the stop: the longest is $((max / 1000000)) ms"
}

want stop && t_stop

lib_finish
