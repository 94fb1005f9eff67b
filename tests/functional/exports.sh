#!/usr/bin/env bash
# Functional tests of the profile exports: `spyglass record` of real CPython targets and
# `spyglass report` of its collapsed output, each format read back by an independent reader:
# pprof by the real `go tool pprof` (Debian's golang-go), pstats by Python's own pstats on every
# installed CPython, SVG by xml.dom.minidom, speedscope by json, collapsed by a Python parser.
#
# usage: SPYGLASS=/abs/path/to/spyglass tests/functional/exports.sh [REGEX]
#   REGEX: run only the checks whose group matches: convert, direct, hostile, recursion, errors.
# Prints 'ok - NAME' or 'FAIL - NAME: WHY' per check, then 'N passed, N failed'.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SG=${SPYGLASS:-$ROOT/spyglass}
ONLY=${1:-.}
TARGETS=$ROOT/tests/targets
SAN_RE='AddressSanitizer|runtime error:|LeakSanitizer'
export LC_ALL=C.UTF-8 PYTHONDONTWRITEBYTECODE=1
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP

case $SG in /*) ;; *) SG=$PWD/$SG ;; esac
PASSED=0
FAILED=0
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
        [[ -f $f ]] && sed -n '1,30s/^/#   /p' "$f"
    done
}
want() { [[ $1 =~ $ONLY ]]; }
finish() {
    echo "$PASSED passed, $FAILED failed"
    ((FAILED == 0))
    exit
}

if [[ ! -x $SG ]]; then
    fail "setup" "no executable spyglass at $SG (set SPYGLASS)"
    finish
fi
mkdir -p "$ROOT/tests/out"
T=$(mktemp -d "$ROOT/tests/out/exports.XXXXXX")
trap 'if ((FAILED == 0)); then rm -rf "$T"; else echo "# files kept in $T"; fi' EXIT

# Every CPython 3 in pyenv's versions directory (pstats files must load in each), and the one
# that runs the targets and the checks: a 3.12, else the newest.
PYENV_DIR=$(pyenv root 2>/dev/null) || PYENV_DIR=$HOME/.pyenv
PYS=()
for py in "$PYENV_DIR"/versions/3.*/bin/python3; do
    v=${py%/bin/python3}
    v=${v##*/}
    [[ -x $py ]] && [[ -z ${SPYGLASS_TEST_VERSIONS:-} || $v =~ ${SPYGLASS_TEST_VERSIONS} ]] &&
        PYS+=("$py")
done
HPY=
for py in "${PYS[@]}"; do
    [[ $py == */3.12.*/* ]] && HPY=$py
done
HPY=${HPY:-${PYS[${#PYS[@]}-1]:-}}
if [[ -z $HPY ]]; then
    fail "setup" "no CPython 3 in $PYENV_DIR/versions"
    finish
fi
# go tool pprof: `go` on PATH, else Debian's versioned directory.
GO=$(command -v go 2>/dev/null || ls /usr/lib/go-*/bin/go 2>/dev/null | tail -n1)
if [[ -z $GO ]]; then
    fail "setup" "no go tool pprof (scripts/deps.sh test installs Debian's golang-go)"
fi
echo "# spyglass: $SG; python: $HPY; pstats checked on ${#PYS[@]} CPythons; go: ${GO:-none}"

# sg NAME ARGS...: run spyglass; stdout to $T/NAME.out, stderr to $T/NAME.err, exit code in RC.
sg() {
    local n=$1
    shift
    timeout -k 5 60 "$SG" "$@" >"$T/$n.out" 2>"$T/$n.err" </dev/null
    RC=$?
    if grep -qE "$SAN_RE" "$T/$n.err"; then
        fail "sanitizer" "report while running: spyglass $*" "$T/$n.err"
    fi
}
pprof() {
    [[ -n $GO ]] || {
        echo "no go tool pprof"
        return 1
    }
    HOME=$T GOPATH=$T/go PPROF_TMPDIR=$T timeout 60 "$GO" tool pprof "$@" 2>&1
}

# check_pprof PPROF COLLAPSED: the samples `go tool pprof -raw` decodes from PPROF, written as
# collapsed stacks ("name (file:line)" root first), are exactly those of COLLAPSED. Names must
# hold no space (the -raw line is "ID: 0x0 M=1 NAME FILE:LINE s=0()").
check_pprof() {
    pprof -raw "$1" >"$T/raw.txt" || {
        echo "go tool pprof -raw failed: $(tail -n1 "$T/raw.txt")"
        return 1
    }
    "$HPY" - "$T/raw.txt" "$2" <<'EOF'
import collections, re, sys
raw = open(sys.argv[1], encoding="utf-8").read().split("\n")
section, samples, locs = None, [], {}
for line in raw:
    if line in ("Samples:", "Locations", "Mappings"):
        section = line
        continue
    if section == "Samples:" and ":" in line and not line.startswith("samples/"):
        values, ids = line.split(":", 1)
        samples.append((int(values.split()[0]), [int(i) for i in ids.split()]))
    elif section == "Locations" and line.strip():
        m = re.match(r"^\s*(\d+): 0x0 M=1 (\S+) (.*):(\d+) s=0\(\)$", line)
        assert m, "unexpected location line %r" % line
        name, file, lineno = m[2], m[3], int(m[4])
        label = name if not file else "%s (%s:%d)" % (name, file, lineno) if lineno else "%s (%s)" % (name, file)
        locs[int(m[1])] = label
got = collections.Counter()
for count, ids in samples:
    got[";".join(locs[i] for i in reversed(ids))] += count
want = collections.Counter()
for line in open(sys.argv[2], encoding="utf-8"):
    stack, count = line.rstrip("\n").rsplit(" ", 1)
    want[stack] += int(count)
assert got == want, "pprof %d stacks / %d samples, collapsed %d / %d; first difference: %r" % (
    len(got), sum(got.values()), len(want), sum(want.values()),
    next(iter((got - want) + (want - got))))
print(len(got), "stacks,", sum(got.values()), "samples")
EOF
}

# check_pstats PSTATS COLLAPSED RATE FUNC: PSTATS loads and prints in every CPython, and FUNC's
# tottime and cumtime, and the total time, are the samples of COLLAPSED divided by RATE
# (computed here from the collapsed text, the function matched by name).
check_pstats() {
    local py out
    for py in "${PYS[@]}"; do
        out=$("$py" -c 'import pstats, sys, io
s = pstats.Stats(sys.argv[1], stream=io.StringIO())
s.sort_stats("cumulative").print_stats(5).print_callers(3)
text = s.stream.getvalue()
assert "function calls" in text, text' "$1" 2>&1) || {
            echo "$py cannot load it: $(tail -n1 <<<"$out")"
            return 1
        }
    done
    "$HPY" - "$@" <<'EOF'
import marshal, pstats, sys
path, collapsed, rate, func = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
st = pstats.Stats(path).stats
total = self_n = cum_n = 0
for line in open(collapsed, encoding="utf-8"):
    stack, count = line.rstrip("\n").rsplit(" ", 1)
    names = [f.split(" (", 1)[0] for f in stack.split(";")]
    total += int(count)
    self_n += int(count) if names[-1] == func else 0
    cum_n += int(count) if func in names else 0
keys = [k for k in st if k[2] == func]
assert len(keys) == 1, "%d entries named %s" % (len(keys), func)
cc, nc, tt, ct, callers = st[keys[0]]
close = lambda a, b: abs(a - b) <= 1e-9 * max(1.0, abs(b))
assert close(tt, self_n / rate), "tottime %r, want %r" % (tt, self_n / rate)
assert close(ct, cum_n / rate), "cumtime %r, want %r" % (ct, cum_n / rate)
assert close(sum(v[2] for v in st.values()), total / rate), "total tottime is not the samples"
assert 1 <= cc <= nc, "calls %r/%r" % (nc, cc)
print("%s: tottime %.3f cumtime %.3f of %.3f s" % (func, tt, ct, total / rate))
EOF
}

# 1. record writes collapsed; report converts it to every format; each is read back.
if want convert; then
    n=convert
    sg $n-rec record --rate 200 -q -o "$T/spin.txt" -- "$HPY" "$TARGETS/spin.py" 1
    if ((RC != 0)) || ! grep -q 'spin_target' "$T/spin.txt"; then
        fail "convert record" "exit $RC, or no spin_target in the profile" "$T/$n-rec.err"
    else
        ok "convert record"
        sg $n-pprof report "$T/spin.txt" -o "$T/spin.pb.gz" --rate 200
        if ((RC != 0)); then
            fail "convert pprof" "report exit $RC" "$T/$n-pprof.err"
        elif ! out=$(check_pprof "$T/spin.pb.gz" "$T/spin.txt"); then
            fail "convert pprof" "$(tail -n1 <<<"$out")"
        elif ! top=$(pprof -top "$T/spin.pb.gz") ||
            ! grep -qE '^ +[0-9.]+m?s +[0-9.]+%.* spin_target$' <<<"$(sed -n '/flat%/{n;p}' <<<"$top")"; then
            fail "convert pprof" "spin_target is not the top function of go tool pprof -top"
            echo "$top" | sed -n '1,12s/^/#   /p'
        else
            ok "convert pprof ($out)"
        fi
        sg $n-pstats report "$T/spin.txt" -f pstats -o "$T/spin.out" -r 200
        if ((RC != 0)); then
            fail "convert pstats" "report exit $RC" "$T/$n-pstats.err"
        elif ! out=$(check_pstats "$T/spin.out" "$T/spin.txt" 200 spin_target 2>&1); then
            fail "convert pstats" "$(tail -n1 <<<"$out")"
        else
            ok "convert pstats ($out)"
        fi
        sg $n-svg report "$T/spin.txt" -o "$T/spin.svg"
        out=$("$HPY" -c 'import sys, xml.dom.minidom as m
t = m.parse(sys.argv[1]).toxml()
assert "spin_target" in t, "no spin_target"' "$T/spin.svg" 2>&1)
        if ((RC != 0)) || [[ -n $out ]]; then
            fail "convert svg" "exit $RC: $(tail -n1 <<<"$out")" "$T/$n-svg.err"
        else
            ok "convert svg"
        fi
        sg $n-json report "$T/spin.txt" -o "$T/spin.json"
        out=$("$HPY" -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
p = d["profiles"][0]
assert sum(p["weights"]) == sum(int(l.rsplit(" ", 1)[1]) for l in open(sys.argv[2])), "weights"
assert any(f["name"] == "spin_target" for f in d["shared"]["frames"]), "no spin_target"' \
            "$T/spin.json" "$T/spin.txt" 2>&1)
        if ((RC != 0)) || [[ -n $out ]]; then
            fail "convert speedscope" "exit $RC: $(tail -n1 <<<"$out")" "$T/$n-json.err"
        else
            ok "convert speedscope"
        fi
        # collapsed to collapsed, through standard input and output: the same bytes
        timeout 30 "$SG" report - <"$T/spin.txt" >"$T/spin.again.txt" 2>"$T/$n-again.err"
        if ! cmp -s "$T/spin.txt" "$T/spin.again.txt"; then
            fail "convert collapsed" "report - of a collapsed profile changed it" "$T/$n-again.err"
        else
            ok "convert collapsed (stdin to stdout, unchanged)"
        fi
    fi
fi

# 2. record writes pprof and pstats itself (format from the extension), with the run's facts.
if want direct; then
    n=direct
    sg $n-pprof record --rate 100 -q -o "$T/direct.pb.gz" -- "$HPY" "$TARGETS/spin.py" 1
    if ((RC != 0)); then
        fail "direct pprof" "record exit $RC" "$T/$n-pprof.err"
    else
        top=$(pprof -top "$T/direct.pb.gz")
        v=$("$HPY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
        why=
        grep -q '^Type: wall$' <<<"$top" || why="no 'Type: wall'"
        grep -q "^Python $v\." <<<"$top" || why="no 'Python $v.x' comment"
        grep -qE '^Duration: (0\.9[0-9]*|1(\.[0-4][0-9]*)?)s' <<<"$top" || why="no duration near 1 s"
        grep -qE ' spin_target$' <<<"$(sed -n '/flat%/{n;p}' <<<"$top")" ||
            why="spin_target is not on top"
        if [[ -n $why ]]; then
            fail "direct pprof" "$why"
            echo "$top" | sed -n '1,12s/^/#   /p'
        else
            ok "direct pprof"
        fi
    fi
    sg $n-pstats record --rate 100 -q -o "$T/direct.prof" -- "$HPY" "$TARGETS/spin.py" 1
    if ((RC != 0)); then
        fail "direct pstats" "record exit $RC" "$T/$n-pstats.err"
    else
        # about 1 s of samples at the effective rate, nearly all of it in spin_target
        out=$("$HPY" -c 'import pstats, sys
st = pstats.Stats(sys.argv[1]).stats
total = sum(v[2] for v in st.values())
(key,) = [k for k in st if k[2] == "spin_target"]
assert 0.8 < total < 1.5, "total tottime %.3f s for a 1 s run" % total
assert st[key][2] > 0.8 * total, "spin_target %.3f of %.3f s" % (st[key][2], total)
assert key[0].endswith("spin.py") and key[1] > 0, key' "$T/direct.prof" 2>&1)
        if [[ -n $out ]]; then
            fail "direct pstats" "$(tail -n1 <<<"$out")"
        else
            ok "direct pstats"
        fi
    fi
fi

# 3. Hostile names (markup, quotes, unicode, a file name with spaces) come out exact from every
#    reader, through record (collapsed) and report.
if want hostile; then
    n=hostile
    dir="$T/tärget dir (copy)"
    file="$dir/naïve spaß ✓.py"
    mkdir -p "$dir"
    cp "$TARGETS/hostile_names.py" "$file"
    sg $n-rec record --threads --rate 200 -q -o "$T/h.txt" -- "$HPY" "$file" 0.4
    if ((RC != 0)); then
        fail "hostile record" "exit $RC" "$T/$n-rec.err"
    else
        for fmt in pb.gz pstats svg json; do
            sg $n-$fmt report "$T/h.txt" -o "$T/h.$fmt" --rate 200
            ((RC == 0)) || fail "hostile report $fmt" "exit $RC" "$T/$n-$fmt.err"
        done
        # go tool pprof: every name and the file, byte for byte (-raw prints "NAME FILE:LINE")
        raw=$(pprof -raw "$T/h.pb.gz")
        why=
        for name in 'naïve_函数' '<script>alert(1)</script>' "q\"u&o'te"; do
            grep -qF " M=1 $name $file:" <<<"$raw" || why="no location '$name $file:LINE'"
        done
        grep -qE ' M=1 thread MainThread \([0-9]+\) :0 ' <<<"$raw" || why="no thread function"
        if [[ -n $why ]]; then
            fail "hostile pprof" "$why"
            echo "$raw" | grep M=1 | sed -n '1,12s/^/#   /p'
        else
            ok "hostile pprof"
        fi
        out=$("$HPY" - "$T/h.pstats" "$file" <<'EOF2' 2>&1
import pstats, sys
st = pstats.Stats(sys.argv[1]).stats
for name in ("naïve_函数", "<script>alert(1)</script>", "q\"u&o'te"):
    keys = [k for k in st if k[2] == name]
    assert len(keys) == 1 and keys[0][0] == sys.argv[2] and keys[0][1] > 0, "no key for %r" % name
    callers = st[keys[0]][4]
    assert [k[2] for k in callers] == ["<module>"], "callers of %r: %r" % (name, callers)
assert [k for k in st if k[0] == "~" and k[2].startswith("thread MainThread (")], "no thread"
EOF2
        )
        if [[ -n $out ]]; then
            fail "hostile pstats" "$(tail -n1 <<<"$out")"
        else
            ok "hostile pstats"
        fi
        out=$("$HPY" - "$T/h.svg" "$T/h.json" "$file" <<'EOF2' 2>&1
import json, sys, xml.dom.minidom
texts = []
def walk(node):
    for c in node.childNodes:
        if c.nodeType in (c.TEXT_NODE, c.CDATA_SECTION_NODE):
            texts.append(c.data)
        walk(c)
walk(xml.dom.minidom.parse(sys.argv[1]))
text = "\n".join(texts)
frames = json.load(open(sys.argv[2], encoding="utf-8"))["shared"]["frames"]
for name in ("naïve_函数", "<script>alert(1)</script>", "q\"u&o'te"):
    assert "%s (%s:" % (name, sys.argv[3]) in text, "svg: no text for %r" % name
    assert any(f["name"] == name and f["file"] == sys.argv[3] for f in frames), "json: %r" % name
EOF2
        )
        if [[ -n $out ]] || grep -qF '<script>alert(1)</script>' "$T/h.svg"; then
            fail "hostile svg speedscope" "${out:-a raw <script> in the SVG}"
        else
            ok "hostile svg speedscope"
        fi
    fi
fi

# 4. Recursion: pstats counts a recursive function once per sample in cumtime, and its call
#    paths as "calls" (30 levels: 30 paths, 1 outermost), as cProfile's "30/1".
if want recursion; then
    n=rec
    sg $n-rec record --rate 200 -q -o "$T/rec.txt" -- "$HPY" "$TARGETS/recursion.py" 30 0.5
    if ((RC != 0)); then
        fail "recursion record" "exit $RC" "$T/$n-rec.err"
    else
        sg $n-pstats report "$T/rec.txt" -o "$T/rec.pstats" -r 200
        out=$(check_pstats "$T/rec.pstats" "$T/rec.txt" 200 rec 2>&1) &&
            out=$("$HPY" -c 'import pstats, sys
st = pstats.Stats(sys.argv[1]).stats
(key,) = [k for k in st if k[2] == "rec"]
cc, nc, tt, ct, callers = st[key]
assert (nc, cc) == (30, 1), "rec calls %d/%d, want 30/1" % (nc, cc)
assert {k[2] for k in callers} == {"rec", "<module>"}, callers
assert callers[key][:2] == (29, 0), "rec from rec: %r" % (callers[key],)' "$T/rec.pstats" 2>&1)
        if ((RC != 0)) || [[ -n $out && $out != rec:* ]]; then
            fail "recursion pstats" "exit $RC: $(tail -n1 <<<"$out")" "$T/$n-pstats.err"
        else
            ok "recursion pstats"
        fi
        sg $n-pprof report "$T/rec.txt" -o "$T/rec.pprof" -r 200
        if ((RC != 0)) || ! out=$(check_pprof "$T/rec.pprof" "$T/rec.txt"); then
            fail "recursion pprof" "exit $RC: $(tail -n1 <<<"${out:-}")" "$T/$n-pprof.err"
        else
            ok "recursion pprof ($out)"
        fi
    fi
fi

# 5. Bad input and bad output: one clear line, the right exit code, never a crash.
if want errors; then
    # expect NAME RC PATTERN ARGS...: spyglass ARGS exits RC with one stderr line matching PATTERN
    expect() {
        local name=$1 rc=$2 pat=$3
        shift 3
        sg err report "$@"
        if ((RC != rc)) || [[ $(wc -l <"$T/err.err") != 1 ]] || ! grep -qE -- "$pat" "$T/err.err"; then
            fail "errors $name" "exit $RC (want $rc), stderr:" "$T/err.err"
        else
            ok "errors $name"
        fi
    }
    printf 'main (a.py:1);f (a.py:2) 3\n<script>evil</script> (x.py:1) 1.5\n' >"$T/bad.txt"
    expect "bad count" 1 "bad.txt is not a collapsed profile: line 2: the sample count at the end is not a whole number$" \
        "$T/bad.txt" -o "$T/bad.pstats"
    grep -q 'evil' "$T/err.err" && fail "errors bad count" "the message quotes the input"
    printf 'a;;b 1\n' >"$T/bad2.txt"
    expect "empty frame" 1 "line 1: an empty frame name" "$T/bad2.txt" -f pprof -o "$T/x.pb.gz"
    head -c 3000 /dev/urandom >"$T/random.bin"
    expect "binary input" 1 "random.bin is not a collapsed profile: line [0-9]+: " "$T/random.bin" \
        -o "$T/x.json"
    expect "missing input" 1 "cannot read .*/nonexistent.txt: No such file or directory" \
        "$T/nonexistent.txt" -o "$T/x.txt"
    printf 'a;b 5\n' >"$T/good.txt"
    expect "full disk" 1 "cannot write /dev/full: No space left on device" "$T/good.txt" \
        -f pprof -o /dev/full
    expect "full disk pstats" 1 "cannot write /dev/full: No space left on device" "$T/good.txt" \
        -f pstats -o /dev/full
    expect "unwritable" 1 "cannot write /nonexistent-dir/x.prof" "$T/good.txt" \
        -o /nonexistent-dir/x.prof
    expect "unknown format" 2 "--format is collapsed, svg, html, speedscope, pprof or pstats, not 'xml'" \
        "$T/good.txt" -f xml
    expect "bad rate" 2 "--rate takes a number" "$T/good.txt" -r 0
    expect "no input" 2 "report takes one input file" -o "$T/x.txt"
    expect "two inputs" 2 "report takes one input file" "$T/good.txt" "$T/good.txt"
    expect "bad option" 2 "unknown option '--bogus'" "$T/good.txt" --bogus
    sg err record --format xml -- "$HPY" -c pass
    if ((RC != 2)) || ! grep -qF -- "--format is collapsed, svg, html, speedscope, pprof or pstats, not 'xml'" "$T/err.err"; then
        fail "errors record format" "exit $RC (want 2)" "$T/err.err"
    else
        ok "errors record format"
    fi
    # an empty profile: a warning, and files the readers still take (an empty stats dict, which
    # marshal loads; pstats.Stats itself refuses to be made from no functions)
    : >"$T/empty.txt"
    expect "empty input" 0 "warning: .*empty.txt holds no samples" "$T/empty.txt" -o "$T/empty.prof"
    if out=$("$HPY" -c 'import marshal, sys; assert marshal.load(open(sys.argv[1], "rb")) == {}' \
        "$T/empty.prof" 2>&1); then
        ok "errors empty pstats"
    else
        fail "errors empty pstats" "$(tail -n1 <<<"$out")"
    fi
    sg err report "$T/empty.txt" -o "$T/empty.pb.gz"
    out=$(pprof -raw "$T/empty.pb.gz") && grep -q '^Samples:' <<<"$out" &&
        ok "errors empty pprof" || fail "errors empty pprof" "$(tail -n1 <<<"$out")"
fi

finish
