#!/usr/bin/env bash
# Functional tests of output files and of the facts read back from files. Outputs: a 64 KiB
# tmpfs filled up while report, record (collapsed, raw, html, --resources), diff, monitor and a
# bench export write over an earlier file leaves that file byte for byte, with one error line
# and exit 1, and no temporary file; the same writes succeed once there is room. Modes: a new
# file gets 0666 & ~umask, a replaced one keeps its mode and owner, devices, FIFOs and
# /dev/stdout are written in place, a symlink of ours is followed, a raw recording killed while
# replacing a file leaves the file and its data beside it. Symlinks (root): root's -o through a
# symlink in /tmp owned by another user is refused in one line before anything runs (the rule
# of fs.protected_symlinks, applied whatever the sysctl says). Non-finite facts: raw files with
# rates or durations of 1e-300, 1e300, inf or nan are refused in one line by report and diff;
# files at the bounds give no inf, nan or integer out of range in any output; baselines with
# such times are refused.
#
# usage: SPYGLASS=/abs/path/to/spyglass tests/functional/outputs.sh [REGEX]
#   REGEX: run only the groups that match: full, modes, symlink, nonfinite, baseline.
# Prints 'ok - NAME' or 'FAIL - NAME: WHY' per check, then 'N passed, N failed' (about 15 s).
set -u
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init outputs "$@"

PY=$(list_pythons | tail -n1 | cut -d' ' -f2)
if [[ -z $PY ]]; then
    fail "setup" "no CPython 3 in $PYENV_DIR/versions"
    lib_finish
fi
SPIN='import time
t = time.time()
while time.time() - t < 0.4:
    pass'
printf 'main (a.py:1);f (a.py:2) 5\nmain (a.py:1);g (a.py:3) 3\n' >"$T/in.txt"
printf 'main (a.py:1);f (a.py:2) 9\nmain (a.py:1);h (a.py:4) 2\n' >"$T/in2.txt"
echo "# spyglass: $SG; python: $PY"

# one_error NAME PATTERN: the run NAME wrote exactly one line on stderr, matching PATTERN (ERE).
one_error() {
    if [[ $(wc -l <"$T/$1.err") != 1 ]] || ! grep -qE -- "$2" "$T/$1.err"; then
        why "stderr is not one line matching '$2'"
        show "$T/$1.err"
    fi
}

# no_part DIR: no temporary file (NAME.XXXXXX.part) left in DIR.
no_part() {
    local left
    left=$(find "$1" -maxdepth 1 -name '*.part' | head -n3)
    [[ -z $left ]] || why "temporary files left: $left"
}

if want full; then
    M=$T/full
    mkdir -p "$M"
    if ! mount -t tmpfs -o size=64k spyglass-full "$M" 2>"$T/mount.err"; then
        echo "# full: skipped: cannot mount a 64 KiB tmpfs: $(head -n1 "$T/mount.err") (needs root)"
    else
        lib_at_exit "umount '$M'"
        # NAME FILE CMD...: FILE (in $M) holds 3000 earlier bytes; the tmpfs is filled to the
        # last page; CMD must fail in one line naming FILE, leaving it as it was.
        full_case() {
            local n=$1 f=$M/$2
            shift 2
            check_begin "full: $n keeps the earlier ${f##*/} byte for byte"
            head -c 3000 /dev/urandom >"$f"
            cp "$f" "$T/$n.orig"
            head -c 1M /dev/zero >"$M/filler" 2>/dev/null
            [[ $(df --output=avail "$M" | tail -n1) -eq 0 ]] || why "the tmpfs is not full"
            run "$n" "$@"
            expect_rc 1 "$n"
            one_error "$n" "^spyglass: (cannot write $f|[a-z]+: cannot write $f): No space left on device\$"
            cmp -s "$f" "$T/$n.orig" || why "${f##*/} changed"
            no_part "$M"
            rm -f "$M/filler"
            check_end
        }
        full_case report-html keep.html "$SG" report "$T/in.txt" -o "$M/keep.html"
        full_case report-pprof keep.pb.gz "$SG" report "$T/in.txt" -o "$M/keep.pb.gz"
        full_case record keep.txt "$SG" record -q -r 200 -o "$M/keep.txt" -- "$PY" -c "$SPIN"
        full_case record-raw keep.spyraw "$SG" record -q -r 200 -o "$M/keep.spyraw" -- "$PY" -c "$SPIN"
        full_case record-html keep.html "$SG" record -q -r 200 -o "$M/keep.html" -- "$PY" -c "$SPIN"
        full_case record-res keep.csv "$SG" record -q -r 200 -o "$T/res-prof.txt" \
            --resources "$M/keep.csv" -- "$PY" -c "$SPIN"
        full_case diff keep.svg "$SG" diff -q "$T/in.txt" "$T/in2.txt" -o "$M/keep.svg"
        full_case monitor keep.json "$SG" monitor -q -i 0.05 -o "$M/keep.json" -- sleep 0.2
        full_case bench-export keep.md "$SG" bench -q --runs 2 --export-markdown "$M/keep.md" true

        check_begin "full: with room, the same outputs replace the earlier files"
        run ok-report "$SG" report "$T/in.txt" -o "$M/keep.txt"
        expect_rc 0 ok-report
        run ok-record "$SG" record -q -r 200 -o "$M/keep.spyraw" -- "$PY" -c "$SPIN"
        expect_rc 0 ok-record
        run ok-diff "$SG" diff -q "$T/in.txt" "$T/in2.txt" -o "$M/keep.svg"
        expect_rc 0 ok-diff
        cmp -s "$M/keep.txt" "$T/in.txt" || why "keep.txt is not the new profile"
        grep -q '<svg' "$M/keep.svg" || why "keep.svg is not the new graph"
        run ok-read "$SG" report "$M/keep.spyraw"
        ((RC == 0)) && [[ ! -s $T/ok-read.err ]] || why "the new keep.spyraw does not read whole"
        no_part "$M"
        check_end
    fi
fi

if want modes; then
    check_begin "modes: a new file is 0666 & ~umask; a replaced one keeps its mode and owner"
    (umask 027 && "$SG" report "$T/in.txt" -o "$T/new.txt")
    [[ $(stat -c %a "$T/new.txt") == 640 ]] || why "new file mode $(stat -c %a "$T/new.txt"), not 640"
    echo earlier >"$T/old.txt"
    chmod 604 "$T/old.txt"
    ino=$(stat -c %i "$T/old.txt")
    if ((EUID == 0)); then
        chown 65534:65534 "$T/old.txt"
    fi
    owner=$(stat -c %u:%g "$T/old.txt")
    run replace "$SG" report "$T/in.txt" -o "$T/old.txt"
    expect_rc 0 replace
    cmp -s "$T/old.txt" "$T/in.txt" || why "old.txt does not hold the new profile"
    [[ $(stat -c %a "$T/old.txt") == 604 ]] || why "mode $(stat -c %a "$T/old.txt"), not 604"
    [[ $(stat -c %u:%g "$T/old.txt") == "$owner" ]] || why "owner $(stat -c %u:%g "$T/old.txt"), not $owner"
    [[ $(stat -c %i "$T/old.txt") != "$ino" ]] || why "written in place (same inode)"
    no_part "$T"
    check_end

    check_begin "modes: /dev/stdout, a FIFO and /dev/null are written in place"
    "$SG" report "$T/in.txt" -o /dev/stdout >"$T/viastdout.txt" 2>"$T/viastdout.err"
    cmp -s "$T/viastdout.txt" "$T/in.txt" || why "/dev/stdout did not get the profile"
    mkfifo "$T/fifo"
    timeout 10 cat "$T/fifo" >"$T/fromfifo.txt" &
    reader=$!
    run fifo "$SG" report "$T/in.txt" -o "$T/fifo"
    expect_rc 0 fifo
    wait "$reader"
    cmp -s "$T/fromfifo.txt" "$T/in.txt" || why "the FIFO's reader did not get the profile"
    [[ -p $T/fifo ]] || why "the FIFO was replaced"
    run null "$SG" report "$T/in.txt" -f svg -o /dev/null
    expect_rc 0 null
    [[ -c /dev/null ]] || why "/dev/null is no longer a character device"
    check_end

    check_begin "modes: our own symlink is followed; the link stays"
    echo earlier >"$T/target.txt"
    ln -s target.txt "$T/link.txt"
    run ownlink "$SG" report "$T/in.txt" -o "$T/link.txt"
    expect_rc 0 ownlink
    [[ -L $T/link.txt ]] || why "the link was replaced"
    cmp -s "$T/target.txt" "$T/in.txt" || why "the link's target does not hold the profile"
    check_end

    check_begin "modes: record -f raw killed while replacing a file: the file kept, its data beside it"
    head -c 500 /dev/urandom >"$T/killed.spyraw"
    cp "$T/killed.spyraw" "$T/killed.orig"
    "$SG" record -q -r 100 -o "$T/killed.spyraw" -- "$PY" -c "import os, time
open('$T/killed.pid', 'w').write(str(os.getpid()))
time.sleep(30)" </dev/null >/dev/null 2>"$T/killed.err" &
    sgpid=$!
    for ((i = 0; i < 100; i++)); do
        part=$(find "$T" -maxdepth 1 -name 'killed.spyraw.*.part' -size +100c | head -n1)
        [[ -n $part ]] && break
        sleep 0.1
    done
    sleep 1.2 # one more flush
    kill -KILL "$sgpid"
    wait "$sgpid" 2>/dev/null
    [[ -s $T/killed.pid ]] && kill "$(cat "$T/killed.pid")" 2>/dev/null
    cmp -s "$T/killed.spyraw" "$T/killed.orig" || why "the earlier file changed"
    if [[ -z $part ]]; then
        why "no killed.spyraw.XXXXXX.part while recording"
    else
        run killed-read "$SG" report "$part" -o "$T/killed.txt"
        expect_rc 0 killed-read
        grep -q "was cut short" "$T/killed-read.err" || why "no 'cut short' warning"
        grep -q 'sleep\|<module>' "$T/killed.txt" || why "no stack in the kept data"
        note "kept ${part##*/}, $(wc -c <"$part") bytes"
    fi
    check_end
fi

if want symlink; then
    if ((EUID != 0)); then
        echo "# symlink: skipped: not root (a link of another user is made with setpriv)"
    else
        link=/tmp/spyglass-outputs-$$.link
        dlink=/tmp/spyglass-outputs-$$.dir
        rlink=/tmp/spyglass-outputs-$$.root
        lib_at_exit "rm -f '$link' '$dlink' '$rlink'"
        echo "victim" >"$T/victim.txt"
        chown 65534:65534 "$T/victim.txt"
        chmod 640 "$T/victim.txt"
        setpriv --reuid=65534 --regid=65534 --clear-groups ln -s "$T/victim.txt" "$link"
        setpriv --reuid=65534 --regid=65534 --clear-groups ln -s "$T" "$dlink"
        ln -s "$T/victim.txt" "$rlink"
        msg="a symlink owned by another user in a sticky world-writable directory is not followed\$"
        check_begin "symlink: root's -o through another user's link in /tmp is refused in one line"
        [[ $(stat -c %U "$link") == nobody && -k /tmp ]] || why "setup: $(ls -ld "$link" /tmp)"
        run report "$SG" report "$T/in.txt" -o "$link"
        expect_rc 1 report
        one_error report "^spyglass: cannot write $link: $msg"
        run dirlink "$SG" report "$T/in.txt" -o "$dlink/x.txt"
        expect_rc 1 dirlink
        one_error dirlink "^spyglass: cannot write $dlink/x.txt: $msg"
        [[ ! -e $T/x.txt ]] || why "x.txt made through the directory link"
        run record "$SG" record -q -o "$link" -- "$PY" -c "open('$T/ran.record', 'w')"
        expect_rc 1 record
        one_error record "^spyglass: cannot write $link: $msg"
        run monitor "$SG" monitor -q -o "$link" -- touch "$T/ran.monitor"
        expect_rc 1 monitor
        one_error monitor "^spyglass: cannot write $link: $msg"
        run bench "$SG" bench -q --runs 2 --export-json "$link" "touch $T/ran.bench"
        expect_rc 1 bench
        one_error bench "cannot write $link: $msg"
        for f in record monitor bench; do
            [[ ! -e $T/ran.$f ]] || why "$f ran its command before refusing"
        done
        [[ $(cat "$T/victim.txt") == victim && -L $link ]] || why "victim.txt or the link changed"
        note "fs.protected_symlinks = $(cat /proc/sys/fs/protected_symlinks 2>/dev/null || echo ?)"
        check_end

        check_begin "symlink: root's own link in /tmp is followed (the owner and mode kept)"
        run rootlink "$SG" report "$T/in.txt" -o "$rlink"
        expect_rc 0 rootlink
        cmp -s "$T/victim.txt" "$T/in.txt" || why "victim.txt does not hold the profile"
        [[ $(stat -c %U:%a "$T/victim.txt") == nobody:640 ]] || why "now $(stat -c %U:%a "$T/victim.txt")"
        check_end
    fi
fi

# mkraw FILE [KEY=VALUE...]: a raw profile (docs/raw-format.md) of two stacks over two
# instants, complete, with the facts given (duration, rate_req, rate_eff, overhead: floats
# as Python reads them, "nan" and "inf" included; weight: of the stack main;f).
mkraw() {
    "$JPY" - "$@" <<'EOF'
import struct, sys
def v(n):
    b = bytearray()
    while True:
        c, n = n & 0x7f, n >> 7
        b.append(c | 0x80 if n else c)
        if not n:
            return bytes(b)
def rec(t, p):
    return bytes([t]) + v(len(p)) + p
f = dict(duration=2.0, rate_req=100.0, rate_eff=99.0, overhead=0.01, weight=3)
for kv in sys.argv[2:]:
    k, x = kv.split("=")
    f[k] = int(x) if k == "weight" else float(x)
meta = v(4 << 3 | 2) + v(4) + b"wall"
for field, key in ((6, "duration"), (7, "rate_req"), (8, "rate_eff"), (9, "overhead")):
    meta += v(field << 3 | 1) + struct.pack("<d", f[key])
meta += v(10 << 3) + v(2) + v(12 << 3) + v(1)
d = b"\x89SPYRAW\n" + v(1) + rec(1, meta)
d += rec(2, b"main") + rec(2, b"a.py") + rec(2, b"f")
d += rec(3, v(0) + v(2) + v(1) + v(0)) + rec(3, v(2) + v(2) + v(5) + v(0))
d += rec(4, v(0)) + rec(4, v(0) + v(1))
d += rec(5, v(1000000) + v(0) + v(2) + v(7) + v(1) + v(f["weight"]) + v(7))
d += rec(5, v(10000000) + v(1) + v(1) + v(7))
d += rec(8, b"")
open(sys.argv[1], "wb").write(d)
EOF
}

# strict_json FILE [html]: FILE (or the data of an HTML page) is JSON with no NaN or Infinity,
# every integer within INT64, no null but for facts a side does not know; prints why not.
strict_json() {
    "$JPY" - "$@" <<'EOF'
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
if len(sys.argv) > 2:
    text = re.search(r'id="spyglass-data">(.*?)</script>', text, re.S).group(1)
def bad(c):
    raise ValueError("non-finite constant " + c)
def walk(x, key=""):
    if isinstance(x, dict):
        for k, y in x.items():
            walk(y, k)
    elif isinstance(x, list):
        for y in x:
            walk(y, key)
    elif isinstance(x, bool) or isinstance(x, str):
        pass
    elif isinstance(x, int):
        assert -2**63 <= x < 2**63, "integer out of range: %d (%s)" % (x, key)
    elif x is None:
        assert key in ("overhead", "duration", "rate_requested", "rate_effective", "command",
                       "python", "mode", "title"), "null for " + key
j = json.loads(text, parse_constant=bad)
walk(j)
if len(sys.argv) > 2 and "diff" in j:
    assert isinstance(j["diff"]["factor"], (int, float)), "no factor"
    assert isinstance(j["diff"]["a"]["total"], (int, float)), "no total of A"
EOF
}

if want nonfinite; then
    mkraw "$T/good.spyraw"
    check_begin "nonfinite: rates and durations of 1e-300, 1e300, inf, nan: refused in one line"
    n=0
    for field in rate_req rate_eff duration; do
        for x in 1e-300 1e300 inf nan -inf; do
            n=$((n + 1))
            f=$T/bad-$field-$x.spyraw
            mkraw "$f" "$field=$x"
            for fmt in collapsed chrome html; do
                run bad "$SG" report "$f" -f "$fmt" -o "$T/bad.prof"
                expect_rc 1 bad
                one_error bad "^spyglass: .*bad-$field-$x.spyraw is not a valid raw profile: record 1 \(meta, type 1\) at byte 9: run fact [678] \((requested rate|effective rate|duration)\) is (not a finite number|[0-9.e+-]+ (Hz|s): not 0 or from [0-9.e+-]+ to [0-9.e+-]+)\$"
                [[ ! -e $T/bad.prof ]] || why "report $fmt of $field=$x wrote a file"
            done
            run baddiff "$SG" diff "$T/good.spyraw" "$f" -o "$T/bad.prof"
            expect_rc 1 baddiff
            one_error baddiff "is not a valid raw profile: .*run fact [678]"
        done
    done
    note "$n files, each refused by report (collapsed, chrome, html) and diff"
    check_end

    check_begin "nonfinite: files at the bounds: no inf, nan or integer out of range in any output"
    mkraw "$T/lo.spyraw" rate_req=1e-3 rate_eff=1e-3 duration=1e10 overhead=1e6 weight=1000000
    mkraw "$T/hi.spyraw" rate_req=1e9 rate_eff=1e9 duration=1e-9 overhead=-5
    texts=()
    for s in lo hi; do
        for ext in txt svg html speedscope.json trace.json pstats pb.gz; do
            run "$s-$ext" "$SG" report "$T/$s.spyraw" -o "$T/$s.$ext"
            expect_rc 0 "$s-$ext"
            [[ $ext == pstats || $ext == pb.gz ]] || texts+=("$T/$s.$ext")
        done
        msg=$(strict_json "$T/$s.html" html 2>&1) || why "$s.html: ${msg##*$'\n'}"
        for j in speedscope.json trace.json; do
            msg=$(strict_json "$T/$s.$j" 2>&1) || why "$s.$j: ${msg##*$'\n'}"
        done
        "$JPY" -c 'import marshal, math, sys
st = marshal.load(open(sys.argv[1], "rb"))
vals = [x for v in st.values() for x in v[:4]]
assert all(math.isfinite(x) and abs(x) < 2**63 for x in vals), vals' "$T/$s.pstats" 2>"$T/$s.pstats.err" ||
            why "$s.pstats: $(tail -n1 "$T/$s.pstats.err")"
        gzip -t "$T/$s.pb.gz" || why "$s.pb.gz is not whole"
    done
    for spec in "time lo hi" "time hi lo" "duration lo hi" "total hi lo" "none lo hi"; do
        read -r norm a b <<<"$spec"
        n=diff-$norm-$a-$b
        for ext in txt svg html; do
            run "$n-$ext" "$SG" diff --normalize "$norm" "$T/$a.spyraw" "$T/$b.spyraw" -o "$T/$n.$ext"
            expect_rc 0 "$n-$ext"
            grep -qiE '\b(-?inf|-?nan)\b' "$T/$n-$ext.err" && why "$n: the summary says $(cat "$T/$n-$ext.err")"
        done
        awk '{ if ($(NF-1) !~ /^[0-9]+$/ || $NF !~ /^[0-9]+$/ || $(NF-1) + 0 >= 2^63) bad = bad " " NR }
            END { if (bad) { print "lines" bad; exit 1 } }' "$T/$n.txt" >"$T/$n.awk" ||
            why "$n.txt: $(cat "$T/$n.awk")"
        grep -qiE '\b(inf|nan)\b' "$T/$n.svg" && why "$n.svg: $(grep -oiE '.{30}\b(inf|nan)\b.{10}' "$T/$n.svg" | head -n1)"
        msg=$(strict_json "$T/$n.html" html 2>&1) || why "$n.html: ${msg##*$'\n'}"
    done
    grep -l -i -E '(^|[^a-z])-?(inf|nan)([^a-z]|$)' "${texts[@]}" >"$T/nonfinite.list" &&
        why "inf or nan in $(tr '\n' ' ' <"$T/nonfinite.list")"
    note "lo: 1e-3 Hz, 1e10 s, overhead 1e6; hi: 1e9 Hz, 1e-9 s; diffs by time (x1e12, x1e-12), duration, total, none"
    check_end

    check_begin "nonfinite: a diff whose factor would make A weigh more than 9e18 is refused"
    mkraw "$T/heavy.spyraw" rate_req=1e-3 rate_eff=1e-3 weight=10000000
    run heavy "$SG" diff "$T/heavy.spyraw" "$T/hi.spyraw" -o "$T/heavy.txt"
    expect_rc 1 heavy
    one_error heavy "^spyglass: cannot normalise by time: A normalised would weigh 1e\+19, above 9e\+18 \(the facts of the profiles are out of proportion\)\$"
    [[ ! -e $T/heavy.txt ]] || why "an output was written"
    check_end
fi

if want baseline; then
    check_begin "baseline: bench and timeit baselines with times of 1e300, 1e-310, -1 are refused"
    run export "$SG" bench -q --runs 2 --export-json "$T/b.json" true
    expect_rc 0 export
    for x in 1e300 1e-310 -1; do
        "$JPY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
for r in d["runs"]:
    r["wall"] = float(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
t = {"schema": "spyglass-timeit/1", "pythons": [{"name": "x"}], "statements": ["pass"],
     "benchmarks": [{"python": 0, "statement": 0, "workers": [{"values": [1e-6, float(sys.argv[3])]}]}]}
json.dump(t, open(sys.argv[4], "w"))' "$T/b.json" "$T/b$x.json" "$x" "$T/t$x.json"
        run bbase "$SG" bench -q --runs 2 --baseline "$T/b$x.json" true
        expect_rc 1 bbase
        one_error bbase "^spyglass: bench: cannot use baseline '.*': a run whose \"wall\" is not 0 or from 1e-12 to 1e7 seconds\$"
        run tbase "$SG" timeit --baseline "$T/t$x.json" pass
        expect_rc 1 tbase
        one_error tbase "^spyglass: timeit: cannot use baseline '.*': a value that is not 0 or from 1e-12 to 1e7 seconds\$"
    done
    check_end
fi

lib_finish
