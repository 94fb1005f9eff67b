"""Target of the 'modes' and 'threads' functional checks.

A thread runs sleeper() (time.sleep(0.05) in a loop) while the main thread runs busy(), a
pure-Python spin, for DURATION seconds. With INFOFILE (not '-'), writes "PID SLEEPER_TID" to it
once the sleeper thread runs. With CHURN, first starts and joins CHURN short-lived threads
(short(), a 30 ms sleep; 10 at a time), so that a profiler has seen that many threads come and go.
With SLEEPBUSY_TRUTH set to a path, writes "BUSY_CPU PROCESS_CPU" (seconds) there at the end.

usage: sleepbusy.py [DURATION] [INFOFILE] [CHURN]
"""
import os
import sys
import threading
import time

stop = False


def short():
    time.sleep(0.03)


def sleeper():
    while not stop:
        time.sleep(0.05)


def busy(duration):
    end = time.perf_counter() + duration
    x = 0
    while True:
        for _ in range(200):
            x = (x * 7 + 3) % 1000003
        if time.perf_counter() >= end:
            return x


def main():
    global stop
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    info = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] != "-" else None
    churn = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    for first in range(0, churn, 10):
        threads = [threading.Thread(target=short) for _ in range(min(10, churn - first))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    t = threading.Thread(target=sleeper, name="sleeper-thread")
    t.start()
    if info:
        with open(info, "w") as fh:
            fh.write("%d %d\n" % (os.getpid(), t.native_id))
    busy_cpu = time.thread_time()
    busy(duration)
    busy_cpu = time.thread_time() - busy_cpu
    stop = True
    t.join()
    truth = os.environ.get("SLEEPBUSY_TRUTH")
    if truth:  # busy()'s CPU seconds and the process's, for checks that compare shares
        with open(truth, "w") as fh:
            fh.write("%.6f %.6f\n" % (busy_cpu, time.process_time()))


main()
