#!/bin/bash
# Build every libFuzzer harness tests/fuzz/fuzz_NAME.c (with clang, ASan and UBSan) against the
# core sources and run each for a while. Exits non-zero if a harness fails to build or crashes.
# Usage: scripts/fuzz.sh [SECONDS]      (default 10 seconds per harness; run from anywhere)
set -u

secs=${1:-10}
case "$secs" in
'' | *[!0-9]*)
    echo "usage: $0 [SECONDS]" >&2
    exit 2
    ;;
esac

cd "$(dirname "$0")/.." || exit 2
out=build-fuzz
mkdir -p "$out" || exit 2

core=()
for f in src/*.c; do
    [ "$f" = src/main.c ] || core+=("$f")
done
# The report page's sources, which out_html.c embeds (see the Makefile).
scripts/embed.sh "$out/web_assets.c" web_report_html=web/report.html \
    web_report_css=web/report.css web_report_js=web/model.js+web/report.js || exit 2
core+=("$out/web_assets.c")

# The core is compiled once, instrumented for coverage (fuzzer-no-link) and sanitized, into an
# archive that every harness links: compiling it per harness took most of the run's time.
flags=(-g -O1 -D_GNU_SOURCE -Isrc -fsanitize=address,undefined -fno-sanitize-recover=undefined)
rm -rf "$out/core" && mkdir -p "$out/core" || exit 2
echo "fuzz: building the core (${#core[@]} files)" >&2
if ! printf '%s\n' "${core[@]}" | xargs -P "$(nproc)" -I{} sh -c \
    'clang "$@" -fsanitize=fuzzer-no-link -c -o "$0/$(basename "{}" .c).o" "{}"' \
    "$out/core" "${flags[@]}"; then
    echo "fuzz: the core does not build" >&2
    exit 1
fi
rm -f "$out/libfuzzcore.a"
ar rcs "$out/libfuzzcore.a" "$out"/core/*.o || exit 2

shopt -s nullglob
harnesses=(tests/fuzz/fuzz_*.c)
if [ ${#harnesses[@]} -eq 0 ]; then
    echo "fuzz: no harnesses in tests/fuzz" >&2
    exit 1
fi

failed=()
for h in "${harnesses[@]}"; do
    name=$(basename "$h" .c)
    name=${name#fuzz_}
    bin=$out/fuzz_$name
    corpus=$out/corpus_$name
    # A harness that checks XML output parses it with libxml2 (Debian's libxml2-dev).
    xml=()
    if grep -q '<libxml/' "$h"; then
        read -r -a xml < <(pkg-config --cflags --libs libxml-2.0 2>/dev/null ||
            echo "-I/usr/include/libxml2 -lxml2")
    fi
    echo "fuzz: building $bin" >&2
    if ! clang "${flags[@]}" -fsanitize=fuzzer -o "$bin" "$h" "$out/libfuzzcore.a" "${xml[@]}" \
        -lelf -ljansson -lz -lm; then
        failed+=("$name (build)")
        continue
    fi
    mkdir -p "$corpus"
    if [ -d "tests/fuzz/seeds/$name" ]; then
        cp -n "tests/fuzz/seeds/$name"/* "$corpus"/ 2>/dev/null
    fi
    echo "fuzz: running $bin for ${secs}s" >&2
    if ! (cd "$out" && "./fuzz_$name" -max_total_time="$secs" -print_final_stats=1 \
        "corpus_$name"); then
        failed+=("$name")
    fi
done

if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzz: FAILED: ${failed[*]} (crash inputs are in $out/)" >&2
    exit 1
fi
echo "fuzz: ${#harnesses[@]} harness(es) ran ${secs}s each, no crashes" >&2
