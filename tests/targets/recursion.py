"""Target of the 'recursion' functional check: recurses DEPTH levels deep into rec() (called
from the module level), then spins at the bottom for DURATION seconds.

usage: recursion.py [DEPTH] [DURATION]
"""
import sys
import time


def rec(n, end):
    if n > 1:
        return rec(n - 1, end)
    x = 0
    while time.perf_counter() < end:
        x += 1
    return x


DEPTH = int(sys.argv[1]) if len(sys.argv) > 1 else 500
DURATION = float(sys.argv[2]) if len(sys.argv) > 2 else 1.5
sys.setrecursionlimit(DEPTH + 1000)
rec(DEPTH, time.perf_counter() + DURATION)
