"""Target of the 'modes' and 'threads' functional checks.

A thread runs sleeper() (time.sleep(0.05) in a loop) while the main thread runs busy(), a
pure-Python spin, for DURATION seconds. With INFOFILE (not '-'), writes "PID SLEEPER_TID" to it
once the sleeper thread runs. With CHURN, first starts and joins CHURN short-lived threads
(short(), a 30 ms sleep; 10 at a time), so that a profiler has seen that many threads come and go.
With SLEEPBUSY_TRUTH set to a path, writes "BUSY_CPU PROCESS_CPU BUSY_RUNNABLE ALL_RUNNABLE"
(seconds) there at the end: busy()'s CPU and the process's, then the time busy() was runnable (on
a CPU or waiting in a run queue, from the thread's schedstat) and the same summed over every
thread of the process (each thread adds its own when it ends); the last two are -1 without
schedstat. A sampler that counts runnable threads as on CPU sees busy() in BUSY_RUNNABLE /
ALL_RUNNABLE of its stacks, whatever load delays the threads.

usage: sleepbusy.py [DURATION] [INFOFILE] [CHURN]
"""
import os
import sys
import threading
import time

stop = False
runnable = []  # each ended thread's runnable seconds
lock = threading.Lock()


def schedstat():
    """This thread's runnable seconds so far (on a CPU + waiting in a run queue), or None."""
    try:
        with open("/proc/thread-self/schedstat") as fh:
            run, wait = fh.read().split()[:2]
        return (int(run) + int(wait)) * 1e-9
    except (OSError, ValueError):
        return None


def ended():
    """Add this thread's runnable time to the process's."""
    r = schedstat()
    with lock:
        runnable.append(r)


def short():
    time.sleep(0.03)
    ended()


def sleeper():
    while not stop:
        time.sleep(0.05)
    ended()


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
    busy_cpu, busy_run = time.thread_time(), schedstat()
    busy(duration)
    busy_cpu, end_run = time.thread_time() - busy_cpu, schedstat()
    stop = True
    t.join()
    ended()  # the main thread's whole life
    truth = os.environ.get("SLEEPBUSY_TRUTH")
    if truth:  # for checks that compare shares
        known = busy_run is not None and end_run is not None and None not in runnable
        with open(truth, "w") as fh:
            fh.write("%.6f %.6f %.6f %.6f\n" % (busy_cpu, time.process_time(),
                                                 end_run - busy_run if known else -1,
                                                 sum(runnable) if known else -1))


main()
