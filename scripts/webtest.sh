#!/bin/sh
# The report page's JavaScript: syntax (node --check) and lint (Debian's eslint with
# .eslintrc.json) of web/*.js, tests/browser/check.js and tests/web/*.js, then the model's unit
# tests (tests/web/*.test.js, node's test runner), some of them against the binary $SPYGLASS.
# Prints one line per check and ends with "N passed, N failed" (scripts/summary.sh adds it up).
# Usage: SPYGLASS=$PWD/spyglass scripts/webtest.sh   (make webtest)
cd "$(dirname "$0")/.." || exit 2
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" = 0 ]
    exit
}

if ! command -v node >/dev/null 2>&1; then
    bad "node: not installed (scripts/deps.sh test installs Debian's nodejs)"
    finish
fi
js="web/model.js web/report.js tests/browser/check.js $(echo tests/web/*.js)"
for f in $js; do
    if node --check "$f"; then ok "syntax: $f"; else bad "syntax: $f"; fi
done
# Debian's eslint finds its modules in /usr/share/nodejs, which only Debian's node searches by
# itself; the unix format needs none of the optional ones.
if ! command -v eslint >/dev/null 2>&1; then
    bad "eslint: not installed (scripts/deps.sh test installs Debian's eslint)"
# shellcheck disable=SC2086 # $js: file names without spaces
elif NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH} eslint -f unix $js; then
    ok "eslint: $(echo $js | wc -w) files"
else
    bad "eslint"
fi

out=$(mktemp) || exit 2
# shellcheck disable=SC2046
node --test --test-reporter=tap $(echo tests/web/*.test.js) >"$out" 2>&1
rc=$?
cat "$out"
np=$(grep -E '^# pass [0-9]+$' "$out" | cut -d' ' -f3)
nf=$(grep -E '^# fail [0-9]+$' "$out" | cut -d' ' -f3)
rm -f "$out"
if [ -z "$np" ] || [ -z "$nf" ]; then
    bad "node --test: no summary (exit $rc)"
else
    pass=$((pass + np))
    fail=$((fail + nf))
    [ "$rc" = 0 ] || [ "$nf" != 0 ] || bad "node --test: exit $rc"
fi
finish
