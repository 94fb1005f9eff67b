#!/usr/bin/env bash
# Functional tests of `spyglass monitor` on real processes, files and sockets (127.0.0.1 only):
# network bytes of a download against what the server sent, disk writes with fsync, peak RSS
# against the target's own VmHWM, CPU never above the machine's CPUs (2000 threads woken at once)
# and equal to the target's clock, memory bounded over 3000 short children whose totals still
# add up, children that start later and exit, the outputs (JSON against
# docs/monitor-schema.json, CSV against the JSON, SVG as XML), exit codes, Ctrl-C, errors.
#
# usage: SPYGLASS=/abs/path/to/spyglass tests/functional/monitor.sh [REGEX]
#   REGEX: run only the checks whose group matches: net, disk, mem, record, wake, forkloop,
#   children, outputs, live, exit, interrupt, pid, errors.
# Prints 'ok - NAME' or 'FAIL - NAME: WHY' per check, then 'N passed, N failed'.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SG=${SPYGLASS:-$ROOT/spyglass}
ONLY=${1:-.}
SAN_RE='AddressSanitizer|runtime error:|LeakSanitizer'
export LC_ALL=C.UTF-8 PYTHONDONTWRITEBYTECODE=1
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP

case $SG in /*) ;; *) SG=$PWD/$SG ;; esac
if [[ ! -x $SG ]]; then
    echo "FAIL - setup: no executable spyglass at $SG (set SPYGLASS)"
    echo "0 passed, 1 failed"
    exit 1
fi

mkdir -p "$ROOT/tests/out"
T=$(mktemp -d "$ROOT/tests/out/monitor.XXXXXX")
PASSED=0
FAILED=0
SERVER=
cleanup() {
    [[ -n $SERVER ]] && kill "$SERVER" 2>/dev/null
    if ((FAILED == 0)); then rm -rf "$T"; else echo "# files kept in $T"; fi
}
trap cleanup EXIT

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
want() { [[ $1 =~ $ONLY ]]; }

# Run spyglass monitor; stdout to $T/out, stderr to $T/err, exit code in RC. A sanitizer report
# fails. Every run is bounded by `timeout`, so a hang fails instead of blocking.
sg() {
    timeout -k 5 60 "$SG" monitor "$@" >"$T/out" 2>"$T/err" </dev/null
    RC=$?
    if grep -qE "$SAN_RE" "$T/err"; then
        fail "sanitizer" "report while running: spyglass monitor $*" "$T/err"
    fi
}

# The Python of the targets and checks: pyenv's 3.11 binary itself (not the shim, whose bash
# processes would join the tree), else python3. jsonschema comes from scripts/deps.sh test.
PYENV_DIR=$(pyenv root 2>/dev/null) || PYENV_DIR=$HOME/.pyenv
PY=$(ls -d "$PYENV_DIR"/versions/3.11.*/bin/python3 2>/dev/null | sort -V | tail -n1)
PY=${PY:-$(command -v python3)}
JPY=${SPYGLASS_TEST_PYTHON:-$(command -v python3)}
SCHEMA=$ROOT/docs/monitor-schema.json
echo "# spyglass: $SG; python: $PY"

# check_json FILE EXPR: FILE validates against the schema and the Python expression EXPR holds
# for its document j (helpers: proc(name) = the processes other than shells whose cmdline
# contains name, tot = the totals).
check_json() {
    "$JPY" - "$SCHEMA" "$1" "$2" <<'EOF'
import json, sys, jsonschema
schema, j = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:3])
jsonschema.Draft202012Validator(schema).validate(j)
proc = lambda name: [p for p in j["processes"] if name in p["cmdline"] and p["comm"] != "sh"]
tot = j["totals"]
assert eval("(" + sys.argv[3] + ")"), "does not hold: %s\ntotals %s\nprocesses %s" % (
    sys.argv[3], tot, [(p["pid"], p["cmdline"][:40], p["net_rx_bytes"], p["disk_write_bytes"],
                        p["peak_rss_bytes"], p["end"]) for p in j["processes"]])
EOF
}

if want net; then
    # A server outside the tree sends 50 MB (50 x 1 MB, paced over about 1.5 s) to each
    # client; the tree is a shell with a downloader and a sleeping sibling.
    cat >"$T/server.py" <<'EOF'
import socket, sys, threading, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
def serve(c):
    c.recv(4096)
    block = b"x" * 1000000
    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 50000000\r\n\r\n")
    for _ in range(50):
        c.sendall(block); time.sleep(0.03)
    c.close()
while True:
    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
    cat >"$T/download.py" <<'EOF'
import sys, urllib.request
n = 0
with urllib.request.urlopen("http://127.0.0.1:%s/" % sys.argv[1]) as r:
    while True:
        b = r.read(65536)
        if not b: break
        n += len(b)
print(n)
EOF
    coproc SRV { exec "$PY" "$T/server.py"; }
    SERVER=$SRV_PID
    read -r -t 10 PORT <&"${SRV[0]}"
    if [[ -z ${PORT:-} ]]; then
        fail "net: server" "the local server did not start"
    else
        sg -i 0.02 -o "$T/net.json" -- sh -c "$PY -c 'import time; time.sleep(2.2)' & $PY $T/download.py $PORT > $T/got; wait"
        if [[ $RC != 0 ]] || [[ $(cat "$T/got" 2>/dev/null) != 50000000 ]]; then
            fail "net: run" "exit $RC, downloaded $(cat "$T/got" 2>/dev/null)" "$T/err"
        else
            check_json "$T/net.json" 'abs(proc("download.py")[0]["net_rx_bytes"] - 50e6) < 0.05 * 50e6' 2>"$T/why" &&
                ok "net: the downloader received 50 MB (within 5%)" ||
                fail "net: download bytes" "$(tail -3 "$T/why")"
            check_json "$T/net.json" 'abs(tot["net_rx_bytes"] - 50e6) < 0.05 * 50e6 and tot["net_tx_bytes"] < 1e5' 2>"$T/why" &&
                ok "net: the tree's total is the download, the server's sending is not counted" ||
                fail "net: tree total" "$(tail -3 "$T/why")"
            check_json "$T/net.json" 'proc("sleep(2.2)")[0]["net_rx_bytes"] < 1000 and proc("sleep(2.2)")[0]["net_tx_bytes"] < 1000' 2>"$T/why" &&
                ok "net: the non-network sibling is near 0" ||
                fail "net: sibling" "$(tail -3 "$T/why")"
            check_json "$T/net.json" 'max(r[j["columns"].index("tcp_sockets")] for r in j["series"]) >= 1' 2>"$T/why" &&
                ok "net: the TCP socket shows in the series" ||
                fail "net: tcp_sockets" "$(tail -3 "$T/why")"
        fi
    fi
    kill "$SERVER" 2>/dev/null
    wait "$SERVER" 2>/dev/null
    SERVER=
fi

if want disk; then
    # 20 MiB written in 1 MiB blocks, then fsync; the file is on the disk of the work tree.
    sg -i 0.05 -o "$T/disk.json" -- "$PY" -c "
import os
f = open('$T/blob', 'wb')
for _ in range(20): f.write(b'x' * (1 << 20))
f.flush(); os.fsync(f.fileno()); f.close()"
    W=$((20 << 20))
    [[ $RC == 0 ]] && check_json "$T/disk.json" "abs(tot['disk_write_bytes'] - $W) < 0.05 * $W and abs(proc('blob')[0]['disk_write_bytes'] - $W) < 0.05 * $W" 2>"$T/why" &&
        ok "disk: 20 MiB written with fsync (within 5%)" ||
        fail "disk: write bytes" "exit $RC; $(tail -3 "$T/why")" "$T/err"
    rm -f "$T/blob"
fi

if want mem; then
    # 200 MiB allocated in 10 steps of 20 MiB, held 0.4 s; the target prints its own VmHWM.
    sg -i 0.05 -o "$T/mem.json" -- "$PY" -c "
import time
keep = []
for _ in range(10):
    keep.append(bytearray(20 << 20)); time.sleep(0.08)
time.sleep(0.4)
print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    HWM=$(($(cat "$T/out" 2>/dev/null || echo 0) * 1024))
    [[ $RC == 0 && $HWM -gt $((200 << 20)) ]] && check_json "$T/mem.json" "abs(j['metrics'][j['columns'].index('rss_bytes') - 1]['peak'] - $HWM) < 0.05 * $HWM and abs(proc('keep')[0]['peak_rss_bytes'] - $HWM) < 0.05 * $HWM" 2>"$T/why" &&
        ok "mem: peak RSS within 5% of the target's VmHWM ($HWM B)" ||
        fail "mem: peak RSS" "exit $RC, VmHWM $HWM; $(tail -3 "$T/why")" "$T/err"
fi

if want record; then
    # record --resources: the same readings alongside a profile. 120 MiB allocated in steps,
    # then 8 MiB written with fsync, in a function the profile must show.
    timeout -k 5 60 "$SG" record -q --rate 200 --resources-interval 0.05 --resources "$T/rec.json" -o "$T/rec.txt" -- "$PY" -c "
import os, time
def grow():
    keep = []
    for _ in range(6):
        keep.append(bytearray(20 << 20)); time.sleep(0.08)
    return keep
def write():
    with open('$T/rblob', 'wb') as f:
        block = b'y' * (1 << 20)
        for _ in range(8): f.write(block)
        f.flush(); os.fsync(f.fileno())
k = grow(); write(); time.sleep(0.2)
print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])" \
        >"$T/out" 2>"$T/err"
    RC=$?
    grep -qE "$SAN_RE" "$T/err" && fail "sanitizer" "report while running record --resources" "$T/err"
    HWM=$(($(cat "$T/out" 2>/dev/null || echo 0) * 1024))
    W=$((8 << 20))
    [[ $RC == 0 && $HWM -gt $((120 << 20)) ]] && grep -q "grow" "$T/rec.txt" &&
        check_json "$T/rec.json" "abs(tot['disk_write_bytes'] - $W) < 0.05 * $W and abs(j['metrics'][j['columns'].index('rss_bytes') - 1]['peak'] - $HWM) < 0.05 * $HWM and j['samples'] >= 5" 2>"$T/why" &&
        ok "record: --resources beside the profile (peak RSS and disk writes within 5%)" ||
        fail "record: --resources" "exit $RC, VmHWM $HWM; $(tail -3 "$T/why")" "$T/err"
    "$SG" record -q --resources /nonexistent/dir/r.csv -o "$T/rec2.txt" -- "$PY" -c pass \
        >"$T/out" 2>"$T/err"
    RC=$?
    [[ $RC == 1 && $(wc -l <"$T/err") == 1 && ! -e $T/rec2.txt ]] &&
        ok "record: an unwritable --resources path is one error line, exit 1, before running" ||
        fail "record: unwritable --resources" "exit $RC" "$T/err"
fi

# cc_target NAME: compile tests/targets/NAME.c into $T/NAME (a fail names the group).
cc_target() {
    ${CC:-cc} -O2 -pthread -o "$T/$1" "$ROOT/tests/targets/$1.c" 2>"$T/cc.err" ||
        { fail "$1: build" "cannot compile tests/targets/$1.c" "$T/cc.err"; return 1; }
}

# cpu_check FILE TRUTH NAME: FILE validates; no row's CPU above 100 x the CPUs (the machine's,
# from getconf, and the JSON says the same); the total within 2% + 50 ms of TRUTH, the
# target's own CPU clock read at its end (its exit adds a little).
NCPU=$(getconf _NPROCESSORS_ONLN)
cpu_check() {
    check_json "$1" "j['monitor']['cpus'] == $NCPU and max(r[j['columns'].index('cpu_pct')] for r in j['series']) <= 100 * $NCPU * (1 + 1e-9) and abs(tot['cpu_seconds'] - $2) <= 0.05 + 0.02 * $2" 2>"$T/why" &&
        ok "$3" ||
        fail "$3" "truth $2 s; $(tail -3 "$T/why"); highest rows: $("$JPY" -c 'import json,sys; j=json.load(open(sys.argv[1])); c=j["columns"].index("cpu_pct"); print(sorted(r[c] for r in j["series"])[-3:], j["totals"]["cpu_seconds"])' "$1" 2>&1)"
}

if want wake && cc_target wake; then
    # 2000 threads blocked on one barrier wake at once, 3 times, each spinning 2 ms of CPU:
    # the tree uses every CPU in bursts, and the monitor's own thread waits behind 2000 others.
    timeout -k 5 150 "$SG" monitor -q -i 0.02 -o "$T/wake.json" -- "$T/wake" 2000 3 2 100 >"$T/out" 2>"$T/err"
    RC=$?
    grep -qE "$SAN_RE" "$T/err" && fail "sanitizer" "report while monitoring wake" "$T/err"
    [[ $RC == 0 ]] && cpu_check "$T/wake.json" "$(cat "$T/out")" "wake: 2000 threads woken at once: no row above $((100 * NCPU))% ($NCPU CPUs), total CPU = the target's clock" ||
        { [[ $RC != 0 ]] && fail "wake: run" "exit $RC" "$T/err"; }
    # As many threads as CPUs spinning 1.5 s each, read every 5 ms: a process's CPU clock misses
    # up to a scheduler tick of each running thread, so consecutive readings differ by more than
    # the interval allows (before this rule: 465% on 2 CPUs).
    timeout -k 5 60 "$SG" monitor -q -i 0.005 -o "$T/spin.json" -- "$T/wake" "$NCPU" 1 1500 0 >"$T/out" 2>"$T/err"
    RC=$?
    grep -qE "$SAN_RE" "$T/err" && fail "sanitizer" "report while monitoring wake" "$T/err"
    [[ $RC == 0 ]] && cpu_check "$T/spin.json" "$(cat "$T/out")" "wake: $NCPU threads spinning, 5 ms rows: no row above $((100 * NCPU))%, total CPU = the target's clock" ||
        { [[ $RC != 0 ]] && fail "wake: spin run" "exit $RC" "$T/err"; }
fi

if want forkloop && cc_target forkloop; then
    # 3000 children, 4 at a time, each spinning 2 ms then sleeping 15 ms, read every 20 ms (the
    # rows, which grow with time, not processes, stay in one 2048-row block up to 41 s of a
    # loaded machine). spyglass's own peak
    # resident memory (VmHWM; not wait4's ru_maxrss, which counts the spawner's memory at the
    # exec) read from /proc while it runs and reported by itself at the
    # end, stays under 4 MB: ended processes are merged, not kept (at least 500 of the 3000 must
    # have been seen, which a tick delayed by a loaded machine can lower from about 3000). The
    # totals still add up:
    # the processes kept plus the merged record equal the tree's totals, and the tree's CPU
    # equals the root's own measure (its clock plus its reaped children's).
    "$SG" monitor -q -i 0.02 -o "$T/fork.json" -- "$T/forkloop" 3000 4 2000 15 >"$T/out" 2>"$T/err" &
    MP=$!
    HWM=0
    SGREAL=$(readlink -f "$SG")
    while [[ -r /proc/$MP/status ]]; do
        # Only once the forked shell has become spyglass: VmHWM restarts at exec, and before it
        # is the shell's.
        [[ $(readlink "/proc/$MP/exe" 2>/dev/null) == "$SGREAL" ]] &&
            h=$(awk '/^VmHWM/ {print $2 * 1024}' "/proc/$MP/status" 2>/dev/null) &&
            [[ -n $h ]] && ((h > HWM)) && HWM=$h
        sleep 0.05
    done
    ((HWM > 0)) || fail "forkloop: polling" "the VmHWM of spyglass was never read"
    wait $MP
    RC=$?
    grep -qE "$SAN_RE" "$T/err" && fail "sanitizer" "report while monitoring forkloop" "$T/err"
    read -r TRUTH NKIDS <"$T/out"
    if [[ $RC != 0 || ${NKIDS:-0} != 3000 ]]; then
        fail "forkloop: run" "exit $RC, children ${NKIDS:-?}" "$T/err"
    else
        # A sanitized build keeps freed memory in quarantine: its RSS tells nothing of ours.
        grep -q __asan_init "$SG" && LIMIT=0 || LIMIT=4000000
        ((LIMIT)) || echo "# forkloop: ASan build: the 4 MB limit is not checked"
        check_json "$T/fork.json" "($LIMIT == 0 or ($HWM < $LIMIT and j['monitor']['peak_rss_bytes'] < $LIMIT)) and len(j['processes']) <= 101 and 500 <= len(j['processes']) - 1 + j['merged']['processes'] <= 3000" 2>"$T/why" &&
            ok "forkloop: 3000 children: spyglass's peak RSS $((HWM / 1024)) KiB polled, $("$JPY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["monitor"]["peak_rss_bytes"] // 1024)' "$T/fork.json") KiB at its end ($( ((LIMIT)) && echo "limit 4 MB" || echo "no limit under ASan")); 100 ended processes kept, the rest merged" ||
            fail "forkloop: memory" "polled VmHWM $HWM B; $(tail -3 "$T/why")"
        check_json "$T/fork.json" "all(abs(sum(p[k] for p in j['processes']) + j['merged'][k] - t) <= 1e-5 * max(1, t) for k, t in (('cpu_wait_seconds', tot['cpu_wait_seconds']), ('ctx_switches', tot['ctx_switches']), ('disk_write_bytes', tot['disk_write_bytes']))) and abs(sum(p['cpu_user_seconds'] + p['cpu_sys_seconds'] for p in j['processes']) + j['merged']['cpu_user_seconds'] + j['merged']['cpu_sys_seconds'] - tot['cpu_seconds']) <= 1e-5 * tot['cpu_seconds'] and abs(tot['cpu_seconds'] - $TRUTH) <= 0.05 + 0.02 * $TRUTH" 2>"$T/why" &&
            ok "forkloop: kept processes + merged = totals; tree CPU $("$JPY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["cpu_seconds"])' "$T/fork.json") s = the root's measure $TRUTH s (within 2% + 50 ms)" ||
            fail "forkloop: totals" "truth $TRUTH; $(tail -3 "$T/why")"
    fi
fi

if want 'children|outputs'; then
    # A shell runs two Python children in sequence, each busy for 0.3 s of CPU and writing
    # 4 MiB; both exit before the shell does, and their totals must stay. Each idles 0.15 s
    # before its exit: a process's own figures are those of its last reading (the tree's take
    # the rest through the parent), and a loaded machine may delay a 20 ms reading by 50 ms.
    CHILD="import os, time
t = time.process_time()
while time.process_time() - t < 0.3: pass
f = open('$T/c', 'wb'); f.write(b'y' * (4 << 20)); f.flush(); os.fsync(f.fileno()); time.sleep(0.15)"
    sg -i 0.02 -o "$T/ch.json" -o "$T/ch.csv" -o "$T/ch.svg" -- sh -c "sleep 0.2; $PY -c \"$CHILD\"; $PY -c \"$CHILD\"; sleep 0.2"
    C=$((8 << 20))
    if [[ $RC != 0 ]]; then
        fail "children: run" "exit $RC" "$T/err"
    elif want children; then
        check_json "$T/ch.json" "len(proc('process_time')) == 2 and all(p['end'] is not None and p['start'] > 0 and p['cpu_user_seconds'] + p['cpu_sys_seconds'] > 0.25 for p in proc('process_time'))" 2>"$T/why" &&
            ok "children: both later children found, ended, their CPU kept" ||
            fail "children: found" "$(tail -3 "$T/why")"
        check_json "$T/ch.json" "tot['cpu_seconds'] > 0.55 and abs(tot['disk_write_bytes'] - $C) < 0.05 * $C and j['processes'][0]['comm'] == 'sh'" 2>"$T/why" &&
            ok "children: tree totals keep the exited children (CPU, 8 MiB written)" ||
            fail "children: totals" "$(tail -3 "$T/why")"
    fi
    if want outputs && [[ $RC == 0 ]]; then
        "$JPY" - "$T/ch.json" "$T/ch.csv" "$T/ch.svg" >"$T/why" 2>&1 <<'EOF' && ok "outputs: CSV rows and columns equal the JSON series; rates add up to the totals; SVG is XML with a line per series" || fail "outputs: consistency" "$(tail -3 "$T/why")"
import csv, json, sys, xml.etree.ElementTree as ET
j = json.load(open(sys.argv[1]))
rows = list(csv.reader(open(sys.argv[2])))
assert rows[0] == j["columns"], rows[0]
assert len(rows) - 1 == len(j["series"]) > 10
for r, s in zip(rows[1:], j["series"]):
    assert all(abs(float(a) - b) <= 1e-5 * max(1, abs(b)) for a, b in zip(r, s)), (r, s)
c = j["columns"]; t = [0] + [r[0] for r in j["series"]]
for col, tot, scale in (("cpu_pct", "cpu_seconds", 100), ("disk_write_bps", "disk_write_bytes", 1)):
    k = c.index(col)
    s = sum(r[k] * (t[i + 1] - t[i]) for i, r in enumerate(j["series"])) / scale
    assert abs(s - j["totals"][tot]) <= 0.01 * j["totals"][tot] + 1e-6, (col, s, j["totals"][tot])
svg = ET.parse(sys.argv[3]).getroot()
lines = svg.findall(".//{http://www.w3.org/2000/svg}polyline")
assert len(lines) == 12, len(lines)
EOF
    fi
fi

if want outputs; then
    # Text from the target is escaped: a command line with markup and quotes.
    sg -q -i 0.02 -o "$T/esc.svg" -o "$T/esc.json" -- sh -c "true '<b>&x</b>' '\"q\"'; sleep 0.1"
    [[ $RC == 0 ]] && "$JPY" -c 'import sys,json,xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); t="".join(r.itertext()); assert "<b>&x</b>" in t and "\"q\"" in t, t; assert "<b>&x</b>" in json.load(open(sys.argv[2]))["command"]' "$T/esc.svg" "$T/esc.json" 2>"$T/why" &&
        ok "outputs: markup in the command is escaped in SVG and JSON" ||
        fail "outputs: escaping" "exit $RC; $(tail -2 "$T/why")"
    sg -q -i 0.05 -f json -o - -- true
    [[ $RC == 0 ]] && "$JPY" -c 'import json,sys; json.load(sys.stdin)' <"$T/out" && ok "outputs: -f json -o - writes JSON to standard output" ||
        fail "outputs: stdout" "exit $RC" "$T/err"
fi

if want live && command -v script >/dev/null; then
    # On a terminal (script(1) gives one): a line at most every 0.25 s even at 1 ms; none when
    # stderr is not a terminal.
    script -qec "$SG monitor -i 0.001 -- sleep 1.1" /dev/null >"$T/tty" 2>&1 </dev/null
    n=$(grep -cE '^ +[0-9.]+s +[0-9.]+%' "$T/tty")
    sg -i 0.001 -- sleep 0.3
    m=$(grep -cE '^ +[0-9.]+s +[0-9.]+%' "$T/err")
    ((n >= 3 && n <= 6 && m == 0)) && grep -q "samples every 0.001 s" "$T/tty" &&
        ok "live: $n lines in 1.1 s at 1 ms on a terminal, none otherwise" ||
        fail "live: lines" "$n lines on a terminal, $m without one" "$T/tty"
fi

if want exit; then
    sg -q -i 0.01 -- sh -c 'exit 7'
    [[ $RC == 7 ]] && ok "exit: a launched command's exit code is passed through" || fail "exit: code" "exit $RC, wanted 7" "$T/err"
    sg -q -i 0.01 -- sh -c 'kill -TERM $$'
    [[ $RC == 143 ]] && ok "exit: killed by SIGTERM gives 143" || fail "exit: signal" "exit $RC, wanted 143" "$T/err"
    sg -i 0.01 -- /nonexistent/command
    [[ $RC == 127 && $(wc -l <"$T/err") == 1 ]] && grep -q "cannot run" "$T/err" &&
        ok "exit: a command that cannot run: one line, exit 127" || fail "exit: not found" "exit $RC" "$T/err"
fi

if want interrupt; then
    # SIGINT (as Ctrl-C sends) stops the run; what was collected is written; the launched
    # command gets the signal too and its code (130) is passed through.
    "$SG" monitor -q -i 0.02 -o "$T/int.json" -- sleep 30 >/dev/null 2>"$T/err" &
    MP=$!
    sleep 0.6
    kill -INT $MP
    wait $MP
    RC=$?
    [[ $RC == 130 ]] && check_json "$T/int.json" "j['interrupted'] and len(j['series']) > 10 and j['exit_code'] == 130" 2>"$T/why" &&
        ok "interrupt: Ctrl-C writes what was collected, exit 130" ||
        fail "interrupt: launched" "exit $RC; $(tail -2 "$T/why")" "$T/err"
fi

if want pid; then
    # --pid: a running process (with a child it starts later) until it exits by itself.
    "$PY" -c "
import subprocess, time
time.sleep(0.4); subprocess.run(['sleep', '0.3']); time.sleep(0.3)" &
    TP=$!
    sg -q -i 0.02 -o "$T/pid.json" --pid $TP
    wait $TP
    [[ $RC == 0 ]] && check_json "$T/pid.json" "j['pid'] == $TP and j['exit_code'] is None and not j['interrupted'] and j['processes'][0]['preexisting'] and any(p['comm'] == 'sleep' and p['end'] is not None for p in j['processes'])" 2>"$T/why" &&
        ok "pid: attached; a later child is found; the target's exit ends the run (exit 0)" ||
        fail "pid: attach" "exit $RC; $(tail -2 "$T/why")" "$T/err"
    sleep 30 &
    TP=$!
    "$SG" monitor -q -i 0.05 -o "$T/pidint.csv" --pid $TP >/dev/null 2>"$T/err" &
    MP=$!
    sleep 0.5
    kill -INT $MP
    wait $MP
    RC=$?
    kill $TP 2>/dev/null
    [[ $RC == 130 && $(wc -l <"$T/pidint.csv") -gt 3 ]] && kill -0 $$ &&
        ok "pid: Ctrl-C of an attached run exits 130 with the CSV written" ||
        fail "pid: interrupt" "exit $RC" "$T/err"
fi

if want errors; then
    sg -i 0.1 --pid 12abc
    [[ $RC == 2 && $(wc -l <"$T/err") == 1 ]] && ok "errors: a malformed pid is a usage error (one line, exit 2)" || fail "errors: malformed pid" "exit $RC" "$T/err"
    NOPID=$((($(cat /proc/sys/kernel/pid_max) - 1)))
    kill -0 $NOPID 2>/dev/null && NOPID=$((NOPID - 1))
    sg -i 0.1 --pid $NOPID
    [[ $RC == 1 && $(wc -l <"$T/err") == 1 ]] && grep -q "no process with PID $NOPID" "$T/err" &&
        ok "errors: no such pid: one line, exit 1" || fail "errors: no such pid" "exit $RC" "$T/err"
    echo "precious" >"$T/keep.csv"
    sg -q -i 0.1 -o "$T/keep.csv" --pid $NOPID
    [[ $RC == 1 && $(cat "$T/keep.csv") == precious ]] && sg -q -i 0.1 -o /dev/null -- false &&
        [[ $RC == 1 && -c /dev/null ]] &&
        ok "errors: a failed run leaves an existing -o file and a device alone" ||
        fail "errors: existing output" "exit $RC, kept '$(cat "$T/keep.csv")'" "$T/err"
    sg -i 0.1 -o /nonexistent/dir/x.csv -- true
    [[ $RC == 1 && $(wc -l <"$T/err") == 1 ]] && grep -q "cannot write /nonexistent/dir/x.csv" "$T/err" &&
        ok "errors: unwritable -o: one line, exit 1, nothing run" || fail "errors: unwritable" "exit $RC" "$T/err"
    sg -q -i 0.01 -o /dev/full -f json -- true
    [[ $RC == 1 && $(wc -l <"$T/err") == 1 ]] && grep -q "No space left" "$T/err" &&
        ok "errors: full disk (/dev/full): one line, exit 1" || fail "errors: full disk" "exit $RC" "$T/err"
    bad=0
    for v in 0 -1 abc 0.0001 1e9 nan; do
        sg -i "$v" -- true
        [[ $RC == 2 && $(wc -l <"$T/err") == 1 ]] || { bad=1; fail "errors: --interval $v" "exit $RC" "$T/err"; }
    done
    ((bad == 0)) && ok "errors: bad intervals (0, -1, abc, 0.0001, 1e9, nan): one line, exit 2"
    sg -f xml -o x -- true
    [[ $RC == 2 ]] && sg && [[ $RC == 2 ]] && sg --pid 1 -- true && [[ $RC == 2 ]] && sg --bogus && [[ $RC == 2 ]] &&
        ok "errors: bad format, no target, both targets, unknown option: exit 2" || fail "errors: usage" "exit $RC" "$T/err"
    if [[ $(id -u) == 0 ]] && id nobody >/dev/null 2>&1; then
        # Another user's process seen by an unprivileged monitor: no permission.
        sleep 5 &
        TP=$!
        timeout 10 setpriv --reuid=nobody --regid=nogroup --clear-groups "$SG" monitor -q --pid $TP >"$T/out" 2>"$T/err"
        RC=$?
        kill $TP 2>/dev/null
        [[ $RC == 1 && $(wc -l <"$T/err") == 1 ]] && grep -q "not permitted" "$T/err" &&
            ok "errors: another user's process: one line (not permitted), exit 1" ||
            fail "errors: permission" "exit $RC" "$T/err"
    fi
fi

echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
