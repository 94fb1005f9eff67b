"""A simple target: spin_target() spins in pure Python for DURATION seconds, then the process
exits 0. With READYFILE, writes the PID to it once spinning. On KeyboardInterrupt (SIGINT) it
exits with code 42, so that a test can tell the signal reached it and its code came back.

usage: spin.py [DURATION] [READYFILE]
"""
import os
import sys
import time


def spin_target(duration, ready):
    end = time.perf_counter() + duration
    if ready:
        with open(ready + ".tmp", "w") as fh:
            fh.write("%d\n" % os.getpid())
        os.rename(ready + ".tmp", ready)
    x = 0
    while time.perf_counter() < end:
        x = (x * 7 + 3) % 1000003
    return x


def main():
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    ready = sys.argv[2] if len(sys.argv) > 2 else None
    try:
        spin_target(duration, ready)
    except KeyboardInterrupt:
        sys.exit(42)


main()
