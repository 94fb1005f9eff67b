#!/usr/bin/env bash
# Timing floor of `spyglass bench`: the median it reports for /bin/true against a raw
# posix_spawn+wait4 loop (bench/lib/spawnloop.c: no statistics, no /proc reads, nothing but
# the spawn) and against hyperfine -N, all measured in the same run, in ROUNDS (5) rounds of
# RUNS (2000) runs each, the three tools in a rotating order. Also compares the run-to-run
# spread (MAD) with hyperfine's.
# Goals: spyglass median within 10% of the raw loop, <= hyperfine's median, MAD <= hyperfine's.
source "$(dirname "$0")/lib/common.sh"
ensure_spyglass
if ! command -v hyperfine >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        echo "bench: installing hyperfine (apt-get install hyperfine)" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null 2>&1 ||
            die "cannot install hyperfine"
    else
        die "hyperfine is not installed (sudo apt-get install hyperfine)"
    fi
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -O2 -o "$tmp/spawnloop" "$BENCH_DIR/lib/spawnloop.c" || die "cannot build spawnloop.c"
echo "# $(basename "$0") on $(uname -n), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# spyglass: $SPYGLASS ($(cd "$REPO_DIR" && git rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "# hyperfine: $(hyperfine --version)"
exec "$HARNESS_PY" -u - "$tmp/spawnloop" "${ROUNDS:-5}" "${RUNS:-2000}" "${CMD:-/bin/true}" <<'PYEOF'
import json, os, statistics, subprocess, sys, tempfile

spawnloop, rounds, runs, cmd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
sg = os.environ["SPYGLASS"]
tmp = tempfile.mkdtemp()

def mad(xs):
    m = statistics.median(xs)
    return statistics.median(abs(x - m) for x in xs)

def raw():
    out = subprocess.run([spawnloop, str(runs), cmd], capture_output=True, text=True, check=True)
    times = [float(x) / 1e6 for x in out.stdout.split()]  # one line per run, microseconds
    return times

def spyglass():
    path = os.path.join(tmp, "sg.json")
    subprocess.run([sg, "bench", "-q", "--runs", str(runs), "--export-json", path, cmd],
                   check=True, stdout=subprocess.DEVNULL)
    j = json.load(open(path))
    return [r["wall"] for r in j["runs"]]

def hyperfine():
    path = os.path.join(tmp, "hf.json")
    subprocess.run(["hyperfine", "-N", "--style", "none", "--runs", str(runs), "--export-json",
                    path, cmd], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return json.load(open(path))["results"][0]["times"]

tools = [("raw posix_spawn+wait4", raw), ("spyglass bench", spyglass), ("hyperfine -N", hyperfine)]
med = {t: [] for t, _ in tools}
mads = {t: [] for t, _ in tools}
print("# %d rounds x %d runs of %s; per round: median / MAD in microseconds" % (rounds, runs, cmd))
for r in range(rounds):
    order = tools[r % 3:] + tools[:r % 3]
    row = []
    for name, fn in order:
        t = fn()
        med[name].append(statistics.median(t))
        mads[name].append(mad(t))
        row.append("%s %.1f / %.1f" % (name, med[name][-1] * 1e6, mads[name][-1] * 1e6))
    print("  round %d: %s" % (r + 1, ", ".join(row)))
M = {t: statistics.median(v) for t, v in med.items()}
D = {t: statistics.median(v) for t, v in mads.items()}
print()
for t, _ in tools:
    print("  %-22s median %8.1f us   MAD %6.1f us   (medians over rounds)" % (t, M[t] * 1e6, D[t] * 1e6))
raw_r = M["spyglass bench"] / M["raw posix_spawn+wait4"]
hf_r = M["spyglass bench"] / M["hyperfine -N"]
mad_r = D["spyglass bench"] / D["hyperfine -N"]
print()
print("RESULT floor spyglass/raw median ratio: %.3f (goal <= 1.10: %s)" % (raw_r, "PASS" if raw_r <= 1.10 else "FAIL"))
print("RESULT floor spyglass/hyperfine median ratio: %.3f (goal <= 1.00: %s)" % (hf_r, "PASS" if hf_r <= 1.0 else "FAIL"))
print("RESULT floor spyglass/hyperfine MAD ratio: %.3f (goal <= 1.00: %s)" % (mad_r, "PASS" if mad_r <= 1.0 else "FAIL"))
PYEOF
