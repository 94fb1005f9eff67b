"""Benchmark target for torn (inconsistent) stack reads.

Fast recursion through 50 DISTINCT functions f0 -> f1 -> ... -> f49 to a random depth
and back, in a tight loop. Every consistent stack is exactly
    <module>;main                      (between calls), or
    <module>;main;f0;f1;...;fk         (k = 0..49, consecutive, nothing else).
Anything else a profiler reports was read while the stack was changing.

Prints "ready" on stdout, then runs until killed (at most 15 minutes, via SIGALRM).
"""
import random
import signal
import sys

NFUNC = 50

_src = []
for _i in range(NFUNC):
    if _i < NFUNC - 1:
        _src.append("def f%d(d):\n    if d > %d:\n        f%d(d)\n" % (_i, _i, _i + 1))
    else:
        _src.append("def f%d(d):\n    pass\n" % _i)
exec("".join(_src), globals())


def main():
    rnd = random.Random(12345)
    depths = [rnd.randrange(NFUNC) for _ in range(4096)]
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        for d in depths:
            f0(d)  # noqa: F821 (defined by exec above)


if __name__ == "__main__":
    signal.alarm(900)
    main()
