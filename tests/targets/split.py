"""Target of the 'split' and 'hotline' functional checks.

CPU-bound: alternates f(3*k) and g(k), k random in a range (so the calls cannot alias with
the sampling grid), with the same loop body in both, for DURATION seconds. It measures its own
wall-clock split with time.perf_counter around the calls and writes to OUTFILE the fraction of
the time spent in f out of f and g (e.g. 0.751234), then, on the same line, f's share of the
whole loop's time (what a profiler attached during the loop estimates as f's self share).
With READYFILE, writes its PID there once the loop starts (for a profiler to attach). With
TIMESFILE, also writes there the perf_counter times (CLOCK_MONOTONIC on Linux) of every call,
one line "t0 t1 t2" per loop (f ran from t0 to t1, g from t1 to t2), so that the truth of any
window can be computed. SIGINT ends the loop early; the files are written all the same.

usage: split.py OUTFILE [DURATION [READYFILE [TIMESFILE]]]
"""
import os
import random
import sys
import time


def f(n):
    acc = 0
    for i in range(n):
        acc = (acc * 1103515245 + i) % 2147483648  # HOT
    return acc


def g(n):
    acc = 0
    for i in range(n):
        acc = (acc * 1103515245 + i) % 2147483648
    return acc


def main():
    out = sys.argv[1]
    duration = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    ready = sys.argv[3] if len(sys.argv) > 3 else None
    times = [] if len(sys.argv) > 4 else None
    rnd = random.Random()
    clock = time.perf_counter
    in_f = in_g = 0.0
    if ready:
        with open(ready + ".tmp", "w") as fh:
            fh.write("%d\n" % os.getpid())
        os.rename(ready + ".tmp", ready)
    start = clock()
    end = start + duration
    try:
        while clock() < end:
            k = rnd.randint(1000, 4000)
            t0 = clock()
            f(3 * k)
            t1 = clock()
            g(k)
            t2 = clock()
            in_f += t1 - t0
            in_g += t2 - t1
            if times is not None:
                times.append((t0, t1, t2))
    except KeyboardInterrupt:
        pass
    with open(out, "w") as fh:
        fh.write("%.6f %.6f\n" % (in_f / (in_f + in_g), in_f / (clock() - start)))
    if times is not None:
        with open(sys.argv[4], "w") as fh:
            fh.writelines("%.9f %.9f %.9f\n" % t for t in times)


main()
