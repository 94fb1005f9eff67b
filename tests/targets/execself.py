"""Target of the exec checks (tests/functional/exec.sh): phase A spins in phase_a() for SECONDS,
then the process replaces its program with os.execv: with this script again, as phase B (which
spins in phase_b() for SECONDS and exits 0), under the same interpreter or another one, or with
any other command. Each phase appends 'PHASE PID VERSION SECONDS' to INFO, SECONDS being the
time it spun (perf_counter), the truth the checks compare with. With READY (not '-'), phase A
writes its PID there once it spins; with a WAIT file, it spins until that file exists and
then SECONDS more.

usage: execself.py a SECONDS INFO READY WAIT NEXT [ARGS...]
  NEXT: 'self' (sys.executable), a path to a Python (both run phase B), or 'cmd' followed by a
  command to exec as it is (PATH is searched)
       execself.py b SECONDS INFO
       execself.py c SECONDS INFO COUNT
  c: a chain of COUNT images, each spinning in phase_c() for SECONDS then exec'ing the next
  (INFO gets 'c PID' from the first)
"""
import os
import sys
import time


def spin(seconds, wait=None):
    t0 = time.perf_counter()
    end = t0 + seconds
    x = 0
    while wait and not os.path.exists(wait):
        x = (x * 7 + 3) % 1000003
        end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        x = (x * 7 + 3) % 1000003
    return time.perf_counter() - t0


def phase_a(seconds, ready, wait):
    if ready != "-":
        with open(ready + ".tmp", "w") as fh:
            fh.write("%d\n" % os.getpid())
        os.rename(ready + ".tmp", ready)
    return spin(seconds, None if wait == "-" else wait)


def phase_b(seconds):
    return spin(seconds)


def phase_c(seconds):
    return spin(seconds)


def note(info, phase, took):
    with open(info, "a") as fh:
        fh.write("%s %d %d.%d.%d %.6f\n" % ((phase, os.getpid()) + sys.version_info[:3] + (took,)))


def main():
    phase, seconds, info = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    if phase == "b":
        note(info, "b", phase_b(seconds))
        return
    if phase == "c":
        count = int(sys.argv[4])
        if not os.path.exists(info):
            with open(info + ".tmp", "w") as fh:
                fh.write("c %d\n" % os.getpid())
            os.rename(info + ".tmp", info)
        phase_c(seconds)
        if count > 1:
            py = sys.executable
            os.execv(py, [py, os.path.abspath(__file__), "c", sys.argv[2], info, str(count - 1)])
        return
    ready, wait, nxt = sys.argv[4], sys.argv[5], sys.argv[6:]
    note(info, "a", phase_a(seconds, ready, wait))
    sys.stdout.flush()
    sys.stderr.flush()
    if nxt[0] == "cmd":
        os.execvp(nxt[1], nxt[1:])
    py = sys.executable if nxt[0] == "self" else nxt[0]
    os.execv(py, [py, os.path.abspath(__file__), "b", str(seconds), info])


main()
