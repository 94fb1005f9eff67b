#!/usr/bin/env bash
# The HTML report's cost: how long spyglass takes to write it for 1M samples in 50k distinct
# stacks, how large it is, how long Chromium takes to open it, and the same figures next to
# py-spy's SVG flame graph.
#
# Method:
# * Write time: bench/lib/gen_stacks.py makes a synthetic collapsed profile (STACKS distinct
#   stacks, 50000, whose weights add up to SAMPLES, 1000000; 3000 functions, stacks 8-24 deep
#   sharing prefixes, Zipf weights). `spyglass report IN -f html` converts it; the median of
#   REPS (5) runs is the figure. `report -f collapsed` (read and write the same text) shows how
#   much of it is reading the input; `-f svg` is spyglass's own SVG, for scale.
# * Opening: headless Chromium loads the page from disk (--dump-dom, which returns after the
#   load event, when the viewer has drawn); the figure is the median wall time beyond that of
#   an empty page. The viewer's own account of its start (JSON parse, tree, table, first draw)
#   is printed too.
# * Against py-spy: py-spy cannot read a collapsed file, so the comparison records the same
#   program with both: bench/targets/manystacks.py (400 generated functions calling each other
#   along random paths, nearly every sample a new stack) for DURATION (8) seconds at RATE (1000)
#   Hz, each profiler launching it and recording until it exits, `spyglass record -o x.html`
#   (threads, resources and sources included, as -f html does) against `py-spy record -o x.svg`.
#   The time each takes beyond DURATION is its start-up plus writing its output once sampling
#   ends; output sizes are compared as they are (both files are self-contained and
#   interactive; the profiles are of the same program, not the same samples). LIVE_REPS (3)
#   runs, alternating which tool goes first; medians and ratios (spyglass / py-spy).
# Needs: pyenv's 3.11 (py-spy is installed into it when missing), chromium (else the opening
# figure is skipped). Prints '#' lines per run, then RESULT lines.
source "$(dirname "$0")/lib/common.sh"
bench_setup
chrome=$(command -v chromium || command -v chromium-browser || echo -)
[ "$chrome" = - ] && echo "# no chromium: the page-opening figure is skipped"
work=$(mktemp -d "${TMPDIR:-/tmp}/spyglass-html-bench.XXXXXX")
if [ "${BENCH_KEEP:-0}" = 1 ]; then
    echo "# files kept in $work"
else
    trap 'rm -rf "$work"' EXIT
fi
"$HARNESS_PY" -u "$BENCH_DIR/lib/html_bench.py" "$SPYGLASS" "$PYSPY" "$HARNESS_PY" "$chrome" "$work"
