"""Target of the 'split' and 'hotline' functional checks.

CPU-bound: alternates f(3*k) and g(k), k random in a range (so the calls cannot alias with
the sampling grid), with the same loop body in both, for DURATION seconds. It measures its own
wall-clock split with time.perf_counter around the calls and writes the fraction of the time
spent in f (e.g. 0.751234) to OUTFILE.

usage: split.py OUTFILE [DURATION]
"""
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
    rnd = random.Random()
    clock = time.perf_counter
    in_f = in_g = 0.0
    end = clock() + duration
    while clock() < end:
        k = rnd.randint(1000, 4000)
        t0 = clock()
        f(3 * k)
        t1 = clock()
        g(k)
        t2 = clock()
        in_f += t1 - t0
        in_g += t2 - t1
    with open(out, "w") as fh:
        fh.write("%.6f\n" % (in_f / (in_f + in_g)))


main()
