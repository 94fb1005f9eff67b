"""Target of the terminal-escaping checks (tests/functional/escape.sh): spins for DURATION seconds
in a function whose code object is renamed to hold terminal control sequences (clear screen, a
window title ended by BEL, a C1 CSI, a right-to-left override, a line break that would fake a
summary line); the test copies it to a file name holding ESC and BEL too.

usage: <copy of ctrl_names.py> [DURATION]
"""
import sys
import time

CTRL_NAME = "esc\x1b[2J\x1b]0;pwned\x07bel\x9b31m\u202eevil\nspyglass: fake line"


def spin(duration):
    end = time.perf_counter() + duration
    x = 0
    while time.perf_counter() < end:
        x = (x * 7 + 3) % 1000003
    return x


def rename(func, name):
    """Give func's code object a new name (and qualname: 3.11+ reports co_qualname)."""
    if hasattr(func.__code__, "co_qualname"):
        func.__code__ = func.__code__.replace(co_name=name, co_qualname=name)
    else:
        func.__code__ = func.__code__.replace(co_name=name)


rename(spin, CTRL_NAME)
spin(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
