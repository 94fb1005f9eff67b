"""Target of the 'diff' functional checks: three functions that each wait a fixed time per
round, f SCALE times as long as g and h: recordings with SCALE 1 and 2 differ only in f, which
takes twice as long in the second. They sleep rather than compute so that the truth holds on a
loaded machine: CPU-bound work takes longer under load, and the load is never the same during
two recordings, so a wall-time diff of computing functions shows g and h "changed" by whatever
the load did in between (CI saw -35%). A sleep's length is set here, not by the load (a late
wake-up adds the same to every call of every function, on both sides). Each sleep is one line
in its function, so the time is the function's own (self) at one line (one box per function in
a flame graph that tells lines apart).

usage: diffwork.py SCALE [ROUNDS]    (a round: f 5 ms x SCALE, g 5 ms, h 5 ms)
"""
import sys
import time

T = 0.005


def f(t):
    time.sleep(t)


def g(t):
    time.sleep(t)


def h(t):
    time.sleep(t)


def main():
    scale = float(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    for _ in range(rounds):
        f(T * scale)
        g(T)
        h(T)


main()
