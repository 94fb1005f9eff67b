"""Target of the 'unicode' functional checks. run.sh copies it to a directory and file name
with spaces and non-ASCII characters. Spins for DURATION seconds in each of: naïve_函数, a
function whose code object is renamed to '<script>alert(1)</script>', and one renamed to
'q"u&o\'te' (attribute and entity escaping).

usage: <copy of hostile_names.py> [DURATION]
"""
import sys
import time

SCRIPT_NAME = "<script>alert(1)</script>"
QUOTE_NAME = "q\"u&o'te"


def naïve_函数(duration):
    end = time.perf_counter() + duration
    x = 0
    while time.perf_counter() < end:
        x = (x * 7 + 3) % 1000003
    return x


def evil(duration):
    end = time.perf_counter() + duration
    x = 0
    while time.perf_counter() < end:
        x = (x * 7 + 3) % 1000003
    return x


def quote(duration):
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


rename(evil, SCRIPT_NAME)
rename(quote, QUOTE_NAME)
DURATION = float(sys.argv[1]) if len(sys.argv) > 1 else 0.7
naïve_函数(DURATION)
evil(DURATION)
quote(DURATION)
