"""Target of the 'dump escapes' functional check: a thread whose name holds a newline, quotes
and a terminal escape sequence, and a main-thread function whose code object's name holds an
escape byte. Writes READY_FILE once both sleep, then sleeps DURATION seconds.

usage: hostile_dump.py DURATION READY_FILE
"""
import sys
import threading
import time

THREAD_NAME = 'evil\nThread 1 (active): "x"\x1b[2J'
FUNC_NAME = "f\x1bn\\"


def sleeper(duration):
    time.sleep(duration)


def main():
    duration = float(sys.argv[1])
    t = threading.Thread(target=sleeper, args=(duration,), name=THREAD_NAME, daemon=True)
    t.start()

    def f(d):
        with open(sys.argv[2], "w") as out:
            out.write("ready\n")
        time.sleep(d)

    code = f.__code__.replace(co_name=FUNC_NAME)
    if hasattr(code, "co_qualname"):
        code = code.replace(co_qualname=FUNC_NAME)
    f.__code__ = code
    f(duration)


main()
