#!/usr/bin/env bash
# spyglass monitor's own peak memory (VmHWM) while it follows a tree of many short processes
# (tests/targets/forkloop.c: NCHILD children, 4 at a time, each spinning 2 ms and living 15 ms;
# goal: under 4 MB for 3000), next to a psutil loop that follows the same tree at the same
# interval and keeps each process's last CPU times (what a hand-written monitor does). Both
# figures are the monitor's own VmHWM at its end, read from /proc by this script while the
# monitor still runs, so the harness's memory is not counted. How it could mislead: the peer is
# a Python process, whose interpreter alone takes about 9 MB; its growth per process (printed
# too) is the comparable part. Knobs: NCHILD (3000), REPS (3).
source "$(dirname "$0")/lib/common.sh"
ensure_spyglass
NCHILD=${NCHILD:-3000}
REPS=${REPS:-3}
"$HARNESS_PY" -c 'import psutil' 2>/dev/null || "$HARNESS_PY" -m pip install -q psutil >&2 ||
    echo "bench: psutil could not be installed: no peer figure" >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -O2 -o "$tmp/forkloop" "$REPO_DIR/tests/targets/forkloop.c" || exit 1
echo "# $(basename "$0") on $(uname -n), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# spyglass: $SPYGLASS ($(cd "$REPO_DIR" && git rev-parse --short HEAD 2>/dev/null || echo '?'))"

# hwm PID: the process's peak RSS in KiB, polled every 20 ms until it exits (the last value).
hwm() {
    local last=0 v
    while v=$(awk '/^VmHWM/ { print $2 }' "/proc/$1/status" 2>/dev/null) && [ -n "$v" ]; do
        last=$v
        sleep 0.02
    done
    echo "$last"
}

cat >"$tmp/peer.py" <<'PY'
import sys, time, subprocess, psutil
root = subprocess.Popen(sys.argv[1:])
me = psutil.Process(root.pid)
seen = {}
while root.poll() is None:
    try:
        for p in [me] + me.children(recursive=True):
            try:
                seen[p.pid] = p.cpu_times()
            except psutil.Error:
                pass
    except psutil.Error:
        pass
    time.sleep(0.02)
print(len(seen), file=sys.stderr)
PY

sg=() peer=()
for r in $(seq "$REPS"); do
    "$SPYGLASS" monitor -q -i 0.02 -o "$tmp/m.json" -- "$tmp/forkloop" "$NCHILD" 4 2000 15 \
        >/dev/null 2>&1 &
    sg+=("$(hwm $!)")
    wait $!
    "$HARNESS_PY" "$tmp/peer.py" "$tmp/forkloop" "$NCHILD" 4 2000 15 >/dev/null 2>"$tmp/peer.err" &
    peer+=("$(hwm $!)")
    wait $!
done
# The peer's interpreter alone: the same Python doing nothing for a moment.
"$HARNESS_PY" -c 'import time, psutil; time.sleep(0.5)' &
base=$(hwm $!)
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
s=$(median "${sg[@]}") p=$(median "${peer[@]}")
echo "spyglass monitor, $NCHILD processes: peak RSS ${s} KiB (median of ${sg[*]}; goal < 4096)"
echo "psutil loop,      $NCHILD processes: peak RSS ${p} KiB (median of ${peer[*]}); its interpreter idle: ${base} KiB, growth $((p - base)) KiB"
awk -v s="$s" -v p="$p" 'BEGIN { if (p > 0) printf "ratio spyglass / psutil loop: %.2f\n", s / p }'
