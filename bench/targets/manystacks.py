"""Benchmark target with many distinct stacks (bench/html.sh): 400 generated functions call one
another along random paths 6 to 30 deep, so that nearly every sample is a stack not seen
before. Runs for DURATION seconds (default 10), then exits.

usage: manystacks.py [DURATION]
"""
import random
import sys
import time

N = 400
rng = random.Random(7)
source = []
for i in range(N):
    kids = [rng.randrange(N) for _ in range(5)]
    source.append(
        "def f%d(depth, r):\n"
        "    x = 0\n"
        "    for i in range(40):\n"
        "        x += i * r\n"
        "    if depth <= 0:\n"
        "        return x\n"
        "    k = (r * 1103515245 + 12345) & 0x7fffffff\n"
        "    return (f%d, f%d, f%d, f%d, f%d)[k %% 5](depth - 1, k)\n" % ((i,) + tuple(kids)))
namespace = {}
exec(compile("\n".join(source), "manystacks_generated.py", "exec"), namespace)
roots = [namespace["f%d" % i] for i in range(N)]


def main():
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    end = time.perf_counter() + duration
    r = 1
    while time.perf_counter() < end:
        r = (r * 48271) % 2147483647
        roots[r % N](6 + r % 25, r)


main()
