"""Target of the 'diff' functional checks: a fixed amount of CPU-bound work in three functions
with the same loop, interleaved in rounds so that a change in machine load touches all three
alike. f does SCALE times the work of g and h: recordings with SCALE 1 and 2 differ only in f,
which takes twice as long in the second. Each loop is one line and in its function itself, so
the time is the function's own (self) and its frame is at one line (one box per function in a
flame graph that tells lines apart).

usage: diffwork.py SCALE [ROUNDS]
"""
import sys

N = 20000


def f(n):
    acc = 0
    for i in range(n): acc = (acc * 1103515245 + i) % 2147483648  # noqa: E701
    return acc


def g(n):
    acc = 0
    for i in range(n): acc = (acc * 1103515245 + i) % 2147483648  # noqa: E701
    return acc


def h(n):
    acc = 0
    for i in range(n): acc = (acc * 1103515245 + i) % 2147483648  # noqa: E701
    return acc


def main():
    scale = float(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    for _ in range(rounds):
        f(int(N * scale))
        g(N)
        h(N)


main()
