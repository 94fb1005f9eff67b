#!/usr/bin/env bash
# Functional tests of escaping: hostile strings from a profile or a target never leave their
# context. A crafted raw profile (tests/functional/mkraw.py, written from docs/raw-format.md:
# unit, title, command, version, mode, function, file, thread and state names and a source text
# made of <script>, "><svg onload=...>, <img onerror=...>, javascript: URLs, ]]>, ESC, BEL,
# CSI and bidi bytes) is reported as SVG and HTML and diffed (SVG, HTML); each page is loaded
# from disk in headless Chromium and its DOM dumped: no payload ran (each would set the root's
# data-pwned attribute and the document title, strings that appear nowhere in the file), no
# element or attribute beyond those of the page made from the same profile with plain names
# (mkraw.py --benign), one <script> in an SVG, no on* attribute but the SVG's onload="init()".
# A control page with the unit written raw shows the payload and the check work. The terminal:
# `record` of a target whose function and file names hold control sequences
# (tests/targets/ctrl_names.py), `diff`'s summary of the crafted file (its unit), diff's
# refusal of two units and errors naming a hostile path print no control byte (C0 but the line
# ends, DEL, C1, bidi controls, invalid UTF-8), and the escaped forms are there.
#
# usage: SPYGLASS=/abs/path/to/spyglass tests/functional/escape.sh [REGEX]
#   REGEX: run only the groups that match: report, diff, record, errors.
# `report` to a terminal (a pty from script(1)) escapes collapsed text; a pipe gets the bytes.
# Prints 'ok - NAME' or 'FAIL - NAME: WHY' per check, then 'N passed, N failed'.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init escape "$@"

MKRAW=$ROOT/tests/functional/mkraw.py
CHROME=$(command -v chromium || command -v chromium-browser || true)

python3 "$MKRAW" "$T/evil.spyraw" && python3 "$MKRAW" "$T/good.spyraw" --benign || {
    fail "setup" "mkraw.py could not write the crafted profiles"
    lib_finish
}

# chrome NAME FILE: the DOM of FILE (loaded from disk, scripts run) in $T/NAME.dom.
chrome() {
    timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --no-first-run --user-data-dir="$T/chrome-$1" --window-size=1400,1000 \
        --virtual-time-budget=10000 --dump-dom "file://$2" >"$T/$1.dom" 2>"$T/$1.chrome.err"
}

# inert KIND DOM BENIGN_DOM: prints what is wrong with DOM (a page of KIND svg or html), or
# nothing. A payload that ran leaves data-pwned or PWNED; an injected element or attribute is
# one the benign page of the same profile does not have.
inert() {
    python3 - "$@" <<'EOF'
import re, sys
from html.parser import HTMLParser
import xml.etree.ElementTree as ET

kind, dom, benign = sys.argv[1], open(sys.argv[2], encoding="utf-8", errors="replace").read(), \
    open(sys.argv[3], encoding="utf-8", errors="replace").read()
bad = []
if "data-pwned" in dom or "PWNED" in dom:
    bad.append("a payload ran (data-pwned or PWNED in the DOM)")

def vocab_html(text):
    tags, attrs, scripts = set(), [], 0
    class P(HTMLParser):
        def handle_starttag(self, tag, at):
            nonlocal scripts
            tags.add(tag)
            scripts += tag == "script"
            for k, v in at:
                attrs.append((tag, k, v or ""))
    P().feed(text)
    return tags, attrs, scripts

def vocab_svg(text):
    root = ET.fromstring(text)  # the browser's serialization must still be well-formed XML
    tags, attrs, scripts = set(), [], 0
    for el in root.iter():
        tag = el.tag.split("}")[-1]
        tags.add(tag)
        scripts += tag == "script"
        for k, v in el.attrib.items():
            attrs.append((tag, k.split("}")[-1], v))
    return tags, attrs, scripts

try:
    f = vocab_svg if kind == "svg" else vocab_html
    tags, attrs, scripts = f(dom)
    btags, battrs, bscripts = f(benign)
except Exception as e:  # noqa: BLE001 (any parse error is a finding)
    print(f"cannot parse the DOM: {e}")
    sys.exit(0)
if not tags:
    bad.append("an empty DOM")
if tags - btags:
    bad.append(f"elements not in the plain page: {sorted(tags - btags)}")
names = {(t, k) for t, k, _ in attrs} - {(t, k) for t, k, _ in battrs}
if names:
    bad.append(f"attributes not in the plain page: {sorted(names)[:5]}")
for t, k, v in attrs:
    if k.lower().startswith("on") and not (kind == "svg" and t == "svg" and k == "onload"
                                          and v == "init()"):
        bad.append(f"event attribute {t} {k}={v[:40]!r}")
    if k.lower() in ("href", "src", "action", "formaction", "data", "poster") and \
            v.replace(" ", "").lower().startswith("javascript:"):
        bad.append(f"javascript: URL in {t} {k}")
if scripts != bscripts or (kind == "svg" and scripts != 1):
    bad.append(f"{scripts} script elements (the plain page has {bscripts})")
print("; ".join(bad[:4]))
EOF
}

# ctl [--file] FILE: prints what terminal-active bytes FILE holds (C0 but '\n', DEL, C1, bidi
# controls, invalid UTF-8), or nothing. --file: only those a text file must not hold (C0 but
# '\n', DEL, invalid UTF-8).
ctl() {
    python3 - "$@" <<'EOF'
import re, sys
text_file = sys.argv[1] == "--file"
b = open(sys.argv[-1], "rb").read()
bad = [f"byte 0x{c:02x}" for c in sorted(set(b)) if (c < 0x20 and c != 0x0a) or c == 0x7f]
try:
    t = b.decode("utf-8")
    if not text_file:
        bad += [f"U+{ord(c):04X}" for c in sorted(set(re.findall("[\x80-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]", t)))]
except UnicodeDecodeError as e:
    bad.append(f"invalid UTF-8 at {e.start}")
print(", ".join(bad))
EOF
}

# page_check NAME KIND FILE BENIGN_FILE: FILE and its plain twin in Chromium, FILE inert.
page_check() {
    local name=$1 kind=$2 why
    check_begin "$name: inert in Chromium"
    chrome "$name" "$3"
    chrome "$name-plain" "$4"
    if [[ ! -s $T/$name.dom || ! -s $T/$name-plain.dom ]]; then
        why "no DOM from chromium"
        show "$T/$name.chrome.err"
    else
        why=$(inert "$kind" "$T/$name.dom" "$T/$name-plain.dom")
        [[ -n $why ]] && why "$why" && show "$T/$name.dom"
    fi
    check_end
}

# The payload runs, and the checks see it, when a writer lets the unit out: the unit written
# raw into an SVG <title> (the defect out_svg.c had) and into an HTML page.
if want report || want diff; then
    if [[ -z $CHROME ]]; then
        fail "setup" "no chromium (scripts/deps.sh test installs Debian's chromium)"
        lib_finish
    fi
    unit=$(python3 "$MKRAW" --markup unit)
    printf '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><g><title>%s</title></g></svg>\n' \
        "$unit" >"$T/control.svg"
    printf '<!DOCTYPE html><html><head><title>t</title></head><body><p>%s</p></body></html>\n' \
        "$unit" >"$T/control.html"
    printf '<!DOCTYPE html><html><head><title>t</title></head><body><p>x</p></body></html>\n' \
        >"$T/control-plain.html"
    check_begin "control: the payload runs and is seen when the unit is written raw"
    chrome control-svg "$T/control.svg"
    chrome control-html "$T/control.html"
    chrome control-plain "$T/control-plain.html"
    [[ -n $unit ]] || why "no unit from mkraw.py"
    grep -q 'data-pwned' "$T/control-svg.dom" 2>/dev/null || why "the SVG control's payload did not run"
    [[ -n $(inert html "$T/control-html.dom" "$T/control-plain.dom") ]] ||
        why "the check found nothing wrong with the HTML control"
    show "$T/control-svg.dom" "$T/control-html.dom"
    check_end
fi

if want report; then
    for kind in svg html; do
        run "report-$kind" "$SG" report "$T/evil.spyraw" -o "$T/evil.$kind"
        run "report-$kind-plain" "$SG" report "$T/good.spyraw" -o "$T/good.$kind"
        check_begin "report: crafted raw file to $kind"
        ERRFILES=("$T/report-$kind.err")
        ((RC == 0)) || why "exit $RC"
        [[ -s $T/evil.$kind ]] || why "no output"
        bytes=$(ctl --file "$T/evil.$kind")
        [[ -n $bytes ]] && why "control bytes in the $kind: $bytes"
        if [[ $kind == svg ]]; then
            if ! python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' \
                "$T/evil.svg" 2>"$T/svg-parse.err"; then
                why "not well-formed XML"
                show "$T/svg-parse.err"
            fi
            grep -q '&lt;script&gt;' "$T/evil.svg" || why "the escaped name is not in the SVG"
        else
            grep -q '\\u003cscript\\u003e' "$T/evil.html" || why "the escaped name is not in the data"
        fi
        check_end
        page_check "report $kind" "$kind" "$T/evil.$kind" "$T/good.$kind"
    done
fi

if want report; then
    # Collapsed text keeps names byte for byte in a file or a pipe, but not on a terminal.
    run report-pipe "$SG" report "$T/evil.spyraw"
    run report-tty script -qec "$SG report $T/evil.spyraw" /dev/null
    tr -d '\r' <"$T/report-tty.out" >"$T/report-tty.txt"
    check_begin "report: collapsed text escaped on a terminal only"
    ERRFILES=("$T/report-pipe.err" "$T/report-tty.err")
    grep -aq $'\e\\[2J' "$T/report-pipe.out" || why "the piped text lost its bytes"
    bytes=$(ctl "$T/report-tty.txt")
    [[ -n $bytes ]] && why "terminal control bytes on the terminal: $bytes"
    grep -aqF 'esc\x1b[2J\x1b]0 title\x07\u009b\x9b\u202ebel (' "$T/report-tty.txt" ||
        why "no escaped name on the terminal"
    [[ $(wc -l <"$T/report-tty.txt") == $(wc -l <"$T/report-pipe.out") ]] || why "lines differ"
    show "$T/report-tty.txt"
    check_end
fi

if want diff; then
    for kind in svg html; do
        run "diff-$kind" "$SG" diff "$T/evil.spyraw" "$T/evil.spyraw" -o "$T/diff.$kind"
        run "diff-$kind-plain" "$SG" diff "$T/good.spyraw" "$T/good.spyraw" -o "$T/diff-good.$kind"
        check_begin "diff: crafted raw files to $kind, summary"
        ERRFILES=("$T/diff-$kind.err")
        ((RC == 0)) || why "exit $RC"
        bytes=$(ctl "$T/diff-$kind.err")
        [[ -n $bytes ]] && why "terminal control bytes in diff's summary: $bytes"
        grep -a '^spyglass: diff: A ' "$T/diff-$kind.err" | grep -F 'samples</title><script>' |
            grep -qF '\x1b[2J\x1b]0;title\x07\u009b\x9b\u202e' ||
            why "no escaped unit in the summary"
        show "$T/diff-$kind.err"
        check_end
        page_check "diff $kind" "$kind" "$T/diff.$kind" "$T/diff-good.$kind"
    done
    python3 "$MKRAW" "$T/escunit.spyraw" --benign --unit $'u\e[2J\a'
    run diff-units "$SG" diff "$T/good.spyraw" "$T/escunit.spyraw" -o "$T/units.svg"
    check_begin "diff: two units refused, the unit escaped in the message"
    ERRFILES=("$T/diff-units.err")
    ((RC == 1)) || why "exit $RC, not 1"
    bytes=$(ctl "$T/diff-units.err")
    [[ -n $bytes ]] && why "terminal control bytes: $bytes"
    grep -aqF 'A weighs samples and B u\x1b[2J\x07: they cannot be compared' "$T/diff-units.err" ||
        why "no escaped reason"
    show "$T/diff-units.err"
    check_end
fi

if want record; then
    read -r ver py < <(list_pythons | tail -n1)
    if [[ -z ${py:-} ]]; then
        fail "record: setup" "no CPython 3 in $PYENV_DIR/versions"
    else
        dir=$T/$'dir\e[2J\a'
        mkdir -p "$dir"
        cp "$ROOT/tests/targets/ctrl_names.py" "$dir/ctrl"$'\e]0;x\a'".py"
        run record "$SG" record -o "$T/rec.txt" -- "$py" "$dir/ctrl"$'\e]0;x\a'".py" 1.0
        check_begin "record: summary of control-character names ($ver)"
        ERRFILES=("$T/record.err")
        ((RC == 0)) || why "exit $RC"
        bytes=$(ctl "$T/record.err")
        [[ -n $bytes ]] && why "terminal control bytes in record's output: $bytes"
        grep -aqF 'esc\x1b[2J\x1b]0;pwned\x07bel\u009b31m\u202eevil\x0aspyglass: fake line (' \
            "$T/record.err" || why "no escaped function name in the summary"
        grep -aqF 'dir\x1b[2J\x07/ctrl\x1b]0;x\x07.py)' "$T/record.err" ||
            why "no escaped file name in the summary"
        grep -aq '^spyglass: fake line' "$T/record.err" && why "a name faked a line"
        show "$T/record.err"
        check_end
    fi
fi

if want errors; then
    run err-path "$SG" report "$T/no"$'\e[2J\a\xc2\x9b'"such.txt"
    run err-out "$SG" report "$T/good.spyraw" -o "$T/nodir/"$'\e]0;x\a'"/x.svg"
    run err-format "$SG" report "$T/good.spyraw" -f $'svg\e[2J'
    printf 'main;\033[2Jf\a 1\nbroken line\n' >"$T/bad"$'\e'".txt"
    run err-parse "$SG" report "$T/bad"$'\e'".txt"
    for n in err-path err-out err-format err-parse; do
        check_begin "errors: $n names its input escaped"
        ERRFILES=("$T/$n.err")
        ((RC != 0)) || why "exit 0"
        [[ $(wc -l <"$T/$n.err") == 1 ]] || why "not one line"
        bytes=$(ctl "$T/$n.err")
        [[ -n $bytes ]] && why "terminal control bytes: $bytes"
        grep -aq '\\x1b' "$T/$n.err" || why "no escaped ESC in the message"
        show "$T/$n.err"
        check_end
    done
fi

lib_finish
