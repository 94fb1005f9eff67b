#!/bin/bash
# make test's runner, after the dependencies are installed: build the plain and the ASan+UBSan
# binaries (every CPU), then run the two halves side by side, since the suites spend much of
# their time waiting on their targets (recordings of fixed length, sleeps, process starts):
#   plain: unit tests, the page's JavaScript (make webtest), every functional suite on every
#          installed CPython;
#   ASan:  every functional suite on one CPython of each layout, then unit tests (make asan).
# Each half runs its suites two at a time (scripts/functional.sh); every statistical check
# compares with a truth measured in the same run, so the extra load is what a user's busy
# machine would add. Prints the total of every log last (scripts/summary.sh) and each phase's
# time; exits 1 when anything failed.
set -u
cd "$(dirname "$0")/.." || exit 2
jobs=$(nproc 2>/dev/null || echo 2)
make=${MAKE:-make}
start=$SECONDS

phase() { echo "# make test: $1 after $((SECONDS - start)) s"; }

$make -j"$jobs" all build/unit-tests || exit 1
$make -j"$jobs" BUILD=build-asan SAN=1 build-asan/spyglass build-asan/unit-tests || exit 1
phase "both builds done"

plain() {
    local rc=0
    $make --no-print-directory unit || rc=1
    $make --no-print-directory webtest || rc=1
    $make --no-print-directory functional || rc=1
    phase "plain half done"
    return $rc
}

# The ASan half runs its unit tests last: both unit runs write the same files under tests/out,
# so they must not overlap (the plain ones are done long before).
asan() {
    local rc=0
    $make --no-print-directory BUILD=build-asan SAN=1 asan-functional || rc=1
    $make --no-print-directory BUILD=build-asan SAN=1 unit || rc=1
    phase "ASan half done"
    return $rc
}

plain &
p=$!
asan &
a=$!
rc=0
wait $p || rc=1
wait $a || rc=1
scripts/summary.sh || rc=1
phase "all done"
exit $rc
