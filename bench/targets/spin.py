"""Benchmark target: a busy thread spinning at a fixed Python stack depth.

usage: spin.py [DEPTH]   (default 5)

The stack while spinning is exactly DEPTH frames:
    <module> -> level x (DEPTH-2) -> spin
Prints "ready" on stdout once the spinning stack is in place; spins until killed
(or for at most 15 minutes, via SIGALRM, in case the harness died).
"""
import signal
import sys


def spin():
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    x = 0
    while True:
        x += 1


def level(n):
    if n > 0:
        level(n - 1)
    else:
        spin()


if __name__ == "__main__":
    depth = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    if depth < 3:
        sys.exit("spin.py: DEPTH must be at least 3")
    signal.alarm(900)
    level(depth - 3)
