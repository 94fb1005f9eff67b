#!/usr/bin/env bash
# Functional tests of the source texts that HTML pages embed (src/proc_src.c): what `report`,
# `diff` and `record` may read, run as root as the suite is. Profiles (collapsed files written
# here, raw files recorded from a real CPython) name /etc/shadow, a 0600 file of another user
# (nobody), a 0600 file of root, a world-readable file, a FIFO, a character device (/dev/zero
# and a copy made with mknod outside /dev) and symlinks to them; each page is checked byte by
# byte for the texts it must not hold, its JSON for what it lists (embedded files, counts of
# those left out) and, in headless Chromium, for the list of files the page shows; `report` run
# as user nobody embeds its own 0600 file and not root's. A FIFO's
# writer blocks in open() until a reader opens it: it is still blocked after spyglass ran, so
# the FIFO was never opened (every command runs under a timeout: a reader that opened it for
# reading without O_NONBLOCK, or read it, would hang there instead).
#
# usage: SPYGLASS=/abs/path/to/spyglass tests/functional/sources.sh [REGEX]
#   REGEX: run only the groups that match: report, special, nosources, diff, record, page,
#   errors.
# Prints 'ok - NAME' or 'FAIL - NAME: WHY' per check, then 'N passed, N failed'.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init sources "$@"
TIMEOUT=30

if ((EUID != 0)); then
    echo "# skipped: these checks need root (files of another user, a device node made with"
    echo "# mknod, a target run as user nobody, and the rules spyglass applies when root)"
    lib_finish
fi
NOBODY_UID=$(id -u nobody 2>/dev/null) || NOBODY_UID=65534

# W: a world-searchable directory (the rule as root embeds world-readable files in
# world-searchable directories only; $T is 0700).
W=$(mktemp -d /tmp/spyglass-sources.XXXXXX)
chmod 755 "$W"
WRITERS=()
lib_kill_at_exit WRITERS
lib_at_exit 'rm -rf "$W"'

MARK=$RANDOM$RANDOM$RANDOM
printf 'PUBLIC_%s = 1\n' "$MARK" >"$W/pub.py"
chmod 644 "$W/pub.py"
mkdir -m 755 "$W/priv"
printf 'SECRET_%s = 1\n' "$MARK" >"$W/priv/secret.py"
chown "$NOBODY_UID" "$W/priv/secret.py"
chmod 600 "$W/priv/secret.py"
printf 'ROOTONLY_%s = 1\n' "$MARK" >"$W/rootonly.py"
chmod 600 "$W/rootonly.py"
ln -s /etc/shadow "$W/shadow.py"
mkfifo -m 666 "$W/fifo.py"
mknod -m 666 "$W/zero.py" c 1 5

# sources_of HTML: the page's source files as JSON: {"embedded": [paths], "note": {...},
# "texts": {path: text}}.
sources_of() {
    python3 - "$1" <<'EOF'
import json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<script type="application/json" id="spyglass-data">(.*?)</script>', page, re.S)
d = json.loads(m.group(1))
texts = {d["strings"][i]: t for i, t in d.get("sources", [])}
print(json.dumps({"embedded": sorted(texts), "note": d.get("source_note"), "texts": texts}))
EOF
}

# absent HTML: print a reason for each forbidden text found in the page's bytes (the lines of
# /etc/shadow, the 0600 files' markers).
absent() {
    python3 - "$1" "$MARK" "${@:2}" <<'EOF'
import sys
page = open(sys.argv[1], "rb").read()
mark = sys.argv[2]
for word in sys.argv[3:]:
    if (word + "_" + mark).encode() in page:
        print("the page holds the text of the " + word + " file")
for line in open("/etc/shadow", "rb").read().splitlines():
    if line.strip() and line in page:
        print("the page holds a line of /etc/shadow")
        break
EOF
}

# expect_json JSON EXPR [ARG]: print EXPR's failure (EXPR is Python on j; ARG is sys.argv[3]).
expect_json() {
    python3 -c 'import json, sys
j = json.loads(sys.argv[1])
if not eval(sys.argv[2]): print("does not hold: " + sys.argv[2] + " in " + json.dumps({k: v for k, v in j.items() if k != "texts"}))' "$1" "$2" "${@:3}"
}

# verdict: the reasons printed by the commands above (one per line in $T/why), as why lines.
collect_why() {
    local line
    while IFS= read -r line; do
        [[ -n $line ]] && why "$line"
    done <"$T/why"
}

# One profile naming all of them (collapsed: what `report` reads by default).
{
    printf 'main (%s:1);f (/etc/shadow:1) 10\n' "$W/pub.py"
    printf 'main (%s:1);g (%s:1) 10\n' "$W/pub.py" "$W/priv/secret.py"
    printf 'main (%s:1);h (%s:1) 10\n' "$W/pub.py" "$W/rootonly.py"
    printf 'main (%s:1);i (%s:1) 10\n' "$W/pub.py" "$W/shadow.py"
} >"$T/evil.txt"

if want report; then
    check_begin "report as root: neither /etc/shadow nor a 0600 file of another user or of root"
    run report "$SG" report "$T/evil.txt" -o "$T/evil.html"
    expect_rc 0 report
    j=$(sources_of "$T/evil.html")
    { absent "$T/evil.html" SECRET ROOTONLY
      expect_json "$j" 'j["embedded"] == [sys.argv[3]]' "$W/pub.py"
      expect_json "$j" 'j["note"]["denied"] == 2 and j["note"]["unreadable"] == 2 and j["note"]["embedded"] == 1'
      expect_json "$j" '"world-readable" in j["note"]["rule"]'; } >"$T/why" 2>&1
    collect_why
    grep -q '^spyglass: note: 4 of 5 source files left out' "$T/report.err" ||
        why "no note line on stderr"
    show "$T/report.err"
    check_end

    check_begin "report --sources DIR: a 0600 file under DIR is embedded, nothing outside DIR"
    run sources "$SG" report "$T/evil.txt" -o "$T/sources.html" --sources "$W/priv"
    expect_rc 0 sources
    j=$(sources_of "$T/sources.html")
    { absent "$T/sources.html" ROOTONLY
      grep -q "SECRET_$MARK" "$T/sources.html" || echo "the 0600 file under --sources is not embedded"
      expect_json "$j" 'j["embedded"] == [sys.argv[3]]' "$W/priv/secret.py"
      expect_json "$j" 'j["note"]["denied"] == 4 and "--sources" in j["note"]["rule"]'; } >"$T/why" 2>&1
    collect_why
    check_end

    check_begin "report as user nobody: its own 0600 file, not root's, not /etc/shadow"
    mkdir -m 755 "$W/nob"
    chown "$NOBODY_UID" "$W/nob"
    cp "$SG" "$W/sg" && chmod 755 "$W/sg"
    cp "$T/evil.txt" "$W/evil.txt" && chmod 644 "$W/evil.txt"
    run nobody setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_UID" --clear-groups \
        "$W/sg" report "$W/evil.txt" -o "$W/nob/nobody.html"
    expect_rc 0 nobody
    j=$(sources_of "$W/nob/nobody.html")
    { absent "$W/nob/nobody.html" ROOTONLY
      grep -q "SECRET_$MARK" "$W/nob/nobody.html" || echo "nobody's own 0600 file is not embedded"
      expect_json "$j" 'len(j["embedded"]) == 2 and j["note"]["unreadable"] == 1 and j["note"]["denied"] == 2 and "you can read" in j["note"]["rule"]'; } >"$T/why" 2>&1
    collect_why
    check_end

    check_begin "report --sources A,B: both directories; /etc never through a symlink"
    run sources2 "$SG" report "$T/evil.txt" -o "$T/sources2.html" --sources "$W,$W/priv"
    expect_rc 0 sources2
    j=$(sources_of "$T/sources2.html")
    { absent "$T/sources2.html"
      expect_json "$j" 'len(j["embedded"]) == 3 and j["note"]["denied"] == 2'; } >"$T/why" 2>&1
    collect_why
    check_end
fi

# writer_start FIFO: a process that opens FIFO for writing, which blocks until a reader opens
# it, and then writes a marker; waits until it is blocked in the open (its wchan). Sets WPID.
writer_start() {
    rm -f "$1.opened"
    (exec 3>"$1" && echo opened >"$1.opened") &
    WPID=$!
    WRITERS+=("$WPID")
    local i
    for ((i = 0; i < 200; i++)); do
        [[ $(cat "/proc/$WPID/wchan" 2>/dev/null) == wait_for_partner ]] && return 0
        sleep 0.05
    done
    return 1
}

# writer_blocked FIFO: the writer is still blocked (no reader ever opened the FIFO); then
# releases it (opens the FIFO for reading) and reaps it.
writer_blocked() {
    local blocked=1
    [[ -e $1.opened ]] && blocked=0
    [[ $(cat "/proc/$WPID/wchan" 2>/dev/null) == wait_for_partner ]] || blocked=0
    timeout 5 cat "$1" >/dev/null 2>&1
    wait "$WPID" 2>/dev/null
    ((blocked))
}

if want special; then
    {
        printf 'main (%s:1);a (/dev/zero:1) 10\n' "$W/pub.py"
        printf 'main (%s:1);b (/dev/ptmx:1) 10\n' "$W/pub.py"
        printf 'main (%s:1);c (%s:1) 10\n' "$W/pub.py" "$W/fifo.py"
        printf 'main (%s:1);d (%s:1) 10\n' "$W/pub.py" "$W/zero.py"
    } >"$T/special.txt"
    # The FIFO and the device in $W pass the path rule (with --sources $W too): the
    # regular-file rule refuses them; /dev/zero and /dev/ptmx are refused by the path rule.
    k=0
    for opt in "" "--sources=$W"; do
        k=$((k + 1))
        check_begin "report ${opt:+$opt }of /dev/zero, /dev/ptmx, a FIFO, a device outside /dev: none opened"
        if ! writer_start "$W/fifo.py"; then
            why "the FIFO's writer did not block in open()"
        else
            run "special$k" "$SG" report "$T/special.txt" -o "$T/special.html" ${opt:+"$opt"}
            expect_rc 0 "special$k"
            writer_blocked "$W/fifo.py" || why "the FIFO was opened (its writer was released)"
            j=$(sources_of "$T/special.html")
            expect_json "$j" 'j["note"]["special"] == 2 and j["note"]["denied"] == 2 and j["embedded"] == [sys.argv[3]]' "$W/pub.py" >"$T/why"
            collect_why
            if command -v strace >/dev/null; then
                # no open of them but with O_PATH (which opens no device and no FIFO)
                timeout 30 strace -f -o "$T/strace.log" -e trace=open,openat,openat2 \
                    "$SG" report "$T/special.txt" -o "$T/special2.html" ${opt:+"$opt"} 2>/dev/null
                if grep -E '"(/dev/zero|/dev/ptmx|'"$W"'/(fifo|zero)\.py)"' "$T/strace.log" |
                    grep -v O_PATH | grep -q .; then
                    why "opened without O_PATH (strace)"
                    show "$T/strace.log"
                fi
            fi
        fi
        check_end
    done
fi

# A small raw profile of a real CPython whose code is in $W/pub.py's twin: rec.py.
PY=
read -r _ PY < <(list_pythons | tail -n1)
if [[ -n ${PY:-} ]] && want 'nosources|diff'; then
    printf 'import time\nRECORDED_%s = 1\nend = time.time() + 0.5\nwhile time.time() < end:\n    pass\n' \
        "$MARK" >"$W/rec.py"
    chmod 644 "$W/rec.py"
    for s in a b; do
        timeout 30 "$SG" record -q -o "$T/$s.spyraw" -- "$PY" "$W/rec.py" 2>"$T/rec-$s.err"
    done
fi

if want nosources; then
    check_begin "report --no-sources: no text read, none kept from a raw file"
    run nos "$SG" report "$T/evil.txt" -o "$T/nos.html" --no-sources
    expect_rc 0 nos
    j=$(sources_of "$T/nos.html")
    { grep -q "PUBLIC_$MARK" "$T/nos.html" && echo "the world-readable file is embedded"
      expect_json "$j" 'j["embedded"] == [] and j["note"]["off"] is True'; } >"$T/why"
    collect_why
    if [[ -s $T/a.spyraw ]]; then
        run nosraw "$SG" report "$T/a.spyraw" -o "$T/nosraw.html" --no-sources
        expect_rc 0 nosraw
        grep -q "RECORDED_$MARK" "$T/nosraw.html" && why "a raw file's text was kept"
        run raw "$SG" report "$T/a.spyraw" -o "$T/raw.html"
        grep -q "RECORDED_$MARK" "$T/raw.html" || why "the raw file's text is missing without --no-sources"
        run nosraw2 "$SG" report "$T/a.spyraw" -o "$T/nosraw.spyraw" --no-sources
        grep -q "RECORDED_$MARK" "$T/nosraw.spyraw" && why "--no-sources -f raw kept a text"
    else
        note "no raw profile (no CPython, or record failed): the raw part is not checked"
    fi
    check_end
fi

if want diff; then
    check_begin "diff as root: the same rule; --sources DIR; --no-sources"
    run diff "$SG" diff -q "$T/evil.txt" "$T/evil.txt" -o "$T/diff.html"
    expect_rc 0 diff
    j=$(sources_of "$T/diff.html")
    { absent "$T/diff.html" SECRET ROOTONLY
      expect_json "$j" 'j["embedded"] == [sys.argv[3]] and j["note"]["denied"] == 2' "$W/pub.py"; } >"$T/why" 2>&1
    collect_why
    run diffs "$SG" diff -q "$T/evil.txt" "$T/evil.txt" -o "$T/diffs.html" --sources "$W/priv"
    grep -q "SECRET_$MARK" "$T/diffs.html" || why "--sources: the 0600 file is not embedded"
    absent "$T/diffs.html" ROOTONLY >"$T/why"
    collect_why
    if [[ -s $T/a.spyraw && -s $T/b.spyraw ]]; then
        run diffn "$SG" diff -q "$T/a.spyraw" "$T/b.spyraw" -o "$T/diffn.html" --no-sources
        grep -q "RECORDED_$MARK" "$T/diffn.html" && why "--no-sources: a raw file's text was kept"
        run diffr "$SG" diff -q "$T/a.spyraw" "$T/b.spyraw" -o "$T/diffr.html"
        grep -q "RECORDED_$MARK" "$T/diffr.html" || why "the raw files' text is missing"
    fi
    check_end
fi

if want record; then
    # A target of user nobody whose code names a 0600 root file, a world-readable file and the
    # FIFO: record (as root) embeds only what nobody could read, and opens no FIFO.
    RPY=/usr/bin/python3
    check_begin "record of another user's process: only what that user could read; no FIFO opened"
    if ! writer_start "$W/fifo.py"; then
        why "the FIFO's writer did not block in open()"
    else
        (cd / && exec setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_UID" --clear-groups \
            "$RPY" -c '
import time
code = "def spin(t):\n    end = time.time() + t\n    while time.time() < end:\n        pass\n"
while True:
    for name in ("'"$W/pub.py"'", "'"$W/rootonly.py"'", "'"$W/fifo.py"'", "/dev/zero"):
        g = {"time": time}
        exec(compile(code, name, "exec"), g)
        g["spin"](0.1)
') &
        TPID=$!
        WRITERS+=("$TPID")
        sleep 0.5
        run rec "$SG" record -q -d 1.5 -p "$TPID" -o "$T/rec.html"
        expect_rc 0 rec
        kill -KILL "$TPID" 2>/dev/null
        wait "$TPID" 2>/dev/null
        writer_blocked "$W/fifo.py" || why "the FIFO was opened (its writer was released)"
        j=$(sources_of "$T/rec.html")
        { absent "$T/rec.html" ROOTONLY
          grep -q "PUBLIC_$MARK" "$T/rec.html" || echo "the world-readable file is not embedded"
          expect_json "$j" 'j["note"]["unreadable"] == 1 and j["note"]["special"] == 2 and "uid" in j["note"]["rule"]'; } >"$T/why" 2>&1
        collect_why
    fi
    check_end
fi

if want page; then
    CHROME=$(command -v chromium || command -v chromium-browser || true)
    check_begin "the page lists the files it embedded and what was left out (Chromium)"
    if [[ -z $CHROME ]]; then
        note "no chromium: the page's list is not checked in a browser"
    else
        [[ -s $T/sources2.html ]] || "$SG" report "$T/evil.txt" -o "$T/sources2.html" --sources "$W,$W/priv" 2>/dev/null
        timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
            --no-first-run --user-data-dir="$T/chrome" --virtual-time-budget=10000 \
            --dump-dom "file://$T/sources2.html" >"$T/page.dom" 2>"$T/chrome.err"
        python3 - "$T/page.dom" "$W" >"$T/why" <<'EOF'
import html, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
w = sys.argv[2]
m = re.search(r'<ul id="src-list">(.*?)</ul>', dom, re.S)
items = sorted(html.unescape(x) for x in re.findall(r"<li>(.*?)</li>", m.group(1))) if m else None
want = sorted([w + "/pub.py", w + "/priv/secret.py", w + "/rootonly.py"])
if items != want:
    print("listed %r, expected %r" % (items, want))
s = re.search(r'<summary id="src-sum">(.*?)</summary>', dom, re.S)
if not s or "Source files embedded: 3; left out: 2" not in html.unescape(s.group(1)):
    print("summary: %r" % (s and s.group(1)))
if "in a protected directory" not in dom:
    print("no reason given for the files left out")
if re.search(r'<details id="src-files"[^>]*hidden', dom):
    print("the list is hidden")
EOF
        collect_why
        show "$T/chrome.err"
    fi
    check_end
fi

if want errors; then
    check_begin "report --sources of a missing directory or a file: one line, exit 2"
    run e1 "$SG" report "$T/evil.txt" -o "$T/e1.html" --sources "$W/nonexistent"
    expect_rc 2 e1
    [[ $(wc -l <"$T/e1.err") == 1 ]] && grep -q '^spyglass: --sources: .*nonexistent' "$T/e1.err" ||
        { why "not one line naming it"; show "$T/e1.err"; }
    run e2 "$SG" diff "$T/evil.txt" "$T/evil.txt" --sources "$W/pub.py"
    expect_rc 2 e2
    grep -q '^spyglass: --sources: .*is not a directory' "$T/e2.err" || { why "diff: no line"; show "$T/e2.err"; }
    check_end
fi

lib_finish
