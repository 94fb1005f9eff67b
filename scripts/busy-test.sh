#!/bin/bash
# Run the README's test command (`make test`) on a fresh clone of this repository's HEAD while
# one busy loop per CPU keeps every CPU loaded, as on a user's laptop doing other work; print how
# long it took and its result. The tests must pass so: every statistical check compares with a
# truth measured in the same run.
# Usage: scripts/busy-test.sh [LOOPS]    (default: one per online CPU; 0: a quiet run)
set -u

loops=${1:-$(nproc)}
case "$loops" in
'' | *[!0-9]*)
    echo "usage: $0 [LOOPS]" >&2
    exit 2
    ;;
esac
src=$(cd "$(dirname "$0")/.." && pwd) || exit 2
work=$(mktemp -d /tmp/spyglass-busy.XXXXXX) || exit 2
pids=()
cleanup() {
    ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null
    wait 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

git clone -q "$src" "$work/spyglass" || exit 2
for ((i = 0; i < loops; i++)); do
    (while :; do :; done) &
    pids+=($!)
done
echo "busy-test: $(git -C "$work/spyglass" log -1 --format=%h) in $work/spyglass," \
    "$loops busy loop(s) on $(nproc) CPU(s)" >&2
start=$(date +%s)
(cd "$work/spyglass" && make test) >"$work/test.log" 2>&1
rc=$?
end=$(date +%s)
cleanup
pids=()
tail -n 3 "$work/test.log"
grep -E '^FAIL' "$work/test.log" >&2
echo "busy-test: make test exit $rc after $(((end - start) / 60)) min $(((end - start) % 60)) s" \
    "with $loops busy loop(s); log: $work/test.log"
exit "$rc"
