#!/usr/bin/env bash
# Functional tests of the raw profile format, the chrome trace export and `spyglass diff`, on
# real CPython targets: raw files decoded by an independent Python reader of docs/raw-format.md
# (report's collapsed output must be exactly the stacks the file holds), a recording killed
# with SIGKILL (all but its last second kept and converted), SIGINT (a complete file), chrome
# traces (events nest per thread, durations add up to samples / rate), a differential flame
# graph of a function made twice as slow, and bad inputs (one-line errors, non-zero exits).
#
# usage: SPYGLASS=/abs/path/to/spyglass tests/functional/raw.sh [REGEX]
#   REGEX: run only the checks whose group matches: roundtrip, kill, sigint, chrome, diff, errors.
# Prints 'ok - NAME' or 'FAIL - NAME: WHY' per check, then 'N passed, N failed'.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init raw "$@"
TARGETS=$ROOT/tests/targets

# Four CPythons, one per unwinder layout where installed: the oldest (3.8-3.10 frames), a 3.12
# (3.11-3.12 frames), a 3.14 and the newest (_Py_DebugOffsets: 3.15's layout differs).
mapfile -t ALL < <(list_pythons | grep -E '^3\.([89]|1[0-9])\.')
PYS=()
pick() {
    local line
    for line in "$@"; do
        [[ -n $line ]] || continue
        [[ " ${PYS[*]} " == *" ${line#* } "* ]] || PYS+=("${line#* }")
    done
}
pick "${ALL[0]:-}" "$(printf '%s\n' "${ALL[@]}" | grep -m1 '^3\.12\.')" \
    "$(printf '%s\n' "${ALL[@]}" | grep -m1 '^3\.14\.')" "${ALL[${#ALL[@]}-1]:-}"
if ((${#PYS[@]} == 0)); then
    fail "setup" "no CPython 3 in $PYENV_DIR/versions"
    lib_finish
fi
PY=${PYS[${#PYS[@]}-1]}
echo "# spyglass: $SG; pythons: ${PYS[*]}"

# sg NAME ARGS...: run spyglass; stdout to $T/NAME.out, stderr to $T/NAME.err, exit code in RC.
sg() {
    local n=$1
    shift
    timeout -k 5 60 "$SG" "$@" >"$T/$n.out" 2>"$T/$n.err" </dev/null
    RC=$?
    san_check "$T/$n.err" "spyglass $*"
}

# decode FILE [collapsed|facts]: the independent reader. 'collapsed' prints the stacks with a
# positive weight in the order they are defined, labelled as spyglass labels frames; 'facts'
# prints shell assignments: COMPLETE, FINAL, INSTANTS, SAMPLES, LAST_NS, PYVER, RATE, and
# TID_<tid>=samples per thread.
decode() {
    "$JPY" - "$@" <<'EOF'
import collections, struct, sys
data = open(sys.argv[1], "rb").read()
what = sys.argv[2] if len(sys.argv) > 2 else "collapsed"
def varint(b, i, end):
    v = s = 0
    while True:
        if i >= end:
            raise EOFError
        c = b[i]; i += 1
        v |= (c & 0x7f) << s; s += 7
        if not c & 0x80:
            return v, i
assert data[:8] == b"\x89SPYRAW\n", "magic"
ver, i = varint(data, 8, len(data))
assert ver == 1, ver
strings, frames, stacks, weight = [], [], [], collections.Counter()
meta, final, complete, t, instants, open_, samples = {}, 0, False, 0, 0, False, 0
per_tid = collections.Counter()
while i < len(data):
    typ = data[i]
    try:
        n, j = varint(data, i + 1, len(data))
    except EOFError:
        break
    if j + n > len(data):
        break
    p, end, i = j, j + n, j + n
    if typ == 1:
        meta = {}
        while p < end:
            tag, p = varint(data, p, end)
            f, w = tag >> 3, tag & 7
            if w == 0:
                v, p = varint(data, p, end)
            elif w == 1:
                v = struct.unpack("<d", data[p:p + 8])[0]; p += 8
            elif w == 2:
                ln, p = varint(data, p, end); v = data[p:p + ln].decode("utf-8", "replace"); p += ln
            meta[f] = v
        final = meta.get(12, 0)
    elif typ == 2:
        strings.append(data[p:end].decode("utf-8", "surrogateescape"))
    elif typ == 3:
        vals = []
        while p < end:
            v, p = varint(data, p, end); vals.append(v)
        frames.append(vals)
    elif typ == 4:
        ids = []
        while p < end:
            v, p = varint(data, p, end); ids.append(v)
        stacks.append(ids)
    elif typ == 5:
        dt, p = varint(data, p, end)
        if dt or not open_:
            instants += 1; open_ = True
        t += dt
        while p < end:
            s, p = varint(data, p, end); w, p = varint(data, p, end); tid, p = varint(data, p, end)
            weight[s] += w; samples += 1; per_tid[tid] += 1
    elif typ == 8:
        complete = True
def label(fid):
    name, file, line, kind = frames[fid]
    s = strings[name]
    if kind == 0 and file:
        s += " (" + strings[file - 1] + (":%d" % line if line > 0 else "") + ")"
    return s.replace(";", " ").replace("\n", " ").replace("\r", " ")
if what == "collapsed":
    out = sys.stdout.buffer
    for k, ids in enumerate(stacks):
        if weight[k] and ids:
            out.write((";".join(label(f) for f in ids) + " %d\n" % weight[k]).encode("utf-8", "surrogateescape"))
else:
    print("COMPLETE=%d FINAL=%d INSTANTS=%d SAMPLES=%d LAST_NS=%d PYVER=%s RATE=%s" % (
        complete, final, instants, samples, t, meta.get(3, "?"), meta.get(8, meta.get(7, 0))))
    for tid, n in sorted(per_tid.items()):
        print("TID_%d=%d" % (tid, n))
EOF
}

# facts FILE: set COMPLETE, FINAL, INSTANTS, SAMPLES, LAST_NS, PYVER, RATE from the decoder
# (zeros when it cannot read FILE).
facts() {
    COMPLETE=0 FINAL=0 INSTANTS=0 SAMPLES=0 LAST_NS=0 PYVER=? RATE=0
    eval "$(decode "$1" facts 2>/dev/null | head -n1)"
}

# chrome_check FILE RAW: the trace parses; per thread, events nest (one that starts inside
# another ends inside it) and the outermost ones add up to the thread's samples / rate (RAW's
# samples when given, else every sampling instant) within 10%; names threads and the process.
chrome_check() {
    "$JPY" - "$@" <<'EOF'
import collections, json, subprocess, sys
j = json.load(open(sys.argv[1], encoding="utf-8"))
ev = j["traceEvents"]
period = j["otherData"]["sample_us"]
x = collections.defaultdict(list)
names = {}
proc = None
for e in ev:
    if e["ph"] == "X":
        assert e["dur"] >= 0 and e["ts"] >= 0, e
        x[e["tid"]].append((e["ts"], e["ts"] + e["dur"], e["name"]))
    elif e["ph"] == "M" and e["name"] == "thread_name":
        names[e["tid"]] = e["args"]["name"]
    elif e["ph"] == "M" and e["name"] == "process_name":
        proc = e["args"]["name"]
assert proc and "python" in proc, proc
assert x, "no events"
want = {}
if len(sys.argv) > 2:
    for line in open(sys.argv[2]):
        if line.startswith("TID_"):
            k, v = line.strip().split("=")
            want[int(k[4:])] = int(v)
top = {}
for tid, evs in x.items():
    assert tid in names, "thread %d has no name" % tid
    evs.sort(key=lambda e: (e[0], -e[1]))
    stack, total = [], 0
    for s, e, n in evs:
        while stack and stack[-1][1] <= s:
            stack.pop()
        if stack:
            assert e <= stack[-1][1], "thread %d: %r crosses %r" % (tid, (s, e, n), stack[-1])
        else:
            total += e - s
        stack.append((s, e, n))
    top[tid] = total
checked = 0
for tid, n in want.items():
    if tid in top and n >= 20:
        exp = n * period
        assert abs(top[tid] - exp) <= 0.1 * exp, "thread %d: %d us of events, %d samples x %d us" % (tid, top[tid], n, period)
        checked += 1
if not want:
    n = j["otherData"]["samples"]
    main = max(top.values())
    assert abs(main - n * period) <= 0.1 * n * period, "%d us, %d instants x %d us" % (main, n, period)
    checked = 1
assert checked, "no thread with 20 samples"
print("%d threads, %d events, names %s" % (len(x), sum(len(v) for v in x.values()), sorted(names.values())[:3]))
EOF
}

# one_line_error NAME: the last run failed with exactly one line on stderr.
one_line_error() {
    local lines
    lines=$(wc -l <"$T/$1.err")
    if ((RC != 0 && lines == 1)) && grep -q '^spyglass: ' "$T/$1.err"; then
        ok "errors $1: exit $RC, '$(cut -c1-110 "$T/$1.err")'"
    else
        fail "errors $1" "exit $RC, $lines lines on stderr" "$T/$1.err"
    fi
}

if want roundtrip; then
    for py in "${PYS[@]}"; do
        v=$(py_version "$py")
        n=rt$v
        sg "$n" record -q -t -r 200 -f raw -o "$T/$n.spyraw" -- "$py" "$TARGETS/threadnames.py" 0.8 -
        check_begin "roundtrip $v: report's collapsed is the stacks the raw file holds"
        ((RC == 0)) || why "record exit $RC"
        sg "$n-rep" report "$T/$n.spyraw" -o "$T/$n.txt"
        ((RC == 0)) || why "report exit $RC"
        [[ -s $T/$n-rep.err ]] && why "report said something" && show "$T/$n-rep.err"
        decode "$T/$n.spyraw" >"$T/$n.dec" 2>"$T/$n.decerr" || why "decoder: $(tail -n1 "$T/$n.decerr")"
        cmp -s "$T/$n.txt" "$T/$n.dec" || why "differs from the decoded file" && show "$T/$n.txt" "$T/$n.dec"
        grep -q 'thread worker-1 ([0-9]*);' "$T/$n.txt" || why "no worker-1 thread"
        facts "$T/$n.spyraw"
        ((COMPLETE && FINAL)) || why "not complete ($COMPLETE) or no final facts ($FINAL)"
        [[ $PYVER == "$v" ]] || why "python version $PYVER"
        ((INSTANTS > 80 && SAMPLES >= 5 * INSTANTS)) || why "$INSTANTS instants, $SAMPLES samples"
        note "$INSTANTS instants, $SAMPLES samples, $(wc -c <"$T/$n.spyraw") bytes"
        check_end
        check_begin "roundtrip $v: every format from raw"
        for f in collapsed svg speedscope pprof pstats raw chrome; do
            sg "$n-$f" report "$T/$n.spyraw" -f $f -o "$T/$n.$f"
            ((RC == 0)) || why "$f: exit $RC"
        done
        "$JPY" -c 'import json, sys, xml.dom.minidom as m
json.load(open(sys.argv[1])); json.load(open(sys.argv[2])); m.parse(sys.argv[3])' \
            "$T/$n.speedscope" "$T/$n.chrome" "$T/$n.svg" 2>"$T/$n.fmt" || why "$(tail -n1 "$T/$n.fmt")"
        "$py" -c 'import pstats, sys, io; pstats.Stats(sys.argv[1], stream=io.StringIO())' \
            "$T/$n.pstats" 2>"$T/$n.ps" || why "pstats: $(tail -n1 "$T/$n.ps")"
        sg "$n-again" report "$T/$n.raw" -o "$T/$n.again.txt"
        cmp -s "$T/$n.again.txt" "$T/$n.txt" || why "raw -> raw -> collapsed differs"
        check_end
    done
fi

# record_bg NAME TARGET-ARGS...: record -f raw at 100 Hz in the background (SGPID), the target
# writing its PID to $T/NAME.ready; waits for it (false after 15 s).
record_bg() {
    local n=$1
    shift
    T0=$(date +%s.%N)
    "$SG" record -q -r 100 -o "$T/$n.spyraw" -- "$PY" "$@" "$T/$n.ready" \
        >"$T/$n.out" 2>"$T/$n.err" </dev/null &
    SGPID=$!
    wait_file "$T/$n.ready" 15
}

if want kill; then
    n=kill
    check_begin "kill -9 mid-run: report converts all but the last second"
    if record_bg $n "$TARGETS/spin.py" 30; then
        sleep 2.5
        TK=$(date +%s.%N)
        kill -KILL "$SGPID"
        wait "$SGPID" 2>/dev/null
        kill "$(cat "$T/$n.ready")" 2>/dev/null
        sg $n-rep report "$T/$n.spyraw" -o "$T/$n.txt"
        ((RC == 0)) || why "report exit $RC"
        grep -q "warning: .*was cut short" "$T/$n-rep.err" || why "no 'cut short' warning"
        show "$T/$n-rep.err"
        facts "$T/$n.spyraw"
        ran=$(awk -v a="$T0" -v b="$TK" 'BEGIN { printf "%.0f", (b - a) * 1e9 }')
        ((COMPLETE == 0)) || why "an END record after SIGKILL?"
        # flushed at least once a second: the last instant is within 1.5 s of the kill (0.5 s
        # for starting the target)
        ((LAST_NS >= ran - 1500000000)) || why "last instant at $((LAST_NS / 1000000)) ms of $((ran / 1000000)) ms"
        total=$(awk '{ s += $NF } END { print s + 0 }' "$T/$n.txt")
        ((total == SAMPLES && total >= 100)) || why "report: $total samples, file: $SAMPLES"
        sg $n-chrome report "$T/$n.spyraw" -o "$T/$n.trace.json"
        ((RC == 0)) || why "chrome of the cut file: exit $RC"
        note "killed after $((ran / 1000000)) ms; last instant at $((LAST_NS / 1000000)) ms; $total samples kept"
    else
        why "the target did not start"
        kill "$SGPID" 2>/dev/null
    fi
    check_end
fi

if want sigint; then
    n=int
    check_begin "SIGINT: a complete raw file, the target's exit code"
    if record_bg $n "$TARGETS/spin.py" 30; then
        sleep 1
        kill -INT "$SGPID"
        wait "$SGPID"
        rc=$?
        ((rc == 42)) || why "exit $rc, not the target's 42"
        facts "$T/$n.spyraw"
        ((COMPLETE && FINAL && SAMPLES >= 50)) || why "complete $COMPLETE, final $FINAL, $SAMPLES samples"
        sg $n-rep report "$T/$n.spyraw" -o "$T/$n.txt"
        ((RC == 0)) && [[ ! -s $T/$n-rep.err ]] || why "report exit $RC: $(head -n1 "$T/$n-rep.err")"
        grep -q 'spin_target' "$T/$n.txt" || why "no spin_target"
    else
        why "the target did not start"
        kill "$SGPID" 2>/dev/null
    fi
    check_end
fi

if want chrome; then
    n=chrome
    sg $n record -q -t -r 200 -f raw -o "$T/$n.spyraw" -- "$PY" "$TARGETS/threadnames.py" 1 -
    check_begin "chrome from raw: nested events per thread, durations = samples / rate"
    sg $n-rep report "$T/$n.spyraw" -o "$T/$n.trace.json"
    ((RC == 0)) || why "report exit $RC"
    decode "$T/$n.spyraw" facts >"$T/$n.facts"
    chrome_check "$T/$n.trace.json" "$T/$n.facts" >"$T/$n.chk" 2>&1 || why "$(tail -n1 "$T/$n.chk")"
    grep -q '"worker-1 (' "$T/$n.trace.json" || why "no thread named worker-1"
    note "$(tail -n1 "$T/$n.chk")"
    check_end
    check_begin "record -f chrome: the live time line"
    sg $n-live record -q -r 200 -o "$T/$n-live.trace.json" -- "$PY" "$TARGETS/spin.py" 0.8
    ((RC == 0)) || why "record exit $RC"
    chrome_check "$T/$n-live.trace.json" >"$T/$n-live.chk" 2>&1 || why "$(tail -n1 "$T/$n-live.chk")"
    grep -q '"name":"spin_target"' "$T/$n-live.trace.json" || why "no spin_target event"
    note "$(tail -n1 "$T/$n-live.chk")"
    check_end
fi

# diff_colours SVG: 'NAME change r g b' for the widest box of each of f, g and h.
diff_colours() {
    "$JPY" - "$1" <<'EOF'
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
best = {}
for m in re.finditer(r'<title>([fgh]) \([^<]*?\nA ([0-9.]+) -&gt; B ([0-9]+) [^<]*</title><rect[^>]*fill="rgb\((\d+),(\d+),(\d+)\)"', s):
    a, b = float(m[2]), float(m[3])
    if m[1] not in best or b > best[m[1]][0]:
        best[m[1]] = (b, "%s %.3f %s %s %s" % (m[1], (b - a) / max(a, b), m[4], m[5], m[6]))
for k in sorted(best):
    print(best[k][1])
EOF
}

if want diff; then
    for py in "${PYS[0]}" "$PY"; do
        v=$(py_version "$py")
        n=diff$v
        tries=
        for attempt in 1 2 3; do
            sg $n-a record -q -r 1000 -o "$T/$n-a.spyraw" -- "$py" "$TARGETS/diffwork.py" 1 100
            sg $n-b record -q -r 1000 -o "$T/$n-b.spyraw" -- "$py" "$TARGETS/diffwork.py" 2 100
            sg $n diff "$T/$n-a.spyraw" "$T/$n-b.spyraw" -o "$T/$n.svg"
            diff_colours "$T/$n.svg" >"$T/$n.col"
            # f red and grown by 1.6x to 2.6x; g and h within 25% and pale
            verdict=$(awk '$1 == "f" { f = ($2 >= 0.375 && $2 <= 0.62 && $3 > $4 + 60) }
                $1 != "f" { o += ($2 > -0.25 && $2 < 0.25 && $3 - $5 < 50 && $5 - $3 < 50) }
                END { print (f && o == 2) ? "yes" : "no" }' "$T/$n.col")
            tries+="[$attempt] $(tr '\n' ' ' <"$T/$n.col")"
            [[ $verdict == yes ]] && break
        done
        check_begin "diff $v: f (2x slower) red, g and h near neutral"
        ((RC == 0)) || why "diff exit $RC"
        [[ $verdict == yes ]] || why "no attempt held: $tries"
        grep -q 'normalised by time' "$T/$n.err" || why "not normalised by time"
        sg $n-txt diff -q "$T/$n-a.spyraw" "$T/$n-b.spyraw"
        fa=$(awk '/;f \(/ { a += $(NF-1); b += $NF } END { if (a) printf "%.2f", b / a }' "$T/$n-txt.out")
        awk -v r="$fa" 'BEGIN { exit !(r >= 1.6 && r <= 2.6) }' || why "collapsed-diff: f grew ${fa:-?}x"
        note "$tries| f ${fa}x in the collapsed-diff"
        check_end
    done
    check_begin "diff of collapsed inputs: shares, with a note"
    sg dc-a report "$T/diff$(py_version "$PY")-a.spyraw" -o "$T/dc-a.txt"
    sg dc-b report "$T/diff$(py_version "$PY")-b.spyraw" -o "$T/dc-b.txt"
    sg dc diff "$T/dc-a.txt" "$T/dc-b.txt" -o "$T/dc.txt"
    ((RC == 0)) || why "exit $RC"
    grep -q "note: .*normalised by its total" "$T/dc.err" || why "no note" && show "$T/dc.err"
    # One --rate for both inputs: a diff by time with equal rates, so A's weights are taken as
    # they are (the raw files' own effective rates differ a little when ticks were missed).
    sg dc-rate diff --rate 1000 "$T/dc-a.txt" "$T/dc-b.txt" -q -o "$T/dc-rate.txt"
    sg dc-none diff --normalize none "$T/diff$(py_version "$PY")-a.spyraw" \
        "$T/diff$(py_version "$PY")-b.spyraw" -q -o "$T/dc-none.txt"
    cmp -s "$T/dc-rate.txt" "$T/dc-none.txt" || why "--rate 1000 on collapsed differs from raw with --normalize none"
    check_end
fi

if want errors; then
    printf '\x89SPYRAW\n\x01' >"$T/header.spyraw"
    printf 'not;a;profile\n' >"$T/text.txt"
    head -c 3000 /bin/sh >"$T/binary.bin"
    : >"$T/empty.txt"
    mkdir -p "$T/dir"
    src=$ROOT/tests/fixtures/raw/threadnames.spyraw
    { head -c 200 "$src"; printf '\x09\x00'; tail -c +201 "$src"; } >"$T/corrupt.spyraw"
    sg header report "$T/header.spyraw"
    one_line_error header
    sg corrupt report "$T/corrupt.spyraw"
    one_line_error corrupt
    sg text report "$T/text.txt"
    one_line_error text
    sg binary report "$T/binary.bin"
    one_line_error binary
    sg dir report "$T/dir"
    one_line_error dir
    sg missing report "$T/missing.spyraw"
    one_line_error missing
    sg empty diff "$T/empty.txt" "$src"
    one_line_error empty
    sg dirdiff diff "$src" "$T/dir"
    one_line_error dirdiff
    sg chromecol report "$ROOT/tests/fixtures/collapsed/$(ls "$ROOT/tests/fixtures/collapsed" | head -n1)" -f chrome
    one_line_error chromecol
    printf 'main;f 5\n' >"$T/small.txt"
    sg norate diff --normalize time "$T/small.txt" "$src"
    one_line_error norate
fi

lib_finish
