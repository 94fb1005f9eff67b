#!/bin/sh
# Sum the "N passed, N failed" lines of every test log of this `make test` and print the total
# as the last line.
p=0 f=0
for log in build/unit.log build/functional.log build/bench.log build/timeit.log build/monitor.log \
    build-asan/unit.log build-asan/functional.log build-asan/bench.log build-asan/timeit.log \
    build-asan/monitor.log; do
    [ -f "$log" ] || continue
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    [ -n "$line" ] || continue
    p=$((p + $(echo "$line" | cut -d' ' -f1)))
    f=$((f + $(echo "$line" | cut -d' ' -f3)))
done
echo "all suites (plain and ASan+UBSan):"
echo "$p passed, $f failed"
[ "$f" = 0 ]
