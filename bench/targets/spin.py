"""Benchmark target: a busy thread spinning at a fixed Python stack depth.

usage: spin.py [DEPTH [LINES]]   (default 5, 1)

The stack while spinning is exactly DEPTH frames:
    <module> -> level x (DEPTH-2) -> spin
With LINES > 1, spin's loop body is LINES distinct source lines of equal cost (generated), so
that the leaf line changes every few tens of nanoseconds: two samples taken at different
moments almost never see the same stack (1 in about LINES). A trace that only marks changes
of stack (py-spy's chrometrace) then shows nearly every sample.
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


def make_spin(lines):
    """A spin() whose loop has LINES lines, one statement each."""
    body = "".join("        x%d = x%d + 1\n" % (i, (i - 1) % lines) for i in range(lines))
    src = ("def spin():\n"
           "    sys.stdout.write('ready\\n')\n"
           "    sys.stdout.flush()\n"
           + "".join("    x%d = 0\n" % i for i in range(lines)) +
           "    while True:\n" + body)
    ns = {"sys": sys}
    exec(compile(src, __file__ + ":spin%d" % lines, "exec"), ns)
    return ns["spin"]


def level(n):
    if n > 0:
        level(n - 1)
    else:
        spin()


if __name__ == "__main__":
    depth = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    if depth < 3:
        sys.exit("spin.py: DEPTH must be at least 3")
    if len(sys.argv) > 2 and int(sys.argv[2]) > 1:
        spin = make_spin(int(sys.argv[2]))
    signal.alarm(900)
    level(depth - 3)
