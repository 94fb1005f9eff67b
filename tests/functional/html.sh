#!/usr/bin/env bash
# Functional tests of the HTML report in a real browser: `spyglass record -f html` of a real
# CPython target (tests/targets/hotspot.py: about 70% of its main thread in hot_loop, a sleeping
# thread) on a few CPythons (3.8, 3.12, 3.14, 3.15: one per unwinder family, those installed),
# `report -o x.html` of a collapsed profile whose source file is gone, and a hostile target (a
# function named <script>alert(1)</script> in a path holding quotes and </script>). Each page is
# loaded from disk in headless Chromium (Debian's chromium) with tests/browser/check.js appended,
# which drives it like a user (mouse events on the canvas, typing in the search box, clicks on
# table headers, rows, buttons and filters) and writes PASS/FAIL lines into the page; the expected
# shares come from the text summary that the same run prints (independent code: out_summary). A
# screenshot of a report is kept as a test artifact ($BUILD/html-report.png). `diff -o x.html` of
# two recordings of tests/targets/diffwork.py (f made 2x slower) is checked against the SVG and
# collapsed-diff that diff writes from the same files (colours, weights), and a diff of hostile
# collapsed profiles (names, paths and file names made to inject) against injection.
#
# usage: SPYGLASS=/abs/path/to/spyglass tests/functional/html.sh [REGEX]
#   REGEX: run only the groups that match: record, report, hostile, diff, errors.
# Prints 'ok - NAME' or 'FAIL - NAME: WHY' per check, then 'N passed, N failed'.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init html "$@"

TARGETS=$ROOT/tests/targets
CHECK_JS=$ROOT/tests/browser/check.js
BUILD_DIR=$ROOT/build
[[ $SG == */build-asan/* ]] && BUILD_DIR=$ROOT/build-asan
SHOT=${SPYGLASS_SCREENSHOT:-$BUILD_DIR/html-report.png}
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $CHROME ]]; then
    fail "setup" "no chromium (scripts/deps.sh test installs Debian's chromium)"
    lib_finish
fi
HOT_LINE=$(grep -n '# HOT' "$TARGETS/hotspot.py" | cut -d: -f1)

# One CPython of each unwinder family that is installed (and kept by SPYGLASS_TEST_VERSIONS).
PYS=()
while read -r v py; do
    [[ $v =~ ^3\.(8|12|14|15)\. ]] && PYS+=("$py")
done < <(list_pythons)
if ((${#PYS[@]} == 0)); then
    read -r _ py < <(list_pythons | tail -n1)
    [[ -n ${py:-} ]] && PYS=("$py")
fi
if ((${#PYS[@]} == 0)); then
    fail "setup" "no CPython 3 in $PYENV_DIR/versions"
    lib_finish
fi
echo "# spyglass: $SG; chromium: $("$CHROME" --version 2>/dev/null); pythons: ${PYS[*]}"

# share FUNC COLUMN ERRFILE: the self (1) or total (3) percentage of FUNC in the text summary.
share() {
    awk -v f="$1" -v c="$2" '$5 == f && $1 ~ /%$/ { sub("%", "", $c); print $c; exit }' "$3"
}

# hot_share ERRFILE: hot_loop's part of the two loops' wall time, as hotspot.py timed it.
hot_share() {
    awk '/^hotspot: hot_loop / { if ($3 + $6 > 0) printf "%.4f", $3 / ($3 + $6); exit }' "$1"
}

# page REPORT EXPECT_JSON OUT: the test page: REPORT with a prefix script (the expectations,
# alert/confirm/prompt counted, errors kept) and check.js at the end of its body.
page() {
    python3 - "$1" "$2" "$3" "$CHECK_JS" <<'EOF'
import json, sys
report, expect, out, check = sys.argv[1:5]
html = open(report, encoding="utf-8").read()
js = json.dumps(json.loads(expect)).replace("<", "\\u003c").replace(">", "\\u003e")
prefix = ("<script>window.__alerts = 0; window.__errors = [];"
          "window.alert = window.confirm = window.prompt = function () { window.__alerts++; };"
          "window.addEventListener('error', function (e) { window.__errors.push(String(e.message)); });"
          "window.SPYGLASS_EXPECT = " + js + ";</script>")
head = html.index("<head>") + len("<head>")
tail = html.rindex("</body>")
html = html[:head] + prefix + html[head:tail] + "<script>" + open(check).read() + "</script>" + html[tail:]
open(out, "w", encoding="utf-8").write(html)
EOF
}

# chrome NAME ARGS...: headless Chromium with a profile directory of its own.
chrome() {
    local name=$1
    shift
    timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --no-first-run --user-data-dir="$T/chrome-$name" --window-size=1400,1000 \
        --virtual-time-budget=15000 "$@" 2>"$T/$name.chrome.err"
}

# browse NAME REPORT EXPECT_JSON: load the test page, one check per PASS/FAIL line.
browse() {
    local name=$1 line n=0
    page "$2" "$3" "$T/$name.test.html" || {
        fail "$name: test page" "cannot build it from $2"
        return
    }
    chrome "$name" --dump-dom "file://$T/$name.test.html" >"$T/$name.dom"
    python3 - "$T/$name.dom" >"$T/$name.results" <<'EOF'
import html, re, sys
m = re.search(r'<pre id="test-results">(.*?)</pre>', open(sys.argv[1], encoding="utf-8").read(), re.S)
print(html.unescape(m.group(1)) if m else "NOTHING")
EOF
    while IFS= read -r line; do
        case $line in
        PASS\ *) ok "$name: ${line#PASS }" ;;
        FAIL\ *) fail "$name: ${line#FAIL }" "(in the page)" ;;
        DONE) n=1 ;;
        esac
    done <"$T/$name.results"
    ((n)) || fail "$name: browser" "check.js did not finish" "$T/$name.chrome.err" "$T/$name.results"
    if grep -q '<script>alert' "$T/$name.dom"; then
        fail "$name: dom" "a <script>alert element in the page's DOM" "$T/$name.dom"
    fi
}

# record_expect NAME PY: spyglass record -r 200 --states -o $T/NAME.html -- PY hotspot.py 1.5;
# writes the expectations of the page (JSON, from the summary) to $T/NAME.expect, or fails.
record_expect() {
    local name=$1 err=$T/$1.err v
    v=$(py_version "$2")
    "$SG" record -r 200 --states -o "$T/$name.html" -- "$2" "$TARGETS/hotspot.py" 1.5 2>"$err"
    local rc=$?
    san_check "$err" "record $name"
    local hs ht wt cs hr
    hs=$(share hot_loop 1 "$err")
    ht=$(share hot_loop 3 "$err")
    wt=$(share work 3 "$err")
    # The target's own CPU share (its CPU clock over its wall time): what the report's CPU
    # series must reach, whatever else loads the machine.
    cs=$(awk '/^hotspot: cpu / { if ($6 > 0) printf "%.1f", 100 * $3 / $6; exit }' "$err")
    hr=$(hot_share "$err")
    if ((rc != 0)) || [[ ! -s $T/$name.html || -z $hs || -z $ht || -z $wt || -z $cs || -z $hr ]]; then
        fail "$name: record" "exit $rc, or no summary shares" "$err"
        return 1
    fi
    if ! grep -q '^spyglass: report: the source of [1-9]' "$err" ||
        ! grep -q '^resources: .*in the report' "$err"; then
        fail "$name: record" "no sources or resources for the report" "$err"
        return 1
    fi
    printf '{"python":"%s","hot":"hot_loop","cold":"cold_loop","hotLine":%d,"hotSelf":%s,"hotTotal":%s,"workTotal":%s,"threads":true,"thread":"MainThread","states":true,"resources":true,"cpuShare":%s,"hotShare":%s,"unit":"samples"}' \
        "$v" "$HOT_LINE" "$hs" "$ht" "$wt" "$cs" "$hr" >"$T/$name.expect"
    ok "$name: record -f html (hot_loop: $hs% self, $ht% total)"
}

if want record; then
    for py in "${PYS[@]}"; do
        v=$(py_version "$py")
        name=record-$v
        if record_expect "$name" "$py"; then
            browse "$name" "$T/$name.html" "$(cat "$T/$name.expect")"
            last=$T/$name.html
        fi
    done
    if [[ -n ${last:-} ]]; then
        rm -f "$SHOT"
        chrome shot --screenshot="$SHOT" "file://$last" >/dev/null
        size=$(stat -c %s "$SHOT" 2>/dev/null || echo 0)
        if [[ $(head -c 8 "$SHOT" 2>/dev/null | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] &&
            ((size > 30000)); then
            ok "screenshot: $SHOT ($size bytes)"
        else
            fail "screenshot" "no PNG of a drawn page at $SHOT ($size bytes)" "$T/shot.chrome.err"
        fi
    fi
fi

if want report; then
    # The source file is gone when the report is made: the source view says so.
    mkdir -p "$T/gone"
    cp "$TARGETS/hotspot.py" "$T/gone/hotspot.py"
    "$SG" record -t -r 200 -o "$T/gone.collapsed" -- "${PYS[0]}" "$T/gone/hotspot.py" 1.5 \
        2>"$T/gone.err"
    rc=$?
    rm -f "$T/gone/hotspot.py"
    "$SG" report "$T/gone.collapsed" -o "$T/gone.html" 2>"$T/gone-report.err"
    rc2=$?
    san_check "$T/gone.err" "record gone"
    san_check "$T/gone-report.err" "report gone"
    hs=$(share hot_loop 1 "$T/gone.err")
    ht=$(share hot_loop 3 "$T/gone.err")
    wt=$(share work 3 "$T/gone.err")
    hr=$(hot_share "$T/gone.err")
    if ((rc || rc2)) || [[ -z $hs || -z $ht || -z $wt || -z $hr ]] || ! grep -q '<!DOCTYPE html>' "$T/gone.html"; then
        fail "report: collapsed to html" "exit $rc/$rc2" "$T/gone.err" "$T/gone-report.err"
    else
        ok "report: collapsed to html"
        browse report "$T/gone.html" "$(printf '{"hot":"hot_loop","cold":"cold_loop","hotLine":%d,"hotSelf":%s,"hotTotal":%s,"workTotal":%s,"threads":true,"thread":"MainThread","resources":false,"noSource":true,"hotShare":%s,"unit":"samples"}' \
            "$HOT_LINE" "$hs" "$ht" "$wt" "$hr")"
    fi
fi

if want hostile; then
    # A path with quotes and </script>: directories q"'< / script><script>alert(2)< / script>
    dir=$T/$'q"\'</script><script>alert(2)</script>'
    mkdir -p "$dir"
    cp "$TARGETS/hostile_names.py" "$dir/hostile_names.py"
    "$SG" record --no-resources -o "$T/hostile.html" -- "${PYS[-1]}" "$dir/hostile_names.py" 0.5 \
        2>"$T/hostile.err"
    rc=$?
    san_check "$T/hostile.err" "record hostile"
    if ((rc)) || [[ ! -s $T/hostile.html ]]; then
        fail "hostile: record" "exit $rc" "$T/hostile.err"
    elif grep -q '"series"' "$T/hostile.html"; then
        fail "hostile: --no-resources" "the page holds resource series"
    else
        ok "hostile: record -f html --no-resources"
        expect=$(python3 -c 'import json,sys; print(json.dumps({"hostile": True, "hostileName": "<script>alert(1)</script>", "hostilePath": sys.argv[1], "resources": False}))' \
            "$dir/hostile_names.py")
        browse hostile "$T/hostile.html" "$expect"
    fi
fi

# diff_expect SVG COLLAPSED: the expectations of a diff page (JSON) from the SVG (fill of the
# widest box of f, g and h, and its change) and the collapsed-diff (f's own A and B), then a
# line 'yes' when f is red and grown 1.6x to 2.6x and g and h near neutral (the recordings may
# be noisy), else 'no'.
diff_expect() {
    python3 - "$1" "$2" <<'EOF'
import json, re, sys
svg = open(sys.argv[1], encoding="utf-8").read()
best = {}
for m in re.finditer(r'<title>([fgh]) \([^<]*?\nA ([0-9.]+) -&gt; B ([0-9]+) [^<]*</title>'
                     r'<rect[^>]*fill="rgb\((\d+),(\d+),(\d+)\)"', svg):
    a, b = float(m[2]), float(m[3])
    if m[1] not in best or b > best[m[1]][0]:
        best[m[1]] = (b, (b - a) / max(a, b), [int(m[4]), int(m[5]), int(m[6])])
fa = fb = 0
for line in open(sys.argv[2], encoding="utf-8"):
    stack, a, b = line.rsplit(" ", 2)
    if stack.split(";")[-1].startswith("f ("):
        fa, fb = fa + float(a), fb + int(b)
ok = len(best) == 3 and 0.375 <= best["f"][1] <= 0.62 and best["f"][2][0] > best["f"][2][1] + 60
ok = ok and all(-0.25 < best[k][1] < 0.25 and abs(best[k][2][0] - best[k][2][2]) < 50 for k in "gh")
print(json.dumps({"fill": {k: v[2] for k, v in best.items()},
                  "change": {k: round(v[1], 3) for k, v in best.items()}, "fA": fa, "fB": fb}))
print("yes" if ok else "no")
EOF
}

if want diff; then
    py=${PYS[-1]}
    tries=
    # 100 rounds of sleeps (1.5 s at scale 1) at 1 kHz: g and h hold about 500 samples a side
    # (sd of their change about 6%, inside the 25% allowed; CI's 40 rounds of computing gave f
    # 31 samples and g a -31% "change" of noise and load).
    for attempt in 1 2 3; do
        for s in 1 2; do
            "$SG" record -q -t -r 1000 -o "$T/diff-$s.spyraw" -- "$py" "$TARGETS/diffwork.py" "$s" 100 \
                2>"$T/diff-rec$s.err"
            san_check "$T/diff-rec$s.err" "record diffwork $s"
        done
        "$SG" diff -q "$T/diff-1.spyraw" "$T/diff-2.spyraw" -o "$T/diff.svg" 2>"$T/diff-svg.err"
        "$SG" diff -q "$T/diff-1.spyraw" "$T/diff-2.spyraw" -o "$T/diff.collapsed" 2>"$T/diff-txt.err"
        "$SG" diff "$T/diff-1.spyraw" "$T/diff-2.spyraw" -o "$T/diff.html" 2>"$T/diff-html.err"
        rc=$?
        for e in svg txt html; do san_check "$T/diff-$e.err" "diff $e"; done
        { read -r dexp && read -r verdict; } < <(diff_expect "$T/diff.svg" "$T/diff.collapsed")
        tries+="[$attempt] ${dexp:-?} "
        [[ ${verdict:-} == yes ]] && break
    done
    if ((rc != 0)) || ! grep -q '"self2"' "$T/diff.html"; then
        fail "diff: -o x.html" "exit $rc, or not a differential page" "$T/diff-html.err"
    elif [[ ${verdict:-} != yes ]]; then
        fail "diff: recordings" "f not red and 2x, or g and h not neutral, in 3 tries: $tries"
    else
        ok "diff: -o x.html ($tries)"
        expect=$(python3 -c 'import json, sys
e = json.loads(sys.argv[1])
e.update(diff=True, nameA=sys.argv[2], nameB=sys.argv[3])
print(json.dumps(e))' "$dexp" "$T/diff-1.spyraw" "$T/diff-2.spyraw")
        browse diff "$T/diff.html" "$expect"
    fi

    # Hostile names, paths and file names; a function only in A.
    hname='<script>alert(1)</script>'
    hpath="/tmp/q\"'</script><script>alert(2)</script>.py"
    ha="$T/a'\"<img src=x onerror=alert(5)>.txt"
    printf 'main (a.py:1);%s (%s:5) 10\nmain (a.py:1);gone_fn (a.py:9) 30\nmain (a.py:1);same (a.py:3) 50\n' \
        "$hname" "$hpath" >"$ha"
    printf 'main (a.py:1);%s (%s:5) 40\nmain (a.py:1);same (a.py:3) 50\n' "$hname" "$hpath" >"$T/hb.txt"
    "$SG" diff -f html "$ha" "$T/hb.txt" -o "$T/hdiff.page" 2>"$T/hdiff.err"
    rc=$?
    san_check "$T/hdiff.err" "diff hostile"
    if ((rc != 0)) || ! grep -q '"self2"' "$T/hdiff.page"; then
        fail "diff: hostile -f html" "exit $rc" "$T/hdiff.err"
    else
        ok "diff: hostile -f html"
        expect=$(python3 -c 'import json, sys
print(json.dumps({"diffHostile": True, "noRate": True, "hostileName": sys.argv[1],
                  "hostilePath": sys.argv[2], "nameA": sys.argv[3], "goneName": "gone_fn"}))' \
            "$hname" "$hpath" "$ha")
        browse diff-hostile "$T/hdiff.page" "$expect"
    fi
fi

if want errors; then
    printf 'main (a.py:1);f (a.py:2) 5\n' >"$T/small.collapsed"
    "$SG" report "$T/small.collapsed" -f html -o /dev/full 2>"$T/full.err"
    rc=$?
    if ((rc != 0)) && [[ $(wc -l <"$T/full.err") == 1 ]] && grep -q 'No space left' "$T/full.err"; then
        ok "errors: a full disk is one line and a non-zero exit"
    else
        fail "errors: full disk" "exit $rc" "$T/full.err"
    fi
    "$SG" report "$T/missing.collapsed" -o "$T/missing.html" 2>"$T/missing.err"
    rc=$?
    if ((rc != 0)) && [[ ! -e $T/missing.html && $(wc -l <"$T/missing.err") == 1 ]]; then
        ok "errors: a missing input writes no page"
    else
        fail "errors: missing input" "exit $rc" "$T/missing.err"
    fi
    "$SG" report "$T/small.collapsed" -o "$T/small.htm" 2>"$T/small.err"
    if grep -q 'id="spyglass-data"' "$T/small.htm" 2>/dev/null; then
        ok "errors: .htm means html"
    else
        fail "errors: .htm" "not an html report" "$T/small.err"
    fi
fi

lib_finish
