#!/bin/bash
# Run the functional suites (tests/functional/*.sh) against one spyglass binary, JOBS at a time,
# longest first; each writes BUILD/NAME.log ending in "N passed, N failed" and its time, which
# is printed whole when the suite ends. Exits 1 when any suite failed.
#
# usage: scripts/functional.sh BUILD BINARY [SPEC...]
#   SPEC: NAME (tests/functional/NAME.sh, all of it) or NAME=SCRIPT:REGEX (the groups of
#   SCRIPT.sh that REGEX names, logged as NAME). Default: every suite, run.sh in two halves.
#   SPYGLASS_TEST_JOBS: suites at a time (default 2). The suites' checks compare with truths
#   measured in the same run, so they hold while others load the CPUs; 1 runs them one by one.
set -u

build=$1 bin=$2
shift 2
cd "$(dirname "$0")/.." || exit 2
jobs=${SPYGLASS_TEST_JOBS:-2}
case "$jobs" in '' | *[!0-9]* | 0) jobs=1 ;; esac

# Longest first (seconds on the project's 2-CPU VM, plain build): run 310 (two halves), exec
# 95, timeit 80, async 41, monitor 39, states 38, bench 33, html 24, raw 21, escape 11, outputs
# 11, exports 7, sources 7, ticks 5, messages 1.
specs=("$@")
if [ ${#specs[@]} -eq 0 ]; then
    specs=(
        "run-1=run:whole|modes|subinterp|formats|unicode|signals|debug"
        "run-2=run:split|recursion|attach|exitcode|threads|threadnames|unsupported|badinput"
        exec timeit async monitor states bench html raw escape outputs exports sources ticks
        messages
    )
fi

rc=0
running=0
declare -A started

# One suite: its log, then its time on the log's last line.
suite() {
    local name=$1 script=$2 regex=$3 s=$SECONDS
    if [ -n "$regex" ]; then
        SPYGLASS=$bin "tests/functional/$script.sh" "$regex" >"$build/$name.log" 2>&1
    else
        SPYGLASS=$bin "tests/functional/$script.sh" >"$build/$name.log" 2>&1
    fi
    local r=$?
    echo "# $name: $((SECONDS - s)) s" >>"$build/$name.log"
    cat "$build/$name.log"
    return $r
}

# Wait for one suite to end; its failure sets rc.
reap() {
    wait -n
    [ $? -eq 0 ] || rc=1
    running=$((running - 1))
}

for spec in "${specs[@]}"; do
    name=${spec%%=*} script=$name regex=
    if [ "$spec" != "$name" ]; then
        script=${spec#*=}
        regex=${script#*:}
        script=${script%%:*}
    fi
    [ -x "tests/functional/$script.sh" ] || continue
    [ -z "${started[$name]:-}" ] || {
        echo "functional: $name given twice" >&2
        exit 2
    }
    started[$name]=1
    while [ "$running" -ge "$jobs" ]; do reap; done
    suite "$name" "$script" "$regex" &
    running=$((running + 1))
done
while [ "$running" -gt 0 ]; do reap; done
exit $rc
